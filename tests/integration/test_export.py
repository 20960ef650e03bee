"""Issue 11: export a platform made by hand (console_platform), adopt it, and apply the export with the
tenant and extensions roles: no change under --check nor for real, an identical second export, and
one edited member role is exactly one change. A platform-regular user exports only what it may see."""
import os
import stat

import pytest
import yaml

from ks_ansible import Ansible, ROOT, doc_block, run_readme_block, write_guard
import console_platform

EXPORT = ROOT / "playbooks" / "export_tenancy.yml"
APPLY = ROOT / "playbooks" / "onboard_team.yml"
MANAGED = "app.kubernetes.io/managed-by"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    from emulator.testing import EmulatorProcess
    # Its own emulator: the export reads everything, so nothing of other tests may be in it.
    with EmulatorProcess(members=["member1", "member2"], not_ready=["member2"], bcrypt_cost=4,
                         controller_delay_ms=10, informer_lag_ms=10) as emu:
        console_platform.build(emu)
        yield emu


def body(path):
    """The vars file without its header comment."""
    lines = path.read_text().splitlines(True)
    assert lines[0].startswith("# KubeSphere tenancy exported from http://127.0.0.1:")
    return "".join(line for line in lines if not line.startswith("#"))


def changes(run):
    msg = run.result("Report what changed")["msg"]
    return [] if isinstance(msg, str) else msg


def get(emu, path):
    status, answer = emu.call("GET", path, token=emu.login())
    assert status == 200, answer
    return answer


def test_export_adopt_apply_again_and_edit(platform, tmp_path):
    emu, ansible = platform, Ansible(platform, tmp_path)
    out = tmp_path / "team.yml"

    with write_guard(emu):      # the adoption is predicted, nothing is written, not even the file
        plan = ansible.playbook(EXPORT, extra_vars={"out": str(out)}, check=True).assert_ok()
    assert len(plan.result("Export")["marked"]) == 10 and not out.exists()

    emu.reset_counters()
    first = ansible.playbook(EXPORT, extra_vars={"out": str(out)}).assert_ok()
    export = first.result("Export")
    assert export["summary"] == {"ks_users": 5, "ks_workspaces": 2, "ks_projects": 3, "ks_roles": 0,
                                 "ks_app_repos": 0, "ks_extensions": 1, "requests": export["summary"]["requests"]}
    print("export requests (first, with adoption):", export["summary"]["requests"])
    assert sorted(export["marked"]) == sorted(
        ["user %s" % u for u in ("alice", "bob", "carol", "dave", "erin")] + ["workspace ws-one", "workspace ws-two"]
        + ["project one-web on host", "project two-api on host", "project two-batch on member1"])
    assert "Left out, being deleted: user frank, workspace ws-dying" in first.output
    assert {"kind": "cluster", "name": "member2", "reason": "not ready: its projects are not exported"} in export["left_out"]
    assert export["unassigned_namespaces"] == [{"name": "legacy", "cluster": "host"}]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert get(emu, "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/ws-one")["metadata"]["labels"] == {
        "team": "one", MANAGED: "kubesphere.core"}
    assert get(emu, "/clusters/member1/api/v1/namespaces/two-batch")["metadata"]["labels"][MANAGED] == "kubesphere.core"

    declared = yaml.safe_load(out.read_text())
    assert MANAGED not in out.read_text() and "password" not in out.read_text()
    assert "kubesphere.io/creator" not in out.read_text() and "resourceVersion" not in out.read_text()
    users = dict((u["name"], u) for u in declared["ks_users"])
    assert list(users) == ["alice", "bob", "carol", "dave", "erin"]
    assert list(users["alice"]) == ["name", "email", "display_name", "description", "lang", "global_role", "enabled"]
    assert users["dave"]["enabled"] is True and users["erin"]["enabled"] is False   # locked out is not disabled
    assert users["carol"]["global_role"] == "platform-admin"
    one = declared["ks_workspaces"][0]
    assert one == {"name": "ws-one", "manager": "alice", "alias_name": "Team One", "description": "the first team",
                   "clusters": ["host"], "labels": {"team": "one"},
                   "members": [{"user": "alice", "role": "admin"}, {"user": "bob", "role": "regular"},
                               {"user": "carol", "role": "viewer"}, {"user": "dave", "role": "self-provisioner"}]}
    assert declared["ks_workspaces"][1]["clusters"] == ["host", "member1"]
    batch = declared["ks_projects"][2]
    assert batch == {"name": "two-batch", "workspace": "ws-two", "cluster": "member1",
                     "members": [{"user": "admin", "role": "admin"}, {"user": "bob", "role": "admin"},
                                 {"user": "erin", "role": "operator"}]}
    assert declared["ks_projects"][0]["labels"] == {"tier": "web"}
    assert declared["ks_extensions"] == [{"name": "metrics-server", "version": "0.7.2", "enabled": True,
                                          "upgrade_strategy": "Manual", "config": "replicas: 1\n",
                                          "clusters": ["host", "member1"],
                                          "cluster_overrides": {"member1": "replicas: 2\n"}}]

    refused = ansible.playbook(EXPORT, extra_vars={"out": str(out)})
    assert refused.rc != 0 and "give force=true to overwrite it" in refused.output

    team = {"team_file": str(out)}
    with write_guard(emu):
        checked = ansible.playbook(APPLY, extra_vars=team, check=True).assert_ok()
    assert changes(checked) == [] and checked.changed_tasks() == []

    emu.reset_counters()
    applied = ansible.playbook(APPLY, extra_vars=team).assert_ok()
    assert changes(applied) == [] and applied.changed_tasks() == []
    assert emu.counters()["writes"] == 0
    states = dict((u, get(emu, console_platform.USERS + "/" + u)["status"]["state"]) for u in ("dave", "erin"))
    assert states == {"dave": "AuthLimitExceeded", "erin": "Disabled"}     # nobody unlocked nor disabled

    again = tmp_path / "again.yml"
    second = ansible.playbook(EXPORT, extra_vars={"out": str(again)}).assert_ok()
    assert second.result("Export")["marked"] == [] and second.result("Export")["changed"]     # a new file
    assert body(again) == body(out)
    same = ansible.playbook(EXPORT, extra_vars={"out": str(again), "force": True}).assert_ok()
    assert not same.result("Export")["changed"]         # the same export again: the file is left as it is

    edited = body(out).replace("  - user: bob\n    role: regular\n", "  - user: bob\n    role: viewer\n", 1)
    assert edited != body(out)
    out.write_text(edited)
    changed = ansible.playbook(APPLY, extra_vars=team).assert_ok()
    assert changes(changed) == ["update workspace ws-one"]
    members = get(emu, "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws-one/workspacemembers")["items"]
    roles = dict((m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"])
                 for m in members)
    assert roles["bob"] == "ws-one-viewer" and roles["carol"] == "ws-one-viewer"

    # Adopted objects are under management: dropped from the file and pruned, exactly that one goes.
    declared = yaml.safe_load(out.read_text())
    declared["ks_projects"] = [p for p in declared["ks_projects"] if p["name"] != "two-api"]
    out.write_text(yaml.safe_dump(declared, sort_keys=False))
    emu.reset_counters()
    pruned = ansible.playbook(APPLY, extra_vars=dict(team, ks_prune=["projects"])).assert_ok()
    assert changes(pruned) == ["delete project two-api"]
    assert emu.counters()["writes"] == 1
    status, namespace = emu.call("GET", "/api/v1/namespaces/two-api", token=emu.login())
    assert status == 404 or namespace["metadata"].get("deletionTimestamp")
    assert get(emu, "/api/v1/namespaces/one-web")["metadata"].get("deletionTimestamp") is None


def test_a_platform_regular_user_exports_what_it_may_see(platform, tmp_path):
    ansible = Ansible(platform, tmp_path)
    out = tmp_path / "bob.yml"
    bob = {"KUBESPHERE_USERNAME": "bob", "KUBESPHERE_PASSWORD": console_platform.PASSWORD}
    # Adoption is on (the playbook's default): what bob may not label is left and said, never a failed export.
    # (alice unlabelled first: the adoption test may have run before this one.)
    status, answer = platform.call("PATCH", "/apis/iam.kubesphere.io/v1beta1/users/alice",
                                   {"metadata": {"labels": {MANAGED: None}}}, token=platform.login(),
                                   headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, answer
    run = ansible.playbook(EXPORT, extra_vars={"out": str(out)}, env=bob).assert_ok()
    export = run.result("Export")
    declared = yaml.safe_load(out.read_text())
    # KubeSphere lets every user list users, but not their GlobalRoleBindings nor the InstallPlans.
    assert [u["name"] for u in declared["ks_users"]] == ["alice", "bob", "carol", "dave", "erin"]
    assert "Not exported: GlobalRoleBinding: not allowed to list them (403" in run.output
    assert "Not exported: extension: not allowed to list them (403" in run.output
    assert declared["ks_extensions"] == []
    assert [w["name"] for w in declared["ks_workspaces"]] == ["ws-one", "ws-two"]
    projects = [(p["name"], p["cluster"]) for p in declared["ks_projects"]]
    assert projects == [("one-web", "host"), ("two-batch", "member1")]
    assert export["changed"] and export["dest"] == str(out)         # the file, written before any label
    assert "user alice" in export["not_marked"] and "user alice" not in export["marked"]
    assert "user alice: not marked as managed, not allowed to label it (403" in run.output


def test_the_guide_adoption_runs_as_written(tmp_path):
    """The adoption guide's emulator block, with the vars file in a temporary directory instead of $PWD."""
    block = doc_block("docs/docsite/rst/guide_adoption.rst",
                      "Try it on the emulator, with a tenancy made the way the console makes one", "sh")
    out = str(tmp_path / "tenancy.yml")
    block = block.replace("$PWD/tenancy.yml", out).replace(" tenancy.yml", " " + out)
    recaps, run = run_readme_block(block)
    assert recaps[2:] == [0, 0, 1], run.stdout[-4000:]       # --check, apply, and the one edit
    assert "'update workspace legacy-team'" in run.stdout or '"update workspace legacy-team"' in run.stdout


# Issue 12 and 15 on top: quotas, default limits, network isolation, identity links, custom roles ------
SECRETS = "/api/v1/namespaces/kubesphere-system/secrets"
ISOLATE = "kubesphere.io/network-isolate"


def _provider(name, kind, provider):
    config = {"name": name, "type": kind, "mappingMethod": "auto", "provider": provider}
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "labels": {"config.kubesphere.io/type": "identityprovider"}},
            "type": "config.kubesphere.io/identityprovider",
            "stringData": {"configuration.yaml": yaml.safe_dump(config)}}


def build_limits_platform(emu):
    """Made straight through the API as the console makes it, the quantities in other spellings than
    the server stores (2000m, 4096Mi, 1000m, 0.5): two identity providers and a user linked to both; a
    workspace with a quota and network isolation; a project with a quota, default container limits
    (a LimitRange not named after the project: the console edits the first one) and isolation; a
    project whose isolation is off; a custom role at each scope (global, cluster, workspace bound to the user,
    project)."""
    token = emu.login()

    def call(method, path, body=None):
        status, answer = emu.call(method, path, body, token=token)
        assert status in (200, 201), (method, path, status, answer)
        return answer

    call("POST", SECRETS, _provider("corp-ldap", "LDAPIdentityProvider", {
        "host": "127.0.0.1:1", "managerDN": "cn=admin,dc=example,dc=org", "managerPassword": "Bind-Secret-9",
        "userSearchBase": "ou=Users,dc=example,dc=org", "loginAttribute": "uid"}))
    call("POST", SECRETS, _provider("gh", "GitHubIdentityProvider", {
        "clientID": "app", "clientSecret": "Gh-Secret-9", "redirectURL": "http://127.0.0.1:1/oauth/redirect/gh"}))
    call("POST", console_platform.USERS, {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": "ida", "annotations": {"iam.kubesphere.io/globalrole": "platform-regular",
                                                    "iam.kubesphere.io/identity-provider.corp-ldap": "ida-uid",
                                                    "iam.kubesphere.io/identity-provider.gh": "4711"}},
        "spec": {"email": "ida@example.com"}})
    tenant = console_platform.TENANT
    call("POST", tenant + "/workspacetemplates", {
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate", "metadata": {"name": "ws-q"},
        "spec": {"template": {"spec": {"manager": "admin"}, "metadata": {"annotations": {ISOLATE: "enabled"}}},
                 "placement": {"clusters": [{"name": "host"}]}}})
    console_platform._wait(lambda: "cascading-deletion" in str(emu.call(
        "GET", tenant + "/workspacetemplates/ws-q", token=token)[1]), "ws-q initialised")
    call("POST", tenant + "/workspaces/ws-q/resourcequotas", {
        "apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota", "metadata": {"name": "ws-q"},
        "spec": {"quota": {"hard": {"limits.cpu": "2000m", "limits.memory": "4096Mi"}}}})
    for name, isolation in (("q-app", "enabled"), ("q-plain", "disabled")):
        call("POST", tenant + "/workspaces/ws-q/namespaces", {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubesphere.io/managed": "true"},
                         "annotations": {"kubesphere.io/creator": "admin", ISOLATE: isolation}}})
    call("POST", "/api/v1/namespaces/q-app/resourcequotas", {
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q-app", "namespace": "q-app"},
        "spec": {"hard": {"limits.cpu": "1000m", "pods": "10"}}})
    call("POST", "/api/v1/namespaces/q-app/limitranges", {
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "container-limits", "namespace": "q-app"},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "0.5", "memory": "512Mi"},
                             "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}})
    # Custom roles as the console makes them (rules: [] beside the templates, the workspace label), one of
    # them bound to ida; the built-in roles around them are KubeSphere's and are not exported.
    roles = "/apis/iam.kubesphere.io/v1beta1"
    call("POST", roles + "/globalroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "GlobalRole",
        "metadata": {"name": "auditor", "annotations": {"kubesphere.io/alias-name": "Auditor",
                                                        "kubesphere.io/creator": "admin"}},
        "aggregationRoleTemplates": {"templateNames": ["global-view-workspaces", "global-view-users"]}, "rules": []})
    call("POST", roles + "/workspaceroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
        "metadata": {"name": "ws-q-releaser", "labels": {"kubesphere.io/workspace": "ws-q"},
                     "annotations": {"kubesphere.io/description": "ships releases"}},
        "aggregationRoleTemplates": {"templateNames": ["workspace-view-projects", "workspace-view-members"]},
        "rules": []})
    call("POST", roles + "/clusterroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "ClusterRole", "metadata": {"name": "node-watcher"},
        "aggregationRoleTemplates": {"templateNames": ["cluster-view-nodes"]}, "rules": []})
    call("POST", roles + "/namespaces/q-app/roles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "Role",
        "metadata": {"name": "config-reader", "namespace": "q-app"},
        "aggregationRoleTemplates": {"templateNames": ["namespace-view-configmaps"]}, "rules": []})
    console_platform._wait(lambda: "rules" in str(emu.call("GET", roles + "/workspaceroles/ws-q-releaser",
                                                           token=token)[1]), "ws-q-releaser aggregated")
    call("POST", console_platform.IAM + "/workspaces/ws-q/workspacemembers",
         [{"username": "ida", "roleRef": "ws-q-releaser"}])


def test_export_carries_quotas_isolation_identities_and_roles(tmp_path):
    from emulator.testing import EmulatorProcess
    with EmulatorProcess(members=[], bcrypt_cost=4, controller_delay_ms=10, informer_lag_ms=10) as emu:
        build_limits_platform(emu)
        out = tmp_path / "limits.yml"
        emu.reset_counters()
        run = Ansible(emu, tmp_path).playbook(ROOT / "tests" / "integration" / "playbooks" / "export_roundtrip.yml",
                                              extra_vars={"out": str(out)}).assert_ok()
        counters = emu.counters()
    declared = yaml.safe_load(out.read_text())
    assert declared["ks_users"] == [{
        "name": "ida", "email": "ida@example.com", "global_role": "platform-regular", "enabled": True,
        "identities": [{"provider": "corp-ldap", "uid": "ida-uid"}, {"provider": "gh", "uid": "4711"}]}]
    assert declared["ks_workspaces"] == [{
        "name": "ws-q", "manager": "admin", "clusters": ["host"],
        "quota": {"limits.cpu": "2", "limits.memory": "4Gi"}, "network_isolation": True,
        "members": [{"user": "admin", "role": "admin"}, {"user": "ida", "role": "ws-q-releaser"}]}]
    # Isolation off is left out (omitted, the module leaves it alone; off reads as false either way).
    assert declared["ks_projects"] == [
        {"name": "q-app", "workspace": "ws-q", "cluster": "host", "quota": {"limits.cpu": "1", "pods": "10"},
         "default_limits": {"limits": {"cpu": "500m", "memory": "512Mi"},
                            "requests": {"cpu": "100m", "memory": "128Mi"}},
         "network_isolation": True, "members": [{"user": "admin", "role": "admin"}]},
        {"name": "q-plain", "workspace": "ws-q", "cluster": "host", "members": [{"user": "admin", "role": "admin"}]}]
    # Only the custom roles, with exactly the options of ks_role (the controller's template order is not kept).
    assert declared["ks_roles"] == [
        {"name": "auditor", "scope": "global", "templates": ["global-view-users", "global-view-workspaces"],
         "alias_name": "Auditor"},
        {"name": "node-watcher", "scope": "cluster", "cluster": "host", "templates": ["cluster-view-nodes"]},
        {"name": "ws-q-releaser", "scope": "workspace", "workspace": "ws-q",
         "templates": ["workspace-view-members", "workspace-view-projects"], "description": "ships releases"},
        {"name": "config-reader", "scope": "project", "project": "q-app", "cluster": "host",
         "templates": ["namespace-view-configmaps"]}]
    assert "Secret-9" not in out.read_text()
    export, again = run.result("Export"), run.result("Export again")
    assert sorted(export["marked"]) == ["clusterrole node-watcher on host", "globalrole auditor",
                                        "project q-app on host", "project q-plain on host",
                                        "role config-reader in q-app on host", "user ida", "workspace ws-q",
                                        "workspacerole ws-q-releaser"]
    assert again["marked"] == []
    assert not run.result("Apply it under check mode")["changed"]
    assert not run.result("Apply it")["changed"]
    assert counters["writes"] == len(export["marked"]), counters    # the adoption's labels, and nothing else
    for key in ("ks_users", "ks_workspaces", "ks_projects", "ks_roles"):
        assert again[key] == export[key]
    print("export requests (with adoption):", export["summary"]["requests"], "again:", again["summary"]["requests"])
