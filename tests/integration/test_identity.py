"""ks_identity_provider, the identity info kinds and ks_user identities, through real ansible-playbook runs.
Provider endpoints are unreachable loopback addresses."""
import base64
import json

import yaml

from ks_ansible import admin_call, create_regular_user, unique

SECRETS = "/api/v1/namespaces/kubesphere-system/secrets"
TYPES = ["ldap", "oidc", "github", "cas", "idaas"]
SECRET_VALUES = ["Bind-Secret-1", "Oidc-Secret-1", "Github-Secret-1", "Idaas-Secret-1"]


def stored_config(emulator, name):
    status, secret = admin_call(emulator, "GET", "%s/%s" % (SECRETS, name))
    assert status == 200, secret
    return yaml.safe_load(base64.b64decode(secret["data"]["configuration.yaml"]))


def items(run, task):
    return run.result(task)["results"]


def test_every_type_through_its_lifecycle_with_check_and_diff(ansible, emulator, no_writes):
    prefix = unique("idp")
    play = dict(extra_vars={"idp_prefix": prefix}, diff=True)

    with no_writes():
        plan = ansible.playbook("identity_providers.yml", "-vvv", "--tags", "create", check=True, **play).assert_ok()
    assert [i["changed"] for i in items(plan, "Create")] == [True] * 5
    for value in SECRET_VALUES:
        assert value not in plan.output
    predicted = items(plan, "Create")[0]
    assert predicted["diff"]["after"]["options"]["managerPassword"] == "********"
    assert "managerPassword" not in predicted["identity_provider"]["provider"]

    run = ansible.playbook("identity_providers.yml", "--tags", "create", **play).assert_ok()
    assert [i["changed"] for i in items(run, "Create")] == [True] * 5
    assert [i["changed"] for i in items(run, "Create again")] == [False] * 5
    ldap = stored_config(emulator, prefix + "-ldap")
    assert ldap["type"] == "LDAPIdentityProvider" and ldap["mappingMethod"] == "auto"
    assert ldap["provider"]["managerPassword"] == "Bind-Secret-1"     # stored for KubeSphere, never shown
    assert stored_config(emulator, prefix + "-idaas")["provider"]["endpoint"]["userInfoURL"].startswith("http://127")

    with no_writes():
        plan = ansible.playbook("identity_providers.yml", "-vvv", "--tags", "change,absent", check=True,
                                **play).assert_ok()
    assert [i["changed"] for i in items(plan, "Change")] == [True] * 5
    assert [i["changed"] for i in items(plan, "Remove")] == [True] * 5
    change = items(plan, "Change")[0]["diff"]
    assert change["before"]["mapping_method"] == "auto" and change["after"]["mapping_method"] == "lookup"
    assert change["after"]["options"]["insecureSkipVerify"] is True
    for value in SECRET_VALUES:
        assert value not in plan.output

    run = ansible.playbook("identity_providers.yml", "--tags", "change,absent", **play).assert_ok()
    assert [i["changed"] for i in items(run, "Change")] == [True] * 5
    assert [i["changed"] for i in items(run, "Change again")] == [False] * 5
    assert [i["changed"] for i in items(run, "Remove")] == [True] * 5
    assert [i["changed"] for i in items(run, "Remove again")] == [False] * 5
    for value in SECRET_VALUES:
        assert value not in run.output
    for kind in TYPES:
        assert admin_call(emulator, "GET", "%s/%s-%s" % (SECRETS, prefix, kind))[0] == 404


def test_secrets_links_info_and_regular_user(ansible, emulator):
    prefix = unique("lnk")
    regular = unique("lnk-regular")
    env = create_regular_user(emulator, regular)
    # As recorded, a new password is stored in plain text until the controller hashes it, and neither
    # password logs in meanwhile. The window is widened to 6 s here: the login two tasks later would
    # fail if the module did not wait for the hash.
    emulator.configure(password_hash_ms=6000)
    try:
        run = ansible.playbook("identity_links.yml", diff=True, extra_vars={
            "idp_prefix": prefix, "regular_user": regular, "regular_password": env["KUBESPHERE_PASSWORD"]}).assert_ok()
    finally:
        emulator.configure(password_hash_ms=0)
    assert run.result("New password")["changed"]
    assert not run.result("New password, compared again at once")["changed"]
    assert run.task("Log in with the new password at once")["result"].get("failed") is not True

    assert run.result("LDAP provider")["changed"]
    assert not run.result("New bind password, on_create")["changed"]
    always = run.result("New bind password, always")
    assert always["changed"]
    assert always["diff"]["after"]["options"]["managerPassword"] == "******** (changed)"
    assert not run.result("New bind password, always, again")["changed"]
    assert stored_config(emulator, prefix + "-ldap")["provider"]["managerPassword"] == "Second-Bind-Secret"
    assert "userSearchFiltr" in run.result("Options a LDAP provider does not take")["msg"]
    for secret in ("First-Bind-Secret", "Second-Bind-Secret", "First-Client-Secret"):
        assert secret not in run.output

    provider, = run.result("Providers")["resources"]
    assert provider["name"] == prefix + "-ldap" and provider["secret"]["name"] == prefix + "-ldap"
    assert "managerPassword" not in provider["provider"]
    listed = [p["name"] for p in run.result("OAuth settings")["resources"][0]["identityProviders"]]
    assert prefix + "-ldap" in listed and prefix + "-github" in listed

    linked = run.result("User linked to two providers")
    assert "user %s-user is created without a password" % prefix not in run.output   # it logs in through them
    assert linked["changed"] and linked["user"]["status"]["state"] == "Active"     # no password needed
    assert not run.result("User linked to two providers, again")["changed"]
    assert "%s-nowhere" % prefix in run.result("User linked to a missing provider")["msg"]
    status, user = admin_call(emulator, "GET", "/kapis/iam.kubesphere.io/v1beta1/users/%s-user" % prefix)
    annotations = user["metadata"]["annotations"]
    assert annotations["iam.kubesphere.io/identity-provider.%s-ldap" % prefix] == prefix + "-uid"
    assert "iam.kubesphere.io/identity-provider.%s-github" % prefix not in annotations     # purged
    assert annotations["iam.kubesphere.io/globalrole"] == "platform-self-provisioner"

    refused = run.result("A platform-regular user may not manage providers")
    assert refused["status"] == 403 and "platform-admin" in refused["msg"]

    changes = run.result("What the tenant role changed")["msg"]
    assert "create user %s-dev" % prefix in changes["first"] and changes["again"] == []
    status, dev = admin_call(emulator, "GET", "/kapis/iam.kubesphere.io/v1beta1/users/%s-dev" % prefix)
    assert dev["metadata"]["annotations"]["iam.kubesphere.io/identity-provider.%s-ldap" % prefix] == prefix + "-dev"
    assert dev["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == "platform-self-provisioner"
    status, members = admin_call(emulator, "GET", "/kapis/iam.kubesphere.io/v1beta1/workspaces/%s-ws/workspacemembers"
                                 % prefix)
    assert "%s-dev" % prefix in [m["metadata"]["name"] for m in members["items"]]


def adhoc(ansible, module, args, *extra):
    return ansible.adhoc(module, args if isinstance(args, str) else json.dumps(args), *extra,
                         env={"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"})


def provider(ansible, args, *extra):
    return adhoc(ansible, "kubesphere.core.ks_identity_provider", args, *extra)


def test_a_provider_that_changes_type_keeps_only_the_new_types_keys(ansible, emulator, no_writes):
    name = unique("retype")
    ldap = {"name": name, "type": "LDAPIdentityProvider", "options": {
        "host": "127.0.0.1:1389", "managerDN": "cn=admin", "managerPassword": "Retype-Bind-Secret",
        "userSearchBase": "dc=example", "loginAttribute": "uid"}}
    cas = {"name": name, "type": "CASIdentityProvider", "options": {
        "casServerURL": "https://cas.example.com", "redirectURL": "https://ks.example.com/oauth/redirect/" + name}}
    provider(ansible, ldap).assert_ok()
    with no_writes():
        plan = provider(ansible, cas, "--check", "--diff").assert_ok()
    assert plan.records[0]["result"]["changed"]
    assert "managerPassword" not in plan.records[0]["result"]["diff"]["after"]["options"]
    provider(ansible, cas).assert_ok()
    stored = stored_config(emulator, name)
    assert stored["type"] == "CASIdentityProvider"
    assert stored["provider"] == cas["options"]       # no managerPassword, nor any other LDAP key
    again = provider(ansible, cas).assert_ok()
    assert not again.records[0]["result"]["changed"]
    provider(ansible, {"name": name, "state": "absent"}).assert_ok()


def test_ks_api_masks_what_a_provider_secret_holds(ansible, emulator):
    name = unique("apiidp")
    provider(ansible, {
        "name": name, "type": "LDAPIdentityProvider", "options": {
            "host": "127.0.0.1:1389", "managerDN": "cn=admin", "managerPassword": "Api-Bind-Secret",
            "userSearchBase": "dc=example", "loginAttribute": "uid"}}).assert_ok()
    blob = admin_call(emulator, "GET", "%s/%s" % (SECRETS, name))[1]["data"]["configuration.yaml"]
    one = adhoc(ansible, "kubesphere.core.ks_api", "path=%s/%s" % (SECRETS, name), "-vvv").assert_ok()
    listed = adhoc(ansible, "kubesphere.core.ks_api", {
        "path": SECRETS, "query": {"labelSelector": "config.kubesphere.io/type=identityprovider"}}, "-vvv").assert_ok()
    for run in (one, listed):
        for secret in ("Api-Bind-Secret", blob):
            assert secret not in run.output and secret not in json.dumps(run.records)
    secret = one.records[0]["result"]["json"]
    # Masked whole (an encoded text cannot be masked in part), the way Ansible masks a whole no_log value.
    assert secret["metadata"]["name"] == name
    assert secret["data"]["configuration.yaml"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    provider(ansible, {"name": name, "state": "absent"}).assert_ok()
