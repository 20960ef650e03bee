# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""An in-memory stand-in for KubeSphereClient, for the resources' unit tests (no HTTP, no emulator).

    client = FakeClient()
    client.add("/apis/iam.kubesphere.io/v1beta1/globalroles/auditor", role)   # an object at its path
    client.list_all("/apis/iam.kubesphere.io/v1beta1/globalroles")            # the objects one level below
    client.writes                                                              # [(method, path, body)]
    FakeClient(read_only=True)                                                 # any write fails the test

Objects are kept per (cluster, path), deep-copied in and out. A list filters on a labelSelector of
key=value terms. A PATCH applies a dict body as a merge patch, a list as a JSON patch.
It answers like the real client: get(missing_ok) gives None for a missing object, else a 404 error.
"""

import copy

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import LINES, V4

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _cluster(cluster):
    return None if cluster in (None, "", "host") else cluster


def _merge(target, patch):
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def _json_patch(target, ops):
    """RFC 6902 add, replace and remove (what the resources send)."""
    for op in ops:
        keys = [k.replace("~1", "/").replace("~0", "~") for k in op["path"].split("/")[1:]]
        node = target
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = keys[-1]
        if isinstance(node, list):
            if op["op"] == "remove":
                node.pop(int(last))
            elif last == "-":
                node.append(copy.deepcopy(op["value"]))
            elif op["op"] == "replace":
                node[int(last)] = copy.deepcopy(op["value"])
            else:
                node.insert(int(last), copy.deepcopy(op["value"]))
        elif op["op"] == "remove":
            node.pop(last)
        else:
            node[last] = copy.deepcopy(op["value"])
    return target


def _labels_match(obj, selector):
    labels = ((obj.get("metadata") or {}).get("labels") or {})
    for term in [t for t in (selector or "").split(",") if t]:
        key, _eq, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


class FakeClient(object):
    def __init__(self, read_only=False, line=V4):
        self.store = {}
        self.calls = []          # (method, path, cluster, body or query)
        self.read_only = read_only
        self.api = LINES[line]
        self.failures = {}       # (method, path) -> [exceptions raised in turn]
        self.reported = []

    # Set-up ------------------------------------------------------------------------------
    def add(self, path, obj, cluster=None):
        self.store[(_cluster(cluster), path)] = copy.deepcopy(obj)
        return self

    def fail(self, method, path, *errors):
        self.failures[(method, path)] = list(errors)
        return self

    def object(self, path, cluster=None):
        return copy.deepcopy(self.store.get((_cluster(cluster), path)))

    @property
    def writes(self):
        return [(c[0], c[1], c[3]) for c in self.calls if c[0] in WRITES]

    @property
    def reads(self):
        return [(c[0], c[1]) for c in self.calls if c[0] not in WRITES]

    # The client's interface ---------------------------------------------------------------
    def _record(self, method, path, cluster, extra):
        self.calls.append((method, path, _cluster(cluster), copy.deepcopy(extra)))
        if method in WRITES and self.read_only:
            raise AssertionError("a write in check mode: %s %s" % (method, path))
        pending = self.failures.get((method, path))
        if pending:
            raise pending.pop(0)

    def require(self, *features):
        for feature in features:
            problem = self.api.lacks(feature)
            if problem:
                raise KubeSphereError(problem)

    def get(self, path, cluster=None, query=None, missing_ok=False):
        self._record("GET", path, cluster, query)
        key = (_cluster(cluster), path)
        if key not in self.store:
            if missing_ok:
                return None
            raise KubeSphereError("not found", method="GET", url=path, status=404, reason="NotFound")
        return copy.deepcopy(self.store[key])

    def list_all(self, path, cluster=None, query=None, page_size=500):
        self._record("LIST", path, cluster, query)
        selector = (query or {}).get("labelSelector")
        prefix = path.rstrip("/") + "/"
        return [copy.deepcopy(obj) for (where, key), obj in sorted(self.store.items(), key=lambda kv: kv[0][1])
                if where == _cluster(cluster) and key.startswith(prefix) and "/" not in key[len(prefix):]
                and _labels_match(obj, selector)]

    def post(self, path, body, cluster=None, content_type=None, idempotent=None):
        self._record("POST", path, cluster, body)
        if not isinstance(body, dict):      # a batch (workspace members): recorded only
            return copy.deepcopy(body)
        name = body["metadata"]["name"]
        stored = copy.deepcopy(body)
        stored["metadata"].setdefault("resourceVersion", "1")
        self.store[(_cluster(cluster), "%s/%s" % (path, name))] = stored
        return copy.deepcopy(stored)

    def put(self, path, body, cluster=None):
        self._record("PUT", path, cluster, body)
        self.store[(_cluster(cluster), path)] = copy.deepcopy(body)
        return copy.deepcopy(body)

    def patch(self, path, body, cluster=None, content_type="application/merge-patch+json"):
        self._record("PATCH", path, cluster, body)
        key = (_cluster(cluster), path)
        if key in self.store:
            if isinstance(body, dict):
                _merge(self.store[key], body)
            else:
                _json_patch(self.store[key], body)
        return copy.deepcopy(self.store.get(key))

    def delete(self, path, cluster=None, body=None, missing_ok=False):
        self._record("DELETE", path, cluster, body)
        self.store.pop((_cluster(cluster), path), None)

    def pause_before_retry(self, attempt, err=None):
        return attempt < 3

    def report_once(self, key, message):
        self.reported.append(message)
