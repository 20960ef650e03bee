# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Who uses a member cluster: the workspaces placed on it and the projects in it (docs/cluster-facts.md
sections 6 and 7), and the grant requests that place workspaces on it.

A workspace may use a cluster when the cluster is in its WorkspaceTemplate's spec.placement.clusters; KubeSphere
changes that with POST /clusters/{c}/grantrequests, computed from a cached template with no resourceVersion, so
one request carries every change for a cluster and a re-read confirms it (a request the cache was not ready for
silently undoes the one before). system-workspace is KubeSphere's, placed on every cluster: never counted, never
changed here."""

from __future__ import annotations

import time

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import TEMPLATES, WORKSPACE_LABEL
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Outcome, ResourceFailure
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_labels import send_fresh
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import (
    SYSTEM_WORKSPACE,
    is_system,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import placement_of

GRANTS = "/kapis/cluster.kubesphere.io/v1alpha1/clusters/%s/grantrequests"
CONFIRM_TRIES = 5
CONFIRM_PAUSE = 1.0


class WorkspaceUse(object):
    """The workspaces placed on one cluster; converge them through grant requests."""

    def __init__(self, client, cluster_name, check_mode=False):
        self.client = client
        self.cluster = cluster_name
        self.check_mode = check_mode
        self._templates = None

    def templates(self, refresh=False):
        if self._templates is None or refresh:
            self._templates = self.client.list_all(TEMPLATES)
        return self._templates

    def names(self):
        return set((t.get("metadata") or {}).get("name") for t in self.templates())

    def placed(self, refresh=False):
        """The workspaces (but system-workspace) whose placement names the cluster, sorted."""
        out = []
        for template in self.templates(refresh=refresh):
            name = (template.get("metadata") or {}).get("name")
            if name != SYSTEM_WORKSPACE and self.cluster in (placement_of(template) or []):
                out.append(name)
        return sorted(out)

    def missing(self, wanted):
        known = self.names()
        return sorted(set(w for w in wanted if w not in known))

    def plan(self, wanted, purge):
        before = self.placed()
        wanted = set(w for w in wanted if w != SYSTEM_WORKSPACE)
        after = sorted(wanted) if purge else sorted(wanted | set(before))
        return before, after

    def converge(self, wanted, purge=False):
        before, after = self.plan(wanted, purge)
        if before == after:
            return Outcome(False, before, after, after)
        if not self.check_mode:
            self._apply(before, after)
        return Outcome(True, before, after, after)

    def _apply(self, before, after):
        for _attempt in range(CONFIRM_TRIES):
            ops = [{"op": "add", "workspace": w} for w in after if w not in before]
            ops += [{"op": "remove", "workspace": w} for w in before if w not in after]
            if not ops:
                return
            send_fresh(lambda ops=ops: self.client.post(GRANTS % self.cluster, ops))
            time.sleep(CONFIRM_PAUSE / 4)
            before = self.placed(refresh=True)
            if before == after:
                return
            time.sleep(CONFIRM_PAUSE)
        raise ResourceFailure("cluster %s: the workspaces placed on it are %s after %d grant requests, not %s "
                              "(KubeSphere answers them from a cache that was not up to date); run the task again"
                              % (self.cluster, ", ".join(before) or "none", CONFIRM_TRIES, ", ".join(after) or "none"),
                              workspaces=before)


def projects_on(client, cluster_name, workspaces=None, warn=None):
    """The projects of workspaces in a member cluster, as "project (workspace)" (KubeSphere's own namespaces and
    system-workspace's left out); only those of the given workspaces when workspaces is given. A cluster that
    cannot be asked (not Ready) is warned about and counted as holding none."""
    query = {"labelSelector": WORKSPACE_LABEL}
    if workspaces is not None:
        if not workspaces:
            return []
        query = {"labelSelector": "%s in (%s)" % (WORKSPACE_LABEL, ",".join(sorted(workspaces)))}
    try:
        found = client.list_all("/api/v1/namespaces", cluster=cluster_name, query=query)
    except KubeSphereError as err:
        if err.status not in (400, 403, 404, 500, 502, 503, 504):
            raise
        if warn:
            warn("the projects in cluster %s could not be read (%s %s); they are not counted"
                 % (cluster_name, err.status, err.message or err.reason))
        return []
    out = []
    for namespace in found:
        metadata = namespace.get("metadata") or {}
        name = metadata.get("name")
        if metadata.get("deletionTimestamp") or is_system("project", name, namespace):
            continue
        out.append("%s (workspace %s)" % (name, (metadata.get("labels") or {}).get(WORKSPACE_LABEL)))
    return sorted(out)
