"""Failed-login bookkeeping for the lock-out rule: when a user's failed password
attempts (password grant or HTTP Basic) within the window, counted since the
user's last state transition, reach the maximum, the user becomes
AuthLimitExceeded until the window has passed."""

import threading
import time
from collections import defaultdict, deque


class LockoutTracker:
    def __init__(self, settings):
        self.settings = settings
        self._failures = defaultdict(deque)
        self._locked_at = {}
        self._lock = threading.Lock()

    def record_failure(self, username, since=0.0):
        """Note a failure; returns how many count now."""
        now = time.time()
        horizon = max(now - self.settings.lockout_window, since)
        with self._lock:
            failures = self._failures[username]
            failures.append(now)
            while failures and failures[0] < horizon:
                failures.popleft()
            return len(failures)

    def count(self, username):
        with self._lock:
            return len(self._failures.get(username) or ())

    def mark_locked(self, username):
        with self._lock:
            self._failures.pop(username, None)
            self._locked_at[username] = time.time()

    def locked_at(self, username):
        with self._lock:
            return self._locked_at.get(username)

    def forget(self, username):
        with self._lock:
            self._failures.pop(username, None)
            self._locked_at.pop(username, None)
