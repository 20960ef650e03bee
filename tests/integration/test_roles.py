"""Issue 6: the tenant and extensions roles, through playbooks/onboard_team.yml and real runs."""
import json

import pytest

from ks_ansible import ROOT, Ansible, api_requests, doc_block, run_readme_block
from real_server import needs_installable_extension

ONBOARD = ROOT / "playbooks" / "onboard_team.yml"
EVERYTHING = ["create user alice", "create user bob", "create user carol", "create workspace team-alpha",
              "create project alpha-web", "create project alpha-batch"]


def changes(run):
    """The role's own account of what it changed (the onboarding play prints tenant_changes)."""
    msg = run.result("Report what changed")["msg"]
    return [] if isinstance(msg, str) else msg


@pytest.fixture
def own(fresh_emulator, tmp_path):
    # Its own emulator, every member ready: removals must finish, and the counters are ours alone.
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    return emu, Ansible(emu, tmp_path)


def test_tenant_plan_apply_again_update_remove(own):
    emu, ansible = own
    emu.reset_counters()

    # The plan: --check --diff against an empty server names every object and writes nothing.
    emu.configure(forbid_writes=True)
    try:
        plan = ansible.playbook(ONBOARD, "-v", check=True, diff=True).assert_ok()
    finally:
        emu.configure(forbid_writes=False)
    assert emu.counters()["writes"] == 0 and emu.counters().get("forbidden_writes", 0) == 0
    assert sorted(changes(plan)) == sorted(EVERYTHING)
    assert "alice@example.com" in plan.output            # the diff shows what would be created
    assert "Alice-Pa55word" not in plan.output           # but never a password, even with -v

    first = ansible.playbook(ONBOARD).assert_ok()
    assert sorted(changes(first)) == sorted(EVERYTHING)
    # One password login for both runs: the role logs in once and the token is cached between runs.
    assert emu.counters()["logins"]["password_ok"] == 1, "the role must log in once for the whole run"

    emu.reset_counters()
    again = ansible.playbook(ONBOARD, diff=True).assert_ok()
    assert changes(again) == [] and again.changed_tasks() == []
    assert emu.counters()["writes"] == 0
    assert "changed=0" in again.output

    # An update: carol becomes a workspace regular and gets a project; only those change.
    update = {
        "ks_workspaces": [{"name": "team-alpha", "manager": "alice", "clusters": ["host", "member1"],
                           "members": [{"user": "bob", "role": "regular"}, {"user": "carol", "role": "regular"}]}],
        "ks_projects": [{"name": "alpha-web", "workspace": "team-alpha"},
                        {"name": "alpha-carol", "workspace": "team-alpha",
                         "members": [{"user": "carol", "role": "admin"}]}],
    }
    updated = ansible.playbook(ONBOARD, extra_vars=update).assert_ok()
    assert sorted(changes(updated)) == ["create project alpha-carol", "update workspace team-alpha"]
    assert changes(ansible.playbook(ONBOARD, extra_vars=update).assert_ok()) == []

    # Removal: projects go first, then the workspace, then the users, whatever order they are listed in.
    gone = {
        "ks_users": [{"name": n, "state": "absent"} for n in ("alice", "bob", "carol")],
        "ks_workspaces": [{"name": "team-alpha", "state": "absent"}],
        "ks_projects": [{"name": n, "workspace": "team-alpha", "cluster": c, "state": "absent"}
                        for n, c in (("alpha-web", "host"), ("alpha-batch", "member1"), ("alpha-carol", "host"))],
    }
    removed = ansible.playbook(ONBOARD, extra_vars=gone).assert_ok()
    order = changes(removed)
    assert sorted(order) == sorted("delete " + o for o in ["user alice", "user bob", "user carol", "workspace team-alpha",
                                                           "project alpha-web", "project alpha-batch",
                                                           "project alpha-carol"])
    assert order.index("delete workspace team-alpha") > max(order.index(p) for p in order if "project" in p)
    assert order.index("delete workspace team-alpha") < min(order.index(u) for u in order if "user" in u)
    assert changes(ansible.playbook(ONBOARD, extra_vars=gone).assert_ok()) == []


def test_tenant_rejects_an_unknown_key_before_any_request(ansible, emulator):
    emulator.reset_counters()
    run = ansible.playbook(ONBOARD, extra_vars={"ks_users": [{"name": "dave", "emial": "dave@example.com"}]})
    assert run.rc != 0
    assert "emial" in run.output
    assert emulator.counters()["writes"] == 0


def test_extensions_role_installs_waits_and_is_idempotent(own):
    emu, ansible = own
    needs_installable_extension(emu, "metrics-server")
    wanted = {"ks_extensions": [{"name": "metrics-server", "version": "0.7.2", "clusters": ["host", "member1"]}]}
    emu.configure(forbid_writes=True)
    try:
        plan = ansible.playbook("extensions_role.yml", extra_vars=wanted, check=True).assert_ok()
    finally:
        emu.configure(forbid_writes=False)
    assert plan.result("Report what changed")["extensions_changes"] == ["extension metrics-server"]
    first = ansible.playbook("extensions_role.yml", extra_vars=wanted).assert_ok()
    assert first.result("Report what changed")["extensions_changes"] == ["extension metrics-server"]
    emu.reset_counters()
    again = ansible.playbook("extensions_role.yml", extra_vars=wanted).assert_ok()
    assert again.result("Report what changed")["extensions_changes"] == []
    assert emu.counters()["writes"] == 0


def test_a_team_file_that_does_not_exist_fails_naming_the_path(ansible, emulator):
    emulator.reset_counters()
    run = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml", extra_vars={"team_file": "no-such-team.yml"})
    assert run.rc != 0 and "Nothing to change" not in run.output
    looked_for = str(ROOT / "playbooks" / "no-such-team.yml")
    assert looked_for in run.output and "resolved against the playbook's directory" in run.output
    assert api_requests(emulator) == {}


def test_team_variables_of_the_wrong_shape_are_named_with_the_shape_expected(ansible, emulator):
    emulator.reset_counters()
    run = ansible.playbook(ROOT / "playbooks" / "onboard_team.yml", extra_vars={
        "ks_workspaces": [{"name": "w", "members": "bob"}], "ks_projects": {"name": "p"}})
    assert run.rc != 0
    assert "ks_workspaces[0].members must be a list of {user: ..., role: ...}, not a string" in run.output
    assert "ks_projects must be a list of items (- name: ...), not a mapping" in run.output
    assert "_AnsibleTaggedDict" not in run.output and api_requests(emulator) == {}


def test_the_role_used_directly_names_every_variable_of_the_wrong_shape_at_once(ansible, emulator):
    emulator.reset_counters()
    password = "Shape-Pa55word-%d" % id(emulator)
    run = ansible.playbook("tenant_role_direct.yml", "-vvv", extra_vars={
        "ks_users": {"name": "bob", "password": password},
        "ks_workspaces": [{"name": "w", "members": "bob"}, {"name": "w2", "members": {"user": "bob", "role": "admin"}}],
        "ks_projects": [{"name": "p", "workspace": "w", "members": ["bob"]}]})
    assert run.rc != 0
    message = run.result("kubesphere.core.tenant : Converge users, workspaces, projects and their members")["msg"]
    for expected in ("users must be a list of items (- name: ...), not a mapping",
                     "workspaces[0] (w): members must be a list of {user: ..., role: ...}, not a string",
                     "workspaces[1] (w2): members must be a list of {user: ..., role: ...}, not a mapping",
                     "projects[0] (p): members[0] must be a mapping such as {user: ..., role: ...}, not a string"):
        assert expected in message, message
    assert "4 input errors, nothing was sent" in message, message
    assert "_AnsibleTagged" not in run.output and "<class" not in run.output
    assert password not in run.output and password not in json.dumps(run.records)
    assert api_requests(emulator) == {}


def test_the_guide_team_file_onboards_as_written(tmp_path):
    """The onboarding guide's team file (roles, quotas and limits included) and its emulator block, run as
    written, with the file in a temporary directory instead of ~/kubesphere."""
    guide = "docs/docsite/rst/guide_onboarding.rst"
    team = doc_block(guide, "Onboard a team", "yaml")
    assert team.startswith("# ~/kubesphere/team.yml"), team[:80]
    path = tmp_path / "team.yml"
    path.write_text(team)
    block = doc_block(guide, "Try it first on the emulator", "sh")
    assert block.count("$HOME/kubesphere/team.yml") == 3, block
    block = block.split("\n", 1)[1].replace("$HOME/kubesphere/team.yml", str(path))    # the venv is ours already
    recaps, run = run_readme_block(block)
    assert len(recaps) == 3 and recaps[1] > 0 and recaps[2] == 0, run.stdout[-4000:]    # plan, apply, again
    for made in ("role alpha-release-manager", "workspace team-alpha", "project alpha-web", "user carol"):
        assert made in run.stdout, made
