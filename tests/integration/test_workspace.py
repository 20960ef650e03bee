"""ks_workspace through real ansible-playbook runs against the emulator."""
import time
import uuid

from ks_ansible import admin_call, api_requests, create_regular_user, create_users, unique
from real_server import needs_not_ready_member

TEMPLATES = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def members_of(emulator, ws):
    status, body = admin_call(emulator, "GET", "%s/workspaces/%s/workspacemembers" % (IAM, ws))
    assert status == 200, body
    return dict((i["metadata"]["name"], i["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"])
                for i in body["items"])


def test_lifecycle_with_check_mode_and_diff(ansible, emulator, no_writes):
    ws = unique("wsl")
    create_users(emulator, ws + "-bob", ws + "-carol", ws + "-dave")
    play = dict(extra_vars={"ws_name": ws}, diff=True)

    with no_writes():
        run = ansible.playbook("workspace_lifecycle.yml", "--tags", "create", check=True, **play).assert_ok()
    predicted = run.result("Create")
    assert predicted["changed"] and predicted["workspace"]["spec"]["template"]["spec"]["manager"] == "admin"
    assert predicted["members"] == [{"user": ws + "-bob", "role": ws + "-regular"}]
    assert admin_call(emulator, "GET", TEMPLATES + "/" + ws)[0] == 404

    run = ansible.playbook("workspace_lifecycle.yml", "--tags", "create", **play).assert_ok()
    created = run.result("Create")
    assert created["changed"] and not run.result("Create again")["changed"]
    assert created["diff"]["before"] == {}          # a new object's diff starts from nothing
    assert created["diff"]["after"]["alias_name"] == "Lifecycle"
    assert "clusters" not in created["diff"]["after"]      # not given: not in the diff (placed on host anyway)
    assert created["diff"]["after"]["members"] == [{"user": ws + "-bob", "role": ws + "-regular"}]
    assert members_of(emulator, ws) == {"admin": ws + "-admin", ws + "-bob": ws + "-regular"}

    # A no-change run: one read of the workspace and one of its members per task.
    emulator.reset_counters()
    ansible.playbook("workspace_lifecycle.yml", "--tags", "create", **play).assert_ok()
    assert api_requests(emulator) == {"GET %s/%s" % (TEMPLATES, ws): 2,
                                      "GET %s/workspaces/%s/workspacemembers" % (IAM, ws): 2}

    with no_writes():
        run = ansible.playbook("workspace_lifecycle.yml", check=True, **play).assert_ok()
    assert not run.result("Create")["changed"]
    update = run.result("Update")
    assert update["changed"] and update["diff"]["after"]["clusters"] == ["host", "member1"]
    assert run.result("Remove")["changed"]

    run = ansible.playbook("workspace_lifecycle.yml", "--tags", "update", **play).assert_ok()
    update = run.result("Update")
    assert update["changed"] and not run.result("Update again")["changed"]
    assert update["diff"]["before"]["manager"] == "admin" and update["diff"]["after"]["manager"] == ws + "-carol"
    assert update["diff"]["before"]["labels"] == {} and update["diff"]["after"]["labels"] == {"tier": "gold"}
    assert update["workspace"]["metadata"]["labels"] == {"team": "a", "tier": "gold",
                                                         "app.kubernetes.io/managed-by": "kubesphere.core"}
    template = update["workspace"]
    assert template["metadata"]["annotations"]["kubesphere.io/alias-name"] == "Lifecycle (renamed)"
    assert sorted(c["name"] for c in template["spec"]["placement"]["clusters"]) == ["host", "member1"]
    # The new manager became a workspace admin through the members API (v4 rebinds nothing itself).
    purged = run.result("Purge members")
    assert purged["changed"] and not run.result("Purge members again")["changed"]
    assert members_of(emulator, ws) == {ws + "-bob": ws + "-admin", ws + "-carol": ws + "-admin"}
    # Placed on member1, so the controller made a Workspace there.
    deadline = time.monotonic() + 5
    while admin_call(emulator, "GET", "/clusters/member1/apis/tenant.kubesphere.io/v1beta1/workspaces/" + ws)[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    run = ansible.playbook("workspace_lifecycle.yml", "--tags", "absent", **play).assert_ok()
    assert run.result("Remove")["changed"] and not run.result("Remove again")["changed"]
    assert run.result("Remove")["diff"]["after"] == {}
    assert admin_call(emulator, "GET", TEMPLATES + "/" + ws)[0] == 404


def test_long_name_uses_the_hashed_role(ansible, emulator):
    long_name = ("team-" + uuid.uuid4().hex + "-" + "x" * 40)[:60]
    create_users(emulator, "long-member")
    run = ansible.playbook("workspace_more.yml", "--tags", "long", extra_vars={"long_name": long_name}).assert_ok()
    added = run.result("A long name with a regular member")
    role, = [m["role"] for m in added["members"] if m["user"] == "long-member"]
    assert role.startswith("regular.") and len(role) < 63
    assert not run.result("A long name again")["changed"]


def test_bad_input_fails_before_any_request(ansible, emulator):
    emulator.reset_counters()
    run = ansible.playbook("workspace_more.yml", "--tags", "invalid")
    assert "Traceback" not in run.output
    assert "not a valid DNS-1123 label" in run.result("An invalid name")["msg"]
    assert "members[0].role" in run.result("A member without a role name that could exist")["msg"]
    assert api_requests(emulator) == {}


def test_deletion_held_up_by_a_cluster_that_is_not_ready(ansible, emulator):
    needs_not_ready_member(emulator)
    name = unique("wsb")
    run = ansible.playbook("workspace_more.yml", "--tags", "blocked", extra_vars={"blocked_name": name})
    assert run.task("Delete it and wait")["status"] == "ignored"      # failed, with ignore_errors
    failed = run.result("Delete it and wait")
    assert "Timed out after 2s" in failed["msg"]
    assert "not Ready" in failed["msg"] and "member2" in failed["msg"]


def test_platform_regular_user_gets_a_clear_403(ansible, emulator):
    name = unique("wsr")
    regular = create_regular_user(emulator, name)
    run = ansible.playbook("workspace_more.yml", "--tags", "regular", extra_vars={"blocked_name": name},
                           env=regular)
    assert run.rc != 0 and "Traceback" not in run.output
    failed = run.result("Create one as a platform-regular user")
    assert failed["status"] == 403 and "forbidden" in failed["msg"].lower()
    assert failed["msg"].startswith("workspace %s-regular: " % name)
