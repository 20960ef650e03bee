"""Identity-provider Secrets, the config webhook, configs/oauth, provider password grants, and the
password API's hashing window (identity.json and user-password.json, checked beyond the replay's
shape comparison)."""

import base64

import yaml

from emu_helpers import APIS_USERS, USERS, create_user, unique, wait_active, wait_for

SECRETS = "/api/v1/namespaces/kubesphere-system/secrets"
OAUTH = "/kapis/config.kubesphere.io/v1alpha2/configs/oauth"
IDP_TYPE = "config.kubesphere.io/identityprovider"


def provider_secret(secret_name, **config):
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": secret_name, "labels": {"config.kubesphere.io/type": "identityprovider"}},
            "type": IDP_TYPE, "stringData": {"configuration.yaml": yaml.safe_dump(config)}}


def listed(admin, name):
    return [p for p in admin.get(OAUTH).json()["identityProviders"] if p["name"] == name]


def test_provider_secret_is_labelled_and_listed_without_secrets(admin):
    name = unique("emu-ldap")
    created = admin.post(SECRETS, json=provider_secret(name, name=name, type="LDAPIdentityProvider",
                                                       mappingMethod="auto", provider={
                                                           "host": "127.0.0.1:1", "managerDN": "cn=admin",
                                                           "managerPassword": "fake-pass", "loginAttribute": "uid"}))
    assert created.status_code == 201, created.text
    body = created.json()
    assert "stringData" not in body and body["type"] == IDP_TYPE
    assert body["metadata"]["labels"][IDP_TYPE] == name
    stored = yaml.safe_load(base64.b64decode(body["data"]["configuration.yaml"]))
    assert stored["provider"]["managerPassword"] == "fake-pass"
    shown, = wait_for(lambda: listed(admin, name), message="the provider in configs/oauth")
    assert shown == {"name": name, "mappingMethod": "auto", "type": "LDAPIdentityProvider", "hidden": False,
                     "disabled": False, "displayName": "",
                     "provider": {"host": "127.0.0.1:1", "loginAttribute": "uid", "managerDN": "cn=admin"}}
    assert admin.delete(f"{SECRETS}/{name}").status_code == 200
    wait_for(lambda: not listed(admin, name), message="the provider to leave configs/oauth")


def test_webhook_denies_duplicate_empty_and_renamed_providers(admin):
    name = unique("emu-gh")
    config = dict(name=name, type="GitHubIdentityProvider", mappingMethod="lookup",
                  provider={"clientID": "x", "clientSecret": "s"})
    assert admin.post(SECRETS, json=provider_secret(name, **config)).status_code == 201
    duplicate = admin.post(SECRETS, json=provider_secret(name + "-dup", **config))
    assert duplicate.status_code == 403
    assert duplicate.json()["message"] == ('admission webhook "validator.config.kubesphere.io" denied the request: '
                                           f"invalid provider, provider name '{name}' already exists")
    empty = admin.post(SECRETS, json=provider_secret(name + "-empty", type="LDAPIdentityProvider"))
    assert empty.status_code == 403 and "provider name is not empty" in empty.json()["message"]
    current = admin.get(f"{SECRETS}/{name}").json()
    current["stringData"] = {"configuration.yaml": yaml.safe_dump(dict(config, name=name + "-new"))}
    renamed = admin.put(f"{SECRETS}/{name}", json=current)
    assert renamed.status_code == 403
    assert renamed.json()["message"].endswith(f"the provider name is immutable, old: {name}, new: {name}-new")
    # GitHub's factory fills in the github.com endpoints, which configs/oauth then shows; no secret.
    shown, = wait_for(lambda: listed(admin, name), message="the GitHub provider")
    assert shown["provider"]["endpoint"]["authURL"] == "https://github.com/login/oauth/authorize"
    assert "clientSecret" not in shown["provider"]
    admin.delete(f"{SECRETS}/{name}")


def test_oidc_with_an_unreachable_issuer_never_appears_and_ldap_grant_is_500(admin, anonymous):
    name = unique("emu-oidc")
    answer = admin.post(SECRETS, json=provider_secret(name, name=name, type="OIDCIdentityProvider",
                                                      mappingMethod="auto",
                                                      provider={"issuer": "http://127.0.0.1:1", "clientID": "c"}))
    assert answer.status_code == 201
    form = {"grant_type": "password", "username": "someone", "password": "Whatever-1", "client_id": "kubesphere",
            "client_secret": "kubesphere", "provider": name}
    grant = anonymous.post("/oauth/token", data=form)
    assert grant.status_code == 500 and grant.json()["error"] == "server_error"
    assert not listed(admin, name)
    admin.delete(f"{SECRETS}/{name}")


def test_password_put_is_plain_until_hashed_and_empty_body_removes_it(emulator, admin):
    emulator.configure(password_hash_ms=150)
    try:
        name = unique("emu-pw")
        create_user(admin, name, password="First-Pass-1")
        wait_active(admin, name)
        assert admin.put(f"{USERS}/{name}/password", json={"password": "Second-Pass-2"}).status_code == 200
        assert admin.get(f"{APIS_USERS}/{name}").json()["spec"]["password"] == "Second-Pass-2"
        wait_for(lambda: admin.get(f"{APIS_USERS}/{name}").json()["spec"]["password"].startswith("$2"),
                 message="the hash")
        assert admin.put(f"{USERS}/{name}/password", json={}).status_code == 200
        assert "password" not in admin.get(f"{APIS_USERS}/{name}").json()["spec"]
    finally:
        emulator.configure(password_hash_ms=0)


def test_user_without_password_linked_to_a_provider_becomes_active(admin):
    name = unique("emu-idp-user")
    body = {"metadata": {"name": name, "annotations": {"iam.kubesphere.io/identity-provider.corp-ldap": "u-1"}},
            "spec": {"email": f"{name}@example.com"}}
    assert admin.post(USERS, json=body).status_code == 200
    wait_active(admin, name)
    assert admin.get(f"{USERS}/{name}").json()["metadata"]["annotations"][
        "iam.kubesphere.io/identity-provider.corp-ldap"] == "u-1"
