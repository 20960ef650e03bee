# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Reads served from lists read once: how ks_tenancy converges a thousand objects with a few GETs.

Before a bulk run, ks_tenancy reads each collection once (users, workspace templates, the
namespaces of each cluster) and turns the items into answers for the very GETs the Resources
send (GET .../users/alice and so on). A Resource then runs unchanged over an ItemClient: its
first read of an object is answered from the snapshot, and everything else (writes, waits, a
read again after a conflict) goes to the server. Each answer serves one read only, so nothing
stale is ever used twice.

A rule is a callable (cluster, path, query) -> an answer, or NOT_COVERED when the snapshot
knows nothing of that path. An answer is an object, a list (for list_all), MISSING (the
collection was read and has no such object) or a KubeSphereError to raise as the server would.
"""

from __future__ import annotations

import copy
import threading

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError, encode_query
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_transport import bump

NOT_COVERED = object()
MISSING = object()


def cluster_key(cluster):
    """One name for the host cluster, however it was given."""
    return None if cluster in (None, "", "host") else cluster


class Snapshot(object):
    """Answers for reads, each served once, from rules added while the lists are read."""

    def __init__(self):
        self._rules = []
        self._served = set()
        self._lock = threading.Lock()
        self.stats = dict(served=0)

    def add_rule(self, rule, reusable=False):
        """reusable: its answers may be served any number of times (what the server alone owns and a
        run never writes, such as the RoleTemplates)."""
        with self._lock:
            self._rules.append((rule, reusable))

    def take(self, cluster, path, query=None):
        """The answer for this read, or NOT_COVERED (also once it has been served)."""
        cluster = cluster_key(cluster)
        key = (cluster, path, encode_query(query))
        with self._lock:
            if key in self._served:
                return NOT_COVERED
            for rule, reusable in self._rules:
                answer = rule(cluster, path, query or {})
                if answer is not NOT_COVERED:
                    if not reusable:
                        self._served.add(key)
                    bump(self.stats, "served")
                    return answer
        return NOT_COVERED


def not_found(path, message=None):
    return KubeSphereError(message or "not found", method="GET", url=path, status=404)


class ItemClient(object):
    """The client one object's Resource uses in a bulk run: reads from the snapshot where it can,
    everything else through the shared client; counts the writes it sent (changed on failure)."""

    def __init__(self, client, snapshot):
        self._client = client
        self._snapshot = snapshot
        self.writes = 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def get(self, path, cluster=None, query=None, missing_ok=False):
        answer = self._snapshot.take(cluster, path, query)
        if answer is NOT_COVERED:
            return self._client.get(path, cluster=cluster, query=query, missing_ok=missing_ok)
        if answer is MISSING:
            answer = not_found(path)
        if isinstance(answer, KubeSphereError):
            if missing_ok and answer.not_found:
                return None
            raise answer
        return copy.deepcopy(answer)

    def list_all(self, path, cluster=None, query=None, page_size=500):
        answer = self._snapshot.take(cluster, path, query)
        if answer is NOT_COVERED:
            return self._client.list_all(path, cluster=cluster, query=query, page_size=page_size)
        return copy.deepcopy(answer) if answer is not MISSING else []

    def _write(self, name, *args, **kwargs):
        answer = getattr(self._client, name)(*args, **kwargs)
        self.writes += 1    # counted once it went through: a refused write changed nothing
        return answer

    def post(self, *args, **kwargs):
        return self._write("post", *args, **kwargs)

    def put(self, *args, **kwargs):
        return self._write("put", *args, **kwargs)

    def patch(self, *args, **kwargs):
        return self._write("patch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._write("delete", *args, **kwargs)

    def request(self, method, path, **kwargs):
        answer = self._client.request(method, path, **kwargs)
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE") and answer.status < 400:
            self.writes += 1
        return answer


def by_name_rule(base, objects, cluster=None):
    """GET {base}/{name} on cluster: the object of that name from a list, or MISSING."""
    prefix = base.rstrip("/") + "/"
    wanted_cluster = cluster_key(cluster)

    def rule(cluster, path, query):
        if cluster != wanted_cluster or query or not path.startswith(prefix):
            return NOT_COVERED
        name = path[len(prefix):]
        if not name or "/" in name:
            return NOT_COVERED
        return objects.get(name, MISSING)
    return rule
