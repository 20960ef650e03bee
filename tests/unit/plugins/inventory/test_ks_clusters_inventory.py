# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Pure logic of the ks_clusters inventory: Cluster objects (as a real v4.1.3 lists them) to host
variables, and the filters."""

import json
import os

import pytest

from ansible_collections.kubesphere.core.plugins.plugin_utils.ks_clusters_inventory import (
    HOST_GROUP,
    MEMBER_GROUP,
    cache_source,
    cluster_record,
    host_vars,
    list_query,
    role_group,
    select,
)

RECORDINGS = os.path.join(os.environ["KS_RECORDINGS"], "clusters.json")  # set by tests/conftest.py


def recorded_list():
    """The real list with the host and the never-connected member1 (status {}), if the recordings are here."""
    if not os.path.exists(RECORDINGS):
        pytest.skip("the recordings are not on this machine")
    with open(RECORDINGS) as handle:
        exchanges = json.load(handle)
    for exchange in exchanges:
        if exchange["name"] == "LIST clusters (kapis v1alpha3) with member1":
            return exchange["response"]["body"]["items"]
    raise AssertionError("exchange not found")


def cluster(name, labels=None, conditions=None, **status):
    return {"metadata": {"name": name, "labels": labels or {}},
            "spec": {"provider": "aws", "connection": {"type": "proxy", "token": "s3cr3t", "kubeconfig": "a2NmZw=="}},
            "status": dict(status, conditions=conditions or [])}


def condition(kind, status):
    return {"type": kind, "status": status, "reason": kind, "message": "m",
            "lastUpdateTime": "2026-11-22T13:44:09Z", "lastTransitionTime": "2026-11-22T13:44:09Z", "extra": 1}


def test_recorded_host_cluster():
    host = host_vars(cluster_record(recorded_list()[0]))
    assert host["ks_cluster_role"] == "host"
    assert host["ks_connection_type"] == "direct"
    assert host["ks_kubesphere_version"] == "v4.1.3"
    assert host["ks_kubernetes_version"] is None          # not in the recorded status
    assert host["ks_ready"] is True
    assert host["ks_kscore_ready"] is None                # no KSCoreReady condition at all
    assert host["ks_provider"] == "kubesphere"
    assert host["ks_node_count"] is None
    assert host["ks_labels"] == {"cluster-role.kubesphere.io/host": "", "kubesphere.io/managed": "true"}
    assert [c["type"] for c in host["ks_conditions"]] == ["Ready"]


def test_recorded_member_without_status_is_not_ready_and_keeps_no_token():
    record = cluster_record(recorded_list()[1])
    member = host_vars(record)
    assert member["ks_cluster_role"] == "member" and role_group(record) == MEMBER_GROUP
    assert member["ks_ready"] is False
    assert member["ks_kscore_ready"] is None
    assert member["ks_conditions"] == []
    assert member["ks_connection_type"] == "proxy"
    assert "token" not in json.dumps(record) and "redacted" not in json.dumps(record)


def test_no_credential_in_record_or_host_vars():
    record = cluster_record(cluster("m1", conditions=[condition("Ready", "True")]))
    text = json.dumps([record, host_vars(record)])
    assert "s3cr3t" not in text and "kubeconfig" not in text and "a2NmZw" not in text


def test_conditions_keep_only_known_keys_and_kscore_states():
    up = host_vars(cluster_record(cluster("m", conditions=[condition("Ready", "True"), condition("KSCoreReady", "True")])))
    down = host_vars(cluster_record(cluster("m", conditions=[condition("Ready", "False"),
                                                             condition("KSCoreReady", "False")])))
    unknown = host_vars(cluster_record(cluster("m", conditions=[condition("Ready", "Unknown"),
                                                                condition("KSCoreReady", "Unknown")])))
    assert (up["ks_ready"], up["ks_kscore_ready"]) == (True, True)
    assert (down["ks_ready"], down["ks_kscore_ready"]) == (False, False)
    assert (unknown["ks_ready"], unknown["ks_kscore_ready"]) == (False, None)
    assert "extra" not in up["ks_conditions"][0]


def test_every_host_var_is_prefixed():
    assert all(name.startswith("ks_") for name in host_vars(cluster_record(cluster("m"))))


def test_status_fields():
    record = cluster_record(cluster("m", kubernetesVersion="v1.30.4", kubeSphereVersion="v4.1.3", nodeCount=5,
                                    region="eu", zones=["a", "b"]))
    hv = host_vars(record)
    assert (hv["ks_kubernetes_version"], hv["ks_kubesphere_version"], hv["ks_node_count"]) == ("v1.30.4", "v4.1.3", 5)
    assert (hv["ks_region"], hv["ks_zones"], hv["ks_provider"]) == ("eu", ["a", "b"], "aws")
    assert role_group(cluster_record(cluster("h", labels={"cluster-role.kubesphere.io/host": ""}))) == HOST_GROUP


def names(chosen):
    return [r["name"] for r in chosen]


def test_select_include_exclude_ready_and_order():
    ready = [condition("Ready", "True")]
    records = [cluster_record(c) for c in (
        cluster("member2"), cluster("member1", conditions=ready), cluster("host", conditions=ready),
        cluster("edge-1", conditions=ready), cluster(""))]
    assert names(select(records)) == ["edge-1", "host", "member1", "member2"]
    assert names(select(records, include=["member*"])) == ["member1", "member2"]
    assert names(select(records, include=["member*"], exclude=["member2"])) == ["member1"]
    assert names(select(records, exclude=["*"])) == []
    assert names(select(records, ready_only=True)) == ["edge-1", "host", "member1"]
    assert names(select(records, include=["Member1"])) == []      # patterns are case-sensitive, like names


def test_list_query_and_cache_source():
    assert list_query() == {"sortBy": "name", "ascending": "true"}
    assert list_query("env=prod")["labelSelector"] == "env=prod"
    assert cache_source("https://ks/", None) == cache_source("https://ks", "")
    assert cache_source("https://ks", "env=prod") != cache_source("https://ks", "")
