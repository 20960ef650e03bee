"""Issue 21 item 3: the onboarding converges through a mix of faults on every write at once (gateway 503s,
429s with Retry-After, connections reset before and after the write is processed), through the single modules
and through the tenant role (one ks_tenancy task), quotas and default limits included: every object and
every membership made once (counted on the server), and a run without faults afterwards changes nothing.
Each lost answer of a member, quota or LimitRange write is recovered by reading (_engine/ks_recovery.py).

The row without faults runs against a real server too (KS_REAL_HOST): the same play converges there and
re-runs with changed=0; the fault rows need the emulator's fault injection."""
import pytest

from ks_ansible import Ansible, admin_call, unique

IAM = "/kapis/iam.kubesphere.io/v1beta1"
APIS_IAM = "/apis/iam.kubesphere.io/v1beta1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
WRITES = ["POST", "PUT", "PATCH", "DELETE"]
# Seeded: the fates of the writes are fixed by the seed and each write's rank among its method's requests.
MIX = dict(status_rate=0.15, statuses=[503, 429], retry_after_s=1, reset_before_rate=0.15, reset_after_rate=0.2,
           methods=WRITES)
SEEDS = {"single modules": 106, "tenant role": 11}
INJECTED = ("status_503", "status_429", "reset_before", "reset_after")


def _faults_on(emu, row, faulty):
    if faulty:
        emu.set_faults(seed=SEEDS[row], **MIX)
        emu.reset_counters()


def _faults_off(emu, faulty):
    """What was injected (the emulator's counters), then no fault: the checks read the truth."""
    if not faulty:
        return {}
    injected = emu.faults()["injected"]
    emu.set_faults()
    for kind in INJECTED:
        assert injected.get(kind, 0) > 0, "the mix lacked %s: %s" % (kind, injected)
    return injected


def _get(emu, path):
    status, body = admin_call(emu, "GET", path)
    assert status == 200, (path, status, body)
    return body


def _bindings_per_user(items):
    out = {}
    for binding in items:
        for subject in binding.get("subjects") or []:
            if subject.get("kind") == "User":
                out.setdefault(subject["name"], []).append(binding["roleRef"]["name"])
    return out


def assert_made_once(emu, workspace, projects, users, quotas):
    """Every membership one binding, every quota and LimitRange one object, as declared.
    workspace: (name, {user: short role}); projects: {name: {user: role}}; quotas: {project: has limits}."""
    name, members = workspace
    bindings = _get(emu, "%s/workspacerolebindings?labelSelector=kubesphere.io/workspace=%s" % (APIS_IAM, name))
    per_user = _bindings_per_user(bindings["items"])
    assert per_user == dict((u, ["%s-%s" % (name, r)]) for u, r in members.items()), per_user
    assert _get(emu, "%s/workspaces/%s/resourcequotas/%s" % (TENANT, name, name))["spec"]["quota"]["hard"]
    for project, roles in projects.items():
        per_user = _bindings_per_user(_get(emu, "%s/namespaces/%s/rolebindings" % (APIS_IAM, project))["items"])
        ours = dict((u, r) for u, r in per_user.items() if u in users)
        assert ours == dict((u, [r]) for u, r in roles.items()), (project, per_user)
        assert len(_get(emu, "/api/v1/namespaces/%s/resourcequotas" % project)["items"]) == 1, project
        limits = _get(emu, "/api/v1/namespaces/%s/limitranges" % project)["items"]
        assert len(limits) == (1 if quotas[project] else 0), (project, limits)


def assert_created_once(emu, creates):
    """On the emulator's request log: each create answered with success once, none refused as a duplicate."""
    log = emu.log(5000)
    for path, wanted in creates.items():
        statuses = [e["status"] for e in log if e["method"] == "POST" and e["path"] == path]
        assert len([s for s in statuses if s < 300]) == wanted and not [s for s in statuses if s in (400, 409)], \
            (path, statuses)


def warnings_of(run):
    """Ansible's warnings, each joined into one line (it wraps long ones)."""
    out, current = [], None
    for line in run.output.splitlines():
        if line.startswith("[WARNING]"):
            current = line
            out.append(current)
        elif current is not None and line.startswith(" ") and line.strip():
            out[-1] += " " + line.strip()
        else:
            current = None
    return out


@pytest.mark.parametrize("faulty", [True, False], ids=["fault mix", "no faults"])
def test_the_onboarding_through_the_single_modules(fresh_emulator, tmp_path, faulty):
    emu = fresh_emulator(controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    users = [unique("h21b-u") for index in range(3)]
    names = dict(workspace_name=unique("h21b-ws"), project_name=unique("h21b-p"), user_names=users)
    _faults_on(emu, "single modules", faulty)
    env = {"KUBESPHERE_RETRIES": "6"}
    run = ansible.playbook("faults_mix_onboarding.yml", extra_vars=names, env=env)
    injected = _faults_off(emu, faulty)
    run.assert_ok()

    ws, project = names["workspace_name"], names["project_name"]
    assert_made_once(emu, (ws, {users[0]: "admin", users[1]: "regular", users[2]: "viewer"}),
                     {project: {users[1]: "operator", users[2]: "viewer"}, project + "-b": {users[2]: "admin"}},
                     users, {project: True, project + "-b": False})
    if faulty:
        assert_created_once(emu, {IAM + "/users": 3, TENANT + "/workspacetemplates": 1,
                                  "%s/workspaces/%s/namespaces" % (TENANT, ws): 2,
                                  "/api/v1/namespaces/%s/limitranges" % project: 1})
        warnings = warnings_of(run)
        recovered = [w for w in warnings if "The answer to a write of a" in w]
        # The sub-resources' lost answers were recovered by reading, as the objects' are.
        assert any("write of a workspace member" in w or "write of a project member" in w for w in recovered), \
            (injected, warnings)
        assert any("write of a quota" in w or "write of a LimitRange" in w for w in recovered), (injected, warnings)
        assert any("after HTTP 429 (too many requests, Retry-After 1 s)" in w for w in warnings), warnings
        assert not [w for w in warnings if "<html" in w.lower()], warnings

    # Converged, nothing half-made: the same play again, without faults, changes nothing and writes nothing.
    emu.reset_counters()
    again = ansible.playbook("faults_mix_onboarding.yml", extra_vars=names).assert_ok()
    assert again.changed_tasks() == [], again.changed_tasks()
    assert emu.counters()["writes"] == 0


def _tenancy(prefix):
    users = ["%s-u%d" % (prefix, i) for i in range(6)]
    workspaces = [{"name": "%s-w%d" % (prefix, j), "manager": users[j], "quota": {"limits.cpu": "8"},
                   "members": [{"user": users[j + 2], "role": "regular"}, {"user": users[j + 4], "role": "viewer"}]}
                  for j in range(2)]
    projects = [{"name": "%s-p%d" % (prefix, k), "workspace": workspaces[k % 2]["name"],
                 "quota": {"limits.cpu": "2", "pods": "10"},
                 "default_limits": {"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}},
                 "members": [{"user": users[k], "role": "operator"}, {"user": users[(k + 3) % 6], "role": "viewer"}]}
                for k in range(4)]
    return {"ks_users": [{"name": u, "email": "%s@example.com" % u} for u in users],
            "ks_workspaces": workspaces, "ks_projects": projects}


@pytest.mark.parametrize("faulty", [True, False], ids=["fault mix", "no faults"])
def test_the_onboarding_through_the_tenant_role(fresh_emulator, tmp_path, faulty):
    emu = fresh_emulator(controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    declared = _tenancy(unique("h21b-t"))
    _faults_on(emu, "tenant role", faulty)
    run = ansible.playbook("tenant_role.yml", extra_vars=declared, env={"KUBESPHERE_RETRIES": "6"})
    _faults_off(emu, faulty)
    run.assert_ok()

    users = [u["name"] for u in declared["ks_users"]]
    for ws in declared["ks_workspaces"]:
        members = dict((m["user"], m["role"]) for m in ws["members"])
        members[ws["manager"]] = "admin"
        projects = dict((p["name"], dict((m["user"], m["role"]) for m in p["members"]))
                        for p in declared["ks_projects"] if p["workspace"] == ws["name"])
        assert_made_once(emu, (ws["name"], members), projects, users, dict((p, True) for p in projects))
    if faulty:
        creates = {IAM + "/users": len(users), TENANT + "/workspacetemplates": 2}
        for ws in declared["ks_workspaces"]:
            creates["%s/workspaces/%s/namespaces" % (TENANT, ws["name"])] = 2
        assert_created_once(emu, creates)

    emu.reset_counters()
    again = ansible.playbook("tenant_role.yml", extra_vars=declared).assert_ok()
    assert again.changed_tasks() == [], [r for r in again.result("Report")["msg"] if r["changed"]]
    assert emu.counters()["writes"] == 0
