"""Network and server faults, injected in front of the application the way a load balancer, an
ingress controller or a restarting ks-apiserver would show them to a client.

Configured at start (--faults JSON or --fault-seed) and at run time (POST /_emulator/faults);
off by default, and then nothing here touches a request. Every random choice comes from a
generator seeded by the seed, the method and the request's rank among that method's requests, so the
writes of a failing test replay with its seed, whatever timing-dependent polling happened in between.
What was injected is counted (GET /_emulator/faults): "status_503", "reset_after", ... and per
method ("POST reset_after"), "latency", "restarts", "stale_reads".

Settings (all optional):
  latency_ms, jitter_ms   added before each answer: latency + uniform(0, jitter)
  status_rate, statuses   that share of requests is answered by a gateway with one of statuses
                          (502, 503, 504, 429); 503 and 429 are refused before the server sees the
                          request, 502 and 504 are answered after it was processed (the upstream
                          did it, the gateway lost the answer), as with real proxies
  retry_after_s           the Retry-After a 429 carries (rate limiters send it; default 1); a 503
                          carries it only when retry_after_503 is true (maintenance pages do)
  reset_before_rate       that share of connections is reset after the request was read, before
                          it is processed
  reset_after_rate        that share is processed, then the connection is reset: the write
                          happened, the client saw an error
  restart_after           after this many requests (once), a ks-apiserver restart: every token
                          is dropped, every object kept
  lag_ms                  informer lag of kapis reads raised to this (read-after-write lag)
  paths                   path prefixes the faults apply to (default: every KubeSphere path;
                          /_emulator/ never)
  methods                 HTTP methods the status and reset faults apply to (default: all)
  seed                    the generator's seed (default 0); setting it restarts the sequence
"""

import random
import threading

GATEWAY_STATUSES = (502, 503, 504, 429)
BEFORE_PROCESSING = (503, 429)   # refused at the gateway: the server never saw the request
_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out",
            429: "Too Many Requests"}
_NUMBERS = ("latency_ms", "jitter_ms", "status_rate", "retry_after_s", "reset_before_rate",
            "reset_after_rate", "lag_ms")
_RATES = ("status_rate", "reset_before_rate", "reset_after_rate")


class Action:
    """What to do to one request: delay (s), then status (a gateway answer) or reset, and when."""

    __slots__ = ("delay", "status", "retry_after", "reset", "after")

    def __init__(self):
        self.delay = 0.0
        self.status = None
        self.retry_after = None
        self.reset = False
        self.after = False      # the status or reset comes after the request was processed


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._config = {}
        self._per_request = {}
        self._seen = 0
        self._restart_done = False
        self._counts = {}

    # ---- configuration -----------------------------------------------------------------

    def configure(self, changes, replace=False):
        """Apply settings (a dict); replace=True first turns every fault off. Raises ValueError."""
        if not isinstance(changes, dict):
            raise ValueError("the faults must be a JSON object")
        config = {} if replace else dict(self._config)
        for key, value in changes.items():
            config[key] = _checked(key, value)
        config = dict((k, v) for k, v in config.items() if v not in (None, 0, 0.0, [], False) or k == "seed")
        with self._lock:
            self._config = config
            if replace or "seed" in changes:
                self._per_request = {}
                self._seen = 0
                self._restart_done = False

    def view(self):
        with self._lock:
            return {"config": dict(self._config), "injected": dict(self._counts), "requests_seen": self._seen}

    def reset_counts(self):
        with self._lock:
            self._counts = {}

    @property
    def active(self):
        return any(key != "seed" for key in self._config)

    def lag(self):
        """The exaggerated informer lag in seconds, or None when that fault is off."""
        value = self._config.get("lag_ms")
        return value / 1000.0 if value else None

    def count(self, key, by=1):
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + by

    # ---- per request -------------------------------------------------------------------

    def decide(self, method, path):
        """The Action for one request, or None when no fault applies (the common case)."""
        config = self._config
        if not config or path.startswith("/_emulator") or not self.active:
            return None
        prefixes = config.get("paths")
        if prefixes and not any(path.startswith(prefix) for prefix in prefixes):
            return None
        with self._lock:
            self._seen += 1
            # One generator per request, from the seed, the method and how many requests of that method
            # came before: the writes of a play get the same fates on a replay however many polling
            # reads happened in between (and whatever names the play's objects have).
            self._per_request[method] = occurrence = self._per_request.get(method, 0) + 1
            rng = random.Random("%s %s %d" % (config.get("seed", 0), method, occurrence))
            action = Action()
            # Always draw the same numbers in the same order, so one seed gives one sequence.
            jitter, status_roll, status_pick, before_roll, after_roll = (rng.random() for _draw in range(5))
            action.delay = (config.get("latency_ms", 0) + jitter * config.get("jitter_ms", 0)) / 1000.0
            if action.delay:
                self._bump("latency")
            if config.get("methods") and method not in config["methods"]:
                return action
            statuses = config.get("statuses") or [503]
            if status_roll < config.get("status_rate", 0):
                action.status = statuses[int(status_pick * len(statuses)) % len(statuses)]
                action.after = action.status not in BEFORE_PROCESSING
                if action.status == 429 or (action.status == 503 and config.get("retry_after_503")):
                    action.retry_after = int(config.get("retry_after_s", 1))
                self._bump("status_%d" % action.status, method)
            elif before_roll < config.get("reset_before_rate", 0):
                action.reset = True
                self._bump("reset_before", method)
            elif after_roll < config.get("reset_after_rate", 0):
                action.reset, action.after = True, True
                self._bump("reset_after", method)
            return action

    def restart_due(self):
        """True once, when restart_after requests have been seen: the caller drops the tokens."""
        limit = self._config.get("restart_after")
        with self._lock:
            if not limit or self._restart_done or self._seen < limit:
                return False
            self._restart_done = True
            self._bump("restarts")
            return True

    def _bump(self, key, method=None):
        """Count a fault, and per method too ("POST reset_after"), so a test can tell writes apart."""
        for name in (key, "%s %s" % (method, key)) if method else (key,):
            self._counts[name] = self._counts.get(name, 0) + 1


def gateway_body(status):
    """The HTML page ingress-nginx answers with (its default error page)."""
    reason = _REASONS[status]
    return ("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n" % (status, reason, status, reason)).encode()


def _checked(key, value):
    if key in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("%s must be a non-negative number" % key)
        if key in _RATES and value > 1:
            raise ValueError("%s is a share of requests, from 0 to 1" % key)
        return float(value)
    if key in ("restart_after", "seed"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("%s must be a non-negative whole number" % key)
        return value
    if key == "retry_after_503":
        if not isinstance(value, bool):
            raise ValueError("retry_after_503 must be true or false")
        return value
    if key == "statuses":
        if not isinstance(value, list) or not value or any(code not in GATEWAY_STATUSES for code in value):
            raise ValueError("statuses must be a list of %s" % ", ".join(str(c) for c in GATEWAY_STATUSES))
        return value
    if key in ("paths", "methods"):
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise ValueError("%s must be a list of strings" % key)
        return [item.upper() for item in value] if key == "methods" else value
    raise ValueError("unknown fault %r; known: %s" % (key, ", ".join(
        sorted(_NUMBERS + ("restart_after", "seed", "retry_after_503", "statuses", "paths", "methods")))))
