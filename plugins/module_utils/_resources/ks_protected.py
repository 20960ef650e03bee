# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""What is KubeSphere's or Kubernetes' own: the one rule every writer, prune and the export ask.

A protected object is never changed nor deleted by a module, a ks_tenancy item or a prune, unless the task
says allow_protected (never a prune); the export leaves it out unless include_system. The rule, by kind
(kind: user, workspace, project, cluster, or a role's kind in lower case: globalrole, clusterrole,
workspacerole, role):

* anything another tool claims (its app.kubernetes.io/managed-by label names another manager) is protected
  from writes too (write_protection), though the export still shows it;
* anything labelled kubesphere.io/protected-resource=true (the ks-core chart labels system-workspace and the
  system namespaces so);
* clusters: the host cluster (label cluster-role.kubesphere.io/host; nothing on the server refuses deleting it,
  and KubeSphere would take it out of every workspace and make it again);
* users: admin (the chart's administrator); the user a task logs in as is protected by the engine, not here,
  because the export must still show it;
* workspaces: system-workspace;
* projects: default, kube-*, kubesphere-*, istio-*, openpitrix-* and anything in system-workspace;
* roles: those KubeSphere makes (annotated kubesphere.io/creator=system: every role its controllers make from
  BuiltinRoles, and cluster-admin/cluster-viewer), the GlobalRoles the chart installs, each workspace's
  {ws}-admin/-regular/-self-provisioner/-viewer, each project's admin/operator/viewer, and 3.x role templates
  (role-template-*, which 3.x keeps as roles).
"""

from __future__ import annotations

import base64
import json
import re

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CREATOR,
    HOST_CLUSTER_LABEL,
    PROTECTED_LABEL,
    ROLE_TEMPLATE_LABEL,
    WORKSPACE_LABEL,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import MANAGED_BY_LABEL, managed_by_other
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import (
    PROJECT_ROLES,
    WORKSPACE_ROLES,
    workspace_role_name,
)

SYSTEM_WORKSPACE = "system-workspace"
SYSTEM_USERS = frozenset(["admin"])
SYSTEM_WORKSPACES = frozenset([SYSTEM_WORKSPACE])
SYSTEM_PROJECT_PREFIXES = ("kubesphere-", "kube-", "istio-", "openpitrix-")
SYSTEM_PROJECTS = frozenset(["default", "kube-system", "kube-public", "kube-node-lease"])
# The GlobalRoles the ks-core chart installs (4.1.3 config/ks-core/templates/globalroles.yaml; 3.4's
# ks-installer has the same but ks-console); the chart annotates some kubesphere.io/creator: admin, some not at all.
SYSTEM_GLOBAL_ROLES = frozenset(["anonymous", "authenticated", "platform-admin", "platform-regular",
                                 "platform-self-provisioner", "pre-registration", "ks-console"])
SYSTEM_CLUSTER_ROLES = frozenset(["cluster-admin", "cluster-viewer"])
ROLE_KINDS = frozenset(["globalrole", "clusterrole", "workspacerole", "role"])
ROLE_TEMPLATE_PREFIX = "role-template-"


def _metadata(obj):
    return (obj or {}).get("metadata") or {}


def system_reason(kind, name, obj=None, workspace=None):
    """Why the object (or, with obj None, the name) is KubeSphere's or Kubernetes' own, or None.

    workspace: for a workspace role not read yet, the workspace it is declared in (its built-in names)."""
    reason = _own_reason(kind, name, obj, workspace)
    labels = _metadata(obj).get("labels") or {}
    if not reason and labels.get(PROTECTED_LABEL) == "true":
        reason = "it is labelled %s=true" % PROTECTED_LABEL
    return reason


def _own_reason(kind, name, obj, workspace):
    labels = _metadata(obj).get("labels") or {}
    if kind == "user":
        return "it is KubeSphere's administrator" if name in SYSTEM_USERS else None
    if kind == "cluster":
        return "it is the host cluster (labelled %s)" % HOST_CLUSTER_LABEL if HOST_CLUSTER_LABEL in labels else None
    if kind == "workspace":
        return "it is KubeSphere's system workspace" if name in SYSTEM_WORKSPACES else None
    if kind == "project":
        if name in SYSTEM_PROJECTS or name.startswith(SYSTEM_PROJECT_PREFIXES):
            return "it is a Kubernetes or KubeSphere system namespace"
        if labels.get(WORKSPACE_LABEL) == SYSTEM_WORKSPACE:
            return "it is in KubeSphere's system workspace"
        return None
    if kind in ROLE_KINDS:
        # An object that says its kind (CRD list items do) wins: "role" may stand for a role of any scope.
        own = str((obj or {}).get("kind") or "").lower()
        return _builtin_role_reason(own if own in ROLE_KINDS else kind, name, obj, workspace)
    return None


def is_system(kind, name, obj=None):
    """True for KubeSphere's own objects: never pruned, never exported (but with include_system)."""
    return system_reason(kind, name, obj) is not None


def write_protection(kind, name, obj=None, workspace=None):
    """Why a task may not change or delete the object without allow_protected: KubeSphere's own (system_reason),
    or claimed by another tool (its managed-by label says so: Helm, Argo CD ...), or None."""
    reason = system_reason(kind, name, obj, workspace=workspace)
    other = managed_by_other(obj)
    if not reason and other:
        reason = "it is managed by %s (label %s=%s)" % (other, MANAGED_BY_LABEL, other)
    return reason


def _builtin_role_reason(kind, name, obj, workspace):
    metadata = _metadata(obj)
    if (metadata.get("annotations") or {}).get(CREATOR) == "system":
        return "KubeSphere made it (annotated %s=system)" % CREATOR
    if name.startswith(ROLE_TEMPLATE_PREFIX) or (metadata.get("labels") or {}).get(ROLE_TEMPLATE_LABEL) == "true":
        return "it is one of KubeSphere's role templates"
    if kind == "globalrole":
        return "it is a platform role KubeSphere installs" if name in SYSTEM_GLOBAL_ROLES else None
    if kind == "clusterrole":
        return "it is a cluster role KubeSphere installs" if name in SYSTEM_CLUSTER_ROLES else None
    if kind == "workspacerole":
        owner = (metadata.get("labels") or {}).get(WORKSPACE_LABEL) or workspace
        builtin = [workspace_role_name(owner, r) for r in WORKSPACE_ROLES] if owner else []
        if name in builtin:
            return "it is a built-in role of workspace %s" % owner
        return None
    return "it is a built-in project role" if name in PROJECT_ROLES else None


# Object paths a raw request (ks_api) may write, and the kind the rule knows them as: (pattern, kind, name group).
_VERSIONS = r"v1(?:alpha[123]|beta1)"
_OBJECT_PATHS = [
    (re.compile(r"^/k?apis/iam\.kubesphere\.io/%s/users/(?P<name>[^/]+)(?:/password)?$" % _VERSIONS), "user"),
    (re.compile(r"^/k?apis/tenant\.kubesphere\.io/%s/(?:workspacetemplates|workspaces)/(?P<name>[^/]+)$" % _VERSIONS),
     "workspace"),
    (re.compile(r"^/api/v1/namespaces/(?P<name>[^/]+)$"), "project"),
    (re.compile(r"^/kapis/tenant\.kubesphere\.io/%s/workspaces/[^/]+/namespaces/(?P<name>[^/]+)$" % _VERSIONS),
     "project"),
    (re.compile(r"^/k?apis/iam\.kubesphere\.io/%s/globalroles/(?P<name>[^/]+)$" % _VERSIONS), "globalrole"),
    (re.compile(r"^/k?apis/iam\.kubesphere\.io/%s/clusterroles/(?P<name>[^/]+)$" % _VERSIONS), "clusterrole"),
    (re.compile(r"^/k?apis/iam\.kubesphere\.io/%s/(?:workspaces/[^/]+/)?workspaceroles/(?P<name>[^/]+)$"
                % _VERSIONS), "workspacerole"),
    (re.compile(r"^/k?apis/iam\.kubesphere\.io/%s/namespaces/[^/]+/roles/(?P<name>[^/]+)$" % _VERSIONS), "role"),
]


def object_of_path(path):
    """(kind, name, path of the object, as given but for a query or a /password) when a request path names one
    object the rule knows, else None."""
    given = path.partition("?")[0]
    bare = re.sub(r"^(/k?apis|/api)?/clusters/[^/]+", lambda m: m.group(1) or "", given)
    for pattern, kind in _OBJECT_PATHS:
        match = pattern.match(bare)
        if match:
            return kind, match.group("name"), given[:-len("/password")] if given.endswith("/password") else given
    return None


def login_user(params):
    """The user a task acts as: ks_username, else the username claim of ks_token (read, not verified:
    it only names who must not be locked out)."""
    if params.get("ks_username"):
        return params["ks_username"]
    token = params.get("ks_token") or ""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode("utf-8"))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    name = payload.get("username") if isinstance(payload, dict) else None
    return name if isinstance(name, str) and name else None
