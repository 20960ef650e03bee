"""Issue 4: ks_extension through real ansible-playbook runs, on an emulator of its own
whose Helm jobs take 150 ms (so waits are real but short)."""
import time

import pytest

from ks_ansible import Ansible, write_guard

JOB_MS = 150
PLAN_POSTS = "POST /apis/kubesphere.io/v1alpha1/installplans"


@pytest.fixture
def emu(fresh_emulator):
    return fresh_emulator(members=["member1", "member2"], not_ready=["member2"], controller_delay_ms=10,
                          extension_job_ms=JOB_MS)


@pytest.fixture
def runner(emu, tmp_path):
    return Ansible(emu, tmp_path)


def spec(result):
    return result["installplan"]["spec"]


def status(result):
    return result["installplan"].get("status") or {}


def failed(run, name, changed=False):
    """The result of a task that must have failed (its play says failed_when: false). Only a
    failure carries msg: a successful ks_extension returns none. changed: whether the failure
    came after a write (a wait that ran out or a failed install still sent the plan)."""
    result = run.result(name)
    assert result.get("msg"), "%s: expected a failure: %s" % (name, result)
    assert bool(result.get("changed")) is changed, "%s: expected changed=%s: %s" % (name, changed, result)
    return result


def assert_done(result, version, enabled=True):
    st = status(result)
    assert st["state"] == "Installed" and st["version"] == version and bool(st.get("enabled")) is enabled, st


def test_lifecycle_with_check_mode_and_diff(runner, emu):
    book = "extension_lifecycle.yml"
    # Check mode on an empty server: the predicted plan, nothing sent.
    with write_guard(emu):
        run = runner.playbook(book, "--tags", "install", check=True).assert_ok()
    predicted = run.result("Install with defaults")
    assert predicted["changed"] is True
    assert predicted["installplan"]["metadata"]["name"] == "metrics-server"
    assert spec(predicted) == {"extension": {"name": "metrics-server", "version": "0.7.0"}, "enabled": True,
                               "upgradeStrategy": "Manual"}

    # Install for real, then again.
    emu.reset_counters()
    run = runner.playbook(book, "--tags", "install,info").assert_ok()
    installed = run.result("Install with defaults")
    assert installed["changed"] is True
    plan = installed["installplan"]
    assert plan["metadata"]["name"] == spec(installed)["extension"]["name"] == "metrics-server"
    assert "config" not in spec(installed) and spec(installed)["upgradeStrategy"] == "Manual"
    assert_done(installed, "0.7.0")
    assert status(installed)["configHash"] == "cbf29ce484222325"
    assert installed["extension"]["status"]["state"] == "Installed"
    assert installed["extension"]["status"]["installedVersion"] == "0.7.0"
    again = run.result("Install again")
    assert again["changed"] is False
    assert emu.counters()["requests"].get(PLAN_POSTS) == 1
    entry = run.result("The catalog entry, through ks_info")
    assert len(entry["resources"]) == 1
    catalog_status = entry["resources"][0]["status"]
    assert catalog_status["state"] == "Installed" and catalog_status["installedVersion"] == "0.7.0"
    assert [v["version"] for v in catalog_status["versions"]] == ["0.7.0", "0.7.1", "0.7.2"]
    catalog = run.result("The whole catalog, through ks_info")["resources"]
    assert {"gatekeeper", "metrics-server", "whizard-alerting", "whizard-monitoring"} <= {
        e["metadata"]["name"] for e in catalog}
    plans = run.result("The plan, through ks_info")["resources"]
    assert [p["status"]["state"] for p in plans] == ["Installed"]

    # A no-change run (in check mode, so the guard also proves it writes nothing) reads two objects.
    with write_guard(emu):
        run = runner.playbook(book, "--tags", "again", "--skip-tags", "configure,place,disable,uninstall",
                              check=True).assert_ok()
    assert run.result("Install again")["changed"] is False
    ours = {k: v for k, v in emu.counters()["requests"].items() if "kubesphere.io/v1alpha1" in k}
    assert ours == {"GET /apis/kubesphere.io/v1alpha1/installplans/metrics-server": 1,
                    "GET /apis/kubesphere.io/v1alpha1/extensions/metrics-server": 1}

    # Check mode of every later step against the installed extension: predictions, no writes.
    with write_guard(emu):
        run = runner.playbook(book, "--tags", "configure,upgrade,place,disable,uninstall", "--skip-tags", "again",
                              check=True).assert_ok()
    assert spec(run.result("Configure"))["config"] == "args:\n- --kubelet-insecure-tls\nreplicas: 2\n"
    assert spec(run.result("Upgrade"))["extension"]["version"] == "0.7.1"
    placed = spec(run.result("Place on two clusters with an override for member1"))["clusterScheduling"]
    assert sorted(placed["placement"]["clusters"]) == ["host", "member1"]
    assert placed["overrides"] == {"member1": "replicas: 3\n"}
    assert spec(run.result("Disable"))["enabled"] is False
    assert run.changed_tasks() == ["Configure", "Upgrade", "Place on two clusters with an override for member1",
                                   "Disable", "Uninstall"]

    # The rest for real, with --diff.
    emu.reset_counters()
    run = runner.playbook(book, "--tags", "configure,upgrade,place,disable,uninstall", diff=True).assert_ok()
    assert run.changed_tasks() == ["Configure", "Upgrade", "Place on two clusters with an override for member1",
                                   "Disable", "Uninstall"]
    configured = run.result("Configure")
    assert_done(configured, "0.7.0")
    assert configured["diff"]["before"]["config"] is None
    assert configured["diff"]["after"]["config"] == "args:\n- --kubelet-insecure-tls\nreplicas: 2\n"
    assert '+    "config": "args:' in run.output       # the --diff text on screen
    upgraded = run.result("Upgrade")
    assert_done(upgraded, "0.7.1")
    assert upgraded["installplan"]["status"]["conditions"][0]["reason"] == "UpgradeSuccessful"
    assert spec(upgraded)["config"] == spec(configured)["config"]       # a version change keeps the config
    placed = run.result("Place on two clusters with an override for member1")
    per_cluster = status(placed)["clusterSchedulingStatuses"]
    assert sorted(per_cluster) == ["host", "member1"]
    assert all(s["state"] == "Installed" and s["version"] == "0.7.1" for s in per_cluster.values())
    assert per_cluster["member1"]["configHash"] != per_cluster["host"]["configHash"]
    disabled = run.result("Disable")
    assert_done(disabled, "0.7.1", enabled=False)
    assert all("enabled" not in s for s in status(disabled)["clusterSchedulingStatuses"].values())
    removed = run.result("Uninstall")
    assert removed["installplan"] is None and "state" not in removed["extension"]["status"]
    assert run.result("Uninstall again")["changed"] is False
    counters = emu.counters()["requests"]
    assert counters.get("DELETE /apis/kubesphere.io/v1alpha1/installplans/metrics-server") == 1
    assert counters.get("PUT /apis/kubesphere.io/v1alpha1/installplans/metrics-server") is None  # spec patches only

    # Check mode against the uninstalled state: nothing to do.
    with write_guard(emu):
        run = runner.playbook(book, "--tags", "uninstall", check=True).assert_ok()
    assert run.changed_tasks() == []


def test_failures_are_clear_and_send_nothing_they_should_not(runner, emu):
    emu.reset_counters()
    run = runner.playbook("extension_failures.yml").assert_ok()
    missing = failed(run, "A version that does not exist")
    assert "no version 9.9.9" in missing["msg"]
    assert "versions available: 1.0.0, 1.1.0, 1.2.0" in missing["msg"]
    assert "does not exist" in failed(run, "An extension that does not exist")["msg"]
    assert "HostOnly" in failed(run, "Placement for a HostOnly extension")["msg"]
    assert "whizard-monitoring" in failed(run, "A required dependency that is not installed")["msg"]
    assert "not valid YAML" in failed(run, "Config that is not YAML")["msg"]

    broken = failed(run, "The version whose Helm job fails", changed=True)
    assert broken["state"] == "InstallFailed"
    assert "Job has reached the specified backoff limit" in broken["msg"]
    assert broken["job_name"].startswith("helm-install-gatekeeper-") and broken["job_name"] in broken["msg"]
    assert broken["target_namespace"] == "extension-gatekeeper" and "extension-gatekeeper" in broken["msg"]
    assert broken["conditions"][0]["reason"] == "InstallFailed"
    still = failed(run, "The failed version again (no change, still failed)")
    assert still["state"] == "InstallFailed" and still.get("changed") is not True
    recovered = run.result("Recover by installing a good version")
    assert recovered["changed"] and recovered["installplan"]["status"]["state"] == "Installed"

    # Only the failing version and the recovery were written: every refusal came before any write.
    requests = emu.counters()["requests"]
    assert requests.get(PLAN_POSTS) == 1
    assert requests.get("PATCH /apis/kubesphere.io/v1alpha1/installplans/gatekeeper") == 1


def test_timeout_names_the_last_state(runner, emu):
    emu.configure(extension_job_ms=5000)
    started = time.monotonic()
    run = runner.playbook("extension_timeout.yml").assert_ok()
    assert time.monotonic() - started < 20
    timed_out = failed(run, "Install with a short timeout", changed=True)
    assert "Timed out after 1s" in timed_out["msg"]
    assert "state Installing" in timed_out["msg"] and timed_out["state"] == "Installing"
    assert timed_out["job_name"] in timed_out["msg"]
    no_wait = run.result("Install without waiting")
    assert no_wait["changed"] and (no_wait["installplan"].get("status") or {}).get("state") != "Installed"
