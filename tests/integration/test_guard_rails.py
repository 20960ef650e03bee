"""Issue 19: no task, prune or export destroys or escalates by accident. Every refusal here is made before any
write, for real as under --check (the emulator's write guard fails the test on any write)."""

import time

from ks_ansible import REGULAR_PASSWORD, admin_call, create_regular_user, unique, write_guard

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM_APIS = "/apis/iam.kubesphere.io/v1beta1"
USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


def workspace(emulator, name, clusters=("host",), labels=None, manager="admin"):
    status, body = admin_call(emulator, "POST", TENANT + "/workspacetemplates", {
        "metadata": {"name": name, "labels": dict(labels or {})},
        "spec": {"template": {"spec": {"manager": manager}}, "placement": {"clusters": [{"name": c} for c in clusters]}}})
    assert status == 200 or "already exists" in str(body), body


def project(emulator, name, ws, labels=None):
    status, body = admin_call(emulator, "POST", TENANT + "/workspaces/%s/namespaces" % ws, {
        "metadata": {"name": name, "labels": dict(labels or {}, **{
            "kubesphere.io/workspace": ws, "kubesphere.io/managed": "true"})}})
    assert status == 200, body


def wait_for_path(emulator, path):
    deadline = time.monotonic() + 5
    while admin_call(emulator, "GET", path)[0] != 200:
        assert time.monotonic() < deadline, path
        time.sleep(0.05)


def setup_platform(emulator, prefix):
    """Workspace a with a custom role, workspace b on the host with a project, a project another tool manages, a
    namespace in no workspace, a user, system-workspace, and a platform-regular user to log in as."""
    workspace(emulator, "system-workspace", labels={"kubesphere.io/protected-resource": "true"})
    status, body = admin_call(emulator, "POST", IAM_APIS + "/clusterroles", {     # as the ks-core chart has it
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "ClusterRole",
        "metadata": {"name": "cluster-admin", "annotations": {"kubesphere.io/creator": "system"}},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    assert status in (201, 409), body
    workspace(emulator, prefix + "-a")
    workspace(emulator, prefix + "-b")
    status, body = admin_call(emulator, "POST", IAM_APIS + "/workspaceroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
        "metadata": {"name": prefix + "-shared", "labels": {"kubesphere.io/workspace": prefix + "-a"}}, "rules": []})
    assert status == 201, body
    project(emulator, prefix + "-bp", prefix + "-b")
    project(emulator, prefix + "-helm", prefix + "-b", labels={"app.kubernetes.io/managed-by": "Helm"})
    status, body = admin_call(emulator, "POST", "/api/v1/namespaces", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": prefix + "-plain"}})
    assert status in (200, 201), body
    user = {"metadata": {"name": prefix + "-user"}, "spec": {"email": prefix + "-user@example.com"}}
    assert admin_call(emulator, "POST", USERS, user)[0] == 200
    wait_for_path(emulator, IAM_APIS + "/workspaceroles/%s-a-admin" % prefix)
    wait_for_path(emulator, IAM_APIS + "/namespaces/%s-bp/roles/operator" % prefix)
    create_regular_user(emulator, prefix + "-me")
    return dict(prefix=prefix, me=prefix + "-me", me_password=REGULAR_PASSWORD)


def refused(run, task, *words):
    """The task (failed_when: false) was refused, changed nothing, and its message says every word."""
    records = [r for r in run.records if r["task"] == task]
    assert records, "no result for %r:\n%s" % (task, run.output[-3000:])
    for record in records:
        results = record["result"].get("results") or [record["result"]]      # a loop's items
        for result in results:
            assert not result.get("changed") and "msg" in result, (task, result)
            for word in words:
                assert word in result["msg"], (task, word, result["msg"])
    return records[0]["result"]


def assert_all_refused(run, p):
    refused(run, "Rewrite platform-self-provisioner", "GlobalRole platform-self-provisioner is protected",
            "platform role KubeSphere installs", "allow_protected")
    refused(run, "Rewrite platform-admin", "platform-admin is protected")
    refused(run, "Delete cluster-admin", "cluster-admin is protected", "does not delete it")
    refused(run, "Rewrite a workspace's own admin role", "%s-b-admin" % p, "is protected")
    refused(run, "Rewrite a project's operator role", "Role operator in %s-bp is protected" % p)
    for task in ("Take over another workspace's custom role", "Delete another workspace's custom role"):
        refused(run, task, "WorkspaceRole %s-shared belongs to workspace %s-a, not to workspace %s-b" % (p, p, p))
    refused(run, "Take over another workspace's admin role", "belongs to workspace %s-a" % p)
    refused(run, "Delete admin", "user admin is protected", "administrator", "does not delete it")
    refused(run, "Demote admin", "user admin is protected", "(global_role)")
    refused(run, "Delete system-workspace", "workspace system-workspace is protected", "does not delete it")
    refused(run, "Add a member to system-workspace", "system-workspace is protected", "does not change its members")
    refused(run, "Delete kube-public", "project kube-public is protected", "system namespace")
    refused(run, "Delete kube-system, kubesphere-system and default", "is protected", "system namespace")
    refused(run, "Change a project another tool manages", "%s-helm is protected" % p, "managed by Helm")
    refused(run, "Delete a namespace that is no project", "belongs to no workspace, so it is not a project")
    refused(run, "Take a workspace off the cluster that holds its projects", "would leave host",
            "%s-bp on host" % p, "%s-helm on host" % p)
    refused(run, "A project on a cluster its workspace is not placed on",
            "workspace %s-b is not placed on cluster member1 (it is on host)" % p)
    for task in ("A workspace on a cluster that does not exist", "A project on a cluster that does not exist",
                 "A cluster role on a cluster that does not exist"):
        refused(run, task, "cluster member9 does not exist", "member1")
    refused(run, "A role in a project that does not exist", "project %s-nope does not exist on cluster host" % p)
    refused(run, "Delete the user the task logs in as", "user %s-me is protected" % p, "logs in as")
    tenancy = refused(run, "The same through ks_tenancy")
    failed = dict(((r["kind"], r["name"]), r["msg"]) for r in tenancy["results"] if r["action"] == "failed")
    assert "is protected" in failed[("user", "admin")]
    assert "does not change its members" in failed[("workspace", "system-workspace")]
    assert "is protected" in failed[("project", "kube-public")]
    assert "not placed on cluster member1" in failed[("project", p + "-elsewhere")]
    assert "is protected" in failed[("role", "platform-self-provisioner")]
    assert "belongs to workspace %s-a" % p in failed[("role", p + "-shared")]
    assert all(not r["changed"] for r in tenancy["results"])


def test_protected_and_foreign_objects_are_refused_before_any_write(ansible, emulator):
    p = unique("gr")
    names = setup_platform(emulator, p)
    with write_guard(emulator):
        plan = ansible.playbook("guard_rails.yml", extra_vars=names, check=True, diff=True).assert_ok()
    assert_all_refused(plan, p)
    with write_guard(emulator):
        real = ansible.playbook("guard_rails.yml", extra_vars=names).assert_ok()
    assert_all_refused(real, p)
    # Nothing moved: the built-in role keeps its rules, admin its role, the projects their workspace.
    status, role = admin_call(emulator, "GET", IAM_APIS + "/workspaceroles/%s-shared" % p)
    assert role["metadata"]["labels"]["kubesphere.io/workspace"] == p + "-a"
    for name in ("kube-public", p + "-bp", p + "-plain"):
        status, namespace = admin_call(emulator, "GET", "/api/v1/namespaces/" + name)
        assert status == 200 and not namespace["metadata"].get("deletionTimestamp"), name


# Prune brakes ---------------------------------------------------------------------------------------------------
def tenancy_result(run):
    return run.result("Tenancy")


def deleted(run):
    return sorted((r["kind"], r["name"]) for r in tenancy_result(run)["results"] if r["action"] == "deleted")


def team(p, users=16):
    """Users (u01 manages w1, u02 manages w2, u03 is w2's member in a custom role), w1 on host and member1 with a
    project on each, w2 with a project and the custom role."""
    return {
        "t_users": [{"name": "%s-u%02d" % (p, i), "email": "%s-u%02d@example.com" % (p, i)} for i in range(1, users + 1)],
        "t_workspaces": [
            {"name": p + "-w1", "manager": p + "-u01", "clusters": ["host", "member1"]},
            {"name": p + "-w2", "manager": p + "-u02", "members": [{"user": p + "-u03", "role": p + "-w2-releaser"}]}],
        "t_projects": [{"name": p + "-host", "workspace": p + "-w1"},
                       {"name": p + "-far", "workspace": p + "-w1", "cluster": "member1"},
                       {"name": p + "-two", "workspace": p + "-w2"}],
        "t_roles": [{"name": p + "-w2-releaser", "scope": "workspace", "workspace": p + "-w2",
                     "templates": ["workspace-view-members"]}],
    }


def test_prune_has_brakes(fresh_emulator, tmp_path):
    from ks_ansible import Ansible
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    p = "pb"
    declared = team(p)
    ansible.playbook("tenancy.yml", extra_vars=declared).assert_ok()
    workspace(emu, p + "-hand", manager=p + "-u04")      # not managed, and it names u04 as its manager

    # A kind named in prune with nothing declared (what a misspelt key gives): refused before any request.
    nothing = dict(declared, t_users=[], t_prune=["users"])
    for check in (True, False):
        emu.reset_counters()
        with write_guard(emu):
            run = ansible.playbook("tenancy.yml", extra_vars=nothing, check=check)
        assert run.rc != 0 and "prune names users, but no users are declared" in run.output
        assert "allow_empty_prune" in run.output and emu.counters()["total"] == 0

    # Twelve users to go, more than the default cap of ten: the run stops before any write and names them.
    few = dict(declared, t_users=declared["t_users"][:1], t_prune=["users"])
    for check in (True, False):
        with write_guard(emu):
            run = ansible.playbook("tenancy.yml", extra_vars=few, check=check)
        assert run.rc != 0, run.output[-3000:]
        result = tenancy_result(run)
        assert "prune would delete 12 objects, more than prune_limit (10), so nothing was sent" in result["msg"]
        assert "raise prune_limit to 12" in result["msg"]
        assert result["prune_refused"] == ["user %s-u%02d" % (p, i) for i in range(5, 17)]

    # Raised: the plan reads as a deletion, and the users something still names are kept, with the reason.
    few["t_prune_limit"] = 12
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=few, check=True, diff=True).assert_ok()
    assert "ks_tenancy: create 0, update 0, delete 12; delete: user %s-u05 (pruned)" % p in plan.output
    assert "--- before: user %s-u05 (before)" % p in plan.output and "+++ after: user %s-u05 (delete)" % p in plan.output
    assert tenancy_result(plan)["plan"]["counts"] == {"create": 0, "update": 0, "delete": 12}
    for kept, holder in (("u02", "workspace %s-w2" % p), ("u03", "workspace %s-w2" % p),
                         ("u04", "workspace %s-hand" % p)):
        assert "user %s-%s is not declared but is kept: %s still refers to it" % (p, kept, holder) in plan.output
    pruned = ansible.playbook("tenancy.yml", extra_vars=few).assert_ok()
    assert deleted(pruned) == [("user", "%s-u%02d" % (p, i)) for i in range(5, 17)]

    # w2 goes with its project and role; the role is still bound, so its removal fails: w2 is then kept, and
    # with it its manager and member. The project of w1 on member1 is pruned there.
    rest = dict(few, t_users=declared["t_users"][:1], t_workspaces=declared["t_workspaces"][:1],
                t_projects=declared["t_projects"][:1], t_roles=[], t_prune=["users", "workspaces", "projects", "roles"],
                t_allow_empty_prune=True)
    run = ansible.playbook("tenancy.yml", extra_vars=rest)
    assert run.rc != 0
    results = dict(((r["kind"], r["name"]), r) for r in tenancy_result(run)["results"])
    assert results[("role", p + "-w2-releaser")]["action"] == "failed"
    assert "is still bound" in results[("role", p + "-w2-releaser")]["msg"]
    assert results[("workspace", p + "-w2")]["action"] == "skipped"
    assert results[("project", p + "-two")]["action"] == "deleted"
    assert results[("project", p + "-far")]["action"] == "deleted" and results[("project", p + "-far")]["cluster"] == "member1"
    assert results[("user", p + "-u02")]["action"] == results[("user", p + "-u03")]["action"] == "skipped"
    for path in (TENANT + "/workspacetemplates/%s-w2" % p, USERS + "/%s-u02" % p, USERS + "/%s-u03" % p):
        assert admin_call(emu, "GET", path)[0] == 200, path


def test_prune_stays_inside_its_scope(fresh_emulator, tmp_path):
    from ks_ansible import Ansible
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    p = "ps"
    declared = team(p, users=4)
    ansible.playbook("tenancy.yml", extra_vars=declared).assert_ok()
    # Only w1 is declared, with one of its two projects; the scope says the declaration covers w1 alone.
    scoped = {"t_users": declared["t_users"][:1], "t_workspaces": declared["t_workspaces"][:1],
              "t_projects": declared["t_projects"][:1], "t_prune": ["users", "workspaces", "projects", "roles"],
              "t_prune_scope": {"workspaces": [p + "-w1"]}, "t_allow_empty_prune": True}
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=scoped, check=True).assert_ok()
    assert deleted(plan) == [("project", p + "-far")]       # w2, its project, role and people are outside
    scoped["t_prune_scope"] = {"label_selector": "team=none"}
    with write_guard(emu):
        plan = ansible.playbook("tenancy.yml", extra_vars=scoped, check=True).assert_ok()
    assert deleted(plan) == []


# Misspelt keys -------------------------------------------------------------------------------------------------
def test_a_misspelt_key_with_prune_fails_before_any_request(ansible, emulator, tmp_path):
    from ks_ansible import ROOT
    team_file = tmp_path / "team.yml"
    team_file.write_text("ks_user:\n  - {name: alice, email: alice@example.com}\nks_prune: [users]\n")
    emulator.reset_counters()
    run = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml", extra_vars={"team_file": str(team_file)})
    assert run.rc != 0 and "ks_user is not a key the roles take" in run.output, run.output[-3000:]
    assert emulator.counters()["total"] == 0
    # The role used in a play of one's own says the same of a variable.
    run = ansible.playbook("tenant_role_direct.yml", extra_vars={"ks_workspace": [{"name": "w"}], "ks_prune": ["users"]})
    assert run.rc != 0 and "ks_workspace: not a variable of the kubesphere.core.tenant role" in run.output
    assert emulator.counters()["total"] == 0


# The export ----------------------------------------------------------------------------------------------------
def test_an_export_that_cannot_write_its_file_adopts_nothing(ansible, emulator, tmp_path):
    from ks_ansible import ROOT
    emulator.reset_counters()
    with write_guard(emulator):
        run = ansible.playbook(ROOT / "playbooks" / "export_tenancy.yml",
                               extra_vars={"out": str(tmp_path / "missing-dir" / "x.yml")})
    assert run.rc != 0 and "the folder %s does not exist" % (tmp_path / "missing-dir") in run.output
    assert emulator.counters()["total"] == 0          # not a read, let alone a label


def test_a_filtered_export_prunes_only_inside_its_filter(fresh_emulator, tmp_path):
    import yaml
    from ks_ansible import ROOT, Ansible
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    ansible.playbook("tenancy.yml", extra_vars={
        "t_workspaces": [{"name": "team-f"}, {"name": "team-g"}],
        "t_projects": [{"name": n, "workspace": w} for n, w in
                       (("f-web", "team-f"), ("f-api", "team-f"), ("g-web", "team-g"), ("g-api", "team-g"))]}).assert_ok()
    out = tmp_path / "team-f.yml"
    ansible.playbook(ROOT / "playbooks" / "export_tenancy.yml",
                     extra_vars={"out": str(out), "workspaces": ["team-f"]}).assert_ok()
    declared = yaml.safe_load(out.read_text())
    assert declared["ks_prune_scope"] == {"workspaces": ["team-f"]}
    assert "Exported with a filter (workspaces team-f)" in out.read_text()
    declared["ks_projects"] = [p for p in declared["ks_projects"] if p["name"] != "f-api"]
    out.write_text(yaml.safe_dump(declared, sort_keys=False))
    run = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml",
                           extra_vars={"team_file": str(out), "ks_prune": ["projects"]}).assert_ok()
    assert run.result("Report what changed")["msg"] == ["delete project f-api"]
    for name in ("f-web", "g-web", "g-api"):
        status, namespace = admin_call(emu, "GET", "/api/v1/namespaces/" + name)
        assert status == 200 and not namespace["metadata"].get("deletionTimestamp"), name


def test_allow_protected_changes_one_protected_object_and_says_so(ansible, emulator):
    email = admin_call(emulator, "GET", USERS + "/admin")[1]["spec"]["email"]
    args = "name=admin email=ops-%s@example.com allow_protected=true" % unique("x")
    run = ansible.adhoc("kubesphere.core.ks_user", args).assert_ok()
    assert "localhost | CHANGED" in run.output
    assert "user admin is protected (it is KubeSphere's administrator); changed anyway, as allow_protected is set" \
        in run.output
    ansible.adhoc("kubesphere.core.ks_user", "name=admin email=%s allow_protected=true" % email).assert_ok()


def test_ks_api_refuses_a_raw_write_to_a_protected_object(ansible, emulator):
    with write_guard(emulator):
        for args in ("path=/apis/iam.kubesphere.io/v1beta1/globalroles/platform-admin method=DELETE",
                     "path=/api/v1/namespaces/kube-system method=DELETE",
                     "path=/kapis/iam.kubesphere.io/v1beta1/users/admin method=PUT body={}"):
            for check in ((), ("--check",)):
                run = ansible.adhoc("kubesphere.core.ks_api", args, *check)
                assert run.rc != 0 and "is protected" in run.output and "ks_api does not send" in run.output, args
