"""Cluster labels as v4.1.3 keeps them (cluster-lifecycle.json): Label objects with random names, bindings that
append (the label controller dedupes and drops unknown clusters), the label.cluster.kubesphere.io/<id> label
on the Cluster, unbind, rename, delete (finalizer), the label-ids annotation at create, and labels that keep
naming a cluster that is gone."""

import re

import pytest

from emu_clusters import APIS, KAPIS, admin_client, get, join, start, unjoin
from emu_helpers import wait_for

LABELS = KAPIS + "/labels"


@pytest.fixture(scope="module")
def emu():
    process = start(joinable=("edge1",))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(emu):
    return admin_client(emu)


def until_ok(send):
    answers = []
    wait_for(lambda: answers.append(send()) or answers[-1].status_code == 200, message="200")
    return answers[-1]


def label(admin, name):
    answer = admin.get(f"{APIS}/labels/{name}")
    return answer.json() if answer.status_code == 200 else None


def cluster_labels(admin, cluster):
    return get(admin, cluster).json()["metadata"].get("labels") or {}


def test_labels_lifecycle_on_a_joined_cluster(emu, admin):
    assert admin.get(LABELS).json() == {}
    created = admin.post(LABELS, json=[{"key": "env", "value": "prod"}, {"key": " tier ", "value": " gold "}])
    assert created.status_code == 200
    env, tier = created.json()
    assert "kind" not in env and env["metadata"]["finalizers"] == ["finalizers.kubesphere.io/cluster-label"]
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{6}", env["metadata"]["name"])
    assert tier["spec"] == {"key": "tier", "value": "gold"}                       # trimmed
    env_id, tier_id = env["metadata"]["name"], tier["metadata"]["name"]
    wait_for(lambda: admin.get(LABELS).json() == {"env": [{"value": "prod", "id": env_id}],
                                                  "tier": [{"value": "gold", "id": tier_id}]}, message="listed")
    duplicate = admin.post(LABELS, json=[{"key": "env", "value": "prod"}])      # checked against the cache
    assert (duplicate.status_code, duplicate.text) == (400, "label env/prod already exists\n")

    # label-ids at create: the join gives the label the cluster, and the annotation goes
    join(emu, admin, "lab", "edge1", annotations={"cluster.kubesphere.io/label-ids": env_id})
    wait_for(lambda: label(admin, env_id)["spec"].get("clusters") == ["lab"], message="label-ids synced")
    wait_for(lambda: f"label.cluster.kubesphere.io/{env_id}" in cluster_labels(admin, "lab"), message="labelled")
    assert "cluster.kubesphere.io/label-ids" not in get(admin, "lab").json()["metadata"]["annotations"]

    # bindings append; the controller dedupes and drops a cluster that does not exist
    # (each write below reads the objects from ks-apiserver's cache, which may not have the controller's last
    # write yet: a 400 conflict, retried as a client would)
    bind = {"labels": [tier_id], "clusters": ["lab", "nope"]}
    answer = until_ok(lambda: admin.post(KAPIS + "/labelbindings", json=bind))
    assert answer.text == ""
    # again, once the cache has the first binding (right after it, the update from the cache is a conflict)
    wait_for(lambda: admin.post(KAPIS + "/labelbindings", json=bind).status_code == 200, message="second binding")
    wait_for(lambda: label(admin, tier_id)["spec"].get("clusters") == ["lab"], message="deduped")
    wait_for(lambda: f"label.cluster.kubesphere.io/{tier_id}" in cluster_labels(admin, "lab"), message="labelled")
    unknown = admin.post(KAPIS + "/labelbindings", json={"labels": ["nolabl"], "clusters": ["lab"]})
    assert (unknown.status_code, unknown.text) == (400, 'Label.cluster.kubesphere.io "nolabl" not found\n')

    # unbind takes the label off at once
    unbound = until_ok(lambda: admin.put(f"{LABELS}/{tier_id}?action=unbind", json={"clusters": ["lab"]}))
    assert "clusters" not in unbound.json()["spec"]
    assert unbound.json()["kind"] == "Label"
    assert f"label.cluster.kubesphere.io/{tier_id}" not in cluster_labels(admin, "lab")

    # rename; a rename to a pair that exists is refused
    # (an update from ks-apiserver's cache right after another write is a 400 conflict: retried)
    renamed = until_ok(lambda: admin.put(f"{LABELS}/{tier_id}", json={"key": "tier", "value": "silver"}))
    assert renamed.json()["spec"] == {"key": "tier", "value": "silver"}
    taken = admin.put(f"{LABELS}/{tier_id}", json={"key": "env", "value": "prod"})
    assert (taken.status_code, taken.text) == (400, "label env/prod already exists\n")

    # the unjoin leaves the label naming the cluster (the label controller only watches labels)
    unjoin(admin, "lab")
    assert label(admin, env_id)["spec"]["clusters"] == ["lab"]

    # delete: the finalizer goes, then the label
    assert admin.request("DELETE", LABELS, json=[env_id, tier_id]).status_code == 200
    wait_for(lambda: label(admin, env_id) is None and label(admin, tier_id) is None, message="deleted")
    gone = admin.request("DELETE", LABELS, json=[env_id])
    assert (gone.status_code, gone.text) == (400, f'labels.cluster.kubesphere.io "{env_id}" not found\n')


def test_deleting_a_label_takes_it_off_its_clusters(emu, admin):
    join(emu, admin, "lab2", "edge1")
    (created,) = admin.post(LABELS, json=[{"key": "zone", "value": "a"}]).json()
    zone = created["metadata"]["name"]
    wait_for(lambda: admin.post(KAPIS + "/labelbindings", json={"labels": [zone], "clusters": ["lab2"]}).status_code
             == 200, message="bound")
    key = f"label.cluster.kubesphere.io/{zone}"
    wait_for(lambda: key in cluster_labels(admin, "lab2"), message="labelled")
    admin.request("DELETE", LABELS, json=[zone])
    wait_for(lambda: key not in cluster_labels(admin, "lab2"), message="label taken off")
    unjoin(admin, "lab2")
