"""A cluster in ks_cluster's words (ks_info kind=cluster, the ks_clusters inventory)."""
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_labels import (
    cluster_label_map,
    label_ids,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_summary import cluster_facts
from ansible_collections.kubesphere.core.plugins.plugin_utils.ks_clusters_inventory import cluster_record, fact_groups

LISTING = {"env": [{"value": "prod", "id": "a1b2c3"}, {"value": "dev", "id": "d4e5f6"}],
           "tier": [{"value": "gold", "id": "g7h8i9"}]}
CLUSTER = {"metadata": {"name": "edge-1", "labels": {
    "cluster.kubesphere.io/group": "production", "label.cluster.kubesphere.io/a1b2c3": "",
    "label.cluster.kubesphere.io/g7h8i9": "", "label.cluster.kubesphere.io/unknown": ""}}}


def test_labels_are_read_through_their_ids():
    ids = label_ids(LISTING)
    assert ids[("env", "dev")] == "d4e5f6"
    assert cluster_label_map(CLUSTER, ids) == {"env": "prod", "tier": "gold"}


def test_facts_and_groups():
    facts = cluster_facts(CLUSTER, label_ids(LISTING))
    assert facts == {"group": "production", "visibility": "private", "labels": {"env": "prod", "tier": "gold"}}
    record = cluster_record(CLUSTER, label_ids(LISTING))
    assert fact_groups(record) == ["ks_group_production", "ks_label_env_prod", "ks_label_tier_gold"]
    assert fact_groups(dict(record, cluster_labels={"a.b/c": "x-y"}, group=None)) == ["ks_label_a_b_c_x_y"]
