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

A write whose answer is lost is recovered like every other (ks_recovery): the object is read again, and
written again only when it does not hold the wanted values yet (built from what was read).
"""

from __future__ import annotations

import copy

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import KAPIS_TENANT
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Outcome
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_recovery import (
    LANDED,
    NOT_LANDED,
    UNKNOWN,
    write_recovering,
)
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


class HardQuota(object):
    """One quota object whose hard map lives at hard_path; subclasses say where it is."""

    hard_path = ("spec", "hard")
    kind = "quota"

    def __init__(self, client, name, check_mode=False, cluster=None):
        self.client = client
        self.name = name
        self.check_mode = check_mode
        self.cluster = cluster

    def hard(self, obj):
        node = obj or {}
        for key in self.hard_path:
            node = node.get(key) or {}
        return dict(node)

    def _with_hard(self, obj, hard):
        node = obj
        for key in self.hard_path[:-1]:
            node = node.setdefault(key, {})
        node[self.hard_path[-1]] = hard
        return obj

    def read(self):
        return self.client.get(self.item_path(), cluster=self.cluster, missing_ok=True)

    def converge(self, desired, purge=False, current=None, known_missing=False):
        """Outcome whose before/after are the hard maps (only the named resources unless purge)."""
        current = None if known_missing else (current if current is not None else self.read())
        have = self.hard(current)
        changed, hard = merged_hard(have, desired, purge)
        shown = (lambda h: h) if purge else (lambda h: dict((k, v) for k, v in h.items() if k in desired))
        obj = current
        if changed and not self.check_mode:
            if current is None:
                obj = self._write(None, hard, desired, purge)
            elif not hard:
                self.client.delete(self.item_path(), cluster=self.cluster, missing_ok=True)
                obj = None
            else:
                obj = self._write(current, hard, desired, purge)
        elif changed:
            obj = self._with_hard(copy.deepcopy(current) if current else self.new_object({}), hard) if hard else None
        return Outcome(changed, shown(have), shown(hard), obj)

    def _write(self, current, hard, desired, purge):
        """Create (current None) or replace the quota; after a lost answer, read it: done when it holds the
        wanted values, else written again from what was read."""
        state = dict(current=current, hard=hard)

        def send():
            if state["current"] is None:
                return self.client.post(self.collection_path(), self.new_object(state["hard"]), cluster=self.cluster)
            return self.client.put(self.item_path(), self._with_hard(copy.deepcopy(state["current"]), state["hard"]),
                                   cluster=self.cluster)

        def landed():
            found = self.read()
            if found is None:
                return (NOT_LANDED, None) if state["current"] is None else (UNKNOWN, None)
            changed, again = merged_hard(self.hard(found), desired, purge)
            if not changed:
                return LANDED, found
            state.update(current=found, hard=again)
            return NOT_LANDED, None
        return write_recovering(self.client, self.kind, send, landed, "applied", create=current is None)


class WorkspaceQuota(HardQuota):
    hard_path = ("spec", "quota", "hard")

    def collection_path(self):
        return "%s/workspaces/%s/resourcequotas" % (KAPIS_TENANT, self.name)

    def item_path(self):
        return "%s/%s" % (self.collection_path(), self.name)

    def new_object(self, hard):
        return {"apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota",
                "metadata": {"name": self.name}, "spec": {"quota": {"hard": hard}}}


class ProjectQuota(HardQuota):
    def collection_path(self):
        return "/api/v1/namespaces/%s/resourcequotas" % self.name

    def item_path(self):
        return "%s/%s" % (self.collection_path(), self.name)

    def new_object(self, hard):
        return {"apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": self.name, "namespace": self.name}, "spec": {"hard": hard}}


class DefaultLimits(object):
    """The project's default container requests (defaultRequest) and limits (default)."""

    KEYS = (("requests", "defaultRequest"), ("limits", "default"))
    kind = "LimitRange"

    def __init__(self, client, project, check_mode=False, cluster=None):
        self.client = client
        self.project = project
        self.check_mode = check_mode
        self.cluster = cluster
        self.collection = "/api/v1/namespaces/%s/limitranges" % project

    def read(self):
        return self.pick(self.client.list_all(self.collection, cluster=self.cluster), self.project)

    @staticmethod
    def pick(items, project):
        """The LimitRange the console edits: the one named after the project, else the first listed."""
        named = [i for i in items if i["metadata"]["name"] == project]
        return (named or items or [None])[0]

    @staticmethod
    def _container(obj):
        for item in ((obj or {}).get("spec") or {}).get("limits") or []:
            if item.get("type") == "Container":
                return item
        return None

    @classmethod
    def declared(cls, obj):
        """The default_limits option that obj (a LimitRange, or None) holds: {requests, limits}, empty ones left out."""
        container = cls._container(obj) or {}
        return dict((option, dict(sorted(container[key].items()))) for option, key in cls.KEYS if container.get(key))

    def converge(self, desired, known_missing=False):
        current = None if known_missing else self.read()
        changed, before, after, body = self._plan(current, desired)
        obj = current
        if changed:
            obj = body if self.check_mode else self._write(current, body, desired)
        return Outcome(changed, before, after, obj)

    def _plan(self, current, desired):
        """(changed, before, after, the LimitRange to write) for desired over current (a LimitRange or None)."""
        container = self._container(current) or {}
        before, after, changed = {}, {}, False
        new_container = dict(container, type="Container")
        for option, key in self.KEYS:
            wanted = (desired or {}).get(option)
            if wanted is None:
                continue
            item_changed, values = merged_hard(container.get(key), wanted, purge=False)
            changed = changed or item_changed
            new_container[key] = values
            before[option] = dict((k, v) for k, v in (container.get(key) or {}).items() if k in wanted)
            after[option] = dict((k, v) for k, v in values.items() if k in wanted)
        if current is None:
            body = {"apiVersion": "v1", "kind": "LimitRange",
                    "metadata": {"name": self.project, "namespace": self.project},
                    "spec": {"limits": [new_container]}}
        else:
            body = copy.deepcopy(current)
            body.update(apiVersion="v1", kind="LimitRange")     # list items come without them
            others = [i for i in body["spec"].get("limits") or [] if i.get("type") != "Container"]
            body["spec"]["limits"] = others + [new_container]
        return changed, before, after, body

    def _write(self, current, body, desired):
        """Create (current None) or replace the LimitRange; after a lost answer, read it: done when it holds
        the wanted values, else written again from what was read."""
        state = dict(current=current, body=body)

        def send():
            if state["current"] is None:
                return self.client.post(self.collection, state["body"], cluster=self.cluster)
            return self.client.put("%s/%s" % (self.collection, state["current"]["metadata"]["name"]), state["body"],
                                   cluster=self.cluster)

        def landed():
            found = self.read()
            if found is None and state["current"] is not None:
                return UNKNOWN, None
            changed, _before, _after, again = self._plan(found, desired)
            if not changed:
                return LANDED, found
            state.update(current=found, body=again)
            return NOT_LANDED, None
        return write_recovering(self.client, self.kind, send, landed, "applied", create=current is None)
