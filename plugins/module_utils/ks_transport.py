# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""HTTP transport of the KubeSphere client: one requests session, retries with backoff, TLS.

Retries: connection errors, timeouts and HTTP 429/502/503/504 are retried with exponential
backoff, for idempotent methods only and never for the token endpoint (the caller says so with
retry=False). A 503 from the multi-cluster dispatcher ("cluster X is not ready") is not retried:
it is not transient on the scale of seconds.
"""

import json
import re
import threading
import time
import traceback
import warnings

try:
    import requests
    from requests.exceptions import ChunkedEncodingError, ConnectionError as RequestsConnectionError
    from requests.exceptions import ReadTimeout, ConnectTimeout, RequestException, SSLError, Timeout
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urlparse import parse_qsl, urlsplit, urlunsplit
    from urllib import urlencode

from ansible_collections.kubesphere.core.plugins.module_utils.ks_errors import (
    KubeSphereError,
    parse_error_body,
)

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
RETRY_STATUSES = frozenset((429, 502, 503, 504))
_SENSITIVE_QUERY_KEY = re.compile(r"token|password|secret", re.IGNORECASE)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"\)\]]+)")
_STATS_LOCK = threading.Lock()


def bump(stats, key, by=1):
    """Add to a counter of a stats dict (safe when a client is shared by threads)."""
    with _STATS_LOCK:
        stats[key] = stats.get(key, 0) + by


class KsResponse(object):
    """An HTTP answer: status, headers, json (parsed body or None), text, url (no credentials), elapsed (s)."""

    __slots__ = ("status", "headers", "json", "text", "url", "elapsed")

    def __init__(self, status, headers, text, url, elapsed):
        self.status = status
        self.headers = headers
        self.text = text
        self.url = url
        self.elapsed = elapsed
        self.json = None
        if text and text.strip():
            try:
                self.json = json.loads(text)
            except ValueError:
                self.json = None

    @property
    def ok(self):
        return self.status < 400

    def __repr__(self):
        return "<KsResponse %s %s>" % (self.status, self.url)


def display_url(url):
    """The URL without user info and with sensitive query values masked (safe for messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SENSITIVE_QUERY_KEY.search(key) for key, _value in pairs):
            query = urlencode([(k, "********" if _SENSITIVE_QUERY_KEY.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def is_cluster_not_ready(status, text):
    if status != 503:
        return False
    message = parse_error_body(text)[0]
    return bool(re.match(r"^cluster \S+ is not ready$", (message or "").strip()))


def describe_request_exception(exc, timeout):
    """A short, secret-free reason and advice for a requests exception."""
    if isinstance(exc, SSLError):
        return ("TLS error: %s" % _short_reason(exc),
                "set ca_path to the CA bundle that signed the server's certificate, or validate_certs to false")
    if isinstance(exc, ConnectTimeout):
        return ("no connection within %s s" % timeout, "check ks_host, the network and any proxy settings")
    if isinstance(exc, (ReadTimeout, Timeout)):
        return ("no answer within %s s" % timeout, "the server is slow or overloaded; raise request_timeout if it persists")
    if isinstance(exc, RequestsConnectionError):
        return ("cannot connect: %s" % _short_reason(exc), "check ks_host and that KubeSphere is reachable from here")
    return ("request failed: %s" % _short_reason(exc), None)


def _short_reason(exc):
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        return match.group(1).strip().rstrip(".")
    lowered = text.lower()
    if "failed to resolve" in lowered or "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "cannot resolve the host name"
    if "remotedisconnected" in lowered or "connection aborted" in lowered:
        return "the server closed the connection"
    if "certificate verify failed" in lowered:
        match = re.search(r"certificate verify failed: ([^'\"\)\(]+)", text)
        return "certificate verify failed" + (": %s" % match.group(1).strip() if match else "")
    if "wrong version number" in lowered:
        return "wrong version number (is the server speaking plain HTTP?)"
    return type(exc).__name__


class Transport(object):
    """Send HTTP requests over one session, retrying transient failures of idempotent ones."""

    backoff_base = 0.5
    backoff_cap = 8.0

    def __init__(self, verify=True, timeout=30.0, retries=3, warn=None, sleep=None, stats=None,
                 user_agent="kubesphere.core"):
        if not HAS_REQUESTS:
            raise KubeSphereError("the Python library 'requests' is required by kubesphere.core "
                                  "(pip install requests)")
        self.verify = verify
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self._warn = warn or (lambda message: None)
        self._sleep = sleep or time.sleep
        self.stats = stats if stats is not None else {}
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    def close(self):
        self.session.close()

    def backoff(self, attempt, retry_after=None):
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        if retry_after is not None:
            delay = max(delay, min(self.backoff_cap, retry_after))
        return delay

    def send(self, method, url, headers=None, data=None, retry=True):
        """Send one request; return a KsResponse for any HTTP status; raise KubeSphereError if no answer came."""
        method = method.upper()
        left = self.retries if (retry and method in IDEMPOTENT_METHODS) else 0
        attempt = 0
        shown = display_url(url)
        while True:
            started = time.time()
            self._count("requests")
            try:
                resp = self._request(method, url, headers, data)
            except RequestException as exc:
                reason, advice = describe_request_exception(exc, self.timeout)
                transient = isinstance(exc, (RequestsConnectionError, Timeout, ChunkedEncodingError)) \
                    and not isinstance(exc, SSLError)
                if transient and left > 0:
                    delay = self.backoff(attempt)
                    self._warn("%s %s failed (%s); retrying in %.1f s (%d left)" % (method, shown, reason, delay, left - 1))
                    left, attempt = left - 1, attempt + 1
                    self._count("retries")
                    self._sleep(delay)
                    continue
                raise KubeSphereError(reason, method=method, url=shown, status=None, advice=advice)
            text = resp.content.decode("utf-8", "replace") if resp.content else ""
            answer = KsResponse(resp.status_code, resp.headers, text, shown, time.time() - started)
            if answer.status in RETRY_STATUSES and left > 0 and not is_cluster_not_ready(answer.status, text):
                delay = self.backoff(attempt, _retry_after(resp.headers))
                self._warn("%s %s answered %s; retrying in %.1f s (%d left)" % (method, shown, answer.status, delay, left - 1))
                left, attempt = left - 1, attempt + 1
                self._count("retries")
                self._sleep(delay)
                continue
            return answer

    def _request(self, method, url, headers, data):
        kwargs = dict(headers=headers, data=data, timeout=self.timeout, verify=self.verify)
        if self.verify is False:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*[Uu]nverified HTTPS request.*")
                return self.session.request(method, url, **kwargs)
        return self.session.request(method, url, **kwargs)

    def _count(self, key):
        bump(self.stats, key)


def _retry_after(headers):
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None
