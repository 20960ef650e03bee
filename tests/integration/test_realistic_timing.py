"""Key flows against an emulator as slow as a real server (controllers 200 ms, informer caches 40 ms
behind), so modules that assume instant consistency show it: members added right after their parent's
POST, a user waited until Active, a project or workspace wanted back right after its delete."""
import uuid

import pytest

from ks_ansible import ROOT, Ansible, admin_call

REALISTIC = dict(members=["member1"], controller_delay_ms=200, informer_lag_ms=40)
IAM = "/kapis/iam.kubesphere.io/v1beta1"


@pytest.fixture
def slow(fresh_emulator, tmp_path):
    emu = fresh_emulator(**REALISTIC)
    return emu, Ansible(emu, tmp_path)


def role_of(emu, path, name, annotation):
    status, body = admin_call(emu, "GET", path)
    assert status == 200, body
    found = [i for i in body["items"] if i["metadata"]["name"] == name]
    return found[0]["metadata"]["annotations"][annotation] if found else None


def test_tenancy_flows_right_after_each_write(slow):
    emu, ansible = slow
    emu.configure(namespace_deletion_delay_ms=3000)   # a real namespace stays Terminating for seconds
    tag = uuid.uuid4().hex[:6]
    ws, project, user = "tim-ws-" + tag, "tim-web-" + tag, "tim-dev-" + tag
    names = dict(workspace_name=ws, project_name=project, user_name=user)
    run = ansible.playbook("realistic_timing.yml", extra_vars=names)
    assert run.rc == 0, run.output[-4000:]
    assert run.result("A new user, waited until Active")["user"]["status"]["state"] == "Active"
    assert emu.login(user, "Timing-Passw0rd-1")
    for task in ("A new workspace with a member in the same task", "A new project with a member in the same task",
                 "Delete the project", "Want it back at once, with wait", "Delete the workspace (keeping its project, which loses its memberships)",
                 "Want the workspace back at once, with wait"):
        assert run.result(task)["changed"], task

    # A Terminating project is not "present": without wait the task says so instead of reporting ok.
    refused = run.task("Want it back at once, without wait")
    assert refused["status"] == "ignored" and not refused["result"]["changed"], refused
    assert "is being deleted" in refused["result"]["msg"] and "wait=true" in refused["result"]["msg"]

    # What the play reported is what the server holds, once every controller has run.
    status, namespace = admin_call(emu, "GET", "/api/v1/namespaces/" + project)
    assert status == 200 and not namespace["metadata"].get("deletionTimestamp"), namespace
    status, template = admin_call(emu, "GET", "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/" + ws)
    assert status == 200 and not template["metadata"].get("deletionTimestamp"), template
    back = dict((m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/role"])
                for m in run.result("The project's members once it is back")["resources"])
    assert back == {"admin": "admin", user: "viewer"}, back      # the creator's binding and the new member
    assert role_of(emu, "%s/workspaces/%s/workspacemembers" % (IAM, ws), user,
                   "iam.kubesphere.io/workspacerole") == ws + "-viewer"


def test_onboarding_converges_at_realistic_timing(slow):
    emu, ansible = slow
    tag = uuid.uuid4().hex[:6]
    names = dict(workspace_name="team-" + tag, project_name="web-" + tag,
                 manager_name="lead-" + tag, newcomer_name="dev-" + tag)
    ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    emu.reset_counters()
    again = ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    assert again.changed_tasks() == [] and emu.counters()["writes"] == 0


def test_tenant_role_converges_at_realistic_timing(slow):
    emu, ansible = slow
    first = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml").assert_ok()
    assert first.changed_tasks()
    emu.reset_counters()
    again = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml").assert_ok()
    assert again.changed_tasks() == [] and emu.counters()["writes"] == 0


def test_members_of_a_workspace_and_project_not_yet_initialised(fresh_emulator, tmp_path):
    # Controllers slower than the gap to the next request: the objects exist, their roles not yet.
    emu = fresh_emulator(controller_delay_ms=3500, informer_lag_ms=40)
    tag = uuid.uuid4().hex[:6]
    ws, project = "tim-late-" + tag, "tim-late-web-" + tag
    status, body = admin_call(emu, "POST", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", {
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate", "metadata": {"name": ws},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    assert status == 200, body
    status, body = admin_call(emu, "POST", "/kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/namespaces" % ws, {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": project, "labels": {"kubesphere.io/workspace": ws, "kubesphere.io/managed": "true"}}})
    assert status == 200, body

    run = Ansible(emu, tmp_path).playbook("realistic_timing_members.yml",
                                          extra_vars=dict(workspace_name=ws, project_name=project))
    assert run.rc == 0, run.output[-3000:]
    assert run.result("Workspace members")["members"] == [dict(user="admin", role=ws + "-viewer")]
    assert run.result("Project members")["members"] == [dict(user="admin", role="viewer")]
