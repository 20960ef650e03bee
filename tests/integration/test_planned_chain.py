"""Plans across tasks: under --check, what an earlier task of the play would create counts as existing for
the later tasks' reference checks (the action plugins' kubesphere_planned fact), with no assume_present; a name
that no earlier task plans still fails the plan."""

from ks_ansible import admin_call, unique

IAM = "/kapis/iam.kubesphere.io/v1beta1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
TASKS = ("A user", "A workspace managed by that user", "A project in that workspace", "A workspace role",
         "The user made a member with that role", "A project role in the new project")


def test_a_dependent_playbook_plans_under_check_with_no_hint_and_then_runs(ansible, emulator, no_writes):
    prefix = unique("i24plan")
    chain = dict(prefix=prefix, member_user=prefix + "-alice")
    with no_writes():
        run = ansible.playbook("planned_chain.yml", extra_vars=chain, check=True, diff=True).assert_ok()
    for task in TASKS:
        assert run.result(task)["changed"], task
    planned = run.result("A project role in the new project")["ansible_facts"]["kubesphere_planned"]
    assert planned == {"users": [prefix + "-alice"], "workspaces": [prefix + "-ws"], "projects": [prefix + "-proj"],
                       "roles": sorted([prefix + "-dev", prefix + "-reader"])}, planned
    assert admin_call(emulator, "GET", "%s/users/%s-alice" % (IAM, prefix))[0] == 404

    # The plan was right: the real run makes all of it, and a second --check plans nothing more.
    run = ansible.playbook("planned_chain.yml", extra_vars=chain).assert_ok()
    assert run.changed_tasks() == list(TASKS)
    assert {"user": prefix + "-alice", "role": prefix + "-dev"} in run.result(TASKS[4])["members"]
    with no_writes():
        run = ansible.playbook("planned_chain.yml", extra_vars=chain, check=True).assert_ok()
    assert run.changed_tasks() == []
    assert "ansible_facts" not in run.result("A user")


def test_a_reference_no_task_plans_still_fails_the_plan(ansible, no_writes):
    prefix = unique("i24plan")
    with no_writes():
        run = ansible.playbook("planned_chain.yml", extra_vars=dict(prefix=prefix, member_user=prefix + "-alcie"),
                               check=True)
    assert run.rc != 0
    assert run.task("The user made a member with that role")["status"] == "failed"
    failed = run.result("The user made a member with that role")
    assert "members[0].user: user %s-alcie does not exist" % prefix in failed["msg"], failed
    for task in TASKS[:4]:
        assert run.result(task)["changed"], task


def test_a_failed_task_plans_nothing(ansible, no_writes):
    """A workspace whose manager is not a user fails, so the project in it fails too: nothing half-planned."""
    prefix = unique("i24plan")
    with no_writes():
        run = ansible.playbook("planned_chain.yml", "--start-at-task", "A workspace managed by that user",
                               extra_vars=dict(prefix=prefix, member_user=prefix + "-alice"), check=True)
    assert run.rc != 0
    assert run.task("A workspace managed by that user")["status"] == "failed"
    assert "manager: user %s-alice does not exist" % prefix in run.result("A workspace managed by that user")["msg"]
    assert [r["task"] for r in run.records] == ["A workspace managed by that user"]
