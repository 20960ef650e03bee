"""A tiny controller runtime. A controller is a function registered for one kind::

    from emulator.controllers.runtime import controller

    @controller("tenant.kubesphere.io", "workspacetemplates")
    def reconcile_workspace_template(ctx, ref):
        obj = ctx.api.view(ref.cluster).get(WORKSPACE_TEMPLATE, ref.name)
        ...
        return None          # or a number of seconds to run again after

It runs (in its own thread) ``controller_delay_ms`` after every write to an
object of that kind, once per burst of writes, and once at start for every
existing object (like an informer's initial list). Exceptions are printed and
the object is retried half a second later.
"""

import heapq
import itertools
import sys
import threading
import time
import traceback
from collections import namedtuple
from dataclasses import dataclass
from typing import Callable

from .. import registry

Ref = namedtuple("Ref", "cluster namespace name")

_SPECS = []


@dataclass
class ControllerSpec:
    name: str
    group: str
    plural: str
    reconcile: Callable
    all_clusters: bool


def controller(group, plural, name=None, all_clusters=False):
    """Register fn(ctx, ref) for objects of (group, plural). By default only the
    host cluster's objects are watched; all_clusters=True watches every cluster."""
    def register(fn):
        _SPECS.append(ControllerSpec(name or fn.__name__, group, plural, fn, all_clusters))
        return fn
    return register


class ControllerContext:
    """What a reconcile function gets besides the Ref."""

    def __init__(self, app):
        self.app = app
        self.api = app.api
        self.store = app.store
        self.settings = app.settings
        self.host = app.host
        self._memory = {}
        self._memory_lock = threading.Lock()
        self.lock = threading.Lock()      # for a controller's multi-step bookkeeping in memory()

    def memory(self, name):
        """A dict this app's controllers keep between passes (what a real controller holds in its
        process): one per app, so two emulators in one process never see each other's."""
        with self._memory_lock:
            return self._memory.setdefault(name, {})


class _DelayQueue:
    """Keys due at a time; a key already waiting keeps its earliest due time."""

    def __init__(self):
        self._heap, self._due = [], {}
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._closed = False

    def add(self, key, due):
        with self._cond:
            if key in self._due and self._due[key] <= due:
                return
            self._due[key] = due
            heapq.heappush(self._heap, (due, next(self._seq), key))
            self._cond.notify()

    def pop(self):
        """Block until a key is due; None once closed."""
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
                    heapq.heappop(self._heap)        # superseded entry
                if self._heap and self._heap[0][0] <= now:
                    _due, _seq, key = heapq.heappop(self._heap)
                    del self._due[key]
                    return key
                timeout = self._heap[0][0] - now if self._heap else None
                self._cond.wait(timeout)
            return None

    @property
    def closed(self):
        return self._closed

    def pending(self):
        """How many keys are waiting."""
        with self._cond:
            return len(self._due)

    def close(self):
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Runner:
    def __init__(self, spec, ctx):
        self.spec, self.ctx = spec, ctx
        self.queue = _DelayQueue()
        self.thread = threading.Thread(target=self._loop, name=f"controller-{spec.name}", daemon=True)

    def wants(self, cluster):
        return self.spec.all_clusters or cluster == self.ctx.host

    def enqueue(self, ref, delay=None):
        if delay is None:
            delay = self.ctx.settings.controller_delay_ms / 1000.0
        self.queue.add(ref, time.monotonic() + delay)

    def _loop(self):
        while True:
            ref = self.queue.pop()
            if ref is None:
                return
            while self.ctx.settings.controllers_held and not self.queue.closed:
                time.sleep(0.002)     # held (controllers_held): due work waits until released
            try:
                again = self.spec.reconcile(self.ctx, ref)
            except Exception:   # keep the controller alive, like controller-runtime does
                traceback.print_exc(file=sys.stderr)
                again = 0.5
            if again is not None:
                self.enqueue(ref, max(0.0, float(again)))


class ControllerManager:
    def __init__(self, app):
        self.app = app
        self.ctx = ControllerContext(app)
        self.runners = {}
        for spec in _SPECS:
            self.runners.setdefault((spec.group, spec.plural), []).append(_Runner(spec, self.ctx))

    def start(self):
        self.app.store.subscribe(self._on_event)
        for (group, plural), runners in self.runners.items():
            kind = registry.find(group, plural)
            for runner in runners:
                for cluster in self.app.store.clusters():
                    if kind is not None and runner.wants(cluster):
                        for obj in self.app.store.list(cluster, kind):
                            runner.enqueue(_ref(cluster, obj))
                runner.thread.start()

    def stop(self):
        for runners in self.runners.values():
            for runner in runners:
                runner.queue.close()
        for runners in self.runners.values():
            for runner in runners:
                if runner.thread.is_alive():
                    runner.thread.join(timeout=2)

    def _on_event(self, event):
        for runner in self.runners.get(event.kind.key, ()):
            if runner.wants(event.cluster):
                runner.enqueue(_ref(event.cluster, event.obj))


def _ref(cluster, obj):
    metadata = obj.get("metadata") or {}
    return Ref(cluster, metadata.get("namespace", ""), metadata.get("name", ""))
