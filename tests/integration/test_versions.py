"""One playbook for every KubeSphere line: the emulator as 3.4 (--ks-version 3.4) and with the 4.2
Enterprise list envelope (total_count), each module's whole sequence under --check and for real,
the tenant role twice and the onboarding play twice. The 4.1 default is what the rest of the suite runs."""
import uuid

import pytest

import real_server
from emulator.testing import EmulatorProcess
from ks_ansible import Ansible, write_guard

LINES = {"3.4": dict(ks_version="3.4"), "4.2-envelope": dict(list_total_key="total_count")}
DETECTED = {"3.4": "v3", "4.2-envelope": "v4"}


@pytest.fixture(scope="module", params=sorted(LINES))
def line_emulator(request):
    if real_server.enabled():                  # KS_REAL_HOST: the real server, when it is of this line
        server = request.getfixturevalue("real_ks").check_options(LINES[request.param])
        server.line = request.param
        yield server
        return
    with EmulatorProcess(bcrypt_cost=4, controller_delay_ms=10, informer_lag_ms=10, startup_timeout=60,
                         **LINES[request.param]) as process:
        process.line = request.param
        yield process


def test_sequence_check_mode_then_real(line_emulator, tmp_path):
    if line_emulator.line != "3.4":
        pytest.skip("the 4.2 envelope changes list reads only: onboarding twice covers it")   # time budget
    ansible = Ansible(line_emulator, tmp_path)
    names = dict(tag=uuid.uuid4().hex[:6], line=DETECTED[line_emulator.line])
    with write_guard(line_emulator):
        planned = ansible.playbook("versions_sequence.yml", extra_vars=names, check=True).assert_ok()
    assert planned.result("User")["changed"] and planned.result("Workspace")["changed"]

    run = ansible.playbook("versions_sequence.yml", extra_vars=names).assert_ok()
    assert run.task("Every step changed once and its repeat nothing")["status"] == "ok"
    assert run.result("Report the second round's changes")["tenant_changes"] == []
    extension = run.result("Extensions, where the line has them")
    if line_emulator.line == "3.4":
        # Refused before any request to the extension API, naming the versions that have it.
        assert "KubeSphere 4.x" in extension["msg"] and extension["status"] is None
        assert not [k for k in line_emulator.counters()["requests"] if "kubesphere.io/v1alpha1" in k]


def test_onboarding_twice(line_emulator, tmp_path):
    ansible = Ansible(line_emulator, tmp_path)
    tag = uuid.uuid4().hex[:6]
    names = dict(workspace_name="team-" + tag, project_name="web-" + tag,
                 manager_name="lead-" + tag, newcomer_name="dev-" + tag)
    ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    line_emulator.reset_counters()
    second = ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    assert second.changed_tasks() == []
    counters = line_emulator.counters()
    assert counters["writes"] == 0
    # The line was detected in the first run and read from the cache in the second.
    assert not [k for k in counters["requests"] if k.endswith(("GET /version", "GET /kapis/version"))]


def test_a_server_upgraded_in_place_from_3_4_to_4_1_is_detected_again(tmp_path):
    """The same URL answers as 3.4, then (after an upgrade) as 4.1; the token cache and the day-old detection
    of the first run are still there for the second."""
    callback = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}
    with EmulatorProcess(bcrypt_cost=4, ks_version="3.4") as old:
        port = old.port
        Ansible(old, tmp_path).adhoc("kubesphere.core.ks_info", "kind=user name=admin", env=callback).assert_ok()
    new = EmulatorProcess(bcrypt_cost=4).start(port=port)
    try:
        ansible = Ansible(new, tmp_path)
        run = ansible.adhoc("kubesphere.core.ks_info", "kind=user name=admin", env=callback).assert_ok()
        assert [user["metadata"]["name"] for user in run.records[0]["result"]["resources"]] == ["admin"]
        assert "detected again" in run.output and "v3.4.1" in run.output and "v4.1.3" in run.output
        requests = new.counters()["requests"]
        # The cached 3.4 token was refused: one new login, the line asked again, the read repeated the 4.x way.
        assert [k for k in requests if k.endswith("GET /version")], requests
        assert [k for k in requests if "iam.kubesphere.io/v1beta1/users" in k], requests
        new.reset_counters()
        ansible.adhoc("kubesphere.core.ks_info", "kind=user name=admin", env=callback).assert_ok()
        assert not [k for k in new.counters()["requests"] if k.endswith(("GET /version", "GET /kapis/version"))]
    finally:
        new.stop()
