# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""How far a long bulk run is: objects read, planned and written per kind, told at intervals.

Told to a listener in the same process, if any: the collection's action plugin listens while it runs
ks_tenancy in the controller's process, and shows each line in Ansible's display. A module shipped to a
target has no one to tell until it exits, so there it keeps quiet. The first line comes only after
FIRST seconds and the next ones EVERY seconds apart: a short run says nothing, a long one a few lines.
"""

from __future__ import annotations

import os
import threading
import time

FIRST, EVERY = 5.0, 15.0
INTERVAL_ENV = "KUBESPHERE_PROGRESS_SECONDS"     # seconds between lines instead of EVERY (first: at most that)
_listeners = []


def listen(func):
    """Add a listener (func(text)); returns a function that removes it."""
    _listeners.append(func)
    return lambda: _listeners.remove(func) if func in _listeners else None


class Progress(object):
    """Counts per kind (its option, users), safe to update from the run's threads."""

    STAGES = ("read", "planned", "written")

    def __init__(self, options, check_mode=False, clock=time.monotonic, first=None, every=None, tell=None):
        if every is None:
            every = _interval()
        if first is None:
            first = min(FIRST, every)
        self._options = list(options)
        self._written = "to write" if check_mode else "written"
        self._counts = dict((o, dict((s, 0) for s in self.STAGES)) for o in self._options)
        self._done = self._total = 0
        self._clock = clock
        self._next = clock() + first
        self._every = every
        self._tell = tell
        self._lock = threading.Lock()
        self._telling = threading.Lock()   # one line at a time, so lines never go back in count

    def set(self, option, stage, count):
        with self._lock:
            self._counts[option][stage] = count
        self.maybe_tell()

    def add(self, option, stage, count=1):
        with self._lock:
            self._counts[option][stage] += count
        self.maybe_tell()

    def steps(self, total):
        """Start counting the steps of the run's phases (each object, then each object's members)."""
        with self._lock:
            self._total = total
            self._done = 0

    def step_done(self):
        with self._lock:
            self._done += 1
        self.maybe_tell()

    def text(self):
        with self._lock:
            kinds = "; ".join("%s %d read, %d planned, %d %s" % (option, c["read"], c["planned"], c["written"], self._written)
                              for option, c in self._counts.items())
            return "ks_tenancy: %d of %d steps done (%s)" % (self._done, self._total, kinds)

    def maybe_tell(self):
        listeners = [self._tell] if self._tell else list(_listeners)
        if not listeners or self._clock() < self._next:
            return
        with self._lock:
            if self._clock() < self._next:
                return
            self._next = self._clock() + self._every
        with self._telling:
            text = self.text()
            for tell in listeners:
                tell(text)


def _interval():
    try:
        return max(0.0, float(os.environ.get(INTERVAL_ENV, EVERY)))
    except ValueError:
        return EVERY
