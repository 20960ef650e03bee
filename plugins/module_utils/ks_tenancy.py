# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The kinds ks_tenancy converges, in the order they are written (removals run in reverse).

Each row names the Resource that already serves the kind's module, the module's own option
spec, what an item refers to, and how to read the whole collection once and answer the
Resource's per-object reads from it. A new kind (custom roles, quotas, identity links) is a
new row here: a Kind with its Resource, its options and its list reader.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils.ks_bulk import Kind
from ansible_collections.kubesphere.core.plugins.module_utils.ks_project import (
    PROJECT_OPTIONS,
    TENANT,
    WORKSPACE_LABEL,
    ProjectResource,
)
from ansible_collections.kubesphere.core.plugins.module_utils.ks_snapshot import (
    MISSING,
    NOT_COVERED,
    by_name_rule,
    cluster_key,
    not_found,
)
from ansible_collections.kubesphere.core.plugins.module_utils.ks_user import (
    GLOBAL_ROLE_BINDINGS,
    RAW_USERS,
    USER_OPTIONS,
    USER_REF_LABEL,
    USERS,
    UserResource,
)
from ansible_collections.kubesphere.core.plugins.module_utils.ks_workspace import (
    TEMPLATES,
    WORKSPACE_OPTIONS,
    WorkspaceResource,
)

NAMESPACES = "/api/v1/namespaces"


def _by_name(items):
    return dict((o["metadata"]["name"], o) for o in items if (o.get("metadata") or {}).get("name"))


def _member_refs(params):
    return [("user", (None, m["user"])) for m in params.get("members") or []]


# Users ---------------------------------------------------------------------------------------
def _load_users(client, snapshot, run):
    present = run.of("users", "present")
    users = _by_name(client.list_all(USERS))
    snapshot.add_rule(by_name_rule(USERS, users))
    if any(i.params.get("password") is not None and i.params.get("update_password") == "always" for i in present):
        # Only /apis shows the stored hash the password is compared with.
        snapshot.add_rule(by_name_rule(RAW_USERS, _by_name(client.list_all(RAW_USERS))))
    if any(i.params.get("global_role") is not None for i in present):
        snapshot.add_rule(_bindings_rule(client.list_all(GLOBAL_ROLE_BINDINGS)))
    return dict(((None, name), obj) for name, obj in users.items())


def _bindings_rule(bindings):
    """The per-user GlobalRoleBinding list (labelSelector user-ref=NAME), from one list of them all."""
    prefix = USER_REF_LABEL + "="

    def rule(cluster, path, query):
        selector = query.get("labelSelector") or ""
        if cluster is not None or path != GLOBAL_ROLE_BINDINGS or set(query) != {"labelSelector"} \
                or not selector.startswith(prefix) or "," in selector:
            return NOT_COVERED
        user = selector[len(prefix):]
        return [b for b in bindings if ((b.get("metadata") or {}).get("labels") or {}).get(USER_REF_LABEL) == user]
    return rule


# Workspaces ----------------------------------------------------------------------------------
def _load_workspaces(client, snapshot, run):
    templates = _by_name(client.list_all(TEMPLATES))
    snapshot.add_rule(by_name_rule(TEMPLATES, templates))
    return dict(((None, name), obj) for name, obj in templates.items())


def _workspace_refs(params):
    refs = [("user", (None, params["manager"]))] if params.get("manager") else []
    return refs + _member_refs(params)


# Projects ------------------------------------------------------------------------------------
def _project_clusters(run):
    """The clusters whose namespaces are read: those of the declared projects and, to prune, every
    cluster a declared workspace is placed on, and the host."""
    clusters = set(cluster_key(i.params.get("cluster")) for i in run.of("projects"))
    if "projects" in run.prune:
        clusters.add(None)
        for item in run.of("workspaces", "present"):
            clusters.update(cluster_key(c) for c in item.params.get("clusters") or [])
    return sorted(clusters, key=lambda c: c or "")


def _load_projects(client, snapshot, run):
    found = {}
    for cluster in _project_clusters(run):
        namespaces = _by_name(client.list_all(TENANT + "/namespaces", cluster=cluster))
        snapshot.add_rule(_in_workspace_rule(cluster, namespaces))
        snapshot.add_rule(by_name_rule(NAMESPACES, namespaces, cluster=cluster))
        found.update(((cluster, name), obj) for name, obj in namespaces.items())
    return found


def _in_workspace_rule(wanted_cluster, namespaces):
    """GET .../workspaces/{ws}/namespaces/{name}, answered as KubeSphere does: the namespace when it
    carries that workspace's label, else 404 'namespace "name" not found' (it is in another one)."""
    prefix = TENANT + "/workspaces/"

    def rule(cluster, path, query):
        if cluster != wanted_cluster or query or not path.startswith(prefix):
            return NOT_COVERED
        parts = path[len(prefix):].split("/")
        if len(parts) != 3 or parts[1] != "namespaces":
            return NOT_COVERED
        workspace, name = parts[0], parts[2]
        namespace = namespaces.get(name)
        if namespace is None:
            return MISSING
        if ((namespace.get("metadata") or {}).get("labels") or {}).get(WORKSPACE_LABEL) != workspace:
            return not_found(path, 'namespace "%s" not found' % name)
        return namespace
    return rule


def _project_refs(params):
    refs = [("workspace", (None, params["workspace"]))] if params.get("workspace") else []
    return refs + _member_refs(params)


def _prune_project(key, obj):
    params = dict(name=key[1], cluster=key[0] or "host", state="absent")
    workspace = ((obj.get("metadata") or {}).get("labels") or {}).get(WORKSPACE_LABEL)
    if workspace:
        params["workspace"] = workspace
    return params


KINDS = (
    Kind("users", "user", UserResource, USER_OPTIONS, load=_load_users),
    Kind("workspaces", "workspace", WorkspaceResource, WORKSPACE_OPTIONS, load=_load_workspaces,
         refs=_workspace_refs),
    Kind("projects", "project", ProjectResource, PROJECT_OPTIONS, load=_load_projects,
         key=lambda p: (cluster_key(p.get("cluster")), p["name"]), refs=_project_refs,
         prune_params=_prune_project),
)
