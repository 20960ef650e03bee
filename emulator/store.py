"""The object store: every cluster's objects, by (group, plural) and then
(namespace, name), so all versions of a kind share storage.

It owns the storage rules kube-apiserver applies to every object: uid,
resourceVersion (one global counter), creationTimestamp, generation, optimistic
concurrency, and deletion with finalizers (a delete of an object that still has
finalizers only sets deletionTimestamp; the object disappears once they are
gone). Each key keeps a short history of its writes so that reads "as of a few
milliseconds ago" can be served: that is how the informer lag of kapis reads is
emulated. Subscribers are told about every write (controllers use this).
"""

import threading
import time
import uuid
from collections import namedtuple

from .objects import clone, meta
from .timeutil import rfc3339

Event = namedtuple("Event", "type cluster kind obj")   # type: ADDED | MODIFIED | DELETED


class StoreError(Exception):
    pass


class NotFound(StoreError):
    pass


class AlreadyExists(StoreError):
    pass


class Conflict(StoreError):
    """Stale resourceVersion or a uid precondition that does not hold."""


_SYSTEM_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")


class Store:
    HISTORY_SECONDS = 10.0     # how far back lagged reads can look
    _SWEEP_EVERY = 512         # writes between tombstone sweeps

    def __init__(self, monotonic=time.monotonic, wall=time.time):
        self._lock = threading.RLock()
        # cluster -> (group, plural) -> (namespace, name) -> [(time, obj or None), ...]
        self._clusters = {}
        self._rv = 0
        self._subscribers = []
        self._monotonic = monotonic
        self._wall = wall
        self._writes = 0

    # ---- clusters and subscriptions ------------------------------------------

    def add_cluster(self, cluster):
        with self._lock:
            return self._clusters.setdefault(cluster, {}) is not None

    def has_cluster(self, cluster):
        with self._lock:
            return cluster in self._clusters

    def clusters(self):
        with self._lock:
            return list(self._clusters)

    def remove_cluster(self, cluster):
        with self._lock:
            self._clusters.pop(cluster, None)

    def subscribe(self, callback):
        """callback(Event) runs under the store lock: it must be quick and must
        not call back into the store (enqueue work instead)."""
        with self._lock:
            self._subscribers.append(callback)

    def resource_version(self):
        with self._lock:
            return str(self._rv)

    def settle(self, cluster=None):
        """Make every current object (of one cluster, or all) visible to lagged
        reads, as informer caches are synced once the server has started."""
        with self._lock:
            for name, kinds in self._clusters.items():
                if cluster is not None and name != cluster:
                    continue
                for entries in kinds.values():
                    for key, history in list(entries.items()):
                        if history[-1][1] is None:
                            del entries[key]
                        else:
                            entries[key] = [(float("-inf"), history[-1][1])]

    def locked(self):
        """Hold the lock across several calls that must be atomic."""
        return self._lock

    # ---- reads -----------------------------------------------------------------

    def get(self, cluster, kind, name, namespace="", lag=0.0):
        with self._lock:
            history = self._entries(cluster, kind).get(_key(namespace, name))
            obj = self._as_of(history, lag)
            return clone(obj) if obj is not None else None

    def list(self, cluster, kind, namespace=None, lag=0.0, where=None):
        """Objects of a kind, ordered like etcd keys (namespace, then name).
        `where` filters before copying (cheap scans)."""
        with self._lock:
            found = []
            for key, history in self._entries(cluster, kind).items():
                if namespace is not None and key[0] != namespace:
                    continue
                obj = self._as_of(history, lag)
                if obj is not None and (where is None or where(obj)):
                    found.append((key, obj))
            found.sort(key=lambda item: item[0])
            return [clone(obj) for _key, obj in found]

    # ---- writes ----------------------------------------------------------------

    def create(self, cluster, kind, obj):
        with self._lock:
            new = clone(obj)
            metadata = meta(new)
            key = _key(metadata.get("namespace", ""), metadata["name"])
            entries = self._entries(cluster, kind, create=True)
            if self._current(entries.get(key)) is not None:
                raise AlreadyExists(metadata["name"])
            for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
                metadata.pop(field, None)
            metadata["uid"] = str(uuid.uuid4())
            metadata["creationTimestamp"] = rfc3339(self._wall())
            if kind.custom:
                metadata["generation"] = 1
            self._write(cluster, kind, key, new, "ADDED")
            return clone(new)

    def update(self, cluster, kind, obj, check_version=True):
        """Replace an object. With check_version, a resourceVersion in obj must
        match the stored one; a uid in obj must always match."""
        with self._lock:
            metadata = obj.get("metadata") or {}
            key = _key(metadata.get("namespace", ""), metadata.get("name", ""))
            current = self._current(self._entries(cluster, kind).get(key))
            if current is None:
                raise NotFound(metadata.get("name", ""))
            wanted_uid = metadata.get("uid")
            if wanted_uid and wanted_uid != current["metadata"]["uid"]:
                raise Conflict(f"Precondition failed: UID in precondition: {current['metadata']['uid']}, "
                               f"UID in object meta: {wanted_uid}")
            wanted_rv = metadata.get("resourceVersion")
            if check_version and wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
                raise Conflict("stale resourceVersion")
            return clone(self._replace(cluster, kind, key, current, clone(obj)))

    def mutate(self, cluster, kind, name, namespace, change):
        """Atomic read-modify-write for controllers: change(obj) edits a copy in
        place (returning False means "nothing to do"). Returns the stored object,
        or None when it does not exist."""
        with self._lock:
            key = _key(namespace, name)
            current = self._current(self._entries(cluster, kind).get(key))
            if current is None:
                return None
            new = clone(current)
            if change(new) is False or new == current:
                return clone(current)
            return clone(self._replace(cluster, kind, key, current, new))

    def delete(self, cluster, kind, name, namespace=""):
        """Returns (object, removed). An object with finalizers (or kind-specific
        blockers) is only marked with deletionTimestamp."""
        with self._lock:
            key = _key(namespace, name)
            current = self._current(self._entries(cluster, kind).get(key))
            if current is None:
                raise NotFound(name)
            if current["metadata"].get("deletionTimestamp"):
                return clone(current), False
            if not _pending_finalizers(kind, current):
                self._write(cluster, kind, key, None, "DELETED", final=current)
                return clone(current), True
            new = clone(current)
            new["metadata"]["deletionTimestamp"] = rfc3339(self._wall())
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            if kind.custom:
                new["metadata"]["generation"] = current["metadata"].get("generation", 0) + 1
            if kind.on_delete:
                kind.on_delete(new)
            self._write(cluster, kind, key, new, "MODIFIED")
            return clone(new), False

    # ---- internals -------------------------------------------------------------

    def _replace(self, cluster, kind, key, current, new):
        metadata = meta(new)
        for field in _SYSTEM_META:
            if field in current["metadata"]:
                metadata[field] = current["metadata"][field]
            else:
                metadata.pop(field, None)
        metadata["resourceVersion"] = current["metadata"]["resourceVersion"]
        if kind.custom:
            metadata["generation"] = current["metadata"].get("generation", 1)
        else:
            metadata.pop("generation", None)
        if new == current:
            return current
        if kind.custom and _content_changed(kind, current, new):
            metadata["generation"] += 1
        if metadata.get("deletionTimestamp") and not _pending_finalizers(kind, new):
            metadata["resourceVersion"] = self._next_rv()
            self._write(cluster, kind, key, None, "DELETED", final=new, bump=False)
            return new
        self._write(cluster, kind, key, new, "MODIFIED")
        return new

    def _write(self, cluster, kind, key, obj, event_type, final=None, bump=True):
        if obj is not None and bump:
            obj["metadata"]["resourceVersion"] = self._next_rv()
        elif obj is None and bump:
            self._next_rv()
        entries = self._entries(cluster, kind, create=True)
        now = self._monotonic()
        history = entries.setdefault(key, [])
        history.append((now, obj))
        _prune(history, now - self.HISTORY_SECONDS)
        self._writes += 1
        if self._writes % self._SWEEP_EVERY == 0:
            self._sweep(entries, now - self.HISTORY_SECONDS)
        event = Event(event_type, cluster, kind, obj if obj is not None else final)
        for callback in list(self._subscribers):
            callback(event)

    def _next_rv(self):
        self._rv += 1
        return str(self._rv)

    def _entries(self, cluster, kind, create=False):
        """The histories of one kind in one cluster (reads do not create them)."""
        kinds = self._clusters.get(cluster)
        if kinds is None:
            if not create:
                return {}
            kinds = self._clusters[cluster] = {}
        entries = kinds.get(kind.key)
        if entries is None:
            if not create:
                return {}
            entries = kinds[kind.key] = {}
        return entries

    @staticmethod
    def _current(history):
        return history[-1][1] if history else None

    def _as_of(self, history, lag):
        if not history:
            return None
        if lag <= 0:
            return history[-1][1]
        cutoff = self._monotonic() - lag
        for written_at, obj in reversed(history):
            if written_at <= cutoff:
                return obj
        return None      # created less than `lag` ago: not in the informer cache yet

    @staticmethod
    def _sweep(entries, horizon):
        for key in [k for k, h in entries.items() if h[-1][1] is None and h[-1][0] < horizon]:
            del entries[key]


def _key(namespace, name):
    return (namespace or "", name)


def _prune(history, horizon):
    """Keep writes newer than the horizon plus the last one before it."""
    keep_from = 0
    for index, (written_at, _obj) in enumerate(history):
        if written_at < horizon:
            keep_from = index
    if keep_from:
        del history[:keep_from]


def _pending_finalizers(kind, obj):
    pending = list(obj["metadata"].get("finalizers") or [])
    if kind.removal_blockers:
        pending += list(kind.removal_blockers(obj))
    return pending


def _content_changed(kind, old, new):
    ignored = {"metadata", "status"} if kind.status_subresource else {"metadata"}
    old_rest = {k: v for k, v in old.items() if k not in ignored}
    new_rest = {k: v for k, v in new.items() if k not in ignored}
    return old_rest != new_rest
