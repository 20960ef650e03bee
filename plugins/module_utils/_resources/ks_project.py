# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A KubeSphere project (a Namespace in a workspace, on one cluster) as a
converge resource. What the real server imposes (API reference section 4):

* it is created through the workspace's namespaces endpoint, always with
  kubesphere.io/managed: "true" (without it KubeSphere creates no project
  roles, and members cannot be added), and the kubesphere.io/creator
  annotation that makes the creator its admin;
* the same name in another workspace is an error naming both, never a move
  (the workspace's namespace endpoint answers it with a lower-case 404);
* a namespace in no workspace (made with kubectl) is brought in only with
  adopt=true, as the console's "assign to workspace" does: the workspace and
  managed labels together, by a merge patch on the namespace itself (the
  managed label alone does nothing; with the workspace label KubeSphere makes
  the project roles, as recorded in isolation-and-labels.json);
* a namespace PATCH there is a merge patch of the changed fields;
* deletion is asynchronous: the namespace stays Terminating for a while.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CREATOR,
    KAPIS_TENANT,
    MANAGED_LABEL,
    WORKSPACE_LABEL,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, ValidationError, merge_patch
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_isolation import IsolationField
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import (
    DefaultLimits,
    ProjectQuota,
    WorkspaceQuota,
    larger_than,
    limits_error,
    quota_error,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import MANAGED_BY_LABEL, mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import is_system, write_protection
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import cluster_problem
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import Members, members_error
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import (
    members_options,
    protection_options,
    state_option,
    wait_options,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import INITIALISED_FINALIZERS
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)

INITIALISED = INITIALISED_FINALIZERS["project"]

# The options of one project: ks_project's argument spec and the items of ks_tenancy's projects.
PROJECT_OPTIONS = dict(
    name=dict(type="str", required=True),
    workspace=dict(type="str"),
    cluster=dict(type="str"),
    state=state_option(),
    alias_name=dict(type="str"),
    description=dict(type="str"),
    labels=dict(type="dict"),
    adopt=dict(type="bool", default=False),
    quota=dict(type="dict"),
    purge_quota=dict(type="bool", default=False),
    default_limits=dict(type="dict", options=dict(requests=dict(type="dict"), limits=dict(type="dict"))),
    network_isolation=dict(type="bool"),
    **dict(members_options(), **wait_options(300), **protection_options())
)


class ProjectResource(KubeSphereResource):
    kind = "project"
    result_key = "project"
    collection = KAPIS_TENANT + "/namespaces"     # on each cluster; a workspace's: workspaces/{ws}/namespaces
    fields = dict(
        alias_name=Field(("metadata", "annotations", "kubesphere.io/alias-name")),
        description=Field(("metadata", "annotations", "kubesphere.io/description")),
        labels=Field(("metadata", "labels"), kind="map", hidden_keys=(MANAGED_BY_LABEL,)),
        # Differs from the wanted workspace only for a namespace being adopted (another is refused in read).
        workspace=Field(("metadata", "labels", WORKSPACE_LABEL)),
    )
    # Managed (and shown in diffs) only when given; set as the console sets it (a merge patch).
    optional_fields = dict(network_isolation=IsolationField(("metadata", "annotations")))

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self.fields = dict(self.fields, **dict((k, f) for k, f in self.optional_fields.items()
                                               if params.get(k) is not None))
        self._current = None
        self._created = False
        self._adopting = False
        self._member_list = None   # {user: role} read before any write, when members are managed
        self._listed_members = None  # {user: role} as a bulk run listed them

    @property
    def cluster(self):
        cluster = self.params.get("cluster")
        return None if cluster in (None, "", "host") else cluster

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        problems = [dns1123_label_error(p.get("name"), "name")]
        if state == "present" and not p.get("workspace"):
            problems.append("workspace is required when state=present: a project belongs to a workspace")
        if p.get("workspace"):
            problems.append(dns1123_label_error(p["workspace"], "workspace"))
        if p.get("cluster"):
            problems.append(dns1123_label_error(p["cluster"], "cluster"))
        for key in (p.get("labels") or {}):
            if key in (WORKSPACE_LABEL, MANAGED_LABEL, MANAGED_BY_LABEL):
                problems.append("labels must not set %s: the module manages it" % key)
            problems.append(dns1123_subdomain_error(key.split("/")[-1], "label key %r" % key))
        problems.append(members_error(p.get("members")))
        if p.get("adopt") and not p.get("workspace"):
            problems.append("adopt needs workspace: the workspace to bring the namespace into")
        problems.append(quota_error(p.get("quota")))
        problems.append(limits_error(p.get("default_limits")))
        return first_error(*problems)

    # Reads ----------------------------------------------------------------------------
    def read(self):
        # Through the workspace when it is known: that is authorised at workspace scope, so a
        # workspace admin can manage projects too. KubeSphere answers a project of another
        # workspace with 404 'namespace "x" not found' (lower case), which is told apart here.
        name = self.params["name"]
        wanted = self.params.get("workspace")
        if not wanted:
            found = self.client.get("/api/v1/namespaces/%s" % name, cluster=self.cluster, missing_ok=True)
        else:
            try:
                found = self.client.get("%s/%s" % (self._workspace_path(), name), cluster=self.cluster)
            except KubeSphereError as err:
                if not err.not_found:
                    raise
                if not (err.message or "").startswith('namespace "'):
                    found = None
                else:
                    found = self._outside(name, wanted)
        self._current = found
        return found

    def read_listed(self, listed):
        """From a bulk run's lists: the namespace of that name on the cluster, told apart by its workspace label
        as the workspace's read tells it, and its members when they were listed (fact members)."""
        if not listed.covered:
            return self.read()
        found, wanted = listed.obj, self.params.get("workspace")
        if found is not None and wanted and workspace_of(found) != wanted:
            found = self._outside(self.params["name"], wanted, other=found)
        self._current, self._listed_members = found, listed.facts.get("members")
        return found

    def _outside(self, name, wanted, other=None):
        """A namespace of that name exists outside the workspace (other: as listed, else read here): adopt it
        when it is in none and adopt=true; otherwise refuse, saying where it is and what can be done."""
        if other is None:
            try:
                other = self.client.get("/api/v1/namespaces/%s" % name, cluster=self.cluster, missing_ok=True)
                if other is None:
                    return None     # it does not exist at all (3.x words that like "in another workspace")
            except KubeSphereError:
                other = None        # not allowed to look: say so without naming it
        owner = workspace_of(other)
        where = "cluster %s" % (self.params.get("cluster") or "host")
        if other is not None and not owner:
            if is_system("project", name, other):
                raise ValidationError("namespace %s on %s is one of KubeSphere's or Kubernetes' own; it is not "
                                      "adopted into a workspace" % (name, where))
            if self.params.get("adopt"):
                self._adopting = True
                return other
            raise ValidationError("namespace %s already exists on %s and belongs to no workspace; set adopt: true "
                                  "to bring it into workspace %s (it is labelled as the console's \"assign to "
                                  "workspace\" does, and keeps its content)" % (name, where, wanted))
        place = ("workspace %s" % owner) if owner else "another workspace (or none)"
        raise ValidationError("project %s already exists on %s in %s, not in workspace %s; KubeSphere does not move "
                              "projects between workspaces: delete it there first or choose another name"
                              % (name, where, place, wanted))

    def protection(self, current):
        return write_protection("project", self.params["name"], current)

    def owned_elsewhere(self, current):
        if self.params.get("workspace") or workspace_of(current):
            return None
        return ("namespace %s on cluster %s belongs to no workspace, so it is not a project: kubesphere.core.ks_project "
                "does not delete it" % (self.params["name"], self.params.get("cluster") or "host"))

    def view(self, obj):
        out = super().view(obj)
        if not self._adopting:
            out.pop("workspace", None)      # in the diff only when it changes
        return out

    def _workspace_path(self, workspace=None):
        return "%s/workspaces/%s/namespaces" % (KAPIS_TENANT, workspace or self.params["workspace"])

    # Writes ---------------------------------------------------------------------------
    def new_object(self):
        body = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": self.params["name"],
                             "labels": {WORKSPACE_LABEL: self.params["workspace"], MANAGED_LABEL: "true"}}}
        if self.params.get("ks_username"):
            body["metadata"]["annotations"] = {CREATOR: self.params["ks_username"]}
        return mark_managed(body)

    def create(self, body):
        self._created = True
        return self.client.post(self._workspace_path(), body, cluster=self.cluster)

    def update(self, current, body, changed):
        if self._adopting:
            # Not yet in the workspace, so not reachable through it: patch the namespace itself.
            patch = mark_managed(merge_patch(self, changed, body))
            patch["metadata"]["labels"].update({WORKSPACE_LABEL: self.params["workspace"], MANAGED_LABEL: "true"})
            return self.client.patch("/api/v1/namespaces/%s" % self.params["name"], patch, cluster=self.cluster)
        return self.client.patch("%s/%s" % (self._workspace_path(), self.params["name"]),
                                 merge_patch(self, changed, body), cluster=self.cluster)

    def delete(self, current):
        owner = workspace_of(current)
        if owner:
            self.client.delete("%s/%s" % (self._workspace_path(owner), self.params["name"]), cluster=self.cluster)
        else:
            self.client.delete("/api/v1/namespaces/%s" % self.params["name"], cluster=self.cluster)

    def describe_deleting(self):
        return "the namespace is still Terminating (Kubernetes removes its content first)"

    # References -----------------------------------------------------------------------
    def check_references(self, state, current):
        """A new project's workspace must exist; every member to add or change must be a user, with a real role."""
        problems = []
        if current is None:
            problems += self._placement_problems()
        if self.params.get("members"):
            members = self._members()
            self._member_list = {} if current is None else members.read(listed=self._listed_members)
            problems.append(members.references_error(self.refs, self.params["members"], self._member_list))
        return "; ".join(p for p in problems if p) or None

    def check_location(self, state):
        return cluster_problem(self.refs, self.params.get("cluster"))

    def _placement_problems(self):
        """A new project needs its workspace, on a cluster KubeSphere manages that the workspace is placed on."""
        workspace, cluster = self.params["workspace"], self.params.get("cluster") or "host"
        if not self.refs.workspace_exists(workspace):
            return ["workspace %s does not exist: create it first (a project belongs to a workspace)" % workspace]
        placed = self.refs.workspace_placement(workspace)
        if placed is not None and cluster not in placed:
            return ["workspace %s is not placed on cluster %s (it is on %s): add %s to its clusters first"
                    % (workspace, cluster, ", ".join(placed) or "no cluster", cluster)]
        return []

    # Memberships ----------------------------------------------------------------------
    def _initialised(self, obj=None):
        """The namespace controller's finalizer is there: it has taken the project up (on 4.x after making
        its roles, on 3.x before; the member writes wait for the roles themselves, ks_members.py)."""
        finalizers = (((obj if obj is not None else self._current) or {}).get("metadata") or {}).get("finalizers")
        return any(name in INITIALISED for name in (finalizers or []))

    def _members(self):
        return Members(self.client, "project", self.params["name"], cluster=self.cluster,
                       check_mode=self.check_mode, fresh=self._created or not self._initialised())

    def children(self, obj, state):
        if state == "absent":
            return []
        out = self._member_children()
        fresh = self._current is None
        if self.params.get("quota") is not None:
            self._warn_above_workspace()
            quota = ProjectQuota(self.client, self.params["name"], check_mode=self.check_mode, cluster=self.cluster)
            out.append(("quota", quota.converge(self.params["quota"], purge=bool(self.params.get("purge_quota")),
                                                known_missing=fresh)))
        if self.params.get("default_limits") is not None:
            limits = DefaultLimits(self.client, self.params["name"], check_mode=self.check_mode, cluster=self.cluster)
            out.append(("default_limits", limits.converge(self.params["default_limits"], known_missing=fresh)))
        return out

    def _warn_above_workspace(self):
        """KubeSphere accepts a project quota above its workspace's; the workspace caps it at admission."""
        workspace = self.params.get("workspace")
        if not workspace:
            return
        ws_quota = WorkspaceQuota(self.client, workspace)
        over = larger_than(self.params["quota"], ws_quota.hard(ws_quota.read()))
        if over:
            self.warn("quota of project %s is larger than workspace %s's quota for %s; KubeSphere accepts it, "
                      "but the workspace quota still caps what the project can use"
                      % (self.params["name"], workspace,
                         ", ".join("%s (%s > %s)" % (r, p, w) for r, (p, w) in sorted(over.items()))))

    def _member_children(self):
        if self.params.get("members") is None and not self.params.get("purge_members"):
            return []
        current = {} if self._current is None else self._member_list
        return [("members", self._members().converge(self.params.get("members") or [],
                                                     purge=bool(self.params.get("purge_members")),
                                                     current=current))]
