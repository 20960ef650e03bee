"""Request counters and a short request log, for tests and benchmarks
(GET /_emulator/counters, GET /_emulator/log)."""

import threading
import time
from collections import Counter, deque

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LOGIN_KEYS = ("password_ok", "password_failed", "refresh_ok", "refresh_failed", "basic", "basic_failed")
# POSTs that change nothing: the join's validation (a module asks it in check mode too).
READ_ONLY_POSTS = ("/kapis/cluster.kubesphere.io/v1alpha1/clusters/validation",)
_DRY_RUN_PREFIX = "/kapis/application.kubesphere.io/"


def is_write(request):
    """A request that may change something: a write method, not a login, not a read-only POST, not an App Store
    dry run (POST ?validate=true checks a repo's index or a package and saves nothing), not a ?dryRun=All of /api
    or /apis (the generic handler stores nothing then)."""
    if request.method not in WRITE_METHODS or request.path.startswith("/oauth/"):
        return False
    if request.method == "POST" and request.path in READ_ONLY_POSTS:
        return False
    if (request.method == "POST" and request.path.startswith(_DRY_RUN_PREFIX)
            and (request.arg("validate") or "").lower() in ("1", "t", "true")):
        return False
    from .dispatch import split_cluster
    inner = split_cluster(request.path)[1]
    return not (request.arg("dryRun") == "All" and inner.startswith(("/api/", "/apis/")))


class Counters:
    def __init__(self, log_size=1000):
        self._lock = threading.Lock()
        self._log = deque(maxlen=log_size)
        self.reset()

    def reset(self):
        with self._lock:
            self._requests = Counter()
            self._by_method = Counter()
            self._by_status = Counter()
            self._writes = 0
            self._forbidden_writes = 0
            self._logins = Counter({key: 0 for key in LOGIN_KEYS})
            self._total = 0
            self._log.clear()       # the admin API's reset says so: a test's log starts with its own requests

    def record(self, request, response):
        with self._lock:
            self._total += 1
            self._requests[f"{request.method} {request.raw_path}"] += 1
            self._by_method[request.method] += 1
            self._by_status[str(response.status)] += 1
            if is_write(request):
                self._writes += 1
            self._log.append({"time": time.time(), "method": request.method, "path": request.raw_path,
                              "query": request.query_string, "status": response.status})

    def login(self, key):
        with self._lock:
            self._logins[key] += 1

    def forbidden_write(self):
        with self._lock:
            self._forbidden_writes += 1

    def snapshot(self):
        with self._lock:
            return {"total": self._total, "requests": dict(self._requests), "by_method": dict(self._by_method),
                    "by_status": dict(self._by_status), "writes": self._writes,
                    "forbidden_writes": self._forbidden_writes, "logins": dict(self._logins)}

    def log(self, limit=100):
        with self._lock:
            entries = list(self._log)
        return entries[-limit:] if limit else entries
