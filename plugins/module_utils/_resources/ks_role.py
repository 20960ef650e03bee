# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A custom KubeSphere role, built from RoleTemplates, at one of the four scopes, as a converge
resource. What the real server imposes (ks-recordings roles.json):

* roles are plain CRDs under /apis (GlobalRole, iam ClusterRole per cluster, WorkspaceRole labelled
  with its workspace, Role in a project); `rules` is required beside aggregationRoleTemplates (422);
* the aggregation controller only ever adds rules, and silently drops template names that do not
  exist. So the module checks the names first (one list of the scope's templates) and, whenever
  the templates change, writes `rules` as exactly the union of the declared templates' rules (and
  their Rego override, if any): narrowing a role really narrows it, in place, keeping its bindings;
* a WorkspaceRole without the kubesphere.io/workspace label cannot be bound (404), so it is always set;
* deleting a role leaves its bindings behind, so a bound role is only deleted when asked to remove
  those bindings too; GlobalRoles and WorkspaceRoles then wait for every member cluster to be Ready.
"""

from __future__ import annotations

import difflib

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    APIS_IAM,
    REGO,
    SCOPE_LABEL,
    WORKSPACE_LABEL,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import (
    SCOPE_NAMES,
    SCOPES,
    scope_collection,
)
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, ResourceFailure, ValidationError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import protection_options, state_option, wait_options
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import write_protection
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import cluster_problem
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)

# The options of ks_role (and of a ks_tenancy roles item), without the connection options.
ROLE_OPTIONS = dict(
    name=dict(type="str", required=True),
    scope=dict(type="str", default="global", choices=list(SCOPE_NAMES)),
    workspace=dict(type="str"),
    project=dict(type="str"),
    cluster=dict(type="str"),
    templates=dict(type="list", elements="str"),
    alias_name=dict(type="str"),
    description=dict(type="str"),
    remove_bindings=dict(type="bool", default=False),
    state=state_option(),
    **dict(wait_options(120), **protection_options())
)


def unknown_templates_message(unknown, known, scope):
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        parts.append("%s (did you mean %s?)" % (name, ", ".join(close)) if close else name)
    return ("templates: no %s-scope RoleTemplate named %s; KubeSphere would silently drop it. "
            "List them with kubesphere.core.ks_info kind=roletemplate scope=%s"
            % (SCOPES[scope].template_scope, "; ".join(parts), scope))


def role_templates(client, scope):
    """{name: RoleTemplate} a role of scope may aggregate, by one list; refused before it on a line without
    them (3.x keeps its role templates elsewhere, and would answer a bare 404)."""
    client.require("role_templates")
    items = client.list_all("%s/roletemplates" % APIS_IAM,
                            query={"labelSelector": "%s=%s" % (SCOPE_LABEL, SCOPES[scope].template_scope)})
    return dict((t["metadata"]["name"], t) for t in items)


class RoleResource(KubeSphereResource):
    kind = "role"
    result_key = "role"
    fields = dict(
        templates=Field(("aggregationRoleTemplates", "templateNames"), kind="set"),
        alias_name=Field(("metadata", "annotations", "kubesphere.io/alias-name")),
        description=Field(("metadata", "annotations", "kubesphere.io/description")),
    )

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self.scope = SCOPES[params.get("scope") or "global"]
        self._templates = None
        self.removed_bindings = []

    @property
    def cluster(self):
        if self.params.get("scope") not in ("cluster", "project"):
            return None
        cluster = self.params.get("cluster")
        return None if cluster in (None, "", "host") else cluster

    def identity(self):
        where = {"workspace": self.params.get("workspace"), "project": self.params.get("project")}
        place = where.get(self.params.get("scope"))
        return "%s %s%s" % (self.scope.kind, self.params.get("name"), (" in " + place) if place else "")

    def title(self):
        return self.identity()

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        scope = p.get("scope")
        problems = [dns1123_subdomain_error(p.get("name"), "name")]
        if scope == "workspace" and not p.get("workspace"):
            problems.append("scope=workspace needs workspace: a WorkspaceRole belongs to one workspace")
        if scope == "project" and not p.get("project"):
            problems.append("scope=project needs project: a project Role lives in one project")
        if p.get("workspace") and scope != "workspace":
            problems.append("workspace applies only to scope=workspace")
        if p.get("project") and scope != "project":
            problems.append("project applies only to scope=project")
        if p.get("cluster") and scope not in ("cluster", "project"):
            problems.append("cluster applies only to scope=cluster or scope=project (the others live on the host)")
        for opt in ("workspace", "project", "cluster"):
            if p.get(opt):
                problems.append(dns1123_label_error(p[opt], opt))
        for index, name in enumerate(p.get("templates") or []):
            problems.append(dns1123_subdomain_error(name, "templates[%d]" % index))
        return first_error(*problems)

    def check_location(self, state):
        return cluster_problem(self.refs, self.params.get("cluster")) if self.cluster else None

    def check_references(self, state, current):
        workspace, scope = self.params.get("workspace"), self.params.get("scope")
        if current is not None:
            return None
        if scope == "workspace" and not self.refs.workspace_exists(workspace):
            # KubeSphere would store it, labelled with a workspace that is not there.
            return "workspace %s does not exist; create it first (kubesphere.core.ks_workspace)" % workspace
        if scope == "project" and not self.refs.project_exists(self.params["project"], cluster=self.cluster):
            return ("project %s does not exist on cluster %s; create it first (kubesphere.core.ks_project)"
                    % (self.params["project"], self.params.get("cluster") or "host"))
        return None

    def protection(self, current):
        return write_protection(self.scope.kind.lower(), self.params["name"], current,
                                workspace=self.params.get("workspace"))

    def owned_elsewhere(self, current):
        """A WorkspaceRole's name is unique across all workspaces: one of another workspace is never taken over."""
        if self.params.get("scope") != "workspace":
            return None
        owner = workspace_of(current)
        if owner == self.params["workspace"]:
            return None
        where = "workspace %s" % owner if owner else "no workspace (it has no %s label)" % WORKSPACE_LABEL
        return ("WorkspaceRole %s belongs to %s, not to workspace %s; WorkspaceRole names are shared by every "
                "workspace, so choose another name" % (self.params["name"], where, self.params["workspace"]))

    # Reads ----------------------------------------------------------------------------
    def _collection(self, plural=None):
        return scope_collection(self.params["scope"], plural or self.scope.plural, self.params.get("project"))

    def _path(self):
        return "%s/%s" % (self._collection(), self.params["name"])

    def read(self):
        return self._took(self.client.get(self._path(), cluster=self.cluster, missing_ok=True))

    def read_listed(self, listed):
        """From a bulk run's lists: the role, and its scope's RoleTemplates (fact templates) when they were listed;
        a role of a scope the lists do not cover (a project's) is read here, with the listed templates."""
        if listed.facts.get("templates") is not None:
            self._templates = listed.facts["templates"]
        return self._took(listed.obj) if listed.covered else self.read()

    def _took(self, current):
        """The role read (or listed) as the current object, once the templates to aggregate are known to exist."""
        if self.params.get("state") != "absent" and self.params.get("templates") is not None:
            self._check_templates()
        return current

    def templates(self):
        """{name: RoleTemplate} of this scope (one list, cached)."""
        if self._templates is None:
            self._templates = role_templates(self.client, self.params.get("scope") or "global")
        return self._templates

    def _check_templates(self):
        known = self.templates()
        unknown = [n for n in self.params["templates"] if n not in known]
        if unknown:
            raise ValidationError(unknown_templates_message(unknown, sorted(known), self.params["scope"]))

    # Writes ---------------------------------------------------------------------------
    def new_object(self):
        body = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": self.scope.kind,
                "metadata": {"name": self.params["name"]},
                "aggregationRoleTemplates": {"templateNames": []}, "rules": []}
        if self.params["scope"] == "project":
            body["metadata"]["namespace"] = self.params["project"]
        mark_managed(body)
        if self.params["scope"] == "workspace":
            body["metadata"]["labels"][WORKSPACE_LABEL] = self.params["workspace"]
        return self._with_rules(body)

    def _with_rules(self, body):
        """rules (and the Rego override) exactly as the declared templates give them."""
        if self.params.get("templates") is None:
            return body
        rules, rego = [], None
        for name in sorted(set(self.params["templates"])):
            template = self.templates().get(name) or {}
            for rule in (template.get("spec") or {}).get("rules") or []:
                if rule not in rules:
                    rules.append(rule)
            rego = rego or ((template.get("metadata") or {}).get("annotations") or {}).get(REGO)
        body["rules"] = rules
        annotations = body["metadata"].setdefault("annotations", {})
        if rego:
            annotations[REGO] = rego
        else:
            annotations.pop(REGO, None)
        return body

    def create(self, body):
        return self.client.post(self._collection(), self._with_rules(body), cluster=self.cluster)

    def update(self, current, body, changed):
        if "templates" in changed:
            self._with_rules(body)
        return self.client.put(self._path(), body, cluster=self.cluster)

    # Removal --------------------------------------------------------------------------
    def bindings(self):
        """The bindings that grant this role (deleting the role does not touch them)."""
        query = {}
        if self.scope.binding_selector:
            query["labelSelector"] = "%s=%s" % (self.scope.binding_selector, self.params["workspace"])
        items = self.client.list_all(self._collection(self.scope.bindings), cluster=self.cluster, query=query)
        return [b for b in items if (b.get("roleRef") or {}).get("name") == self.params["name"]
                and (b.get("roleRef") or {}).get("kind") == self.scope.kind]

    def delete(self, current):
        self.client.delete(self._path(), cluster=self.cluster, missing_ok=True)

    def children(self, obj, state):
        # Bindings are checked (and removed when asked) before the role itself goes.
        if state != "absent" or obj is None:
            return []
        bound = self.bindings()
        if not bound:
            return []
        who = sorted(set("%s %s" % (s.get("kind", "User"), s.get("name")) for b in bound for s in b.get("subjects") or []))
        if not self.params.get("remove_bindings"):
            raise ResourceFailure("%s is still bound (%s: %s); KubeSphere would keep those bindings after the role "
                                  "is gone. Remove them first, or set remove_bindings=true to delete them with the role"
                                  % (self.identity(), ", ".join(sorted(b["metadata"]["name"] for b in bound)),
                                     ", ".join(who)), bound_to=who)
        self.removed_bindings = sorted(b["metadata"]["name"] for b in bound)
        if not self.check_mode:
            for name in self.removed_bindings:
                self.client.delete("%s/%s" % (self._collection(self.scope.bindings), name),
                                   cluster=self.cluster, missing_ok=True)
        return []

    def finish(self, outcome, wait):
        return {"removed_bindings": self.removed_bindings} if self.params.get("state") == "absent" else {}

    def describe_deleting(self):
        return ("KubeSphere keeps a deleted %s until every member cluster is Ready, so a member cluster that is "
                "not Ready is the likely cause" % self.scope.kind)
