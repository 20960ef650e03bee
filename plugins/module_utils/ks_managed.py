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

from ansible_collections.kubesphere.core.plugins.module_utils.ks_members import (
    PROJECT_ROLES,
    WORKSPACE_ROLES,
    workspace_role_name,
)

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kubesphere.core"

SYSTEM_USERS = frozenset(["admin"])
SYSTEM_WORKSPACES = frozenset(["system-workspace"])
SYSTEM_PROJECT_PREFIXES = ("kubesphere-", "kube-", "istio-", "openpitrix-")
SYSTEM_PROJECTS = frozenset(["default", "kube-system", "kube-public", "kube-node-lease"])
# Roles KubeSphere installs or makes itself. The ks-core chart installs these GlobalRoles (annotated
# kubesphere.io/creator: admin, or not at all) and the iam ClusterRoles cluster-admin and cluster-viewer;
# the controllers make each workspace's {ws}-admin/regular/self-provisioner/viewer and each project's
# admin/operator/viewer from BuiltinRoles. Those, and the cluster built-ins, carry kubesphere.io/creator:
# system (ks-core templates, and every built-in role in the v4.1.3 recordings); a custom role made in the
# console carries its maker's name there, one made through the API none.
SYSTEM_GLOBAL_ROLES = frozenset(["anonymous", "authenticated", "platform-admin", "platform-regular",
                                 "platform-self-provisioner", "pre-registration"])
SYSTEM_CLUSTER_ROLES = frozenset(["cluster-admin", "cluster-viewer"])
ROLE_KINDS = frozenset(["globalrole", "clusterrole", "workspacerole", "role"])


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
    """True for KubeSphere's own objects, which are never pruned nor exported by default. kind: user,
    workspace, project, or a role's kind in lower case (globalrole, clusterrole, workspacerole, role)."""
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
    if kind in ROLE_KINDS:
        # An object that says its kind (CRD list items do) wins: "role" may stand for a role of any scope.
        own = str((obj or {}).get("kind") or "").lower()
        return _is_builtin_role(own if own in ROLE_KINDS else kind, name, obj)
    return False


def _is_builtin_role(kind, name, obj):
    """kind: the role's kind in lower case (globalrole, clusterrole, workspacerole, role)."""
    metadata = (obj or {}).get("metadata") or {}
    if (metadata.get("annotations") or {}).get("kubesphere.io/creator") == "system":
        return True
    if kind == "globalrole":
        return name in SYSTEM_GLOBAL_ROLES
    if kind == "clusterrole":
        return name in SYSTEM_CLUSTER_ROLES
    if kind == "workspacerole":
        workspace = (metadata.get("labels") or {}).get("kubesphere.io/workspace")
        return bool(workspace) and name in [workspace_role_name(workspace, r) for r in WORKSPACE_ROLES]
    return name in PROJECT_ROLES
