"""Issue 10: ks_tenancy converges a whole tenancy in one task, through real ansible-playbook runs."""
import json

import pytest

from ks_ansible import Ansible, admin_call, write_guard

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"
TEMPLATES = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
MANAGED_BY = "app.kubernetes.io/managed-by"


def tenancy(prefix, users=80, workspaces=20, projects=100):
    """users + workspaces + projects objects: workspaces on the host (every other one on member1 too)
    with two members each, projects spread over them (a quarter on member1), a third with a member."""
    def user(i):
        return "%s-u%03d" % (prefix, i % users)

    def ws(j):
        return "%s-w%02d" % (prefix, j % workspaces)
    t_users = [{"name": user(i), "email": "%s@example.com" % user(i)} for i in range(users)]
    t_workspaces = [{"name": ws(j), "manager": user(j), "clusters": ["host", "member1"] if j % 2 == 0 else ["host"],
                     "members": [{"user": user(j + users // 4), "role": "regular"},
                                 {"user": user(j + users // 2), "role": "viewer"}]}
                    for j in range(workspaces)]
    t_projects = []
    for k in range(projects):
        item = {"name": "%s-p%03d" % (prefix, k), "workspace": ws(k)}
        if k % 4 == 0 and (k % workspaces) % 2 == 0:
            item["cluster"] = "member1"
        if k % 3 == 0:
            item["members"] = [{"user": user(k), "role": "operator"}]
        t_projects.append(item)
    return {"t_users": t_users, "t_workspaces": t_workspaces, "t_projects": t_projects}


def count(declared):
    return sum(len(declared[k]) for k in ("t_users", "t_workspaces", "t_projects"))


def task(run):
    return run.result("Tenancy")


def actions(run, action):
    return sorted((r["kind"], r["name"]) for r in task(run)["results"] if r["action"] == action)


def api_requests(emu):
    counters = emu.counters()
    return counters["total"] - sum(v for k, v in counters["requests"].items() if "/oauth/" in k)


@pytest.fixture
def own(fresh_emulator, tmp_path):
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    return emu, Ansible(emu, tmp_path)


def exists(emu, path):
    return admin_call(emu, "GET", path)[0] == 200


def test_a_200_object_tenancy_planned_created_again_changed_and_pruned(own):
    emu, ansible = own
    declared = tenancy("t")
    assert count(declared) == 200
    # Not under management: made by someone else; and KubeSphere's own objects.
    assert admin_call(emu, "POST", USERS, {"metadata": {"name": "t-hand"}, "spec": {"email": "hand@example.com"}})[0] == 200
    assert admin_call(emu, "POST", TEMPLATES, {"metadata": {"name": "t-handws"}, "spec": {
        "template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})[0] == 200
    # KubeSphere's own (system-workspace, seeded as the chart makes it), even when labelled as ours.
    labelled = {MANAGED_BY: "kubesphere.core"}
    assert emu.call("PATCH", "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/system-workspace",
                    {"metadata": {"labels": labelled}}, token=emu.login(),
                    headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubesphere-extra", "labels": dict(
        labelled, **{"kubesphere.io/workspace": "system-workspace"})}}
    assert admin_call(emu, "POST", "/api/v1/namespaces", namespace)[0] in (200, 201)

    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=declared, check=True, diff=True).assert_ok()
    assert task(plan)["summary"]["users"]["created"] == 80 and task(plan)["summary"]["projects"]["created"] == 100
    assert "workspace t-w03 (create)" in plan.output and "t-u023@example.com" in plan.output
    assert "ks_tenancy: create 200, update 0, delete 0" in plan.output          # the plan, first

    first = ansible.playbook("tenancy.yml", extra_vars=declared).assert_ok()
    assert len(actions(first, "created")) == 200 and task(first)["changed"]
    status, user = admin_call(emu, "GET", USERS + "/t-u001")
    assert user["metadata"]["labels"][MANAGED_BY] == "kubesphere.core"

    emu.reset_counters()
    again = ansible.playbook("tenancy.yml", extra_vars=declared, diff=True).assert_ok()
    assert len(actions(again, "unchanged")) == 200 and not task(again)["changed"] and "changed=0" in again.output
    counters = emu.counters()
    assert counters["writes"] == 0 and counters["logins"]["password_ok"] == 0
    assert api_requests(emu) <= 200, counters["requests"]
    # Members of the 20 workspaces and the host's projects come from one list of their role bindings.
    per_object = [k for k in counters["requests"] if k.endswith("/workspacemembers") or
                  (k.endswith("/namespacemembers") and "/clusters/" not in k)]
    assert per_object == [], per_object

    # A few changes: exactly those objects change, and the plan says so first.
    changed = json.loads(json.dumps(declared))
    changed["t_users"][5]["email"] = "moved@example.com"
    changed["t_workspaces"][3]["alias_name"] = "Team three"
    changed["t_projects"][7]["labels"] = {"tier": "gold"}
    changed["t_projects"][8]["members"] = [{"user": "t-u010", "role": "viewer"}]
    # And two member roles changed by hand, seen in that list of bindings and put back.
    iam = "/kapis/iam.kubesphere.io/v1beta1"
    assert admin_call(emu, "PUT", iam + "/workspaces/t-w04/workspacemembers/t-u024",
                      {"username": "t-u024", "roleRef": "t-w04-viewer"})[0] == 200
    assert admin_call(emu, "PUT", iam + "/namespaces/t-p003/namespacemembers/t-u003",
                      {"username": "t-u003", "roleRef": "viewer"})[0] == 200
    expected = [("project", "t-p003"), ("project", "t-p007"), ("project", "t-p008"), ("user", "t-u005"),
                ("workspace", "t-w03"), ("workspace", "t-w04")]
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=changed, check=True, diff=True).assert_ok()
    assert actions(plan, "updated") == expected and "Team three" in plan.output
    update = ansible.playbook("tenancy.yml", extra_vars=changed).assert_ok()
    assert actions(update, "updated") == expected
    assert sorted((r["kind"], r["name"]) for r in task(update)["results"] if r["changed"]) == expected

    # Prune: what is no longer declared and under management goes, nothing else.
    kept = json.loads(json.dumps(changed))
    kept["t_users"] = [u for u in kept["t_users"] if u["name"] not in ("t-u075", "t-u076", "t-u077", "t-u079")]
    kept["t_workspaces"] = [w for w in kept["t_workspaces"] if w["name"] != "t-w19"]
    kept["t_projects"] = [p for p in kept["t_projects"] if p["workspace"] != "t-w19" and p["name"] != "t-p000"]
    kept["t_prune"] = ["users", "workspaces", "projects"]
    # t-u075 stays: project t-p075 still names it as a member.
    gone = sorted([("user", "t-u%03d" % i) for i in (76, 77, 79)] + [("workspace", "t-w19"), ("project", "t-p000")]
                  + [("project", "t-p%03d" % k) for k in range(19, 100, 20)])
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=kept, check=True).assert_ok()
    assert actions(plan, "deleted") == gone
    pruned = ansible.playbook("tenancy.yml", extra_vars=kept).assert_ok()
    assert actions(pruned, "deleted") == gone
    assert all(r.get("pruned") for r in task(pruned)["results"] if r["action"] == "deleted")
    order = [r["kind"] for r in task(pruned)["results"] if r["action"] == "deleted"]
    assert order == sorted(order, key=["project", "workspace", "user"].index)   # removals in reverse
    for path in (USERS + "/t-hand", TEMPLATES + "/t-handws", USERS + "/admin", TEMPLATES + "/system-workspace",
                 "/api/v1/namespaces/kubesphere-extra", USERS + "/t-u074", USERS + "/t-u075"):
        assert exists(emu, path), path
    emu.reset_counters()
    assert not task(ansible.playbook("tenancy.yml", extra_vars=kept).assert_ok())["changed"]
    assert emu.counters()["writes"] == 0


def test_a_missing_user_fails_its_item_skips_its_dependants_and_the_rest_converge(own):
    emu, ansible = own
    declared = {"t_users": [{"name": "pf-ok", "email": "pf-ok@example.com"}],
                "t_workspaces": [{"name": "pf-good", "manager": "pf-ok"},
                                 {"name": "pf-bad", "manager": "pf-ok", "members": [{"user": "pf-ghost", "role": "viewer"}]}],
                "t_projects": [{"name": "pf-good-web", "workspace": "pf-good"},
                               {"name": "pf-bad-web", "workspace": "pf-bad"}]}
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=declared, check=True)
    assert plan.rc != 0 and actions(plan, "failed") == [("workspace", "pf-bad")]     # predicted, nothing sent
    run = ansible.playbook("tenancy.yml", extra_vars=declared)
    assert run.rc != 0
    result = task(run)
    assert actions(run, "failed") == [("workspace", "pf-bad")]
    assert actions(run, "skipped") == [("project", "pf-bad-web")]
    assert actions(run, "created") == [("project", "pf-good-web"), ("user", "pf-ok"), ("workspace", "pf-good")]
    assert "pf-ghost" in result["msg"] and result["changed"] and len(result["failures"]) == 1
    assert not exists(emu, TEMPLATES + "/pf-bad") and exists(emu, TEMPLATES + "/pf-good")


def test_every_input_error_is_reported_before_any_request(own):
    emu, ansible = own
    emu.reset_counters()
    run = ansible.playbook("tenancy.yml", extra_vars={
        "t_users": [{"name": "Bad_Name"}, {"name": "ok", "emial": "x"}, {"name": "pw", "password": "short"}],
        "t_projects": [{"name": "p1"}, {"name": "p1", "workspace": "w"}, {"name": "p1", "workspace": "w"}]})
    assert run.rc != 0
    msg = task(run)["msg"]
    for needed in ("users[0] (Bad_Name)", "emial", "password policy", "projects[0] (p1): workspace is required",
                   "declared twice"):
        assert needed in msg, msg
    assert emu.counters()["total"] == 0


def _end_state(emu, prefix):
    """Users, workspaces (placement, manager), projects and members of one prefix, prefix removed."""
    def strip(text):
        return text.replace(prefix + "-", "X-")
    state = {}
    for user in admin_call(emu, "GET", USERS + "?limit=500")[1]["items"]:
        if user["metadata"]["name"].startswith(prefix + "-"):
            state[strip("user " + user["metadata"]["name"])] = user["spec"].get("email", "").replace(prefix, "X")
    for template in admin_call(emu, "GET", TEMPLATES + "?limit=500")[1]["items"]:
        name = template["metadata"]["name"]
        if name.startswith(prefix + "-"):
            members = admin_call(emu, "GET", "/kapis/iam.kubesphere.io/v1beta1/workspaces/%s/workspacemembers" % name)[1]
            state[strip("workspace " + name)] = strip(json.dumps([template["spec"], sorted(
                (m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"])
                for m in members["items"])], sort_keys=True))
    for cluster in ("", "/clusters/member1"):
        for ns in admin_call(emu, "GET", cluster + TENANT + "/namespaces?limit=500")[1]["items"]:
            name = ns["metadata"]["name"]
            if name.startswith(prefix + "-"):
                members = admin_call(emu, "GET", cluster + "/kapis/iam.kubesphere.io/v1beta1/namespaces/%s/namespacemembers"
                                     % name)[1]
                state[strip("project %s%s" % (name, cluster))] = strip(json.dumps([ns["metadata"]["labels"], sorted(
                    (m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/role"])
                    for m in members["items"])], sort_keys=True))
    return state


def test_concurrency_1_and_8_reach_the_same_state(own):
    emu, ansible = own
    runs = {}
    for prefix, concurrency in (("ca", 1), ("cb", 8)):
        declared = dict(tenancy(prefix, users=10, workspaces=4, projects=12), t_concurrency=concurrency)
        runs[prefix] = ansible.playbook("tenancy.yml", extra_vars=declared).assert_ok()
    assert _end_state(emu, "ca") == _end_state(emu, "cb") and len(_end_state(emu, "ca")) == 26
    assert [(r["kind"], r["action"]) for r in task(runs["ca"])["results"]] == \
        [(r["kind"], r["action"]) for r in task(runs["cb"])["results"]]


def test_single_modules_and_ks_tenancy_agree(own):
    emu, ansible = own
    results = {}
    writes = {}
    for prefix, playbook in (("sm", "tenancy_single.yml"), ("bk", "tenancy.yml")):
        declared = tenancy(prefix, users=6, workspaces=2, projects=4)
        declared["t_workspaces"][0]["labels"] = {"team": "a"}
        emu.reset_counters()
        run = ansible.playbook(playbook, extra_vars=declared, diff=True).assert_ok()
        # Which writes, not how many: a member add right after its project may be retried until its roles exist.
        writes[prefix] = sorted(key.replace(prefix + "-", "X-") for key in emu.counters()["requests"]
                                if not key.startswith("GET ") and "/oauth/" not in key)
        if playbook == "tenancy.yml":
            found = [("%s %s" % (r["kind"], r["name"]), r["changed"], r["diff"]) for r in task(run)["results"]]
        else:
            found = [("%s %s" % (kind, item["item"]["name"]), item["changed"], item["diff"])
                     for name, kind in (("Users", "user"), ("Workspaces", "workspace"), ("Projects", "project"))
                     for item in run.result(name)["results"]]
        results[prefix] = sorted(json.dumps(entry, sort_keys=True).replace(prefix + "-", "X-").replace(prefix + "@", "X@")
                                 for entry in found)
    assert writes["sm"] == writes["bk"] and writes["bk"]
    assert results["sm"] == results["bk"] and len(results["bk"]) == 12


def test_twenty_forks_share_one_login(own, tmp_path):
    emu, ansible = own
    inventory = tmp_path / "forks.json"     # JSON is YAML: one host per fork, each with a user of its own
    hosts = dict(("f%02d" % i, {"t_users": [{"name": "fk-%02d" % i, "email": "fk%02d@example.com" % i}]})
                 for i in range(20))
    inventory.write_text(json.dumps({"forks": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}))
    emu.reset_counters()
    ansible.playbook("tenancy.yml", "--forks", "20", inventory=inventory, extra_vars={"target": "forks"}).assert_ok()
    assert emu.counters()["logins"]["password_ok"] == 1
    assert all(exists(emu, USERS + "/fk-%02d" % i) for i in range(20))
