"""ks_role (and custom roles in the members options and ks_user) through real ansible-playbook runs."""

from ks_ansible import admin_call, api_requests, create_regular_user, unique
from test_project import make_workspace

APIS = "/apis/iam.kubesphere.io/v1beta1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def _setup(emulator):
    ws, project, user = make_workspace(emulator), unique("rp"), unique("ru")
    status, body = admin_call(emulator, "POST", "%s/workspaces/%s/namespaces" % (TENANT, ws), {
        "metadata": {"name": project, "labels": {"kubesphere.io/managed": "true"},
                     "annotations": {"kubesphere.io/creator": "admin"}}})
    assert status == 200, body
    create_regular_user(emulator, user)
    return dict(ws=ws, project=project, user=user)


def _rules(emulator, path):
    status, body = admin_call(emulator, "GET", path)
    assert status == 200, body
    return body


def test_lifecycle_bind_narrow_and_remove(ansible, emulator, no_writes):
    names = _setup(emulator)
    ws, project, user = names["ws"], names["project"], names["user"]
    role_path = "%s/workspaceroles/%s-release" % (APIS, ws)
    play = dict(extra_vars=names, diff=True)

    planned = dict(play, extra_vars=dict(names, planned={"roles": [ws + "-release", "deployer", ws + "-auditor"]}))
    with no_writes():
        run = ansible.playbook("role_lifecycle.yml", "--tags", "create", check=True, **planned).assert_ok()
    for task in ("Bind in the workspace", "Bind in the project", "Give the user the global role"):
        assert run.result(task)["changed"], task       # planned, not predicted to fail on a role --check did not make
    predicted = run.result("Create")
    assert predicted["changed"] and predicted["role"]["rules"], predicted
    assert predicted["diff"] == {"before": {}, "after": {
        "templates": ["workspace-view-members", "workspace-view-projects"], "alias_name": "Release manager",
        "description": "sees projects and members"}}

    run = ansible.playbook("role_lifecycle.yml", "--tags", "create", **play).assert_ok()
    assert run.result("Create")["changed"] and not run.result("Create again")["changed"]
    for task in ("Bind in the workspace", "Bind in the project", "Give the user the global role"):
        assert run.result(task)["changed"], task
    for task in ("Bind again", "Bind in the project again", "Give the global role again"):
        assert not run.result(task)["changed"], task
    role = _rules(emulator, role_path)
    assert role["metadata"]["labels"]["kubesphere.io/workspace"] == ws       # bindable
    wide = len(role["rules"])
    members = admin_call(emulator, "GET", "%s/workspaces/%s/workspacemembers" % (IAM, ws))[1]["items"]
    assert {m["metadata"]["name"]: m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"]
            for m in members}[user] == ws + "-release"

    emulator.reset_counters()
    run = ansible.playbook("role_lifecycle.yml", "--tags", "create", **play).assert_ok()
    assert not run.changed_tasks()
    requests = api_requests(emulator)
    assert requests["GET %s" % role_path] == 2
    assert sum(requests.values()) <= 24, requests       # one read (+ one template list) per role task

    with no_writes():
        run = ansible.playbook("role_lifecycle.yml", "--tags", "update,remove", check=True, **play)
    assert run.result("Narrow")["diff"]["after"]["templates"] == ["workspace-view-members"]
    assert "still bound" in run.result("Remove while bound")["msg"]

    run = ansible.playbook("role_lifecycle.yml", "--tags", "update", **play).assert_ok()
    assert run.result("Narrow")["changed"] and not run.result("Narrow again")["changed"]
    narrowed = _rules(emulator, role_path)
    # The controller alone would have kept every old rule; the module rewrote them.
    assert 0 < len(narrowed["rules"]) < wide
    unknown = run.result("Unknown template")
    # Refused before any write (failed_when: false keeps the play going; the message is the module's).
    assert not unknown["changed"] and "no workspace-scope RoleTemplate named workspace-view-member " in unknown["msg"]
    assert "did you mean workspace-view-members" in unknown["msg"]

    run = ansible.playbook("role_lifecycle.yml", "--tags", "remove", **play).assert_ok()
    refused = run.result("Remove while bound")
    assert not refused["changed"] and refused["bound_to"] == ["User " + user], refused
    assert "%s-%s-release" % (user, ws) in refused["msg"]
    removed = run.result("Remove")
    assert removed["changed"] and removed["removed_bindings"] == ["%s-%s-release" % (user, ws)]
    assert not run.result("Remove again")["changed"] and not run.result("Remove the project role again")["changed"]
    assert run.result("Remove the project role")["removed_bindings"] == ["%s-deployer" % user]
    bindings = admin_call(emulator, "GET", "%s/workspacerolebindings?labelSelector=kubesphere.io/workspace=%s"
                          % (APIS, ws))[1]["items"]
    assert [b["roleRef"]["name"] for b in bindings] == [ws + "-admin"]


def test_regular_user_gets_clear_403(ansible, emulator):
    env = create_regular_user(emulator, unique("rr"))
    run = ansible.adhoc("kubesphere.core.ks_role", "name=%s templates=global-view-users" % unique("nope"), env=env)
    assert run.rc != 0
    # The first request (reading the role) is already refused: the failure names it, the user and the status.
    assert '"status": 403' in run.stdout and 'cannot get resource \\"globalroles\\"' in run.stdout, run.stdout
