# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A cluster's KubeSphere cluster labels, as a map key -> value (docs/cluster-facts.md section 5).

A label is its own object (cluster.kubesphere.io/v1alpha1 Label, named at random) holding a key, a value and
the clusters it is bound to; a cluster carries label.cluster.kubesphere.io/<label name>. A value changes by
binding the Label of the new pair (made when missing) and unbinding the old one, never by renaming a Label that
other clusters may carry; no Label is ever deleted. Every write of this API works from ks-apiserver's cache, so a
write right after another may be refused with "the object has been modified": it is sent again once, later."""

from __future__ import annotations

import time

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CLUSTER_LABELS,
    CLUSTER_LABEL_BINDINGS,
    CLUSTER_LABEL_PREFIX,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Outcome

CACHE_PAUSE = 1.0       # how long the cache takes to see a write that came just before (recorded: under 2 s)


def stale_cache(err):
    """KubeSphere's kapis answered from a cache older than a write made a moment ago."""
    return err.stale_write


def send_fresh(send, fresh=()):
    """send(); again after a pause when the server's cache had not seen the previous write yet: the object
    changed meanwhile, or one of the objects named in fresh (made a moment ago) is not found there yet."""
    for attempt in range(3):
        try:
            return send()
        except KubeSphereError as err:
            unseen = err.status == 400 and any('"%s" not found' % name in (err.message or "") for name in fresh)
            if attempt == 2 or not (stale_cache(err) or unseen):
                raise
            time.sleep(CACHE_PAUSE * (attempt + 1))
    return None


def label_ids(listing):
    """GET /labels ({key: [{value, id}]}) as {(key, value): id}."""
    out = {}
    for key, values in (listing or {}).items():
        for entry in values or []:
            if isinstance(entry, dict) and entry.get("id"):
                out[(key, entry.get("value"))] = entry["id"]
    return out


def cluster_label_map(cluster, ids):
    """The labels a Cluster carries, key -> value, from its label.cluster.kubesphere.io/<id> labels."""
    by_id = dict((label_id, pair) for pair, label_id in ids.items())
    out = {}
    for key in sorted(((cluster or {}).get("metadata") or {}).get("labels") or {}):
        if key.startswith(CLUSTER_LABEL_PREFIX):
            pair = by_id.get(key[len(CLUSTER_LABEL_PREFIX):])
            if pair:
                out[pair[0]] = pair[1]
    return out


class ClusterLabels(object):
    """Converge one cluster's labels; in check mode only predict."""

    def __init__(self, client, cluster_name, check_mode=False):
        self.client = client
        self.cluster = cluster_name
        self.check_mode = check_mode
        self._ids = None

    def ids(self):
        if self._ids is None:
            self._ids = label_ids(self.client.get(CLUSTER_LABELS))
        return self._ids

    def current(self, cluster_obj):
        return cluster_label_map(cluster_obj, self.ids()) if cluster_obj else {}

    def converge(self, cluster_obj, wanted, purge=False):
        ids = self.ids()
        before = self.current(cluster_obj)
        after = dict(wanted) if purge else dict(before, **wanted)
        if after == before:
            return Outcome(False, before, after, after)
        if not self.check_mode:
            self._apply(ids, before, after)
        return Outcome(True, before, after, after)

    def _apply(self, ids, before, after):
        # Unbind first: a key has one value on a cluster.
        for key, value in sorted(before.items()):
            if after.get(key) != value and (key, value) in ids:
                label_id = ids[(key, value)]
                send_fresh(lambda label_id=label_id: self.client.request(
                    "PUT", "%s/%s" % (CLUSTER_LABELS, label_id), body={"clusters": [self.cluster]},
                    query={"action": "unbind"}))
        bind = [(key, value) for key, value in sorted(after.items()) if before.get(key) != value]
        missing = [pair for pair in bind if pair not in ids]
        made_now = []
        if missing:
            made = send_fresh(lambda: self.client.post(CLUSTER_LABELS, [{"key": k, "value": v} for k, v in missing]))
            for label in made or []:
                spec = label.get("spec") or {}
                ids[(spec.get("key"), spec.get("value"))] = label["metadata"]["name"]
                made_now.append(label["metadata"]["name"])
        chosen = [ids[pair] for pair in bind if pair in ids]
        if chosen:
            send_fresh(lambda: self.client.post(CLUSTER_LABEL_BINDINGS, {"labels": chosen, "clusters": [self.cluster]}),
                       fresh=made_now)
