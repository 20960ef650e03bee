"""PUT /kapis/cluster.kubesphere.io/v1alpha1/clusters/{c}/kubeconfig as v4.1.3 answers it (cluster-lifecycle.json):
a kubeconfig of the same cluster is taken whatever its text or credential, another cluster's is refused
(kube-system uid), and the update is made from ks-apiserver's cache: right after the controller wrote the
Cluster it is a 400 conflict. A /apis PATCH is not checked at all."""

import time

import pytest

from emu_clusters import APIS, KAPIS, admin_client, b64, conditions, get, join, start, unjoin
from emu_helpers import wait_for


@pytest.fixture(scope="module")
def emu():
    process = start(joinable=("edge1", "edge2"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(emu):
    return admin_client(emu)


@pytest.fixture(scope="module")
def joined(emu, admin):
    join(emu, admin, "kc", "edge1")
    yield "kc"
    unjoin(admin, "kc")


def put(admin, cluster, kubeconfig):
    return admin.put(f"{KAPIS}/clusters/{cluster}/kubeconfig", json={"kubeconfig": b64(kubeconfig)})


def stored_kubeconfig(admin, cluster):
    import base64
    return base64.b64decode(get(admin, cluster).json()["spec"]["connection"]["kubeconfig"]).decode()


def test_same_cluster_renamed_or_with_a_new_token_is_taken(emu, admin, joined):
    renamed = emu.member_kubeconfig("edge1").replace("edge1-admin", "someone-else")
    # Right after the join the controller may still be writing the Cluster: then the PUT is the 400 conflict.
    answers = []
    wait_for(lambda: answers.append(put(admin, joined, renamed)) or answers[-1].status_code != 400
             or "has been modified" not in answers[-1].text, message="PUT after the controller's writes")
    assert (answers[-1].status_code, answers[-1].text) == (200, "")
    wait_for(lambda: stored_kubeconfig(admin, joined) == renamed, message="stored")
    rotated = emu.rotate_member_credential("edge1")
    wait_for(lambda: put(admin, joined, rotated).status_code == 200, message="PUT after the controller's write")
    assert stored_kubeconfig(admin, joined) == rotated
    assert admin.get(f"/clusters/{joined}/version").status_code == 200
    assert conditions(get(admin, joined).json())["Ready"] == "True"


def test_refusals(emu, admin, joined):
    answers = {
        "another cluster": put(admin, joined, emu.member_kubeconfig("edge2")),
        "the host's": put(admin, joined, emu.member_kubeconfig("host")),
        "empty": admin.put(f"{KAPIS}/clusters/{joined}/kubeconfig", json={"kubeconfig": ""}),
        "unreachable": put(admin, joined, emu.member_kubeconfig("edge1").replace(
            emu.url + "/_emulator/members/edge1/kube", "https://127.0.0.1:1")),
        "wrong token": put(admin, joined, emu.member_kubeconfig("edge1").replace("token: emu-", "token: x-")),
        "host cluster": put(admin, "host", emu.member_kubeconfig("host")),
        "unknown cluster": put(admin, "nope", emu.member_kubeconfig("edge1")),
    }
    assert {k: (v.status_code, v.text) for k, v in answers.items()} == {
        # edge2 has no ks-core yet: the ks-apiserver check comes before the uid check
        "another cluster": (400, "unable validate kubesphere endpoint, invalid response: , please make sure "
                                 "ks-apiserver.kubesphere-system.svc of member cluster is up and running\n"),
        "the host's": (400, "this kubeconfig corresponds to a different cluster than the previous one, you need to "
                            "make sure that kubeconfig is not from another cluster\n"),
        "empty": (400, "cluster kubeconfig MUST NOT be empty\n"),
        "unreachable": (400, 'Get "https://127.0.0.1:1/version?timeout=10s": dial tcp 127.0.0.1:1: connect: '
                             "connection refused\n"),
        "wrong token": (400, "the server has asked for the client to provide credentials\n"),
        "host cluster": (400, "update kubeconfig of the host cluster is not allowed\n"),
        "unknown cluster": (400, 'Cluster.cluster.kubesphere.io "nope" not found\n'),
    }


def test_put_from_a_stale_cache_is_a_conflict(emu, admin, joined):
    """The real server's second PUT, 20 ms after the first, lost to the controller's write (recorded)."""
    emu.configure(informer_lag_ms=400)
    time.sleep(0.5)                       # the cache has caught up with the earlier tests' writes
    try:
        first = put(admin, joined, emu.member_kubeconfig("edge1").replace("edge1-admin", "first"))
        assert first.status_code == 200
        second = None
        for _attempt in range(50):
            second = put(admin, joined, emu.member_kubeconfig("edge1").replace("edge1-admin", "second"))
            if second.status_code != 200:
                break
        assert (second.status_code, second.text) == (400, (
            'Operation cannot be fulfilled on clusters.cluster.kubesphere.io "kc": the object has been modified; '
            "please apply your changes to the latest version and try again\n"))
    finally:
        emu.configure(informer_lag_ms=5)


def test_apis_patch_of_the_kubeconfig_is_not_checked(emu, admin, joined):
    """No webhook guards the Cluster (the chart registers none): a dry-run PATCH to the host's kubeconfig passes."""
    answer = admin.patch(f"{APIS}/clusters/{joined}?dryRun=All",
                         {"spec": {"connection": {"kubeconfig": b64(emu.member_kubeconfig("host"))}}})
    assert answer.status_code == 200
    assert stored_kubeconfig(admin, joined) != emu.member_kubeconfig("host")     # a dry run stores nothing
