"""Issue 12: custom roles, quotas and default limits through the tenant role (one ks_tenancy task)."""
import pytest

from ks_ansible import Ansible, admin_call, api_requests

APIS = "/apis/iam.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
PLAY = "tenant_role.yml"


def declared(ws_templates=("workspace-view-members", "workspace-view-projects"), cpu="2", memory="4Gi",
             limit_cpu="500m"):
    return {
        "ks_roles": [
            {"name": "auditor", "templates": ["global-view-users", "global-view-workspaces"],
             "description": "reads users and workspaces"},
            {"name": "pay-release", "scope": "workspace", "workspace": "pay", "templates": list(ws_templates)},
            {"name": "deployer", "scope": "project", "project": "pay-api",
             "templates": ["namespace-manage-app-workloads", "namespace-view-secrets"]},
        ],
        "ks_users": [{"name": "alice", "email": "alice@example.com", "global_role": "auditor"},
                     {"name": "bob", "email": "bob@example.com"}],
        "ks_workspaces": [{"name": "pay", "manager": "alice", "quota": {"limits.cpu": cpu, "limits.memory": memory},
                           "members": [{"user": "bob", "role": "pay-release"}]}],
        "ks_projects": [{"name": "pay-api", "workspace": "pay", "quota": {"limits.cpu": "1", "pods": "20"},
                         "default_limits": {"requests": {"cpu": "100m"}, "limits": {"cpu": limit_cpu}},
                         "members": [{"user": "bob", "role": "deployer"}]}],
    }


def report(run):
    return dict(((r["kind"], r["name"]), r) for r in run.result("Report")["msg"])


def get(emu, path):
    status, body = admin_call(emu, "GET", path)
    assert status == 200, (path, body)
    return body


@pytest.fixture
def own(fresh_emulator, tmp_path):
    emu = fresh_emulator(controller_delay_ms=10, informer_lag_ms=10)
    return emu, Ansible(emu, tmp_path)


def test_roles_quotas_and_limits_planned_made_again_respelled_narrowed_and_removed(own):
    emu, ansible = own
    everything = {("role", "auditor"), ("role", "pay-release"), ("role", "deployer"), ("user", "alice"),
                  ("user", "bob"), ("workspace", "pay"), ("project", "pay-api")}

    # A member given a role that is neither declared nor there: the plan fails, naming it. The right plan
    # writes nothing and names every object, in the order it would make them.
    wrong = declared()
    wrong["ks_workspaces"][0]["members"] = [{"user": "bob", "role": "pay-relase"}]
    emu.configure(forbid_writes=True)
    try:
        bad = ansible.playbook(PLAY, extra_vars=wrong, check=True)
        plan = ansible.playbook(PLAY, extra_vars=declared(), check=True, diff=True).assert_ok()
    finally:
        emu.configure(forbid_writes=False)
    assert bad.rc != 0 and "role pay-relase does not exist" in bad.output, bad.output
    assert emu.counters()["writes"] == 0
    planned = report(plan)
    assert set(planned) == everything and all(r["action"] == "created" for r in planned.values()), planned
    order = [(r["kind"], r["name"]) for r in plan.result("Report")["msg"]]
    assert order.index(("role", "auditor")) < order.index(("user", "alice"))     # given to alice: made first
    assert order.index(("workspace", "pay")) < order.index(("role", "pay-release")) < order.index(("project", "pay-api"))
    assert order.index(("project", "pay-api")) < order.index(("role", "deployer"))
    assert planned[("role", "pay-release")]["workspace"] == "pay" and planned[("role", "deployer")]["project"] == "pay-api"

    made = ansible.playbook(PLAY, extra_vars=declared()).assert_ok()
    assert "user bob is created without a password: nobody can log in as bob" in made.output
    assert all(r["action"] == "created" for r in report(made).values())
    role = get(emu, "%s/workspaceroles/pay-release" % APIS)
    assert role["metadata"]["labels"]["kubesphere.io/workspace"] == "pay" and role["rules"]
    wide = len(role["rules"])
    members = get(emu, "%s/workspaces/pay/workspacemembers" % IAM)["items"]
    assert {m["metadata"]["name"]: m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"]
            for m in members}["bob"] == "pay-release"
    project_members = get(emu, "%s/namespaces/pay-api/namespacemembers" % IAM)["items"]
    assert {m["metadata"]["name"]: m["metadata"]["annotations"]["iam.kubesphere.io/role"]
            for m in project_members}["bob"] == "deployer"
    bindings = get(emu, "%s/globalrolebindings?labelSelector=iam.kubesphere.io/user-ref=alice" % APIS)["items"]
    assert [b["roleRef"]["name"] for b in bindings] == ["auditor"]
    assert get(emu, "%s/workspaces/pay/resourcequotas/pay" % TENANT)["spec"]["quota"]["hard"] == {
        "limits.cpu": "2", "limits.memory": "4Gi"}
    assert get(emu, "/api/v1/namespaces/pay-api/resourcequotas/pay-api")["spec"]["hard"] == {"limits.cpu": "1", "pods": "20"}
    limits = get(emu, "/api/v1/namespaces/pay-api/limitranges")["items"][0]["spec"]["limits"]
    assert limits == [{"type": "Container", "defaultRequest": {"cpu": "100m"}, "default": {"cpu": "500m"}}]

    # Again, and again with the same quantities spelled otherwise: nothing to change, nothing written.
    emu.reset_counters()
    again = ansible.playbook(PLAY, extra_vars=declared()).assert_ok()
    respelled = ansible.playbook(PLAY, extra_vars=declared(cpu="2000m", memory="4096Mi", limit_cpu="0.5")).assert_ok()
    for run in (again, respelled):
        assert run.changed_tasks() == [] and all(r["action"] == "unchanged" for r in report(run).values())
    assert emu.counters()["writes"] == 0
    print("requests for a no-change run of 7 objects with quotas, limits and roles: %d"
          % (sum(api_requests(emu).values()) // 2))

    # Narrowing the workspace role's templates really narrows its rules, and changes only it.
    narrowed = ansible.playbook(PLAY, extra_vars=declared(ws_templates=["workspace-view-members"]), diff=True).assert_ok()
    changed = [key for key, r in report(narrowed).items() if r["changed"]]
    assert changed == [("role", "pay-release")], changed
    assert len(get(emu, "%s/workspaceroles/pay-release" % APIS)["rules"]) < wide

    # A bound role is not removed unless its bindings go too; the others go on, and nothing else changes.
    gone = declared()
    gone["ks_roles"][2].update(state="absent")
    gone["ks_projects"][0]["members"] = []
    refused = ansible.playbook(PLAY, extra_vars=gone)
    assert refused.rc != 0
    assert "deployer" in refused.output and "still bound" in refused.output and "remove_bindings" in refused.output
    assert get(emu, "%s/namespaces/pay-api/roles/deployer" % APIS)
    gone["ks_roles"][2].update(remove_bindings=True)
    removed = ansible.playbook(PLAY, extra_vars=gone).assert_ok()
    assert report(removed)[("role", "deployer")]["action"] == "deleted"
    assert admin_call(emu, "GET", "%s/namespaces/pay-api/roles/deployer" % APIS)[0] == 404
