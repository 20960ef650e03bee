"""Extensions in the emulator: the seeded catalog, the InstallPlan webhook and the
InstallPlan controller's walk through the states (on an emulator of its own, with
100 ms Helm jobs), as recorded from a real v4.1.3 (installplan-lifecycle.json)."""

import base64
import time

import pytest
import yaml

from emu_helpers import Client, wait_for

API = "/apis/kubesphere.io/v1alpha1"
JOB_MS = 100


@pytest.fixture(scope="module")
def emu():
    from emulator.testing import EmulatorProcess
    with EmulatorProcess(members=["member1", "member2"], not_ready=["member2"], bcrypt_cost=4,
                         controller_delay_ms=5, extension_job_ms=JOB_MS) as process:
        yield process


@pytest.fixture(scope="module")
def api(emu):
    return Client(emu.url, emu.login())


def plan_body(name, version, **spec):
    body = {"apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan", "metadata": {"name": name},
            "spec": dict({"extension": {"name": name, "version": version}, "enabled": True}, **spec)}
    return body


def plan(api, name):
    answer = api.get(f"{API}/installplans/{name}")
    return answer.json() if answer.status_code == 200 else None


def settled(api, name, state):
    return wait_for(lambda: (plan(api, name) or {}).get("status", {}).get("state") == state and plan(api, name),
                    timeout=5, message=f"{name} to reach {state}")


def test_catalog_is_seeded_with_versions_and_recommendation(api):
    ext = wait_for(lambda: api.get(f"{API}/extensions/metrics-server").json().get("status"), message="status")
    assert [v["version"] for v in ext["versions"]] == ["0.7.0", "0.7.1", "0.7.2"]
    assert ext["recommendedVersion"] == "0.7.2"
    versions = api.get(f"{API}/extensionversions", params={"labelSelector": "kubesphere.io/extension-ref=gatekeeper"})
    assert sorted(v["metadata"]["name"] for v in versions.json()["items"]) == [
        "gatekeeper-1.0.0", "gatekeeper-1.1.0", "gatekeeper-1.2.0"]
    modes = {v["spec"]["installationMode"] for v in versions.json()["items"]}
    assert modes == {"HostOnly"}
    alerting = api.get(f"{API}/extensionversions/whizard-alerting-1.0.0").json()
    assert alerting["spec"]["externalDependencies"][0]["name"] == "whizard-monitoring"
    kapis = api.get("/kapis/kubesphere.io/v1alpha1/extensions", params={"name": "metrics"}).json()
    assert [e["metadata"]["name"] for e in kapis["items"]] == ["metrics-server"]
    missing = api.get("/kapis/kubesphere.io/v1alpha1/extensions/nope")
    assert missing.status_code == 404 and missing.text == 'Extension.kubesphere.io "nope" not found\n'


def test_chart_files(api):
    files = {f["Name"]: base64.b64decode(f["Data"]).decode()
             for f in api.get("/kapis/package.kubesphere.io/v1alpha1/extensionversions/gatekeeper-1.0.0/files").json()}
    assert yaml.safe_load(files["values.yaml"]) == {"replicas": 3, "auditInterval": 60}
    assert "version: 1.0.0" in files["Chart.yaml"]
    gone = api.get("/kapis/package.kubesphere.io/v1alpha1/extensionversions/gatekeeper-9.9.9/files")
    assert gone.status_code == 404 and "not found" in gone.text


def test_webhook_trims_and_refuses_bad_yaml(api):
    bad = api.post(f"{API}/installplans", json=plan_body("whizard-monitoring", "1.0.0", config="a: [unclosed"))
    assert bad.status_code == 403
    assert bad.json()["message"].startswith('admission webhook "installplans.kubesphere.io" denied the request: '
                                            "failed to unmarshal extension config")
    body = plan_body("whizard-monitoring", "1.0.0", config="a: 1   \nb: 2\t\n")
    del body["spec"]["enabled"]
    created = api.post(f"{API}/installplans", json=body)
    assert created.status_code == 201
    body = created.json()
    assert body["spec"]["config"] == "a: 1\nb: 2\n" and body["status"] == {}
    assert body["spec"]["upgradeStrategy"] == "Manual" and body["spec"]["enabled"] is False   # CRD defaults
    done = settled(api, "whizard-monitoring", "Installed")
    assert done["status"]["configHash"] == "aff18c8507f105a7" and "enabled" not in done["status"]
    assert api.delete(f"{API}/installplans/whizard-monitoring").status_code == 200
    wait_for(lambda: plan(api, "whizard-monitoring") is None, message="plan gone")


def test_install_upgrade_disable_fail_and_delete_walk_the_recorded_states(api):
    name = "gatekeeper"
    assert api.post(f"{API}/installplans", json=plan_body(name, "1.0.0")).status_code == 201
    installed = settled(api, name, "Installed")
    status = installed["status"]
    assert installed["metadata"]["finalizers"] == ["kubesphere.io/installplan-protection"]
    assert [h["state"] for h in status["stateHistory"]] == ["Preparing", "Installing", "Installed"]
    assert status["configHash"] == "cbf29ce484222325" and status["version"] == "1.0.0"
    assert status["jobName"].startswith("helm-install-gatekeeper-") and status["releaseName"] == name
    assert status["targetNamespace"] == "extension-gatekeeper"
    assert [c["type"] for c in status["conditions"]] == ["Installed", "Initialized"]
    wait_for(lambda: plan(api, name)["status"].get("enabled") is True, message="enabled")
    ext = api.get(f"{API}/extensions/{name}").json()["status"]
    assert ext["state"] == "Installed" and ext["installedVersion"] == "1.0.0" and ext["plannedInstallVersion"] == "1.0.0"
    jobs = api.get("/apis/batch/v1/namespaces/extension-gatekeeper/jobs").json()["items"]
    assert [j["status"]["conditions"][-1]["type"] for j in jobs] == ["Complete"]
    releases = api.get("/api/v1/namespaces/extension-gatekeeper/secrets", params={"labelSelector": "owner=helm"})
    assert [s["metadata"]["name"] for s in releases.json()["items"]] == ["sh.helm.release.v1.gatekeeper.v1"]

    # A config change: the old Installed stays visible right after the patch, then an upgrade runs.
    patched = api.patch(f"{API}/installplans/{name}", {"spec": {"config": "message: changed\n"}}).json()
    assert patched["status"]["state"] == "Installed" and patched["status"]["configHash"] == "cbf29ce484222325"

    def upgrade_done():
        current = plan(api, name)
        status = current["status"]
        return current if status.get("configHash") == "e292d03144e87bf0" and status["state"] == "Installed" else None
    upgraded = wait_for(upgrade_done, message="upgrade")
    assert upgraded["status"]["conditions"][0]["reason"] == "UpgradeSuccessful"
    assert upgraded["status"]["jobName"].startswith("helm-upgrade-gatekeeper-")

    # Disable: no job, enabled disappears.
    api.patch(f"{API}/installplans/{name}", {"spec": {"enabled": False}})

    def disable_done():
        current = plan(api, name)
        return current if "enabled" not in current["status"] else None
    disabled = wait_for(disable_done, message="disabled")
    assert disabled["status"]["jobName"] == upgraded["status"]["jobName"]

    # A failing version: UpgradeFailed, with the Job's message; not retried.
    api.patch(f"{API}/installplans/{name}", {"spec": {"extension": {"version": "1.2.0"}}})
    failed = settled(api, name, "UpgradeFailed")
    condition = failed["status"]["conditions"][0]
    assert condition == dict(condition, type="Upgraded", status="False", reason="UpgradeFailed",
                             message="Job has reached the specified backoff limit")

    # Delete: Uninstalling with an uninstall job, then gone; the Extension's state is cleared.
    deleting = api.delete(f"{API}/installplans/{name}").json()
    assert deleting["kind"] == "InstallPlan" and deleting["metadata"]["deletionTimestamp"]
    uninstalling = settled(api, name, "Uninstalling")
    assert uninstalling["status"]["jobName"].startswith("helm-uninstall-gatekeeper-")
    wait_for(lambda: plan(api, name) is None, message="plan gone")
    ext = api.get(f"{API}/extensions/{name}").json()["status"]
    assert "state" not in ext and "installedVersion" not in ext and ext["recommendedVersion"] == "1.2.0"


def test_failed_install_is_removed_at_once(api):
    assert api.post(f"{API}/installplans", json=plan_body("gatekeeper", "1.2.0")).status_code == 201
    failed = settled(api, "gatekeeper", "InstallFailed")
    assert failed["status"]["conditions"][0]["reason"] == "InstallFailed" and "enabled" not in failed["status"]
    api.delete(f"{API}/installplans/gatekeeper")
    wait_for(lambda: plan(api, "gatekeeper") is None, timeout=1, message="plan gone without an uninstall job")


def test_missing_version_never_progresses(api):
    assert api.post(f"{API}/installplans", json=plan_body("metrics-server", "9.9.9")).status_code == 201
    time.sleep(0.3)
    stuck = plan(api, "metrics-server")
    assert stuck["status"] == {} and "finalizers" not in stuck["metadata"]
    assert api.delete(f"{API}/installplans/metrics-server").json()["status"] == "Success"


def test_agents_follow_placement_and_a_down_cluster_fails(api):
    name = "metrics-server"
    spec = {"clusterScheduling": {"placement": {"clusters": ["host", "member1", "member2"]},
                                  "overrides": {"member1": "replicas: 2\n"}},
            "config": "replicas: 1\nimage: {tag: v1}\n"}
    assert api.post(f"{API}/installplans", json=plan_body(name, "0.7.0", **spec)).status_code == 201

    def agents():
        per = ((plan(api, name) or {}).get("status") or {}).get("clusterSchedulingStatuses") or {}
        states = {c: s.get("state") for c, s in per.items()}
        return per if states == {"host": "Installed", "member1": "Installed", "member2": "InstallFailed"} else None
    per = wait_for(agents, message="agents settled")
    assert per["member1"]["configHash"] != per["host"]["configHash"]
    assert per["member1"]["releaseName"] == "metrics-server-agent"

    # Dropping member2 from the placement uninstalls its agent.
    placement = {"placement": {"clusters": ["host", "member1"]}}
    api.patch(f"{API}/installplans/{name}", {"spec": {"clusterScheduling": placement}})
    wait_for(lambda: sorted((plan(api, name)["status"].get("clusterSchedulingStatuses") or {})) == ["host", "member1"],
             message="member2 agent removed")
    api.delete(f"{API}/installplans/{name}")
    wait_for(lambda: plan(api, name) is None, message="plan gone")


def test_job_time_is_configurable_at_run_time(emu, api):
    emu.configure(extension_job_ms=1500)
    try:
        api.post(f"{API}/installplans", json=plan_body("whizard-monitoring", "1.1.0"))
        time.sleep(0.5)
        assert plan(api, "whizard-monitoring")["status"]["state"] == "Installing"
    finally:
        emu.configure(extension_job_ms=JOB_MS)
    settled(api, "whizard-monitoring", "Installed")
    api.delete(f"{API}/installplans/whizard-monitoring")
    wait_for(lambda: plan(api, "whizard-monitoring") is None, message="plan gone")
