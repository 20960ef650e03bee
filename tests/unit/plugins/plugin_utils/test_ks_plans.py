"""What a task plans, as the action plugins record it, and what a later task is given (ks_plans)."""

from ansible_collections.kubesphere.core.plugins.plugin_utils import ks_plans


def test_a_created_object_is_planned_under_its_kind():
    result = dict(changed=True, workspace={"metadata": {"name": "ws1"}})
    assert ks_plans.planned_by("ks_workspace", {"name": "ws1"}, result) == {"workspaces": ["ws1"]}
    assert ks_plans.planned_by("ks_role", {"name": "r"}, dict(changed=True, role={})) == {"roles": ["r"]}


def test_failed_unchanged_and_removing_tasks_plan_nothing():
    assert ks_plans.planned_by("ks_user", {"name": "u"}, dict(changed=True, failed=True)) == {}
    assert ks_plans.planned_by("ks_user", {"name": "u"}, dict(changed=False)) == {}
    assert ks_plans.planned_by("ks_user", {"name": "u", "state": "absent"}, dict(changed=True)) == {}
    assert ks_plans.planned_by("ks_info", {"name": "u"}, dict(changed=True)) == {}


def test_ks_tenancy_plans_what_its_results_create():
    result = dict(changed=True, results=[
        dict(kind="user", name="a", action="created"), dict(kind="workspace", name="w", action="unchanged"),
        dict(kind="project", name="p", action="created"), dict(kind="role", name="r", action="deleted")])
    assert ks_plans.planned_by("ks_tenancy", {}, result) == {"users": ["a"], "projects": ["p"]}


def test_plans_merge_and_reach_assume_present_beside_what_the_task_gives():
    plan = ks_plans.merged({"users": ["b"]}, {"users": ["a", "b"], "workspaces": ["w"]})
    assert plan == {"users": ["a", "b"], "workspaces": ["w"]}
    args = ks_plans.with_assumed({"name": "x", "assume_present": {"users": ["c"]}}, plan)
    assert args == {"name": "x", "assume_present": {"users": ["c", "a", "b"], "workspaces": ["w"]}}
    given = {"name": "x"}
    assert ks_plans.with_assumed(given, {}) is given
    assert ks_plans.short_name("kubesphere.core.ks_user") == "ks_user"
