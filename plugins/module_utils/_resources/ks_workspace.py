# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A KubeSphere workspace (tenant.kubesphere.io/v1beta1 WorkspaceTemplate) as a
converge resource. What the real server imposes (API reference section 3):

* create answers 400, not 409, when the workspace exists, so it is read first;
* the kapis PATCH takes JSON Patch only, and under /spec/placement only add and
  remove, so placement changes are one op per cluster (a remove names its
  cluster in "value", or the server answers 500 "missing value");
* DELETE needs a JSON body ({} or DeleteOptions with a propagationPolicy, which
  KubeSphere copies to the kubesphere.io/deletion-propagation annotation: with
  Background the projects go too, otherwise they are kept and unbound);
* a missing workspace on DELETE is a 400 "failed to get workspace template";
* changing the manager rebinds nothing in v4, so the new manager is made a
  workspace admin through the members API;
* deletion waits until every placed member cluster is Ready.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    ALIAS,
    CREATOR,
    DESCRIPTION,
    TEMPLATES,
    WORKSPACE_LABEL,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, json_patch
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_waiter import wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_isolation import IsolationField
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import WorkspaceQuota, quota_error
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import MANAGED_BY_LABEL, mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import Members, members_error
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import (
    members_options,
    protection_options,
    state_option,
    wait_options,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import write_protection
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import cluster_problem, placement_of
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import INITIALISED_FINALIZERS
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)

INITIALISED = INITIALISED_FINALIZERS["workspace"]

# The options of one workspace: ks_workspace's argument spec and the items of ks_tenancy's workspaces.
WORKSPACE_OPTIONS = dict(
    name=dict(type="str", required=True),
    state=state_option(),
    manager=dict(type="str"),
    alias_name=dict(type="str"),
    description=dict(type="str"),
    clusters=dict(type="list", elements="str"),
    labels=dict(type="dict"),
    delete_projects=dict(type="bool", default=False),
    quota=dict(type="dict"),
    purge_quota=dict(type="bool", default=False),
    network_isolation=dict(type="bool"),
    **dict(members_options(), **wait_options(300), **protection_options())
)


def _cluster_refs(names):
    return [dict(name=n) for n in sorted(names)]


def _initialised(obj):
    """The controller's finalizer is there: it has taken the workspace up (on 4.x after making its roles,
    on 3.x before; the member writes wait for the roles themselves, ks_members.py)."""
    return any(name in INITIALISED for name in (((obj or {}).get("metadata") or {}).get("finalizers") or []))


def _cluster_names(refs):
    return [r.get("name") for r in refs or [] if isinstance(r, dict)]


class WorkspaceResource(KubeSphereResource):
    kind = "workspace"
    result_key = "workspace"
    collection = TEMPLATES
    fields = dict(
        manager=Field(("spec", "template", "spec", "manager")),
        alias_name=Field(("metadata", "annotations", ALIAS)),
        description=Field(("metadata", "annotations", DESCRIPTION)),
        clusters=Field(("spec", "placement", "clusters"), kind="set", to_api=_cluster_refs, from_api=_cluster_names),
        labels=Field(("metadata", "labels"), kind="map", hidden_keys=(MANAGED_BY_LABEL,)),
    )
    # Managed (and shown in diffs) only when given. On the template's spec.template: every placed
    # cluster's Workspace is built from it, and the console reads the annotation on those Workspaces
    # (it propagated within 1.5 s in isolation-and-labels.json).
    optional_fields = dict(network_isolation=IsolationField(("spec", "template", "metadata", "annotations")))

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self.fields = dict(self.fields, **dict((k, f) for k, f in self.optional_fields.items()
                                               if params.get(k) is not None))
        self._current = None
        self._created = False
        self._member_list = None   # {user: role} read before any write, when members are managed
        self._listed_members = None  # {user: role} as a bulk run listed them

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        problems = [dns1123_label_error(p.get("name"), "name")]
        if p.get("manager") is not None:
            problems.append(dns1123_subdomain_error(p["manager"], "manager"))
        for index, cluster in enumerate(p.get("clusters") or []):
            problems.append(dns1123_label_error(cluster, "clusters[%d]" % index))
        for key in (p.get("labels") or {}):
            if key == MANAGED_BY_LABEL:
                problems.append("labels must not set %s: the collection sets it on what it creates" % key)
            problems.append(dns1123_subdomain_error(key.split("/")[-1], "label key %r" % key))
        problems.append(members_error(p.get("members")))
        problems.append(quota_error(p.get("quota")))
        return first_error(*problems)

    # Reads ----------------------------------------------------------------------------
    def _path(self):
        return "%s/%s" % (self.collection, self.params["name"])

    def read(self):
        self._current = self.client.get(self._path(), missing_ok=True)
        return self._current

    def read_listed(self, listed):
        """From a bulk run's lists: the template, and its members when they were listed (fact members)."""
        if not listed.covered:
            return self.read()
        self._current, self._listed_members = listed.obj, listed.facts.get("members")
        return self._current

    def protection(self, current):
        return write_protection("workspace", self.params["name"], current)

    # Writes ---------------------------------------------------------------------------
    def new_object(self):
        manager = self.params.get("manager") or self.params.get("ks_username")
        body = {"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
                "metadata": {"name": self.params["name"]},
                "spec": {"template": {"spec": {}}, "placement": {"clusters": [{"name": "host"}]}}}
        if manager:
            body["spec"]["template"]["spec"]["manager"] = manager
        if self.params.get("ks_username"):
            body["metadata"]["annotations"] = {CREATOR: self.params["ks_username"]}
        return mark_managed(body)

    def create(self, body):
        self._created = True
        return self.client.post(TEMPLATES, body)

    def update(self, current, body, changed):
        plain = [opt for opt in changed if opt != "clusters"]
        ops = json_patch(self, plain, current, body) if plain else []
        if "clusters" in changed:
            ops += self._placement_ops(current)
        return self.client.patch(self._path(), ops, content_type="application/json-patch+json")

    def _placement_ops(self, current):
        """add/remove ops only: KubeSphere refuses replace under /spec/placement."""
        placement = (current.get("spec") or {}).get("placement") or {}
        have = _cluster_names(placement.get("clusters"))
        want = self.params["clusters"]
        if "clusters" not in placement:
            return [{"op": "add", "path": "/spec/placement", "value": {"clusters": _cluster_refs(want)}}]
        # KubeSphere removes a placed cluster by the name given as the op's value (without one: 500).
        ops = [{"op": "remove", "path": "/spec/placement/clusters/%d" % i, "value": {"name": have[i]}}
               for i in sorted((i for i, n in enumerate(have) if n not in want), reverse=True)]
        ops += [{"op": "add", "path": "/spec/placement/clusters/-", "value": {"name": n}}
                for n in sorted(set(want) - set(have))]
        return ops

    def delete(self, current):
        body = {}
        if self.params.get("delete_projects"):
            body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
        try:
            self.client.delete(self._path(), body=body, missing_ok=True)
        except KubeSphereError as err:
            # Gone meanwhile: the kapis reports a missing workspace as 400 "failed to get workspace template".
            if not (err.status == 400 and "failed to get workspace template" in (err.message or "")):
                raise

    # Waits ----------------------------------------------------------------------------
    def wait_ready(self, obj):
        """Ready once the controller has initialised it (roles, manager binding, finalizer)."""
        def initialised():
            found = self.client.get(self._path(), missing_ok=True)
            return found if found and _initialised(found) else None
        return wait_for(initialised, self.wait_timeout(), "workspace %s to be initialised" % self.identity())

    def describe_deleting(self):
        placed = _cluster_names(((self._current or {}).get("spec") or {}).get("placement", {}).get("clusters"))
        return ("it is still being deleted; KubeSphere keeps a workspace until every cluster it is placed on "
                "(%s) is Ready, so a member cluster that is not Ready is the likely cause"
                % (", ".join(placed) or "none listed"))

    # References -----------------------------------------------------------------------
    def check_references(self, state, current):
        """The manager and every member to add or change must be users, and their roles real; every cluster
        to place it on must exist, and none it leaves may still hold its projects."""
        problems = self._placement_problems(current)
        manager = self.params.get("manager")
        if manager and manager != (self.fields["manager"].get(current) if current else None):
            if not self.refs.user_exists(manager):
                problems.append("manager: user %s does not exist" % manager)
        if self.params.get("members"):
            members = self._members(current)
            self._member_list = {} if current is None else members.read(listed=self._listed_members)
            problems.append(members.references_error(self.refs, self.params["members"], self._member_list))
        return "; ".join(p for p in problems if p) or None

    def _placement_problems(self, current):
        wanted = self.params.get("clusters")
        if wanted is None:
            return []
        placed = placement_of(current) if current is not None else []
        problems = [cluster_problem(self.refs, c, "clusters") for c in wanted if c not in (placed or [])]
        if current is not None and placed is not None:
            problems.append(self._projects_left_on([c for c in placed if c not in wanted]))
        return problems

    def _projects_left_on(self, clusters):
        """KubeSphere deletes the Workspace on a cluster the template leaves, and its projects there lose their
        workspace (v4.1.3 workspacetemplate and workspace controllers): refused while any is there."""
        left = []
        for cluster in clusters:
            query = {"labelSelector": "%s=%s" % (WORKSPACE_LABEL, self.params["name"])}
            try:
                found = self.client.list_all("/api/v1/namespaces", cluster=None if cluster == "host" else cluster,
                                             query=query)
            except KubeSphereError as err:
                if err.status not in (401, 403, 404, 500, 502, 503, 504):
                    raise
                self.warn("workspace %s leaves cluster %s, whose projects could not be read (%s %s): any project of "
                          "%s there loses its workspace once KubeSphere reaches it" % (
                              self.params["name"], cluster, err.status, err.message or err.reason, self.params["name"]))
                continue
            left += ["%s on %s" % ((p.get("metadata") or {}).get("name"), cluster) for p in found
                     if not (p.get("metadata") or {}).get("deletionTimestamp")]
        if not left:
            return None
        return ("clusters: workspace %s would leave %s, but its projects %s are still there, and KubeSphere would "
                "take them out of the workspace (they would belong to none). Remove those projects first "
                "(state: absent), or keep the cluster" % (self.params["name"], ", ".join(sorted(set(
                    p.rsplit(" on ", 1)[1] for p in left))), ", ".join(sorted(left))))

    # Memberships ----------------------------------------------------------------------
    def _members(self, obj):
        manager = self.params.get("manager")
        current_manager = self.fields["manager"].get(self._current) if self._current else None
        return Members(self.client, "workspace", self.params["name"], check_mode=self.check_mode,
                       protected=[manager or current_manager, (obj or {}).get("spec", {}).get("template", {})
                                  .get("spec", {}).get("manager")],
                       fresh=self._created or not _initialised(self._current))

    def children(self, obj, state):
        if state == "absent":
            return []
        out = self._member_children(obj)
        if self.params.get("quota") is not None:
            quota = WorkspaceQuota(self.client, self.params["name"], check_mode=self.check_mode)
            out.append(("quota", quota.converge(self.params["quota"], purge=bool(self.params.get("purge_quota")),
                                                known_missing=self._current is None)))
        return out

    def _member_children(self, obj):
        wanted = list(self.params.get("members") or [])
        manager = self.params.get("manager")
        current_manager = self.fields["manager"].get(self._current) if self._current else None
        manager_changed = self._current is not None and manager and manager != current_manager
        if manager_changed and not any(m.get("user") == manager for m in wanted):
            # v4 does not rebind {ws}-admin when the manager changes: do it through the members API.
            wanted.append(dict(user=manager, role="admin"))
        if self.params.get("members") is None and not manager_changed and not self.params.get("purge_members"):
            return []
        # A workspace about to be created has no members yet (only its manager, bound by the controller).
        current = {} if self._current is None else self._member_list
        return [("members", self._members(obj).converge(wanted, purge=bool(self.params.get("purge_members")),
                                                        current=current))]
