"""Modules run in the controller's process when the task runs there (the action plugins' default), and shipped
as Ansible ships them with KUBESPHERE_IN_PROCESS=false. The module suites run in process; this file runs a
representative part of them again shipped, so both ways are proven on every run, and checks which way ran.
ks_tenancy says how far a long run is, in Ansible's display."""

import re

import pytest

import test_planned_chain
import test_secrets_and_check_mode
import test_user
from ks_ansible import unique
from test_tenancy import tenancy

IN_PROCESS = "in the controller's process"


@pytest.fixture
def shipped(monkeypatch):
    """Every ansible run of the test ships the modules (ks_ansible passes the controller's environment on)."""
    monkeypatch.setenv("KUBESPHERE_IN_PROCESS", "false")


PLAY = """
- name: One read
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read
      kubesphere.core.ks_info:
        kind: user
        name: admin
"""


def test_the_task_runs_in_process_by_default_and_ships_when_told(ansible, tmp_path):
    play = tmp_path / "read.yml"
    play.write_text(PLAY)
    run = ansible.playbook(play, "-vvv").assert_ok()
    assert IN_PROCESS in run.stdout and "AnsiballZ_ks_info" not in run.output, run.output[-3000:]
    in_process = run.result("Read")
    run = ansible.playbook(play, "-vvv", env={"KUBESPHERE_IN_PROCESS": "false"}).assert_ok()
    assert IN_PROCESS not in run.stdout and "AnsiballZ_ks_info" in run.output, run.output[-3000:]
    shipped = run.result("Read")
    assert shipped["resources"][0]["metadata"]["name"] == "admin"
    # The same result either way (the shipped run's interpreter discovery aside).
    assert set(in_process) == set(shipped) - {"ansible_facts"}, (sorted(in_process), sorted(shipped))
    assert in_process["invocation"] == shipped["invocation"]


def test_a_user_lifecycle_shipped(shipped, ansible, emulator, no_writes):
    test_user.test_lifecycle_with_check_mode_and_diff(ansible, emulator, no_writes)


def test_bad_input_shipped(shipped, ansible, emulator):
    test_user.test_bad_input_fails_before_any_request(ansible, emulator)


def test_no_secret_leaks_shipped(shipped, ansible, emulator, tmp_path):
    test_secrets_and_check_mode.test_an_adhoc_failure_shows_no_password_given_by_environment_or_vault_but_an_inline_one(
        ansible, emulator, tmp_path)


def test_plans_across_tasks_shipped(shipped, ansible, no_writes):
    test_planned_chain.test_a_reference_no_task_plans_still_fails_the_plan(ansible, no_writes)


def test_ks_tenancy_says_how_far_it_is_and_a_short_run_says_nothing(ansible):
    declared = tenancy(unique("i24pg"), users=6, workspaces=2, projects=3)
    run = ansible.playbook("tenancy.yml", extra_vars=declared, check=True,
                           env={"KUBESPHERE_PROGRESS_SECONDS": "0"}).assert_ok()
    lines = [line for line in run.stdout.splitlines() if "ks_tenancy:" in line and "steps done" in line]
    assert lines, run.stdout[-3000:]
    last = re.match(r"\[localhost\] ks_tenancy: (\d+) of (\d+) steps done \(users \d+ read, 6 planned, 6 to write; "
                    r"workspaces \d+ read, 2 planned, 2 to write; projects \d+ read, 3 planned, 3 to write", lines[-1])
    assert last and last.group(1) == last.group(2), lines
    run = ansible.playbook("tenancy.yml", extra_vars=declared, check=True).assert_ok()
    assert "steps done" not in run.stdout
