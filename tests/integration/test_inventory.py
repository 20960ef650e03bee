"""Issue 5: the kubesphere.core.ks_clusters inventory plugin and per-cluster plays, through real
ansible-inventory and ansible-playbook runs against an emulator with several member clusters.

Golden files: tests/integration/golden/<config>.json is the `ansible-inventory --list` output for
tests/integration/inventory/<config>.ks_clusters.yml, with the condition timestamps normalised.
Regenerate with KS_UPDATE_GOLDEN=1 (then read the diff: a golden change is a behaviour change).
"""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from emulator.testing import EmulatorProcess
from ks_ansible import BIN, ROOT, Ansible

HERE = Path(__file__).resolve().parent
CONFIGS = HERE / "inventory"
GOLDEN = HERE / "golden"
CLUSTER_LIST = "GET /kapis/resources.kubesphere.io/v1alpha3/clusters"
LABEL_LIST = "GET /kapis/cluster.kubesphere.io/v1alpha1/labels"     # the KubeSphere cluster labels (issue 25)
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SECRETS = ("REDACTED", "kubeconfig", "token", "Endpoint", "P@88w0rd")


@pytest.fixture(scope="module")
def clusters_emulator():
    """host, member1 (aws, direct), member2 (gcp, proxy, NOT ready), edge-1 (on-prem, proxy); user alice."""
    with EmulatorProcess(config=str(CONFIGS / "emulator_clusters.yml"), bcrypt_cost=4,
                         controller_delay_ms=10, informer_lag_ms=0) as process:
        yield process


@pytest.fixture
def ks(clusters_emulator, tmp_path):
    clusters_emulator.reset_counters()
    return Ansible(clusters_emulator, tmp_path)


def inventory(ks, config, *args, env=None):
    """(returncode, parsed --list output or None, stderr) of ansible-inventory with one config."""
    cmd = [str(BIN / "ansible-inventory"), "-i", str(CONFIGS / config), "--list"] + list(args)
    proc = subprocess.run(cmd, env=ks.env(env), cwd=str(ROOT), capture_output=True, text=True, timeout=120,
                          check=False)
    data = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc.returncode, data, proc.stderr


def normalised(data):
    """The output with what changes per run (condition timestamps) replaced; the unsafe markers stay."""
    return json.loads(TIMESTAMP.sub("<time>", json.dumps(data)))


def requests(emulator):
    return emulator.counters()["requests"]


@pytest.mark.parametrize("name", ["plain", "filtered", "ready", "constructed"])
def test_golden_inventory(ks, clusters_emulator, name):
    rc, data, stderr = inventory(ks, name + ".ks_clusters.yml")
    assert rc == 0, stderr
    golden = GOLDEN / (name + ".json")
    if os.environ.get("KS_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(normalised(data), indent=2, sort_keys=True) + "\n")
    assert normalised(data) == json.loads(golden.read_text()), "ansible-inventory --list differs from %s" % golden
    text = json.dumps(data)
    assert not [word for word in SECRETS if word in text], "a credential or endpoint leaked into inventory data"
    # All pages of the list, one request here (fewer than 500 clusters), and one login.
    assert requests(clusters_emulator) == {"POST /oauth/token": 1, CLUSTER_LIST: 1, LABEL_LIST: 1}


def test_inventory_facts(ks):
    """The facts the goldens hold, spelled out: roles, versions, readiness and untrusted API strings."""
    data = inventory(ks, "plain.ks_clusters.yml")[1]
    hostvars = data["_meta"]["hostvars"]
    assert data["ks_host_cluster"]["hosts"] == ["host"]
    assert data["ks_member_clusters"]["hosts"] == ["edge-1", "member1", "member2"]
    member2 = hostvars["member2"]
    assert member2["ks_ready"] is False and member2["ks_kscore_ready"] is False
    assert member2["ks_connection_type"] == {"__ansible_unsafe": "proxy"}
    assert hostvars["member1"]["ks_ready"] is True and hostvars["member1"]["ks_node_count"] == 3
    assert hostvars["member1"]["ks_kubernetes_version"] == {"__ansible_unsafe": "v1.30.4"}
    assert hostvars["host"]["ks_cluster_role"] == {"__ansible_unsafe": "host"}
    # Our own template (the controller's Python) is trusted, API data is not.
    assert hostvars["host"]["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"


def test_cache_second_run_sends_nothing_flush_reads_again(ks, clusters_emulator, tmp_path):
    env = {"ANSIBLE_INVENTORY_CACHE_CONNECTION": str(tmp_path / "inventory-cache")}
    rc, first, stderr = inventory(ks, "cached.ks_clusters.yml", env=env)
    assert rc == 0, stderr
    assert requests(clusters_emulator)[CLUSTER_LIST] == 1

    clusters_emulator.reset_counters()
    rc, second, stderr = inventory(ks, "cached.ks_clusters.yml", env=env)
    assert rc == 0, stderr
    assert clusters_emulator.counters()["total"] == 0, requests(clusters_emulator)
    assert normalised(second) == normalised(first)

    clusters_emulator.reset_counters()
    rc, third, stderr = inventory(ks, "cached.ks_clusters.yml", "--flush-cache", env=env)
    assert rc == 0, stderr
    assert requests(clusters_emulator) == {CLUSTER_LIST: 1, LABEL_LIST: 1}   # the token came from the token cache
    assert normalised(third) == normalised(first)

    cached = "".join(p.read_text() for p in (tmp_path / "inventory-cache").iterdir())
    assert "member2" in cached
    assert not [word for word in SECRETS if word in cached], "a credential landed in the inventory cache"


def test_cache_is_not_reused_for_another_selector(ks, clusters_emulator, tmp_path):
    cache = str(tmp_path / "inventory-cache")
    inventory(ks, "cached.ks_clusters.yml", env={"ANSIBLE_INVENTORY_CACHE_CONNECTION": cache})
    config = tmp_path / "prod.ks_clusters.yml"
    config.write_text((CONFIGS / "cached.ks_clusters.yml").read_text() + "label_selector: team=green\n")
    clusters_emulator.reset_counters()
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(config), "--list"],
                          env=ks.env({"ANSIBLE_INVENTORY_CACHE_CONNECTION": cache}), cwd=str(ROOT),
                          capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["ks_member_clusters"]["hosts"] == ["member2"]
    assert requests(clusters_emulator) == {CLUSTER_LIST: 1, LABEL_LIST: 1}


def test_no_host_anywhere_names_the_option_and_kubesphere_host(ks, clusters_emulator):
    env = ks.env({"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    del env["KUBESPHERE_HOST"]
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(CONFIGS / "plain.ks_clusters.yml"), "--list"],
                          env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    message = " ".join(proc.stderr.split())       # ansible may wrap a long error over lines
    assert "No KubeSphere host for %s" % (CONFIGS / "plain.ks_clusters.yml") in message, proc.stderr
    assert "set ks_host in that file, or the KUBESPHERE_HOST environment variable" in message, proc.stderr
    assert requests(clusters_emulator) == {}


def test_per_cluster_task_fails_clearly_on_the_not_ready_member(ks, clusters_emulator):
    run = ks.playbook("per_cluster.yml", inventory=CONFIGS / "plain.ks_clusters.yml")
    assert run.rc != 0
    name = "List the namespaces of the cluster"
    assert run.task(name, host="member1")["status"] == "ok"
    assert run.task(name, host="edge-1")["status"] == "ok"
    failed = run.task(name, host="member2")
    assert failed["status"] == "failed"
    assert failed["result"]["status"] == 503
    assert "cluster member2 is not ready" in failed["result"]["msg"]
    # Inventory and tasks share the token cache: one login for the whole run.
    assert clusters_emulator.counters()["logins"]["password_ok"] == 1


def test_cluster_report(ks, clusters_emulator):
    run = ks.playbook(ROOT / "playbooks" / "cluster_report.yml",
                      inventory=CONFIGS / "plain.ks_clusters.yml").assert_ok()
    rows = [row.split() for row in run.result("Cluster report")["msg"]]
    assert rows == [
        ["CLUSTER", "CONNECTION", "KUBESPHERE", "KUBERNETES", "READY", "KSCOREREADY"],
        ["host", "direct", "v4.1.3", "v1.36.2", "true", "true"],
        ["edge-1", "proxy", "v4.1.3", "v1.31.1", "true", "true"],
        ["member1", "direct", "v4.1.3", "v1.30.4", "true", "true"],
        ["member2", "proxy", "v4.1.3", "v1.29.8", "false", "false"],
    ]
    # The report is made from inventory data alone: the only requests after the login are the lists.
    assert requests(clusters_emulator) == {"POST /oauth/token": 1, CLUSTER_LIST: 1, LABEL_LIST: 1}


def _authenticated_may_list_clusters(emulator, allowed):
    """Give or take the `authenticated` GlobalRole's right to list resources.kubesphere.io clusters."""
    token = emulator.login()
    path = "/apis/iam.kubesphere.io/v1beta1/globalroles/authenticated"
    status, role = emulator.call("GET", path, token=token)
    assert status == 200, role
    rule = {"apiGroups": ["resources.kubesphere.io"], "resources": ["clusters"], "verbs": ["get", "list"]}
    rules = [r for r in role["rules"] if r != rule] + ([rule] if allowed else [])
    status, answer = emulator.call("PATCH", path, {"rules": rules}, token=token,
                                   headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, answer


def test_forbidden_list_is_an_error_or_a_warning(ks, clusters_emulator):
    # ANSIBLE_INVENTORY_UNPARSED_FAILED: without it ansible turns any failed source into a warning.
    alice = {"KUBESPHERE_USERNAME": "alice", "KUBESPHERE_PASSWORD": "Alice-Pass1",
             "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}
    rc, data, stderr = inventory(ks, "plain.ks_clusters.yml", env=alice)
    assert rc == 0 and "member1" in data["_meta"]["hostvars"], stderr   # every user may list, normally
    _authenticated_may_list_clusters(clusters_emulator, False)
    try:
        rc, data, stderr = inventory(ks, "plain.ks_clusters.yml", env=alice)
        assert rc != 0
        assert "may not list clusters" in stderr and "403" in stderr, stderr

        # Ansible itself only warns about a source that failed: the report play says what is wrong.
        report = ks.playbook(ROOT / "playbooks" / "cluster_report.yml", inventory=CONFIGS / "plain.ks_clusters.yml",
                             env={"KUBESPHERE_USERNAME": "alice", "KUBESPHERE_PASSWORD": "Alice-Pass1"})
        assert report.rc != 0 and "No KubeSphere cluster in the inventory" in report.output
        assert "may not list clusters" in report.output

        rc, data, stderr = inventory(ks, "lenient.ks_clusters.yml", env=alice)
        assert rc == 0, stderr
        assert "may not list clusters" in stderr
        assert data["_meta"]["hostvars"] == {}
    finally:
        _authenticated_may_list_clusters(clusters_emulator, True)


def test_project_on_every_member_example(ks, clusters_emulator):
    token = clusters_emulator.login()
    status, answer = clusters_emulator.call("POST", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", {
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate", "metadata": {"name": "shop-ws"},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [
            {"name": "member1"}, {"name": "edge-1"}]}}}, token=token)
    assert status == 200, answer
    example = ROOT / "playbooks" / "examples" / "project_on_every_member.yml"
    args = dict(inventory=CONFIGS / "plain.ks_clusters.yml", extra_vars={"workspace": "shop-ws", "project": "shop"})

    first = ks.playbook(example, **args).assert_ok()
    assert sorted(r["host"] for r in first.records if r["task"] == "Create the project" and r["result"]["changed"]) \
        == ["edge-1", "member1"]
    for cluster in ("member1", "edge-1"):
        status, namespace = clusters_emulator.call("GET", "/clusters/%s/api/v1/namespaces/shop" % cluster, token=token)
        assert status == 200 and namespace["metadata"]["labels"]["kubesphere.io/workspace"] == "shop-ws"
    assert clusters_emulator.call("GET", "/api/v1/namespaces/shop", token=token)[0] == 404                       # the workspace is not placed on the host
    # member2 is not in the placement: it ends before the project task, so its being down does not matter.
    assert not [r for r in first.records if r["host"] == "member2" and r["task"] == "Create the project"]

    again = ks.playbook(example, **args).assert_ok()
    assert again.changed_tasks() == []
