"""Identity providers (ks_identity_provider, ks_identity_types) against an in-memory client: each type's options
checked before any request, secret options write-only and masked wherever they could show, and a type change
that drops the old type's secrets."""
import base64
import json

import pytest
import yaml

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    ResourceFailure,
    ValidationError,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_provider import (
    IdentityProviderResource,
    without_secrets,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_types import (
    TYPES,
    is_secret_key,
    options_error,
    secret_option_values,
)
from fake_client import FakeClient

SECRETS = "/api/v1/namespaces/kubesphere-system/secrets"
LDAP = dict(host="ldap.example.com:389", managerDN="cn=admin,dc=example,dc=com", managerPassword="Ldap-Bind-Pw-1",
            userSearchBase="ou=people,dc=example,dc=com", loginAttribute="uid")
GITHUB = dict(clientID="gh-app", clientSecret="Gh-Secret-0001", redirectURL="https://ks.example.com/oauth/callback/gh")
CAS = dict(casServerURL="https://cas.example.com/cas", redirectURL="https://ks.example.com/oauth/callback/cas")


# --- each type's options -----------------------------------------------------------------------------

@pytest.mark.parametrize("type_name, options", [
    ("LDAPIdentityProvider", dict(LDAP, startTLS=True, readTimeout=15000)),
    ("OIDCIdentityProvider", dict(GITHUB, issuer="https://sso.example.com", scopes=["openid", "email"])),
    ("OIDCIdentityProvider", dict(GITHUB, endpoint={"authURL": "https://a", "tokenURL": "https://t"})),
    ("GitHubIdentityProvider", dict(GITHUB, endpoint={"authURL": "https://ghe/a"})),
    ("CASIdentityProvider", dict(CAS, insecureSkipVerify=False)),
    ("AliyunIDaaSProvider", dict(GITHUB, endpoint={"authURL": "a", "tokenURL": "t", "userInfoURL": "u"})),
])
def test_good_options_of_each_type(type_name, options):
    assert options_error(type_name, options) is None


@pytest.mark.parametrize("type_name, options, message", [
    ("SAMLIdentityProvider", {}, "type 'SAMLIdentityProvider' is not one KubeSphere v4.1 builds; use one of "
                                 "AliyunIDaaSProvider, CASIdentityProvider, GitHubIdentityProvider"),
    ("CASIdentityProvider", "url", "options must be a dictionary of the CASIdentityProvider settings"),
    ("CASIdentityProvider", dict(CAS, casServerUrl="x"), "options of a CASIdentityProvider do not include "
                                                         "casServerUrl (KubeSphere ignores unknown keys"),
    ("LDAPIdentityProvider", dict(LDAP, managerPassword=""), "options of a LDAPIdentityProvider need managerPassword"),
    ("OIDCIdentityProvider", GITHUB, "options of a OIDCIdentityProvider need issuer or endpoint"),
    ("LDAPIdentityProvider", dict(LDAP, startTLS="yes"), "options.startTLS must be true or false, not 'yes'"),
    ("LDAPIdentityProvider", dict(LDAP, readTimeout=True), "options.readTimeout must be a whole number, not True"),
    ("LDAPIdentityProvider", dict(LDAP, readTimeout="15s"), "options.readTimeout must be a whole number"),
    ("GitHubIdentityProvider", dict(GITHUB, scopes="user"), "options.scopes must be a list, not 'user'"),
    ("GitHubIdentityProvider", dict(GITHUB, endpoint="https://ghe"), "options.endpoint must be a dictionary with "
                                                                     "authURL, tokenURL, userInfoURL"),
    ("GitHubIdentityProvider", dict(GITHUB, endpoint={"jwksURL": "x"}),
     "options.endpoint of a GitHubIdentityProvider takes authURL, tokenURL, userInfoURL, not jwksURL"),
    ("OIDCIdentityProvider", dict(GITHUB, endpoint={"authURL": "a"}),
     "options.endpoint of a OIDCIdentityProvider needs tokenURL"),
    ("AliyunIDaaSProvider", dict(GITHUB, endpoint={"authURL": "a", "tokenURL": "t"}),
     "options.endpoint of a AliyunIDaaSProvider needs userInfoURL"),
])
def test_bad_options_name_what_is_wrong(type_name, options, message):
    assert message in options_error(type_name, options)


def test_secret_keys_follow_kubesphere_rule_and_every_type_marks_its_secrets_so():
    assert is_secret_key("managerPassword") and is_secret_key("clientSecret") and is_secret_key("SECRETKEY")
    assert not is_secret_key("clientID") and not is_secret_key("managerDN")
    marked = dict((name, sorted(k for k in kind.known if "(secret)" in kind.known[k])) for name, kind in TYPES.items())
    assert marked == dict((name, sorted(k for k in kind.known if is_secret_key(k))) for name, kind in TYPES.items())
    assert secret_option_values(dict(LDAP, clientSecret="")) == ["Ldap-Bind-Pw-1"]
    assert secret_option_values("not a dict") == []


def test_without_secrets_leaves_out_every_secret_option_and_keeps_the_rest():
    config = {"name": "gh", "type": "GitHubIdentityProvider", "provider": dict(GITHUB)}
    shown = without_secrets(config)
    assert "clientSecret" not in shown["provider"] and shown["provider"]["clientID"] == "gh-app"
    assert config["provider"]["clientSecret"] == "Gh-Secret-0001"            # the input is not changed


# --- the resource ----------------------------------------------------------------------------------

def provider_secret(name, type_name, options, secret_name=None, mapping="auto"):
    config = {"name": name, "type": type_name, "mappingMethod": mapping, "provider": dict(options)}
    data = base64.b64encode(yaml.safe_dump(config).encode()).decode()
    return {"metadata": {"name": secret_name or name, "namespace": "kubesphere-system", "resourceVersion": "5",
                         "labels": {"config.kubesphere.io/type": "identityprovider"}},
            "type": "config.kubesphere.io/identityprovider", "data": {"configuration.yaml": data}}


def params(**kw):
    base = dict(name="gh", state="present", type="GitHubIdentityProvider", options=dict(GITHUB), mapping_method=None,
                display_name=None, hidden=None, disabled=None, update_secrets="on_create", wait=False)
    base.update(kw)
    return base


def run(client, state="present", check_mode=False, warn=None, **kw):
    res = IdentityProviderResource(client, params(state=state, **kw), check_mode=check_mode, warn=warn)
    return res, converge(res, state)


def config_written(write):
    return yaml.safe_load(write[2]["stringData"]["configuration.yaml"])


def shown(res, out):
    """Everything a task returns or prints: the diff's before and after and the returned object."""
    return json.dumps([out.before, out.after, res.public(out.obj)])


def test_a_new_provider_is_a_labelled_secret_holding_its_configuration():
    client = FakeClient()
    res, out = run(client)
    (write,) = client.writes
    assert write[:2] == ("POST", SECRETS)
    body = write[2]
    assert body["type"] == "config.kubesphere.io/identityprovider"
    assert body["metadata"]["labels"] == {"config.kubesphere.io/type": "identityprovider",
                                          "app.kubernetes.io/managed-by": "kubesphere.core"}
    assert config_written(write) == {"name": "gh", "type": "GitHubIdentityProvider", "mappingMethod": "auto",
                                     "provider": GITHUB}
    assert out.after["options"]["clientSecret"] == "********"
    assert "Gh-Secret-0001" not in shown(res, out)
    assert res.public(out.obj)["secret"]["name"] == "gh"


def test_check_mode_predicts_the_create_masked_and_writes_nothing():
    client = FakeClient(read_only=True)
    res, out = run(client, check_mode=True)
    assert out.changed and out.action == "created"
    assert "Gh-Secret-0001" not in shown(res, out)
    assert res.public(out.obj)["secret"] == {"name": "gh", "namespace": "kubesphere-system"}


def test_a_secret_given_again_is_not_compared_unless_update_secrets_always():
    client = FakeClient().add(SECRETS + "/gh", provider_secret("gh", "GitHubIdentityProvider",
                                                               dict(GITHUB, clientSecret="Old-Secret-0001")))
    res, out = run(client)
    assert not out.changed and client.writes == []
    assert "Old-Secret-0001" not in shown(res, out) and "Gh-Secret-0001" not in shown(res, out)


def test_update_secrets_always_sets_it_and_the_diff_says_changed_without_the_values():
    client = FakeClient().add(SECRETS + "/gh", provider_secret("gh", "GitHubIdentityProvider",
                                                               dict(GITHUB, clientSecret="Old-Secret-0001")))
    res, out = run(client, update_secrets="always")
    assert out.changed
    assert out.before["options"]["clientSecret"] == "********"
    assert out.after["options"]["clientSecret"] == "******** (changed)"
    (write,) = client.writes
    assert write[:2] == ("PUT", SECRETS + "/gh")
    assert config_written(write)["provider"]["clientSecret"] == "Gh-Secret-0001"
    assert "configuration.yaml" not in (write[2].get("data") or {})       # only stringData holds it now
    text = shown(res, out)
    assert "Old-Secret-0001" not in text and "Gh-Secret-0001" not in text


def test_with_on_create_another_change_writes_the_stored_secret_not_the_given_one():
    client = FakeClient().add(SECRETS + "/gh", provider_secret("gh", "GitHubIdentityProvider",
                                                               dict(GITHUB, clientSecret="Old-Secret-0001")))
    res, out = run(client, options=dict(GITHUB, redirectURL="https://new/callback"))
    assert out.changed
    assert config_written(client.writes[0])["provider"] == dict(GITHUB, redirectURL="https://new/callback",
                                                                clientSecret="Old-Secret-0001")
    assert out.after["options"]["clientSecret"] == "********"             # not "(changed)": it was not
    assert "Old-Secret-0001" not in shown(res, out)


def test_a_type_change_drops_the_old_types_secret_and_warns():
    warnings = []
    client = FakeClient().add(SECRETS + "/corp", provider_secret("corp", "LDAPIdentityProvider", LDAP))
    res, out = run(client, warn=warnings.append, name="corp", type="CASIdentityProvider", options=dict(CAS))
    assert out.changed
    written = config_written(client.writes[0])
    assert written["type"] == "CASIdentityProvider" and written["provider"] == CAS   # no managerPassword left
    assert "changes type from LDAPIdentityProvider to CASIdentityProvider" in warnings[0]
    assert "Ldap-Bind-Pw-1" not in shown(res, out)


def test_an_old_secret_the_type_does_not_take_is_dropped_even_without_other_changes():
    stored = dict(CAS, managerPassword="Ldap-Bind-Pw-1")           # left over from an earlier type
    client = FakeClient().add(SECRETS + "/corp", provider_secret("corp", "CASIdentityProvider", stored))
    _res, out = run(client, name="corp", type="CASIdentityProvider", options=dict(CAS))
    assert out.changed and config_written(client.writes[0])["provider"] == CAS


def test_the_provider_is_found_by_the_name_in_its_configuration_not_by_the_secret_name():
    client = FakeClient().add(SECRETS + "/idp-7f3a", provider_secret("gh", "GitHubIdentityProvider", GITHUB,
                                                                     secret_name="idp-7f3a"))
    _res, out = run(client, display_name="GitHub")
    assert client.writes[0][:2] == ("PUT", SECRETS + "/idp-7f3a")
    assert out.before == {"type": "GitHubIdentityProvider", "display_name": None,
                          "options": dict(GITHUB, clientSecret="********")}


def test_a_secret_of_another_kind_or_type_is_no_provider():
    other = provider_secret("gh", "GitHubIdentityProvider", GITHUB, secret_name="copy")
    other["type"] = "Opaque"
    client = FakeClient().add(SECRETS + "/copy", other)
    run(client)
    assert client.writes[0][:2] == ("POST", SECRETS)


def test_two_secrets_defining_one_provider_are_refused():
    client = FakeClient().add(SECRETS + "/a", provider_secret("gh", "GitHubIdentityProvider", GITHUB, secret_name="a"))
    client.add(SECRETS + "/b", provider_secret("gh", "GitHubIdentityProvider", GITHUB, secret_name="b"))
    with pytest.raises(ValidationError) as err:
        run(client)
    assert "identity provider gh is defined by 2 Secrets in kubesphere-system (a, b)" in str(err.value)


def test_a_secret_name_held_by_another_provider_is_refused_before_the_create():
    client = FakeClient().add(SECRETS + "/gh", provider_secret("other", "CASIdentityProvider", CAS, secret_name="gh"))
    with pytest.raises(ValidationError) as err:
        run(client)
    assert "Secret kubesphere-system/gh already holds provider 'other'" in str(err.value)
    assert client.writes == []


def test_a_user_who_may_not_read_secrets_is_told_it_needs_platform_admin():
    client = FakeClient().fail("LIST", SECRETS, KubeSphereError("secrets is forbidden", status=403))
    with pytest.raises(ResourceFailure) as err:
        run(client, ks_username="bob")
    assert "bob may not read identity providers" in str(err.value) and "platform-admin" in str(err.value)
    assert err.value.details == {"status": 403}


def test_a_server_without_the_api_is_refused_before_any_read():
    client = FakeClient(line="v3")
    with pytest.raises(KubeSphereError) as err:
        run(client)
    assert "identity provider API" in str(err.value) and "KubeSphere 4.x" in str(err.value)
    assert client.calls == []


@pytest.mark.parametrize("kw, state, message", [
    (dict(name="x" * 46), "present", "is 46 characters long; at most 45 are allowed"),
    (dict(name="GitHub"), "present", "not a valid DNS-1123 label"),
    (dict(type=None), "present", "type is required when state=present"),
    (dict(options=None), "present", "options is required when state=present: the settings of the "
                                    "GitHubIdentityProvider"),
    (dict(options=dict(GITHUB, clientId="x")), "present", "do not include clientId"),
])
def test_input_is_checked_before_any_request(kw, state, message):
    client = FakeClient()
    with pytest.raises(ValidationError) as err:
        run(client, state=state, **kw)
    assert message in str(err.value) and client.calls == []


def test_absent_needs_neither_type_nor_options_and_deletes_the_providers_secret():
    client = FakeClient().add(SECRETS + "/idp-1", provider_secret("gh", "GitHubIdentityProvider", GITHUB,
                                                                  secret_name="idp-1"))
    res, out = run(client, state="absent", type=None, options=None)
    assert out.changed and client.writes == [("DELETE", SECRETS + "/idp-1", None)]
    assert out.before["options"]["clientSecret"] == "********" and "Gh-Secret-0001" not in shown(res, out)
