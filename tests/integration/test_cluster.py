"""Issue 25: kubesphere.core.ks_cluster (member clusters as code) through real ansible-playbook runs against an
emulator with joinable members (emulator/members.py; the real behaviour it copies: docs/cluster-facts.md and
tests/fidelity/recordings/cluster-lifecycle.json).

Written before the module (phase 1) with the option names the issue proposed; phase 2 added ks_cluster and
runs them. With KS_REAL_HOST the realks kit's member stands for every joinable member (one test joins it at a
time; skipped while a cluster someone else joined exists), and what needs the emulator (a second credential, a
slow join) skips."""

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

import real_server
from emulator.testing import EmulatorProcess
from ks_ansible import BIN, PLAYBOOKS, ROOT, Ansible, api_requests, write_guard


APIS = "/apis/cluster.kubesphere.io/v1alpha1"
LABELS = "/kapis/cluster.kubesphere.io/v1alpha1/labels"
TEMPLATES = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
MASKED = "********"


def play(name):
    return PLAYBOOKS / (name + ".yml")


# With KS_REAL_HOST: the realks kit's member (one cluster stands for edge1, edge2 and edge3, joined by one test
# at a time) and its host's own kubeconfig.
REAL_MEMBER = Path(os.environ.get("KS_REAL_MEMBER_KUBECONFIG", "~/realks/member/kubeconfig")).expanduser()
REAL_HOST_KUBECONFIG = Path(os.environ.get("KS_REAL_HOST_KUBECONFIG", "~/realks/host/kubeconfig")).expanduser()


class RealMembers:
    """The real server standing for an emulator with joinable members."""

    def __init__(self, server):
        self.server = server

    def __getattr__(self, name):
        return getattr(self.server, name)

    def member_kubeconfig(self, member):
        return (REAL_HOST_KUBECONFIG if member == "host" else REAL_MEMBER).read_text()

    def rotate_member_credential(self, member):
        real_server.needs_emulator("a second credential for a member cluster")


def others_joined(server):
    status, body = server.call("GET", APIS + "/clusters", token=server.login())
    assert status == 200, body
    return [c["metadata"]["name"] for c in body["items"]
            if "cluster-role.kubesphere.io/host" not in (c["metadata"].get("labels") or {})]


@pytest.fixture(scope="module")
def emu(request):
    """host plus three clusters a test may join: edge1, edge2, edge3 (a Helm install of ks-core takes 0.3 s)."""
    if real_server.enabled():
        server = request.getfixturevalue("real_ks")
        if server.major != "4":
            pytest.skip(f"written for KubeSphere 4.x, whose host installs ks-core in a member; KS_REAL_HOST is "
                        f"{server.version}")
        if not REAL_MEMBER.exists():
            pytest.skip(f"no member kubeconfig at {REAL_MEMBER} (KS_REAL_MEMBER_KUBECONFIG)")
        if others_joined(server):
            pytest.skip(f"the member is in use: clusters {others_joined(server)} are joined (someone else's)")
        yield RealMembers(server)
        return
    with EmulatorProcess(joinable=["edge1", "edge2", "edge3"], bcrypt_cost=4, controller_delay_ms=10,
                         informer_lag_ms=10, cluster_join_ms=300) as process:
        yield process


@pytest.fixture
def ks(emu, tmp_path):
    emu.reset_counters()
    return Ansible(emu, tmp_path)


def call(emu, method, path, body=None):
    return emu.call(method, path, body, token=emu.login())


def cluster(emu, name):
    status, body = call(emu, "GET", f"{APIS}/clusters/{name}")
    return body if status == 200 else None


def kubeconfig_file(tmp_path, emu, member, text=None):
    path = tmp_path / f"{member}.kubeconfig"
    path.write_text(text or emu.member_kubeconfig(member))
    path.chmod(0o600)
    return str(path)


def token_of(kubeconfig_text):
    """The credential of a kubeconfig: the emulator's members have tokens, the realks member a client key."""
    user = yaml.safe_load(kubeconfig_text)["users"][0]["user"]
    return user.get("token") or user["client-key-data"]


def stored_kubeconfig(emu, name):
    return base64.b64decode(cluster(emu, name)["spec"]["connection"]["kubeconfig"]).decode()


def cluster_labels(emu, name):
    """The KubeSphere cluster labels of a cluster as key -> value (Label objects named at random)."""
    by_id = {}
    for key, values in call(emu, "GET", LABELS)[1].items():
        for value in values:
            by_id[value["id"]] = (key, value["value"])
    labels = cluster(emu, name)["metadata"].get("labels") or {}
    return dict(by_id[k.split("/", 1)[1]] for k in labels if k.startswith("label.cluster.kubesphere.io/"))


def placement(emu, workspace):
    return [c["name"] for c in call(emu, "GET", f"{TEMPLATES}/{workspace}")[1]["spec"]["placement"].get("clusters")
            or []]


def workspace(emu, name, clusters=("host",)):
    status, body = call(emu, "POST", TEMPLATES, {
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"manager": "admin"}},
                 "placement": {"clusters": [{"name": c} for c in clusters]}}})
    assert status == 200, body


def plain(value):
    """Inventory data without the markers of values taken from the API ({"__ansible_unsafe": ...})."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def failures(run):
    """The results of the tasks that failed (ignore_errors or not), by task name. ansible-core 2.19 does not
    always keep "failed" in a failed task's result; the callback's status says it."""
    return {r["task"]: r["result"] for r in run.records if r["status"] in ("failed", "ignored")}


def secrets_hidden(run, *secrets):
    for secret in secrets:
        assert secret not in run.output, "a kubeconfig credential was shown"
        assert secret not in json.dumps(run.records), "a kubeconfig credential is in a result"


def test_join_check_mode_idempotence_and_diff(ks, emu, tmp_path):
    name = "h25-join"
    path = kubeconfig_file(tmp_path, emu, "edge1")
    token = token_of(emu.member_kubeconfig("edge1"))
    play_vars = {"cluster_name": name, "kubeconfig_path": path}

    with write_guard(emu):          # the validation is asked, nothing is written
        run = ks.playbook(play("cluster_lifecycle"), "--tags", "join", "-vvv", check=True, diff=True,
                          extra_vars=play_vars).assert_ok()
    predicted = run.result("Join")
    assert predicted["changed"] and predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"] == {"name": name, "kubeconfig": MASKED,
                                          "description": "joined by the lifecycle test", "group": "production",
                                          "visibility": "public", "labels": {"env": "prod"}}
    assert cluster(emu, name) is None
    secrets_hidden(run, token, base64.b64encode(emu.member_kubeconfig("edge1").encode()).decode())

    run = ks.playbook(play("cluster_lifecycle"), "--tags", "join", diff=True, extra_vars=play_vars).assert_ok()
    joined = run.result("Join")
    assert joined["changed"] and not run.result("Join again")["changed"]
    assert "kubeconfig" not in joined["cluster"]["spec"]["connection"]
    assert {c["type"]: c["status"] for c in joined["cluster"]["status"]["conditions"]}["Ready"] == "True"
    stored = cluster(emu, name)
    assert stored["metadata"]["labels"]["cluster.kubesphere.io/group"] == "production"
    assert stored["metadata"]["labels"]["cluster.kubesphere.io/visibility"] == "public"
    assert stored["metadata"]["annotations"]["kubesphere.io/description"] == "joined by the lifecycle test"
    assert stored["metadata"]["annotations"]["kubesphere.io/creator"] == "admin"
    assert stored["spec"]["connection"]["type"] == "direct"
    assert cluster_labels(emu, name) == {"env": "prod"}
    assert call(emu, "GET", f"/clusters/{name}/version")[0] == 200
    secrets_hidden(run, token)

    # A run that changes nothing sends no write and few reads (the Cluster, the labels).
    emu.reset_counters()
    with write_guard(emu):
        again = ks.playbook(play("cluster_lifecycle"), "--tags", "join", extra_vars=play_vars).assert_ok()
    assert again.changed_tasks() == []
    assert set(api_requests(emu)) <= {f"GET {APIS}/clusters/{name}", f"GET {LABELS}"}, api_requests(emu)

    ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin", extra_vars=play_vars).assert_ok()


def test_labels_group_visibility_and_workspaces_changed_and_purged(ks, emu, tmp_path):
    name = "h25-upd"
    play_vars = {"cluster_name": name, "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge2")}
    for ws in (name + "-ws-a", name + "-ws-b"):
        workspace(emu, ws)
    ks.playbook(play("cluster_lifecycle"), "--tags", "join", extra_vars=play_vars).assert_ok()

    with write_guard(emu):
        run = ks.playbook(play("cluster_lifecycle"), "--tags", "update,purge", check=True, diff=True,
                          extra_vars=play_vars).assert_ok()
    update = run.result("Update")
    assert update["changed"]
    assert update["diff"]["before"]["labels"] == {"env": "prod"}
    assert update["diff"]["after"]["labels"] == {"env": "prod", "tier": "gold"}       # no purge: added
    assert update["diff"]["after"]["workspaces"] == [name + "-ws-a"]
    assert update["diff"]["after"]["visibility"] == "private"

    run = ks.playbook(play("cluster_lifecycle"), "--tags", "update", diff=True, extra_vars=play_vars).assert_ok()
    assert run.result("Update")["changed"] and not run.result("Update again")["changed"]
    assert cluster_labels(emu, name) == {"env": "prod", "tier": "gold"}
    labels = cluster(emu, name)["metadata"]["labels"]
    assert labels["cluster.kubesphere.io/group"] == "development"
    assert labels.get("cluster.kubesphere.io/visibility") != "public"
    assert placement(emu, name + "-ws-a") == ["host", name]
    assert placement(emu, name + "-ws-b") == ["host"]

    run = ks.playbook(play("cluster_lifecycle"), "--tags", "purge", diff=True, extra_vars=play_vars).assert_ok()
    purge = run.result("Purge")
    assert purge["changed"] and not run.result("Purge again")["changed"]
    assert purge["diff"]["before"]["workspaces"] == [name + "-ws-a"]
    assert purge["diff"]["after"]["workspaces"] == [name + "-ws-b"]
    assert cluster_labels(emu, name) == {"tier": "silver"}
    assert placement(emu, name + "-ws-a") == ["host"] and placement(emu, name + "-ws-b") == ["host", name]
    # A label value changes by binding another Label, never by renaming one other clusters may carry.
    values = call(emu, "GET", LABELS)[1]
    assert sorted(v["value"] for v in values["tier"]) == ["gold", "silver"]

    ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin",
                extra_vars=dict(play_vars, unjoin_in_use=True)).assert_ok()
    assert placement(emu, name + "-ws-b") == ["host"]


def test_kubeconfig_is_compared_as_a_cluster_and_rotated(ks, emu, tmp_path):
    name = "h25-rot"
    original = emu.member_kubeconfig("edge3")
    renamed = original.replace("edge3-admin", "someone").replace("name: edge3", "name: renamed").replace(
        "cluster: edge3", "cluster: renamed").replace("current-context: edge3", "current-context: renamed")
    rotated = emu.rotate_member_credential("edge3")
    play_vars = {"cluster_name": name, "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge3", original),
                 "renamed_kubeconfig": renamed, "rotated_kubeconfig": rotated}
    ks.playbook(play("cluster_lifecycle"), "--tags", "join", extra_vars=play_vars).assert_ok()

    with write_guard(emu):
        run = ks.playbook(play("cluster_lifecycle"), "--tags", "rotate", check=True, diff=True,
                          extra_vars=play_vars).assert_ok()
    assert not run.result("Same kubeconfig, other names")["changed"]          # the same cluster and credential
    predicted = run.result("Rotate the credential")
    assert predicted["changed"] and predicted["diff"]["after"]["kubeconfig"] == MASKED + " (changed)"

    emu.reset_counters()
    run = ks.playbook(play("cluster_lifecycle"), "--tags", "rotate", diff=True, extra_vars=play_vars).assert_ok()
    assert run.result("Rotate the credential")["changed"] and not run.result("Rotate again")["changed"]
    assert stored_kubeconfig(emu, name) == rotated
    assert call(emu, "GET", f"/clusters/{name}/version")[0] == 200
    # Sent through PUT .../kubeconfig (which checks the cluster), never through a /apis write of the Cluster.
    log = [e for e in emu.log(500) if e["method"] in ("PUT", "PATCH")]
    assert [e["path"] for e in log] == [f"/kapis/cluster.kubesphere.io/v1alpha1/clusters/{name}/kubeconfig"]
    secrets_hidden(run, token_of(original), token_of(rotated))

    run = ks.playbook(play("cluster_lifecycle"), "--tags", "config", extra_vars=play_vars).assert_ok()
    assert run.result("Values for the member's ks-core")["changed"]
    assert not run.result("Values again")["changed"]
    assert yaml.safe_load(base64.b64decode(cluster(emu, name)["spec"]["config"])) == {"console": {"port": 30880}}

    ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin", extra_vars=play_vars).assert_ok()


def test_refusals_come_before_any_write(ks, emu, tmp_path):
    joined = "h25-used"
    ks.playbook(play("cluster_lifecycle"), "--tags", "join",
                extra_vars={"cluster_name": joined, "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge1")}
                ).assert_ok()
    workspace(emu, joined + "-ws", clusters=("host", joined))
    status, body = call(emu, "POST", f"/clusters/{joined}/kapis/tenant.kubesphere.io/v1beta1/workspaces/"
                                     f"{joined}-ws/namespaces", {"metadata": {"name": joined + "-proj"}})
    assert status == 200, body
    unreachable = yaml.safe_load(emu.member_kubeconfig("edge2"))
    unreachable["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    unreachable = yaml.safe_dump(unreachable)
    refusal_vars = {"duplicate_name": "h25-dup", "joined_name": joined,
                    "joined_kubeconfig": emu.member_kubeconfig("edge1"), "unreachable_kubeconfig": unreachable,
                    "other_kubeconfig": emu.member_kubeconfig("host")}

    for check in (True, False):
        with write_guard(emu):
            run = ks.playbook(play("cluster_refusals"), "--tags", "validation,unjoin,workspaces,input",
                              check=check, extra_vars=refusal_vars)
        failed = failures(run)
        assert "cluster h25-dup already exists (h25-used), MUST not import the same cluster twice" in failed[
            "Join a cluster that is already joined under another name"]["msg"]
        assert "connection refused" in failed["Join an unreachable cluster"]["msg"]
        assert "host cluster" in failed["Unjoin the host"]["msg"]
        in_use = failed["Unjoin a cluster workspaces and projects still use"]["msg"]
        assert joined + "-ws" in in_use and joined + "-proj" in in_use and "allow_in_use" in in_use
        assert "no-such-workspace" in failed["Grant a workspace that does not exist"]["msg"]
        assert "visibility" in failed["A visibility that does not exist"]["msg"]
        assert cluster(emu, "h25-dup") is None and cluster(emu, "host") is not None

    # Another cluster's kubeconfig: the server's words, and the Cluster keeps its own.
    before = stored_kubeconfig(emu, joined)
    run = ks.playbook(play("cluster_refusals"), "--tags", "kubeconfig", extra_vars=refusal_vars)
    failed = failures(run)["Give a joined cluster another cluster's kubeconfig"]
    assert "corresponds to a different cluster" in failed["msg"]
    assert stored_kubeconfig(emu, joined) == before

    # The project goes first: KubeSphere would leave it in the member (which the next test may join again).
    call(emu, "DELETE", f"/clusters/{joined}/api/v1/namespaces/{joined}-proj")
    if real_server.enabled():       # the kit's member has no namespace controller: the harness finishes it
        emu.finish_namespace(f"/clusters/{joined}/api/v1/namespaces", joined + "-proj")

    # Told to: the unjoin goes ahead; the placements lose the cluster.
    ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin",
                extra_vars={"cluster_name": joined, "unjoin_in_use": True}).assert_ok()
    assert cluster(emu, joined) is None and placement(emu, joined + "-ws") == ["host"]


def test_unjoin_in_check_mode_then_for_real(ks, emu, tmp_path):
    name = "h25-gone"
    play_vars = {"cluster_name": name, "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge2")}
    ks.playbook(play("cluster_lifecycle"), "--tags", "join", extra_vars=play_vars).assert_ok()
    with write_guard(emu):
        run = ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin", check=True, diff=True,
                          extra_vars=play_vars).assert_ok()
    assert run.result("Unjoin")["changed"] and run.result("Unjoin")["diff"]["after"] == {}
    assert cluster(emu, name) is not None
    run = ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin", extra_vars=play_vars).assert_ok()
    assert run.result("Unjoin")["changed"] and not run.result("Unjoin again")["changed"]
    assert cluster(emu, name) is None
    granted = call(emu, "GET", "/kapis/iam.kubesphere.io/v1beta1/users/admin")[1]["metadata"]["annotations"]
    assert name not in granted.get("iam.kubesphere.io/granted-clusters", "").split(",")


def test_wait_timeout_reports_the_conditions(ks, emu, tmp_path):
    slow = not real_server.enabled()        # a real join takes longer than 2 s anyway
    if slow:
        emu.configure(cluster_join_ms=10000)
    try:
        run = ks.playbook(play("cluster_wait"), extra_vars={
            "cluster_name": "h25-slow", "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge3")}).assert_ok()
    finally:
        if slow:
            emu.configure(cluster_join_ms=300)
    failed = failures(run)["Join and wait too little"]
    assert "Ready" in failed["msg"] and "2" in failed["msg"]      # what it waited for, how long
    assert "conditions" in failed                                                    # the last ones seen
    assert run.result("Unjoin")["changed"] and cluster(emu, "h25-slow") is None


def test_info_and_inventory_show_group_labels_and_workspaces(ks, emu, tmp_path):
    name = "h25-info"
    play_vars = {"cluster_name": name, "kubeconfig_path": kubeconfig_file(tmp_path, emu, "edge1")}
    workspace(emu, name + "-ws-a")
    ks.playbook(play("cluster_lifecycle"), "--tags", "join,update", extra_vars=play_vars).assert_ok()

    run = ks.playbook("cluster_info.yml", extra_vars={"cluster_name": name}).assert_ok()
    one = run.result("One cluster")
    (found,) = one["resources"]
    assert "kubeconfig" not in found["spec"]["connection"]
    (summary,) = one["clusters"]
    assert summary == {"name": name, "role": "member", "ready": True, "group": "development",
                       "visibility": "private", "labels": {"env": "prod", "tier": "gold"},
                       "workspaces": [name + "-ws-a"], "provider": "kubesphere",
                       "kubernetes_version": found["status"]["kubernetesVersion"],
                       "kubesphere_version": found["status"]["kubeSphereVersion"]}
    every = {c["name"]: c for c in run.result("Every cluster")["clusters"]}
    assert every["host"]["role"] == "host" and name in every

    config = tmp_path / "grouped.ks_clusters.yml"
    config.write_text("plugin: kubesphere.core.ks_clusters\n")
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(config), "--list"], env=ks.env(),
                          cwd=str(ROOT), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert name in data["ks_group_development"]["hosts"]
    assert name in data["ks_label_env_prod"]["hosts"] and name in data["ks_label_tier_gold"]["hosts"]
    hostvars = plain(data["_meta"]["hostvars"][name])
    assert hostvars["ks_group"] == "development" and hostvars["ks_visibility"] == "private"
    assert hostvars["ks_cluster_labels"] == {"env": "prod", "tier": "gold"}
    ks.playbook(play("cluster_lifecycle"), "--tags", "unjoin",
                extra_vars=dict(play_vars, unjoin_in_use=True)).assert_ok()


def test_the_example_joins_and_unjoins_as_written(ks, emu, tmp_path):
    example = ROOT / "playbooks" / "examples" / "join_cluster.yml"
    play_vars = {"cluster_name": "h25-example", "cluster_workspace": "h25-example-ws",
                 "member_kubeconfig": kubeconfig_file(tmp_path, emu, "edge2")}
    with write_guard(emu):
        planned = ks.playbook(str(example), check=True, diff=True, extra_vars=play_vars).assert_ok()
    assert planned.result("Join the cluster")["changed"]
    first = ks.playbook(str(example), extra_vars=play_vars).assert_ok()
    assert first.result("Join the cluster")["changed"] and cluster(emu, "h25-example") is not None
    assert cluster_labels(emu, "h25-example") == {"region": "eu-west", "tier": "gold"}
    assert placement(emu, "h25-example-ws") == ["host", "h25-example"]
    assert ks.playbook(str(example), extra_vars=play_vars).assert_ok().changed_tasks() == []
    gone = ks.playbook(str(example), "--tags", "unjoin", extra_vars=play_vars).assert_ok()
    assert gone.result("Unjoin the cluster (only with --tags unjoin)")["changed"]
    assert cluster(emu, "h25-example") is None
