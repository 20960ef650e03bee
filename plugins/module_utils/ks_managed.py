# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Which objects are under this collection's management, and which belong to KubeSphere itself.

An object is under management when it carries the label below (the label Kubernetes recommends for
"the tool that manages this"; Helm sets it to "Helm"). The modules add it when they create an object,
and an export with adoption adds it to what it exported. Pruning removes only labelled objects that
are no longer declared, and never KubeSphere's own objects, labelled or not.
"""

from __future__ import annotations

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kubesphere.core"

SYSTEM_USERS = frozenset(["admin"])
SYSTEM_WORKSPACES = frozenset(["system-workspace"])
SYSTEM_PROJECT_PREFIXES = ("kubesphere-", "kube-", "istio-", "openpitrix-")
SYSTEM_PROJECTS = frozenset(["default", "kube-system", "kube-public", "kube-node-lease"])


def is_managed(obj):
    """True when obj (an API object) carries this collection's management label."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE


def managed_by_other(obj):
    """The name of another tool that claims obj (its managed-by label), or None."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    value = labels.get(MANAGED_BY_LABEL)
    return value if value and value != MANAGED_BY_VALUE else None


def mark_managed(body):
    """Add the management label to an object body (a create body or a patch's metadata)."""
    metadata = body.setdefault("metadata", {})
    labels = metadata.get("labels")
    if not isinstance(labels, dict):
        labels = metadata["labels"] = {}
    labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE
    return body


def is_system(kind, name, obj=None):
    """True for KubeSphere's own objects, which are never pruned nor exported by default."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    if labels.get("kubesphere.io/protected-resource") == "true":
        return True
    if kind == "user":
        return name in SYSTEM_USERS
    if kind == "workspace":
        return name in SYSTEM_WORKSPACES or labels.get("kubesphere.io/workspace") == "system-workspace"
    if kind == "project":
        if name in SYSTEM_PROJECTS or name.startswith(SYSTEM_PROJECT_PREFIXES):
            return True
        return labels.get("kubesphere.io/workspace") == "system-workspace"
    return False
