# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A cluster in the words of ks_cluster's options: group, visibility, KubeSphere cluster labels (key -> value)
and the workspaces placed on it. ks_info kind=cluster returns one per cluster; the ks_clusters inventory makes
groups and host variables from the same facts (cluster_facts needs no request)."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CLUSTER_GROUP_LABEL,
    CLUSTER_LABELS,
    CLUSTER_VISIBILITY_LABEL,
    HOST_CLUSTER_LABEL,
    TEMPLATES,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_labels import (
    cluster_label_map,
    label_ids,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import SYSTEM_WORKSPACE
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import placement_of

# Answers meaning "this caller or this server has no such list": the summary goes without it.
_UNAVAILABLE = (401, 403, 404)


def cluster_facts(cluster, ids):
    """group (None when unset), visibility (public or private) and the KubeSphere cluster labels of a Cluster;
    ids: the label listing as label_ids() gives it."""
    labels = ((cluster or {}).get("metadata") or {}).get("labels") or {}
    return dict(group=labels.get(CLUSTER_GROUP_LABEL) or None,
                visibility="public" if labels.get(CLUSTER_VISIBILITY_LABEL) == "public" else "private",
                labels=cluster_label_map(cluster, ids))


def read_label_ids(client):
    """The label listing, or {} when the caller may not read it (or the server has none: 3.x)."""
    try:
        return label_ids(client.get(CLUSTER_LABELS))
    except KubeSphereError as err:
        if err.status in _UNAVAILABLE:
            return {}
        raise


def _ready(cluster):
    for condition in ((cluster.get("status") or {}).get("conditions") or []):
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def cluster_summaries(client, clusters):
    """One summary per Cluster: two more reads in all (labels, workspace templates); workspaces is None for a
    caller who may not list workspace templates."""
    ids = read_label_ids(client)
    try:
        templates = client.list_all(TEMPLATES)
    except KubeSphereError as err:
        if err.status not in _UNAVAILABLE:
            raise
        templates = None
    out = []
    for cluster in clusters:
        metadata = cluster.get("metadata") or {}
        name = metadata.get("name")
        status = cluster.get("status") or {}
        summary = dict(name=name, role="host" if HOST_CLUSTER_LABEL in (metadata.get("labels") or {}) else "member",
                       ready=_ready(cluster), provider=(cluster.get("spec") or {}).get("provider") or None,
                       kubernetes_version=status.get("kubernetesVersion"),
                       kubesphere_version=status.get("kubeSphereVersion"))
        summary.update(cluster_facts(cluster, ids))
        summary["workspaces"] = None if templates is None else sorted(
            (t.get("metadata") or {}).get("name") for t in templates
            if (t.get("metadata") or {}).get("name") != SYSTEM_WORKSPACE and name in (placement_of(t) or []))
        out.append(summary)
    return out
