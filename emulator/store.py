"""The object store: every cluster's objects, by (group, plural) and then
(namespace, name), so all versions of a kind share storage.

It owns the storage rules kube-apiserver applies to every object: uid,
resourceVersion (one global counter), creationTimestamp, generation, optimistic
concurrency, and deletion with finalizers (a delete of an object that still has
finalizers only sets deletionTimestamp; the object disappears once they are
gone). Each key keeps a short history of its writes so that reads "as of a few
milliseconds ago" can be served: that is how the informer lag of kapis reads is
emulated. Subscribers are told about every write (controllers use this).

Like client-go's informer indexers, each kind keeps indexes so that the
lookups made on every request (a namespace's objects, objects carrying a label,
the bindings of a subject) cost what they find, not what the store holds: a
platform of 10,000 objects must not make each request scan all of them.
An index may hold keys whose current object no longer matches (it covers every
version a lagged read could see); list() checks each candidate.
`examined` counts the objects list() looked at, so tests can bound the cost of
an operation without timing it.
"""

import threading
import time
import uuid
from collections import namedtuple

from .objects import clone, meta
from .timeutil import rfc3339

Event = namedtuple("Event", "type cluster kind obj")   # type: ADDED | MODIFIED | DELETED


def _label_values(obj):
    return [f"{key}={value}" for key, value in ((obj.get("metadata") or {}).get("labels") or {}).items()]


# index name -> fn(obj) -> the values it is found under. Built per kind on first use.
INDEX_FUNCTIONS = {"label": _label_values}


def register_index(name, function):
    """Make list(index=(name, value)) available for every kind."""
    INDEX_FUNCTIONS[name] = function


class _Table:
    """One kind in one cluster: the key histories and the indexes over them."""

    __slots__ = ("entries", "by_namespace", "indexes", "values", "tombstones")

    def __init__(self):
        self.entries = {}         # (namespace, name) -> [(time, obj or None), ...]
        self.by_namespace = {}    # namespace -> set of keys
        self.indexes = {}         # index name -> value -> set of keys
        self.values = {}          # index name -> key -> frozenset of values
        self.tombstones = set()   # keys whose last write is a deletion

    def add_key(self, key):
        self.by_namespace.setdefault(key[0], set()).add(key)

    def drop_key(self, key):
        self.entries.pop(key, None)
        self.tombstones.discard(key)
        keys = self.by_namespace.get(key[0])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self.by_namespace[key[0]]
        for name in self.indexes:
            self._set_values(name, key, frozenset())

    def index(self, name):
        """value -> keys for one index, built from every stored version on first use."""
        found = self.indexes.get(name)
        if found is None:
            found = self.indexes[name] = {}
            self.values[name] = {}
            for key, history in self.entries.items():
                self._set_values(name, key, _values(name, history))
        return found

    def reindex(self, key):
        history = self.entries.get(key)
        for name in self.indexes:
            self._set_values(name, key, _values(name, history))

    def _set_values(self, name, key, new):
        old = self.values[name].get(key, frozenset())
        if new == old:
            return
        index = self.indexes[name]
        for value in old - new:
            keys = index.get(value)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del index[value]
        for value in new - old:
            index.setdefault(value, set()).add(key)
        if new:
            self.values[name][key] = new
        else:
            self.values[name].pop(key, None)


def _values(name, history):
    """Every value any kept version of a key is indexed under (lagged reads may see any of them)."""
    function = INDEX_FUNCTIONS[name]
    found = set()
    for _time, obj in history or ():
        if obj is not None:
            found.update(function(obj))
    return frozenset(found)


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
        self.examined = 0          # objects list() looked at (see the module docstring)

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

    def rename_cluster(self, old, new):
        """Keep a cluster's objects under another name (a member joined or unjoined under a Cluster name)."""
        with self._lock:
            if old in self._clusters:
                self._clusters[new] = self._clusters.pop(old)

    def subscribe(self, callback):
        """callback(Event) runs under the store lock: it must be quick and must
        not call back into the store (enqueue work instead)."""
        with self._lock:
            self._subscribers.append(callback)

    def count(self):
        """How many objects are stored (in every cluster, deleted ones not counted)."""
        with self._lock:
            return sum(len(table.entries) - len(table.tombstones)
                       for kinds in self._clusters.values() for table in kinds.values())

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
                for table in kinds.values():
                    for key, history in list(table.entries.items()):
                        if history[-1][1] is None:
                            table.drop_key(key)
                        else:
                            table.entries[key] = [(float("-inf"), history[-1][1])]
                            table.reindex(key)

    def locked(self):
        """Hold the lock across several calls that must be atomic."""
        return self._lock

    # ---- reads -----------------------------------------------------------------

    def get(self, cluster, kind, name, namespace="", lag=0.0):
        with self._lock:
            history = self._table(cluster, kind).entries.get(_key(namespace, name))
            obj = self._as_of(history, lag)
            return clone(obj) if obj is not None else None

    def list(self, cluster, kind, namespace=None, lag=0.0, where=None, labels=None, index=None, copy=True):
        """Objects of a kind, ordered like etcd keys (namespace, then name).
        `labels` ({key: value}, all must match) and `index` ((name, value) of
        INDEX_FUNCTIONS) narrow the scan through the indexes; `where` filters
        before copying. copy=False returns the stored objects themselves, for
        callers that copy what they keep and change nothing."""
        with self._lock:
            table = self._table(cluster, kind)
            found = []
            for key in self._candidates(table, namespace, labels, index):
                self.examined += 1
                obj = self._as_of(table.entries[key], lag)
                if obj is None or (where is not None and not where(obj)):
                    continue
                if labels and not _has_labels(obj, labels):
                    continue
                if index and index[1] not in INDEX_FUNCTIONS[index[0]](obj):
                    continue
                found.append((key, obj))
            found.sort(key=lambda item: item[0])
            return [clone(obj) if copy else obj for _key, obj in found]

    @staticmethod
    def _candidates(table, namespace, labels, index):
        """The keys that may match: the smallest of the index sets asked for, checked against the others."""
        sets = []
        if namespace is not None:
            sets.append(table.by_namespace.get(namespace, set()))
        for key, value in (labels or {}).items():
            sets.append(table.index("label").get(f"{key}={value}", set()))
        if index:
            sets.append(table.index(index[0]).get(index[1], set()))
        if not sets:
            return list(table.entries)
        sets.sort(key=len)
        return [key for key in sets[0] if all(key in other for other in sets[1:])]

    # ---- writes ----------------------------------------------------------------

    def create(self, cluster, kind, obj):
        with self._lock:
            new = clone(obj)
            metadata = meta(new)
            key = _key(metadata.get("namespace", ""), metadata["name"])
            table = self._table(cluster, kind, create=True)
            if self._current(table.entries.get(key)) is not None:
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
            current = self._current(self._table(cluster, kind).entries.get(key))
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
            current = self._current(self._table(cluster, kind).entries.get(key))
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
            current = self._current(self._table(cluster, kind).entries.get(key))
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
        table = self._table(cluster, kind, create=True)
        now = self._monotonic()
        history = table.entries.get(key)
        if history is None:
            history = table.entries[key] = []
            table.add_key(key)
        history.append((now, obj))
        _prune(history, now - self.HISTORY_SECONDS)
        if obj is None:
            table.tombstones.add(key)
        else:
            table.tombstones.discard(key)
        table.reindex(key)
        self._writes += 1
        if self._writes % self._SWEEP_EVERY == 0:
            self._sweep(table, now - self.HISTORY_SECONDS)
        event = Event(event_type, cluster, kind, obj if obj is not None else final)
        for callback in list(self._subscribers):
            callback(event)

    def _next_rv(self):
        self._rv += 1
        return str(self._rv)

    def _table(self, cluster, kind, create=False):
        """One kind in one cluster (reads do not create it)."""
        kinds = self._clusters.get(cluster)
        if kinds is None:
            if not create:
                return _EMPTY
            kinds = self._clusters[cluster] = {}
        table = kinds.get(kind.key)
        if table is None:
            if not create:
                return _EMPTY
            table = kinds[kind.key] = _Table()
        return table

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
    def _sweep(table, horizon):
        """Forget deletions older than the history (only the tombstones are visited)."""
        for key in [k for k in table.tombstones if table.entries[k][-1][0] < horizon]:
            table.drop_key(key)


_EMPTY = _Table()      # what reads of a kind or cluster with no objects see; never written


def _has_labels(obj, labels):
    found = (obj.get("metadata") or {}).get("labels") or {}
    return all(found.get(key) == value for key, value in labels.items())


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
