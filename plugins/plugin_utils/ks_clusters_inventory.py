# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Pure logic of the kubesphere.core.ks_clusters inventory plugin: no Ansible, no HTTP.

A KubeSphere Cluster object (as listed by /kapis/resources.kubesphere.io/v1alpha3/clusters)
becomes a small "record" of public facts; the record is what the plugin caches and what the
host variables are made from. spec.connection is never copied beyond its type: the list
strips kubeconfigs but still carries spec.connection.token for proxy members.
"""

from __future__ import annotations

import fnmatch
import re

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_summary import cluster_facts

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import CLUSTERS, HOST_CLUSTER_LABEL

HOST_LABEL = HOST_CLUSTER_LABEL
CLUSTERS_PATH = CLUSTERS
HOST_GROUP = "ks_host_cluster"
MEMBER_GROUP = "ks_member_clusters"

# Condition fields worth keeping; anything else a future server adds is dropped.
_CONDITION_KEYS = ("type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime")


def _dict(value):
    return value if isinstance(value, dict) else {}


def _condition_status(conditions, kind):
    """True/False for a condition's status, None when the condition is absent or Unknown."""
    for condition in conditions:
        if condition.get("type") == kind:
            status = condition.get("status")
            if status == "True":
                return True
            if status == "False":
                return False
            return None
    return None


def cluster_record(cluster, label_ids=None):
    """The public facts of one Cluster object (a dict that is safe to cache and show); label_ids: the
    KubeSphere cluster labels as ks_cluster_labels.label_ids() reads them ({(key, value): id})."""
    meta = _dict(cluster.get("metadata"))
    spec = _dict(cluster.get("spec"))
    status = _dict(cluster.get("status"))
    labels = dict((str(k), str(v)) for k, v in _dict(meta.get("labels")).items())
    conditions = [dict((key, c[key]) for key in _CONDITION_KEYS if key in c)
                  for c in status.get("conditions") or [] if isinstance(c, dict)]
    node_count = status.get("nodeCount")
    record = {
        "name": str(meta.get("name") or ""),
        "role": "host" if HOST_LABEL in labels else "member",
        "connection_type": _dict(spec.get("connection")).get("type") or None,
        "provider": spec.get("provider") or None,
        "kubesphere_version": status.get("kubeSphereVersion") or None,
        "kubernetes_version": status.get("kubernetesVersion") or None,
        "node_count": node_count if isinstance(node_count, int) else None,
        "region": status.get("region") or None,
        "zones": list(status.get("zones") or []),
        "labels": labels,
        "conditions": conditions,
    }
    facts = cluster_facts(cluster, label_ids or {})
    record.update(group=facts["group"], visibility=facts["visibility"], cluster_labels=facts["labels"])
    return record


def host_vars(record):
    """Host variables (all prefixed ks_) of one cluster record. Ready is the Ready condition
    being True (as KubeSphere decides it); KSCoreReady is None where the condition is absent."""
    conditions = record.get("conditions") or []
    return {
        "ks_cluster_role": record["role"],
        "ks_connection_type": record.get("connection_type"),
        "ks_kubesphere_version": record.get("kubesphere_version"),
        "ks_kubernetes_version": record.get("kubernetes_version"),
        "ks_ready": _condition_status(conditions, "Ready") is True,
        "ks_kscore_ready": _condition_status(conditions, "KSCoreReady"),
        "ks_provider": record.get("provider"),
        "ks_node_count": record.get("node_count"),
        "ks_region": record.get("region"),
        "ks_zones": list(record.get("zones") or []),
        "ks_labels": dict(record.get("labels") or {}),
        "ks_conditions": [dict(c) for c in conditions],
        "ks_group": record.get("group"),
        "ks_visibility": record.get("visibility") or "private",
        "ks_cluster_labels": dict(record.get("cluster_labels") or {}),
    }


def role_group(record):
    return HOST_GROUP if record["role"] == "host" else MEMBER_GROUP


def _group_name(*parts):
    """A valid Ansible group name: what is not a letter, digit or _ becomes _."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(str(p) for p in parts))


def fact_groups(record):
    """The groups of a cluster's group and KubeSphere cluster labels: ks_group_<group>, ks_label_<key>_<value>."""
    groups = []
    if record.get("group"):
        groups.append(_group_name("ks_group", record["group"]))
    for key, value in sorted((record.get("cluster_labels") or {}).items()):
        groups.append(_group_name("ks_label", key, value))
    return groups


def _matches_any(name, patterns):
    return any(fnmatch.fnmatchcase(name, str(pattern)) for pattern in patterns)


def select(records, include=None, exclude=None, ready_only=False):
    """The records to turn into hosts, sorted by name: those matching include (shell-style
    patterns; empty means all), minus those matching exclude (exclude wins), and only Ready
    ones with ready_only."""
    chosen = []
    for record in records:
        name = record["name"]
        if not name:
            continue
        if include and not _matches_any(name, include):
            continue
        if exclude and _matches_any(name, exclude):
            continue
        if ready_only and not host_vars(record)["ks_ready"]:
            continue
        chosen.append(record)
    return sorted(chosen, key=lambda r: r["name"])


def list_query(label_selector=None):
    """Query of the cluster list request: a stable order and the server-side label filter."""
    query = {"sortBy": "name", "ascending": "true"}
    if label_selector:
        query["labelSelector"] = label_selector
    return query


def cache_source(host, label_selector):
    """What a cached cluster list depends on: an entry made for another server or another
    selector is not reused (the cache key only depends on the config file's path)."""
    return {"ks_host": str(host or "").rstrip("/"), "label_selector": label_selector or ""}
