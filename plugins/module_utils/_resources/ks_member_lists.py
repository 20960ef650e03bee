# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Workspace and project member lists for a bulk run, from one list of all their role bindings.

On 4.x the members APIs are built from the role bindings themselves (pkg/kapis/iam/v1beta1:
ListWorkspaceMembers takes the WorkspaceRoleBindings labelled with the workspace, ListNamespaceMembers
the RoleBindings in the namespace; each binding gives its first User subject and its roleRef). A run
that declares many workspaces or projects with members reads those bindings once (by list, paged)
instead of one member list per object, and hands each object its members ({user: role}, what
Members.read gives). Below MEMBER_LISTS_FROM objects the per-object reads are cheaper; a caller who
may not list the bindings (403) gets the per-object reads too.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    APIS_IAM,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError

MEMBER_LISTS_FROM = 10

# scope: (the bindings listed, the workspace or project a binding belongs to)
SCOPES = {
    "workspace": (APIS_IAM + "/workspacerolebindings", workspace_of),
    "project": (APIS_IAM + "/rolebindings", lambda b: (b.get("metadata") or {}).get("namespace")),
}


def worth_listing(client, items, existing):
    """Whether one list of every binding is cheaper than these items' own member reads (only an existing
    object's members are read: a new one has none yet)."""
    managed = [i for i in items if i.params["name"] in existing
               and (i.params.get("members") is not None or i.params.get("purge_members"))]
    return len(managed) >= MEMBER_LISTS_FROM and client.api.lacks("member_bindings") is None


def member_roles(client, scope, cluster=None):
    """{parent name: {user: role}} from one list of the scope's role bindings on cluster, or None when they
    may not be listed."""
    path, parent_of = SCOPES[scope]
    try:
        bindings = client.list_all(path, cluster=cluster)
    except KubeSphereError as err:
        if err.status == 403:
            return None
        raise
    members = {}
    for binding in bindings:
        if (binding.get("metadata") or {}).get("deletionTimestamp"):
            continue
        user = next((s.get("name") for s in binding.get("subjects") or [] if s.get("kind") == "User"), None)
        if user:
            members.setdefault(parent_of(binding), {}).setdefault(user, (binding.get("roleRef") or {}).get("name"))
    return members
