"""ks_info: every kind, by name, by label, per cluster, with clear input errors."""
import time
import uuid

from real_server import RealServer

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def call_until_ok(emulator, token, method, path, body):
    """Controllers create roles shortly after a workspace or project is made: retry briefly."""
    deadline = time.monotonic() + 5
    while True:
        status, answer = emulator.call(method, path, body, token=token)
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, (method, path, status, answer)
            return answer
        time.sleep(0.05)


def make_objects(emulator, tag):
    token = emulator.login()
    team, ws, user = "t-" + tag, "info-" + tag, "info-user-" + tag
    for name in (user, user + "-2"):
        call_until_ok(emulator, token, "POST", USERS, {
            "metadata": {"name": name, "labels": {"team": team}}, "spec": {"email": name + "@example.com"}})
    call_until_ok(emulator, token, "POST", TENANT + "/workspacetemplates", {
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate", "metadata": {"name": ws},
        "spec": {"template": {"spec": {"manager": "admin"}},
                 "placement": {"clusters": [{"name": "host"}, {"name": "member1"}]}}})
    for prefix, project in (("", ws + "-web"), ("/clusters/member1", ws + "-edge")):
        call_until_ok(emulator, token, "POST", prefix + TENANT + "/workspaces/%s/namespaces" % ws, {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": project, "labels": {"kubesphere.io/managed": "true", "team": team}}})
    call_until_ok(emulator, token, "POST", IAM + "/workspaces/%s/workspacemembers" % ws,
                  [{"username": user, "roleRef": ws + "-viewer"}])
    call_until_ok(emulator, token, "POST", IAM + "/namespaces/%s-web/namespacemembers" % ws,
                  [{"username": user, "roleRef": "operator"}])
    return dict(team=team, ws=ws, user=user)


def names(run, task):
    return sorted(item["metadata"]["name"] for item in run.result(task)["resources"])


def test_every_kind(ansible, emulator):
    made = make_objects(emulator, uuid.uuid4().hex[:6])
    ws, user = made["ws"], made["user"]
    run = ansible.playbook("info.yml", extra_vars=made).assert_ok()

    assert names(run, "Users by label") == [user, user + "-2"]
    one, = run.result("One user")["resources"]
    assert one["kind"] == "User" and "password" not in one["spec"]
    assert run.result("A user that does not exist")["resources"] == []
    assert ws in names(run, "All workspaces")
    workspace, = run.result("One workspace")["resources"]
    assert workspace["spec"]["template"]["spec"]["manager"] == "admin"
    assert names(run, "Projects of the workspace on the host") == [ws + "-web"]
    assert names(run, "Projects of the workspace on member1") == [ws + "-edge"]
    assert ws + "-web" in names(run, "All projects") and ws + "-edge" not in names(run, "All projects")
    assert names(run, "One project by name and label") == [ws + "-web"]
    members = dict((m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"])
                   for m in run.result("Workspace members")["resources"])
    assert members == {"admin": ws + "-admin", user: ws + "-viewer"}
    assert names(run, "One workspace member") == [user]
    assert run.result("A workspace member that is not one")["resources"] == []
    project_member = [m for m in run.result("Project members")["resources"] if m["metadata"]["name"] == user]
    assert project_member[0]["metadata"]["annotations"]["iam.kubesphere.io/role"] == "operator"
    # The session emulator's clusters, or those the real server has joined.
    expected = ["host", "member1"] + ([] if isinstance(emulator, RealServer) else ["member2"])
    assert names(run, "Clusters") == expected
    cluster, = run.result("One cluster")["resources"]
    assert "kubeconfig" not in cluster["spec"].get("connection", {})
    assert all(not r["result"].get("changed") for r in run.records)

    assert run.result("Members without a workspace")["msg"] == "kind=workspace_member needs workspace"
    assert run.result("A cluster for a host kind")["msg"].startswith(
        "cluster applies only to the kinds served by each cluster (project, project_member)")
