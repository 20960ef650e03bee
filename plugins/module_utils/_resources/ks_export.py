# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Today's tenancy as declared state: the items the tenant and extensions roles (and ks_tenancy) take.

Every item is built by the Resource of its kind (Resource.options: one definition of where an option
lives in an object), from lists read once each (users, their GlobalRoleBindings, workspace templates,
namespaces per cluster, members per workspace and project, InstallPlans, quotas and LimitRanges, App Store
repos), so applying the export changes nothing. Left out: what the server owns (uids, versions, timestamps,
status, controller-made roles and bindings, the creator annotation), passwords (KubeSphere never returns a
user's, and an existing user needs none; a repo's it shows, but a file must not hold it), KubeSphere's own
objects unless asked, and objects being deleted (with a warning).

A new kind joins by adding one ExportKind to KINDS: its result key, the option order of its module,
and a reader that returns (object, item) pairs.
"""

from __future__ import annotations

import copy

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    EXTENSIONS_API,
    GLOBAL_ROLE_BINDINGS,
    HOST_CLUSTER_LABEL,
    MANAGED_LABEL,
    MEMBERS_PATHS,
    MEMBER_ROLE_ANNOTATIONS,
    USER_REF_LABEL,
    WORKSPACE_LABEL,
    WORKSPACE_QUOTAS,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import AGGREGATION_ANNOTATION
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, converge
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_repo import AppRepoResource, workspace_repos
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import ClusterResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_extension import Extension
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import (
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    is_managed,
    managed_by_other,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import is_system
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import short_workspace_role
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import ProjectResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import DefaultLimits, ProjectQuota, WorkspaceQuota
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role import RoleResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES, scope_collection
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import (
    UserResource,
    apply_effective_role,
    cluster_ready,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource

# The tenant API has no list of workspace quotas (405); the CRD's own list has them all (platform-admin).
# Keys left out of an item when empty: their absence declares the same (nothing to manage).
OMITTED_WHEN_EMPTY = frozenset(["labels", "identities", "quota", "default_limits"])
# Labels KubeSphere or Kubernetes set themselves (and the modules manage): never declared.
SERVER_LABELS = frozenset([MANAGED_BY_LABEL, WORKSPACE_LABEL, MANAGED_LABEL, "kubernetes.io/metadata.name",
                           "kubesphere.io/protected-resource", "kubesphere.io/extension-ref",
                           # 3.x: the namespace controller's copy of the name, kubefed's mark on a workspace.
                           "kubesphere.io/namespace", "kubefed.io/managed"])


class ExportKind(object):
    """key: the result key (the roles' variable); keys: the item's options, in the order written;
    order: the sort key of an item (name, then cluster, unless said)."""

    def __init__(self, key, kind, keys, reader, order=None):
        self.key = key
        self.kind = kind
        self.keys = keys
        self.reader = reader
        self.order = order or _identity


def _identity(item):
    return (item.get("name"), item.get("cluster") or "")


SCOPE_ORDER = ("global", "cluster", "workspace", "project")


def _role_order(item):
    """Roles by scope, then where they live, then name."""
    return (SCOPE_ORDER.index(item["scope"]), item.get("workspace") or item.get("project") or "",
            item.get("cluster") or "", item["name"])


def _ordered(item, keys):
    out = {}
    for key in keys:
        value = item.get(key)
        if value is None or value == {} or (key in OMITTED_WHEN_EMPTY and not value):
            continue
        out[key] = dict(sorted(value.items())) if isinstance(value, dict) else value
    return out


def _declared_labels(labels):
    return dict((k, v) for k, v in (labels or {}).items() if k not in SERVER_LABELS)


def _options(resource, obj):
    """obj as the options of its Resource, network_isolation included only when it is on: omitted, the
    module leaves the annotation alone, and off (or missing) reads as false, so neither changes anything."""
    item = resource(None, {"network_isolation": True}).options(obj)
    if not item.get("network_isolation"):
        item.pop("network_isolation", None)
    return item


def _by_namespace(items):
    if items is None:
        return None
    out = {}
    for obj in items:
        out.setdefault((obj.get("metadata") or {}).get("namespace"), []).append(obj)
    return out


class Exporter(object):
    """Reads the platform once and builds the items; params: workspaces, label_selector, include_system."""

    def __init__(self, client, params, warn=None):
        self.client = client
        self.params = params
        self.warn = warn or (lambda msg: None)
        self.skipped = []             # {kind, name, reason}: what could not or should not be exported
        self.unassigned = []          # namespaces in no workspace: candidates for adopt
        self.objects = {}             # kind -> [(object, item)] once read
        self._cache = {}

    # Reading ---------------------------------------------------------------------------
    def _selector(self):
        return {"labelSelector": self.params["label_selector"]} if self.params.get("label_selector") else {}

    def _list(self, what, path, cluster=None, selector=True, name=None, instead=""):
        """Every item of a list, or None when the caller may not read it (the skip is recorded)."""
        query = self._selector() if selector else {}
        try:
            return self.client.list_all(path, cluster=cluster, query=query)
        except KubeSphereError as err:
            if err.status not in (401, 403):
                raise
            self.skip(what, name, "not allowed to list them (%s %s)%s" % (err.status, err.message or err.reason, instead))
            return None

    def _list_or_none(self, path, cluster=None, query=None):
        """A list that per-object reads can replace: None (and no warning) when the caller may not read it."""
        try:
            return self.client.list_all(path, cluster=cluster, query=query or {})
        except KubeSphereError as err:
            if err.status not in (401, 403):
                raise
            return None

    def _read_or_skip(self, what, name, reader):
        """reader(), or None with the skip recorded when the caller may not read it."""
        try:
            return reader()
        except KubeSphereError as err:
            if err.status not in (401, 403):
                raise
            self.skip(what, name, "not allowed to read it (%s %s)" % (err.status, err.message or err.reason))
            return None

    def skip(self, kind, name, reason):
        self.skipped.append(dict(kind=kind, name=name, reason=reason))

    def wanted(self, kind, obj, workspace=None):
        """Whether obj goes into the export: not being deleted, not KubeSphere's own, inside the filter."""
        metadata = obj.get("metadata") or {}
        name = metadata.get("name")
        if metadata.get("deletionTimestamp"):
            self.skip(kind, name, "being deleted")
            return False
        if not self.params.get("include_system") and is_system(kind, name, obj):
            return False
        filtered = self.params.get("workspaces")
        return not (filtered and workspace is not None and workspace not in filtered)

    def cached(self, key, reader):
        if key not in self._cache:
            self._cache[key] = reader()
        return self._cache[key]

    def clusters(self):
        """[(name, ready)] for the clusters to read projects from; host first."""
        def read():
            found = self._list("cluster", ClusterResource.collection, selector=False)
            if found is None:   # not allowed to list clusters: those the visible workspaces are placed on
                names = set(["host"])
                for obj, item in self.workspaces():
                    names.update(item.get("clusters") or [])
                return [(name, None) for name in sorted(names, key=lambda n: (n != "host", n))]
            out = []
            for cluster in found:
                metadata = cluster.get("metadata") or {}
                host = HOST_CLUSTER_LABEL in (metadata.get("labels") or {})
                out.append((not host, metadata.get("name"), cluster_ready(cluster)))
            return [(name, ready) for _host, name, ready in sorted(out)]
        return self.cached("clusters", read)

    def workspaces(self):
        return self.cached("workspaces", self._read_workspaces)

    def _read_workspaces(self):
        out = []
        for obj in self._list("workspace", WorkspaceResource.collection) or []:
            name = obj["metadata"]["name"]
            if not self.wanted("workspace", obj, workspace=name):
                continue
            item = _options(WorkspaceResource, obj)
            item["name"] = name
            item["labels"] = _declared_labels(item.get("labels"))
            item["quota"] = self._workspace_quota(name)
            members = self.members("workspace", name, MEMBERS_PATHS["workspace"] % name,
                                   MEMBER_ROLE_ANNOTATIONS["workspace"])
            if members is not None:
                item["members"] = [dict(user=user, role=short_workspace_role(name, role)) for user, role in members]
            out.append((obj, item))
        for name in sorted(set(self.params.get("workspaces") or []) - set(i["name"] for o, i in out)):
            self.skip("workspace", name, "not found, or not visible to this user")
        return out

    def _workspace_quota(self, name):
        """The workspace quota's hard limits as stored: from one list of them all when the caller may make
        it, else one GET per workspace (any user may read a workspace's quota)."""
        quota = WorkspaceQuota(self.client, name)
        quotas = self.cached("workspace quotas", lambda: self._list_or_none(WORKSPACE_QUOTAS))
        if quotas is None:
            return quota.hard(self._read_or_skip("workspace quota", name, quota.read))
        # The tenant API serves a quota only through the workspace its label names.
        return quota.hard(next((q for q in quotas if q["metadata"]["name"] == name
                                and workspace_of(q) == name), None))

    def _in_project(self, plural, project, cluster):
        """The project's objects of a core plural (resourcequotas, limitranges): from one list per cluster
        when the caller may make it, else one list in the project."""
        lists = self.cached((plural, cluster), lambda: _by_namespace(
            self._list_or_none("/api/v1/%s" % plural, cluster=cluster)))
        if lists is not None:
            return lists.get(project, [])
        what = "project quota" if plural == "resourcequotas" else "project default_limits"
        found = self._read_or_skip(what, "%s on %s" % (project, cluster), lambda: self.client.list_all(
            "/api/v1/namespaces/%s/%s" % (project, plural), cluster=cluster))
        return found or []

    def projects(self):
        return self.cached("projects", self._read_projects)

    def _read_projects(self):
        out = []
        for cluster, ready in self.clusters():
            if ready is False:
                self.skip("cluster", cluster, "not ready: its projects are not exported")
                continue
            try:
                namespaces = self._list("project", ProjectResource.collection, cluster=cluster)
            except KubeSphereError as err:
                if err.status not in (500, 503) or "not ready" not in (err.message or ""):
                    raise
                self.skip("cluster", cluster, "not ready: its projects are not exported (%s)" % err.message)
                continue
            for obj in namespaces or []:
                item = self._project(obj, cluster)
                if item is not None:
                    out.append((obj, item))
        return out

    def _project(self, obj, cluster):
        name = obj["metadata"]["name"]
        workspace = workspace_of(obj)
        if not workspace:
            if not is_system("project", name, obj) and not obj["metadata"].get("deletionTimestamp"):
                self.unassigned.append(dict(name=name, cluster=cluster))
            return None
        if not self.wanted("project", obj, workspace=workspace):
            return None
        item = _options(ProjectResource, obj)
        item.update(name=name, cluster=cluster, labels=_declared_labels(item.get("labels")))
        # Where ks_project keeps them: the ResourceQuota named after the project, the console's LimitRange.
        quota = [q for q in self._in_project("resourcequotas", name, cluster) if q["metadata"]["name"] == name]
        item["quota"] = ProjectQuota(None, name).hard(quota[0] if quota else None)
        item["default_limits"] = DefaultLimits.declared(DefaultLimits.pick(
            self._in_project("limitranges", name, cluster), name))
        members = self.members("project", name, MEMBERS_PATHS["project"] % name, MEMBER_ROLE_ANNOTATIONS["project"],
                               cluster=cluster)
        if members is not None:
            item["members"] = [dict(user=user, role=role) for user, role in members]
        return item

    def members(self, kind, name, path, annotation, cluster=None):
        """[(user, role)] sorted by user, or None when they may not be read."""
        found = self._list("%s members" % kind, path, cluster=cluster, selector=False,
                           name=name if cluster is None else "%s on %s" % (name, cluster))
        if found is None:
            return None
        roles = {}
        for member in found:
            metadata = member.get("metadata") or {}
            roles[metadata.get("name")] = (metadata.get("annotations") or {}).get(annotation)
        return sorted(roles.items())

    def users(self):
        return self.cached("users", self._read_users)

    def _read_users(self):
        found = self._list("user", UserResource.collection)
        if found is None:
            return []
        bindings = {}
        for binding in self._list("GlobalRoleBinding", GLOBAL_ROLE_BINDINGS, selector=False,
                                  instead="; global_role is each user's annotation instead") or []:
            user = ((binding.get("metadata") or {}).get("labels") or {}).get(USER_REF_LABEL)
            if user:
                bindings.setdefault(user, []).append(binding)
        members = self._member_users() if self.params.get("workspaces") else None
        out = []
        for obj in found:
            name = obj["metadata"]["name"]
            if (members is not None and name not in members) or not self.wanted("user", obj):
                continue
            if bindings:   # the bindings, not the annotation that can lag, say the role
                obj = copy.deepcopy(obj)
                apply_effective_role(obj, bindings.get(name, []))
            item = UserResource(None, {}).options(obj)
            item["name"] = name
            out.append((obj, item))
        return out

    def _member_users(self):
        users = set()
        for _obj, item in self.workspaces() + self.projects():
            users.update(m["user"] for m in item.get("members") or [])
            if item.get("manager"):
                users.add(item["manager"])
        return users

    def roles(self):
        """Custom roles (never KubeSphere's own, ks_protected.is_system): global and cluster roles unless the
        export is filtered by workspace, the exported workspaces' roles, and the exported projects' roles."""
        out = []
        if not self.params.get("workspaces"):
            out += self._roles("global", scope_collection("global", SCOPES["global"].plural))
            for cluster, ready in self.clusters():
                if ready is not False:
                    out += self._roles("cluster", scope_collection("cluster", SCOPES["cluster"].plural), cluster)
        workspaces = set(item["name"] for _obj, item in self.workspaces())
        for obj, item in self._roles("workspace", scope_collection("workspace", SCOPES["workspace"].plural)):
            workspace = workspace_of(obj)
            if workspace in workspaces:
                out.append((obj, dict(item, workspace=workspace)))
            elif not workspace:
                self.skip("workspacerole", item["name"], "it has no %s label, so it cannot be bound" % WORKSPACE_LABEL)
        projects = {}
        for _obj, item in self.projects():
            projects.setdefault(item["cluster"], set()).add(item["name"])
        for cluster in sorted(projects):
            for obj, item in self._project_roles(cluster, projects[cluster]):
                out.append((obj, dict(item, project=obj["metadata"].get("namespace"), cluster=cluster)))
        return out

    def _project_roles(self, cluster, names):
        """The roles in these projects: one list per cluster when the caller may make it, else one per project."""
        found = self._list_or_none(scope_collection("global", SCOPES["project"].plural), cluster=cluster,
                                   query=self._selector())      # every namespace's Roles
        if found is not None:
            return self._role_items("project", [r for r in found if r["metadata"].get("namespace") in names], cluster)
        out = []
        for name in sorted(names):
            out += self._roles("project", scope_collection("project", SCOPES["project"].plural, name), cluster,
                               label="%s on %s" % (name, cluster))
        return out

    def _roles(self, scope, path, cluster=None, label=None):
        found = self._list("%s role" % scope, path, cluster=cluster,
                           name=label or (None if cluster is None else "on %s" % cluster))
        return self._role_items(scope, found or [], cluster)

    def _role_items(self, scope, found, cluster=None):
        kind = SCOPES[scope].kind.lower()
        lacking = self.client.api.lacks("role_templates")
        out = []
        for obj in found:
            name = obj["metadata"]["name"]
            # Never KubeSphere's own roles, not even with include_system: its controllers own them.
            if is_system(kind, name, obj) or not self.wanted(kind, obj):
                continue
            if lacking:
                # 3.x: a role KubeSphere made names its templates in an annotation (Kubernetes' and the
                # installer's own roles do not); ks_role cannot write it there, so it is named, not exported.
                if AGGREGATION_ANNOTATION in ((obj.get("metadata") or {}).get("annotations") or {}):
                    where = obj["metadata"].get("namespace") or (obj["metadata"].get("labels") or {}).get(
                        WORKSPACE_LABEL)
                    self.skip(kind, name + (" in %s" % where if where else "") + (" on %s" % cluster if cluster else ""),
                              "%s: custom roles are not exported (kubesphere.core.ks_role could not apply them)"
                              % lacking)
                continue
            item = RoleResource(None, {"scope": scope}).options(obj)
            item.update(name=name, scope=scope)
            item.setdefault("templates", [])
            if not item["templates"] and obj.get("rules"):
                self.warn("%s %s: its rules do not come from role templates, and the export carries only template "
                          "names; applied elsewhere it would be made without them" % (kind, name))
            if scope == "cluster":
                item["cluster"] = cluster
            out.append((obj, item))
        return out

    def extensions(self):
        if self.params.get("workspaces"):
            return []       # platform-wide: not part of a team's export
        lacking = self.client.api.lacks("extensions")
        if lacking:         # 3.x: nothing to read (404), and so nothing to export
            self.skip("extension", None, "%s: none exported" % lacking)
            return []
        out = []
        for obj in self._list("extension", "%s/installplans" % EXTENSIONS_API) or []:
            name = obj["metadata"]["name"]
            if not self.wanted("extension", obj):
                continue
            item = Extension(None, {"name": name}).options(obj)
            item["name"] = name
            out.append((obj, item))
        return out

    def app_repos(self):
        """The exported workspaces' App Store repos, from one list of every repo when the caller may make it,
        else one list per workspace (which also shows system-workspace's: told apart by the label). Passwords
        never: KubeSphere shows them, but the export is a file; applied as is, the stored one is kept. Only
        when there are workspaces to export: no request otherwise."""
        lacking = self.client.api.lacks("app_store")
        if lacking:         # 3.x: another App Store, which kubesphere.core does not manage
            self.skip("app_repo", None, "%s: none exported" % lacking)
            return []
        workspaces = [item["name"] for _obj, item in self.workspaces()]
        if not workspaces:
            return []
        # Not by label_selector: a repo keeps no label but its workspace's, so it goes with its workspace.
        found = self._list_or_none(AppRepoResource.collection)
        if found is None:
            found = []
            for name in workspaces:
                found += self._list("app_repo", workspace_repos(name), name=name) or []
        out = []
        for obj in found:
            name, workspace = obj["metadata"]["name"], workspace_of(obj)
            if workspace not in workspaces or not self.wanted("app_repo", obj, workspace=workspace):
                continue
            item = AppRepoResource(None, {"name": name, "workspace": workspace}).options(obj)
            item.update(name=name, workspace=workspace)
            if item.get("username"):
                self.warn("app repo %s: its password is not exported (the export is a file); applied here the stored "
                          "one is kept, elsewhere give it as password in the item" % name)
            out.append((obj, item))
        return out

    # The whole export ------------------------------------------------------------------
    def prune_scope(self):
        """The filter as the ks_tenancy prune_scope that keeps a prune of this export inside it, or None."""
        scope = dict((key, self.params[key]) for key in ("workspaces", "label_selector") if self.params.get(key))
        return scope or None

    def run(self):
        result = {}
        for kind in KINDS:
            pairs = sorted(kind.reader(self), key=lambda pair, kind=kind: kind.order(pair[1]))
            self.objects[kind.kind] = pairs
            result[kind.key] = [_ordered(item, kind.keys) for _obj, item in pairs]
        if self.prune_scope():
            result["ks_prune_scope"] = self.prune_scope()
        deleting = ["%s %s" % (s["kind"], s["name"]) for s in self.skipped if s["reason"] == "being deleted"]
        if deleting:
            self.warn("Left out, being deleted: %s" % ", ".join(deleting))
        for entry in self.skipped:
            if entry["reason"] != "being deleted":
                self.warn("Not exported: %s%s: %s" % (entry["kind"], (" " + entry["name"]) if entry["name"] else "",
                                                      entry["reason"]))
        return result

    # Adoption --------------------------------------------------------------------------
    def mark_managed(self, check_mode):
        """Give every exported user, workspace and project the management label (through its
        Resource's own update); return the names marked (or, in check mode, to be marked). What the caller
        may not label (a user who is no platform administrator) is left, with a warning, in self.not_marked."""
        marked = []
        self.not_marked = []
        labels = {MANAGED_BY_LABEL: MANAGED_BY_VALUE}
        for kind, resource in (("user", UserResource), ("workspace", WorkspaceResource), ("project", ProjectResource),
                               ("role", RoleResource)):
            for obj, item in self.objects.get(kind, []):
                label = "%s %s" % (kind, item["name"]) + (" on %s" % item["cluster"] if item.get("cluster") else "")
                if kind == "role":
                    label = "%s %s" % (SCOPES[item["scope"]].kind.lower(), item["name"]) + (
                        " in %s" % item["project"] if item.get("project") else "") + (
                        " on %s" % item["cluster"] if item.get("cluster") else "")
                if is_managed(obj):
                    continue
                other = managed_by_other(obj)
                if other:
                    self.warn("%s is managed by %s (label %s): not marked" % (label, other, MANAGED_BY_LABEL))
                    continue
                params = dict(name=item["name"], labels=labels)
                if kind == "project":
                    params.update(workspace=item["workspace"], cluster=item["cluster"])
                if kind == "role":
                    params.update((k, item[k]) for k in ("scope", "workspace", "project", "cluster") if item.get(k))
                res = resource(self.client, params, check_mode=check_mode, warn=self.warn)
                # The modules refuse and hide the label in a task's labels; adoption is the one place that sets
                # it on an existing object, so it converges a plain labels field (names came from the server).
                res.fields = dict(res.fields, labels=Field(("metadata", "labels"), kind="map"))
                res.validate = lambda state: None
                try:
                    if converge(res, "present").changed:
                        marked.append(label)
                except KubeSphereError as err:
                    if not err.forbidden:
                        raise
                    self.not_marked.append(label)
                    self.warn("%s: not marked as managed, not allowed to label it (%s %s)"
                              % (label, err.status, err.message or err.reason))
        return marked


KINDS = [
    ExportKind("ks_users", "user",
               ("name", "email", "display_name", "description", "lang", "global_role", "enabled", "identities"),
               Exporter.users),
    ExportKind("ks_workspaces", "workspace",
               ("name", "manager", "alias_name", "description", "clusters", "labels", "quota", "network_isolation",
                "members"),
               Exporter.workspaces),
    ExportKind("ks_projects", "project",
               ("name", "workspace", "cluster", "alias_name", "description", "labels", "quota", "default_limits",
                "network_isolation", "members"),
               Exporter.projects),
    ExportKind("ks_roles", "role",
               ("name", "scope", "workspace", "project", "cluster", "templates", "alias_name", "description"),
               Exporter.roles, order=_role_order),
    ExportKind("ks_app_repos", "app_repo",
               ("name", "workspace", "url", "username", "alias_name", "description", "sync_period"),
               Exporter.app_repos),
    ExportKind("ks_extensions", "extension",
               ("name", "version", "enabled", "upgrade_strategy", "config", "clusters", "cluster_overrides"),
               Exporter.extensions),
]
