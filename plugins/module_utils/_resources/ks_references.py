# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Do the objects a resource refers to exist? Asked before any write.

KubeSphere itself accepts many dangling references (a project labelled with a
workspace that does not exist, a member who is not a user), so a resource
checks them first, through this small interface:

    refs.user_exists(name) -> bool
    refs.workspace_exists(name) -> bool
    refs.role_exists(scope, name, workspace=None, namespace=None, cluster=None) -> bool
        scope: "global" (GlobalRole), "workspace" (WorkspaceRole of workspace),
        "project" (Role in namespace, on cluster; None means the host), or
        "cluster" (ClusterRole, on cluster).
    refs.project_exists(name, cluster=None) -> bool
    refs.clusters() -> the names of the clusters KubeSphere manages, or None when they may not be listed
    refs.workspace_placement(name) -> the clusters a workspace is placed on, or None (on every cluster,
        or unknown)

ServerReferences answers each question with one GET, memoised for the run. A
bulk run may pass its own object with the same three methods, answering from
lists it has already read and counting objects declared earlier in the same
run as existing. A lookup the caller may not make (403) answers True: the
server will judge the write itself, and a wrong "does not exist" would block
a valid change.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CLUSTERS,
    KAPIS_IAM,
    KAPIS_TENANT,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES, scope_collection

HOST = "host"


class ServerReferences(object):
    """The References interface backed by one GET per question (memoised)."""

    def __init__(self, client):
        self._client = client
        self._known = {}

    @property
    def client(self):
        if callable(self._client):     # resolved lazily, like Resource.client
            self._client = self._client()
        return self._client

    def user_exists(self, name):
        return self._memo(("user", name), lambda: self._user(name))

    def workspace_exists(self, name):
        return self._workspace(name) is not None

    def workspace_placement(self, name):
        found = self._workspace(name)
        return placement_of(found) if isinstance(found, dict) else None

    def _workspace(self, name):
        return self._memo(("workspace", name), lambda: self._found("%s/workspacetemplates/%s" % (KAPIS_TENANT, name)))

    def project_exists(self, name, cluster=None):
        return self._memo(("project", name, cluster),
                          lambda: self._found("/api/v1/namespaces/%s" % name, cluster=_member(cluster)) is not None)

    def clusters(self):
        def listed():
            try:
                return sorted((c.get("metadata") or {}).get("name") for c in self.client.list_all(CLUSTERS))
            except KubeSphereError as err:
                if err.status in (401, 403, 404):
                    return None
                raise
        return self._memo(("clusters",), listed)

    def role_exists(self, scope, name, workspace=None, namespace=None, cluster=None):
        if scope not in SCOPES:
            raise ValueError("role scope must be one of %s, not %r" % (", ".join(SCOPES), scope))
        key = ("role", scope, name, workspace, namespace, cluster)
        return self._memo(key, lambda: self._role(scope, name, workspace, namespace, cluster))

    # One GET each ---------------------------------------------------------------------
    def _memo(self, key, lookup):
        if key not in self._known:
            self._known[key] = lookup()
        return self._known[key]

    def _found(self, path, cluster=None):
        """The object, None when missing, True when we may not look (403)."""
        try:
            return self.client.get(path, cluster=cluster, missing_ok=True)
        except KubeSphereError as err:
            if err.status == 403:
                return True
            raise

    def _user(self, name):
        found = self._found("%s/users/%s" % (KAPIS_IAM, name))
        if found is not True:
            return found is not None
        # A platform-regular user may not GET another user, but may list them (recordings).
        try:
            listed = self.client.get("%s/users" % KAPIS_IAM, query={"names": name})
        except KubeSphereError as err:
            if err.status == 403:
                return True
            raise
        return any((i.get("metadata") or {}).get("name") == name for i in (listed or {}).get("items") or [])

    def _role(self, scope, name, workspace, namespace, cluster):
        if scope == "cluster":
            path = "%s/%s" % (scope_collection(scope, SCOPES[scope].plural), name)
        else:
            path = "%s/%s" % (SCOPES[scope].kapis_collection(workspace=workspace, project=namespace), name)
        # WorkspaceRoles live on the host only.
        found = self._found(path, cluster=None if scope == "workspace" else cluster)
        if scope == "workspace" and isinstance(found, dict):
            # A WorkspaceRole without its workspace label cannot be bound (recordings: 404 on members POST).
            return workspace_of(found) == workspace
        return found is not None


def placement_of(template):
    """The clusters a workspace template is placed on, or None when a cluster selector places it on every one."""
    placement = (template.get("spec") or {}).get("placement") or {}
    if "clusters" not in placement and "clusterSelector" in placement:
        return None
    return [c.get("name") for c in placement.get("clusters") or [] if isinstance(c, dict)]


def _member(cluster):
    return None if cluster in (None, "", HOST) else cluster


def cluster_problem(refs, cluster, what="cluster"):
    """Why a cluster name is not one KubeSphere manages, or None (also when the clusters cannot be listed)."""
    if cluster in (None, "", HOST):
        return None
    known = refs.clusters()
    if known is None or cluster in known:
        return None
    return "%s: cluster %s does not exist (KubeSphere manages %s)" % (what, cluster, ", ".join(known) or "none")


class AssumedPresent(object):
    """References that count the given users, workspaces, projects and (custom) roles as existing, and ask refs
    about the rest.

    For a play that makes them in an earlier task: under --check those tasks create nothing, so the
    later task would otherwise predict a failure the real run never meets (the action plugins pass what
    earlier tasks planned here, beside what the task names itself).
    """

    def __init__(self, refs, users=(), workspaces=(), roles=(), projects=()):
        self._refs = refs
        self._users = set(users or ())
        self._workspaces = set(workspaces or ())
        self._roles = set(roles or ())
        self._projects = set(projects or ())

    def user_exists(self, name):
        return name in self._users or self._refs.user_exists(name)

    def workspace_exists(self, name):
        return name in self._workspaces or self._refs.workspace_exists(name)

    def role_exists(self, scope, name, workspace=None, namespace=None, cluster=None):
        return name in self._roles or self._refs.role_exists(scope, name, workspace=workspace, namespace=namespace,
                                                             cluster=cluster)

    def project_exists(self, name, cluster=None):
        return name in self._projects or self._refs.project_exists(name, cluster=cluster)

    def clusters(self):
        return self._refs.clusters()

    def workspace_placement(self, name):
        return None if name in self._workspaces else self._refs.workspace_placement(name)
