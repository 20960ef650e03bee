"""ks_cluster's resource logic against an in-memory client: input refused before any request, the host cluster
protected in check mode too, a join that needs its kubeconfig, and a change of the fields it manages."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    ProtectedObject,
    ValidationError,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import CLUSTER_OPTIONS, ClusterResource
from fake_client import FakeClient

CLUSTER = "/apis/cluster.kubesphere.io/v1alpha1/clusters/member1"


def params(**kw):
    base = dict((name, spec.get("default")) for name, spec in CLUSTER_OPTIONS.items())
    base.update(name="member1", state="present", wait_timeout=5)
    base.update(kw)
    return base


def cluster(name="member1", labels=None):
    return {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "labels": dict(labels or {}), "annotations": {}, "resourceVersion": "3"},
            "spec": {"provider": "kind"}}


def run(client, state="present", check_mode=False, **kw):
    res = ClusterResource(client, params(state=state, **kw), check_mode=check_mode)
    return res, converge(res, state)


@pytest.mark.parametrize("kw, message", [
    (dict(name="Member1"), "name 'Member1'"),
    (dict(group="-bad-"), "group '-bad-' is not a valid label value"),
    (dict(labels={"zone": " east"}), "has spaces around it, which KubeSphere would trim"),
    (dict(workspaces=["Team"]), "workspaces[0]"),
    (dict(kubeconfig="not: [a kubeconfig"), "kubeconfig"),
    (dict(wait_timeout=0), "wait_timeout must be a positive number of seconds"),
])
def test_bad_input_is_refused_before_any_request(kw, message):
    client = FakeClient(read_only=True)
    with pytest.raises(ValidationError) as err:
        run(client, **kw)
    assert message in str(err.value) and client.calls == []


def test_the_host_cluster_is_never_removed_by_accident_in_check_mode_either():
    client = FakeClient(read_only=True).add("/apis/cluster.kubesphere.io/v1alpha1/clusters/host", cluster(
        "host", labels={"cluster-role.kubesphere.io/host": ""}))
    with pytest.raises(ProtectedObject) as err:
        run(client, state="absent", check_mode=True, name="host")
    assert "it is the host cluster" in str(err.value) and "allow_protected" in str(err.value)


def test_a_cluster_that_is_not_a_member_needs_its_kubeconfig_to_join():
    client = FakeClient(read_only=True)
    with pytest.raises(ValidationError) as err:
        run(client, check_mode=True)
    assert "kubeconfig is required to join cluster member1 (it is not a member yet)" in str(err.value)


def test_a_change_of_its_description_is_one_patch_of_that_field():
    client = FakeClient().add(CLUSTER, cluster())
    _res, out = run(client, description="the edge")
    (write,) = client.writes
    assert write[:2] == ("PATCH", CLUSTER)
    assert write[2] == {"metadata": {"annotations": {"kubesphere.io/description": "the edge"}}}
    assert out.before["description"] is None and out.after["description"] == "the edge"
