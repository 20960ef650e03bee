# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Quotas and default container limits, converged as sub-resources of a workspace or project
(like members), named and shaped as the KubeSphere console does:

* a workspace's quota is the quota.kubesphere.io ResourceQuota named after the workspace, written
  through /kapis/tenant.kubesphere.io/v1beta1/workspaces/{ws}/resourcequotas (there is no list; a
  whole-object PUT with resourceVersion; errors are 500 text), hard limits under spec.quota.hard;
* a project's quota is the ResourceQuota named after the project (spec.hard);
* a project's default container requests and limits are the `defaultRequest` and `default` of the
  Container item of its LimitRange: the console edits the project's first LimitRange, so that one
  is used when there is one, else one named after the project is created.
Quantities are compared as quantities. Resources not named are left alone unless purge is asked;
a purge that leaves no resource deletes the quota object.

Each is a Resource the engine converges like any object (_engine/ks_child.py): check mode predicts without a write,
before and after are in the option's form, and a write whose answer is lost is recovered as every other is
(read again, written again only when it does not hold the wanted values yet, built from what was read).
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import KAPIS_TENANT
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_child import ChildResource
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, Outcome
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_quantity import as_text, parse, quantity_error, same
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_resource_names import container_name_error, quota_name_error


def quota_error(quota, what="quota", name_error=quota_name_error):
    """Why a quota dict is unusable, or None (checked before any request): a resource it may not name
    (Kubernetes answers 422), or a value that is no quantity."""
    for resource, value in sorted((quota or {}).items()):
        problem = name_error(str(resource))
        if problem:
            return "%s[%s]: %s" % (what, resource, problem)
        problem = quantity_error(value, "%s[%s]" % (what, resource))
        if problem:
            return problem
    return None


def limits_error(limits, what="default_limits"):
    for key in ("requests", "limits"):
        problem = quota_error((limits or {}).get(key), "%s.%s" % (what, key), name_error=container_name_error)
        if problem:
            return problem
    requests, caps = (limits or {}).get("requests") or {}, (limits or {}).get("limits") or {}
    for resource in sorted(set(requests) & set(caps)):
        if parse(requests[resource]) > parse(caps[resource]):
            return ("%s: the request for %s (%s) is larger than its limit (%s); Kubernetes refuses that"
                    % (what, resource, requests[resource], caps[resource]))
    return None


def merged_hard(current, desired, purge):
    """(changed, new hard map): given resources set (kept as stored when equal by value)."""
    current = dict(current or {})
    out = {} if purge else dict(current)
    for resource, value in (desired or {}).items():
        out[resource] = current[resource] if resource in current and same(current[resource], value) else as_text(value)
    return out != current, out


def larger_than(project, workspace):
    """The resources where a project quota exceeds its workspace's ({resource: (project, workspace)})."""
    out = {}
    for resource, value in (project or {}).items():
        if resource in (workspace or {}):
            try:
                if parse(value) > parse(workspace[resource]):
                    out[resource] = (value, workspace[resource])
            except ValueError:
                continue
    return out


class HardField(Field):
    """A quota's hard map: quantities compared by value (another spelling is no change); with purge the map
    becomes exactly the given one, else the resources not named are kept."""

    def __init__(self, path, purge=False):
        super().__init__(path)
        self.purge = purge

    def get(self, obj):
        return super().get(obj) or {}

    def same(self, desired, current):
        return not merged_hard(current, desired, self.purge)[0]

    def merged(self, desired, current):
        return merged_hard(current, desired, self.purge)[1]


class HardQuota(ChildResource):
    """One quota object whose hard map lives at hard_path; subclasses say where it is."""

    hard_path = ("spec", "hard")
    kind = "quota"

    def __init__(self, client, name, check_mode=False, cluster=None):
        super().__init__(client, check_mode=check_mode, cluster=cluster)
        self.name = name
        self.fields = dict(hard=HardField(self.hard_path))

    def hard(self, obj):
        return self.fields["hard"].get(obj)

    def read(self):
        return self.client.get(self.item_path(), cluster=self.cluster, missing_ok=True)

    def converge(self, desired, purge=False, known_missing=False):
        """Outcome whose before/after are the hard maps (only the named resources unless purge); a purge that
        leaves no resource deletes the object."""
        if not desired and not purge:
            return Outcome(False, {}, {}, None if known_missing else self.read())
        self.fields["hard"].purge = purge
        if purge and not desired:
            outcome = self.converge_value("hard", desired, "absent", known_missing=known_missing)
            outcome.obj = None      # gone (or about to be): the project's result shows no quota
            return outcome
        return self.converge_value("hard", desired, known_missing=known_missing)

    def view(self, obj):
        have = self.hard(obj)
        if self.fields["hard"].purge:
            return have
        return dict((k, v) for k, v in have.items() if k in self.params["hard"])

    def new_object(self):
        return self.new_quota({})

    def create(self, body):
        return self.client.post(self.collection_path(), body, cluster=self.cluster)

    def update(self, current, body, changed):
        return self.client.put(self.item_path(), body, cluster=self.cluster)

    def delete(self, current):
        self.client.delete(self.item_path(), cluster=self.cluster, missing_ok=True)


class WorkspaceQuota(HardQuota):
    hard_path = ("spec", "quota", "hard")

    def collection_path(self):
        return "%s/workspaces/%s/resourcequotas" % (KAPIS_TENANT, self.name)

    def item_path(self):
        return "%s/%s" % (self.collection_path(), self.name)

    def new_quota(self, hard):
        return {"apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota",
                "metadata": {"name": self.name}, "spec": {"quota": {"hard": hard}}}


class ProjectQuota(HardQuota):
    def collection_path(self):
        return "/api/v1/namespaces/%s/resourcequotas" % self.name

    def item_path(self):
        return "%s/%s" % (self.collection_path(), self.name)

    def new_quota(self, hard):
        return {"apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": self.name, "namespace": self.name}, "spec": {"hard": hard}}


class LimitsField(Field):
    """default_limits ({requests, limits}) on the Container item of a LimitRange: each given map merged into the
    stored one, quantities compared by value; the LimitRange's other items are kept."""

    KEYS = (("requests", "defaultRequest"), ("limits", "default"))

    def __init__(self):
        super().__init__(("spec", "limits"))

    @staticmethod
    def container(obj):
        for item in ((obj or {}).get("spec") or {}).get("limits") or []:
            if item.get("type") == "Container":
                return item
        return None

    def get(self, obj):
        container = self.container(obj) or {}
        return dict((option, dict(container.get(key) or {})) for option, key in self.KEYS)

    def same(self, desired, current):
        return not any(merged_hard(current.get(option), wanted, purge=False)[0]
                       for option, wanted in desired.items() if wanted is not None)

    def merged(self, desired, current):
        out = dict(current or {})
        for option, wanted in desired.items():
            if wanted is not None:
                out[option] = merged_hard((current or {}).get(option), wanted, purge=False)[1]
        return out

    def set(self, obj, value):
        container = dict(self.container(obj) or {}, type="Container")
        for option, key in self.KEYS:
            if value.get(option):
                container[key] = value[option]
        spec = obj.setdefault("spec", {})
        spec["limits"] = [i for i in spec.get("limits") or [] if i.get("type") != "Container"] + [container]


class DefaultLimits(ChildResource):
    """The project's default container requests (defaultRequest) and limits (default)."""

    kind = "LimitRange"

    def __init__(self, client, project, check_mode=False, cluster=None):
        super().__init__(client, check_mode=check_mode, cluster=cluster)
        self.project = project
        self.collection = "/api/v1/namespaces/%s/limitranges" % project
        self.fields = dict(default_limits=LimitsField())

    def read(self):
        return self.pick(self.client.list_all(self.collection, cluster=self.cluster), self.project)

    @staticmethod
    def pick(items, project):
        """The LimitRange the console edits: the one named after the project, else the first listed."""
        named = [i for i in items if i["metadata"]["name"] == project]
        return (named or items or [None])[0]

    @classmethod
    def declared(cls, obj):
        """The default_limits option that obj (a LimitRange, or None) holds: {requests, limits}, empty ones left out."""
        return dict((option, dict(sorted(values.items()))) for option, values in LimitsField().get(obj).items() if values)

    def converge(self, desired, known_missing=False):
        return self.converge_value("default_limits", desired, known_missing=known_missing)

    def view(self, obj):
        have = self.fields["default_limits"].get(obj)
        return dict((option, dict((k, v) for k, v in have[option].items() if k in wanted))
                    for option, wanted in self.params["default_limits"].items() if wanted is not None)

    def new_object(self):
        return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": self.project, "namespace": self.project},
                "spec": {"limits": []}}

    def create(self, body):
        return self.client.post(self.collection, body, cluster=self.cluster)

    def update(self, current, body, changed):
        body.update(apiVersion="v1", kind="LimitRange")     # list items come without them
        return self.client.put("%s/%s" % (self.collection, current["metadata"]["name"]), body, cluster=self.cluster)
