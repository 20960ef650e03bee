# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""HTTP transport of the KubeSphere client: one requests session, retries with backoff, TLS.

Retries, with exponential backoff and jitter, honouring Retry-After, at most `retries` times per
request and `retry_budget` seconds of waiting per client (one task): connection errors, timeouts
and HTTP 429/502/503/504. Idempotent requests (GET, HEAD, PUT, DELETE, and writes the caller marks
idempotent) are retried for all of them. Other writes (POST, PATCH) are retried only when the server
provably did not act: the connection could not be made, or a 429 came with a Retry-After (a rate
limiter refuses before anything is done, and says when to come back). Otherwise a write whose answer
was lost is marked `uncertain` (it may have happened) and the caller reads before it writes again
(_engine/ks_recovery.py). A 503 from the multi-cluster dispatcher ("cluster X is not ready") is not
retried: it is not transient on the scale of seconds. Each kind of retried request is reported once
per client; when the retries run out, the error says "gave up after N retries".
"""

import json
import random
import re
import socket
import ssl
import threading
import time
import traceback
import warnings

try:
    import requests
    from requests.exceptions import ChunkedEncodingError, ConnectionError as RequestsConnectionError
    from requests.exceptions import ReadTimeout, ConnectTimeout, RequestException, SSLError, Timeout
    from urllib3.exceptions import NewConnectionError
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

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import (
    KubeSphereError,
    parse_error_body,
)

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
RETRY_STATUSES = frozenset((429, 502, 503, 504))
_STATUS_CAUSES = {429: "HTTP 429 (too many requests)", 502: "HTTP 502 (bad gateway)",
                  503: "HTTP 503 (service unavailable)", 504: "HTTP 504 (gateway timeout)"}
_VERSION_SEGMENT = re.compile(r"^v\d+((alpha|beta)\d+)?$")
_SENSITIVE_QUERY_KEY = re.compile(r"token|password|secret", re.IGNORECASE)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"\)\]]+)")
_STATS_LOCK = threading.Lock()


def bump(stats, key, by=1):
    """Add to a counter of a stats dict (safe when a client is shared by threads)."""
    with _STATS_LOCK:
        stats[key] = stats.get(key, 0) + by


class KsResponse(object):
    """An HTTP answer: status, headers, json (parsed body or None), text, url (no credentials), elapsed (s);
    retries: how often the request was sent again before this answer; after_lost: an earlier send of it lost
    its answer after it may have been processed (a conflict now may be that send's doing)."""

    __slots__ = ("status", "headers", "json", "text", "url", "elapsed", "retries", "after_lost")

    def __init__(self, status, headers, text, url, elapsed):
        self.retries = 0
        self.after_lost = False
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


def describe_request_exception(exc, timeout, url=None, verify=True):
    """A short, secret-free reason and advice for a requests exception."""
    if isinstance(exc, SSLError):
        return describe_tls_error(exc, url, verify)
    if isinstance(exc, ConnectTimeout):
        return ("no connection within %s s" % timeout, "check ks_host, the network and any proxy settings")
    if isinstance(exc, (ReadTimeout, Timeout)):
        return ("no answer within %s s" % timeout, "the server is slow or overloaded; raise request_timeout if it persists")
    if isinstance(exc, RequestsConnectionError) and never_sent(exc):
        return ("cannot connect: %s" % _short_reason(exc), "check ks_host and that KubeSphere is reachable from here")
    if isinstance(exc, (RequestsConnectionError, ChunkedEncodingError)):
        return ("connection lost before the answer: %s" % _short_reason(exc),
                "KubeSphere or a proxy in front of it dropped the connection; check its health if this persists")
    return ("request failed: %s" % _short_reason(exc), None)


def describe_tls_error(exc, url, verify):
    """Reason and advice for a TLS failure: plain HTTP, an unknown CA, an expired certificate, a name mismatch."""
    text = str(exc)
    lowered = text.lower()
    where = _host_port(url)
    trusted = ("the CA in ca_path %s" % verify) if isinstance(verify, str) else "the system's CA bundle"
    if "wrong version number" in lowered or "record layer failure" in lowered or "http request" in lowered:
        return ("TLS error: %s answers plain HTTP, not HTTPS" % (where or "the server"),
                "use http:// in ks_host for this port, or the port where KubeSphere serves HTTPS")
    if "certificate has expired" in lowered:
        return ("TLS error: the certificate of %s has expired%s" % (where or "the server", _expiry(url, verify)),
                "renew the server's certificate; validate_certs=false would skip every check, "
                "including this one")
    if "mismatch" in lowered or "doesn't match" in lowered or "not valid for" in lowered:
        host = urlsplit(url).hostname if url else None
        names = certificate_names(url, verify)
        held = (": it holds %s" % ", ".join(names)) if names else ""
        return ("TLS error: the certificate of %s is not valid for the host name %s%s" % (where, host, held),
                "use a name the certificate holds in ks_host, or have the certificate reissued for %s" % host)
    if "unable to get local issuer" in lowered or "self-signed" in lowered or "self signed" in lowered \
            or "unknown ca" in lowered or "unable to get issuer" in lowered:
        return ("TLS error: the certificate of %s is signed by a CA that %s does not hold" % (where, trusted),
                "set ca_path (or KUBESPHERE_CA_PATH, or the CA field of the AWX credential) to the PEM file of "
                "the CA that signed it; validate_certs=false skips verification")
    return ("TLS error: %s" % _short_reason(exc),
            "check ca_path (the PEM CA bundle that signed the server's certificate) and validate_certs")


def certificate_names(url, verify, timeout=5.0):
    """The DNS names and IP addresses the server's certificate holds (its chain verified, its name not),
    or [] when they cannot be read."""
    try:
        parts = urlsplit(url)
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        context.check_hostname = False
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
                cert = tls.getpeercert() or {}
    except (OSError, ValueError, ssl.SSLError):
        return []
    names = [value for kind, value in cert.get("subjectAltName", ()) if kind in ("DNS", "IP Address")]
    return [name.strip() for name in names]


def _expiry(url, verify):
    """' (not after <date>)' for an expired certificate, when it can be read."""
    try:
        parts = urlsplit(url)
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=5.0) as raw:
            with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
                der = tls.getpeercert(binary_form=True)
        from cryptography import x509
        cert = x509.load_der_x509_certificate(der)
        after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
        return " (not valid after %s)" % after.strftime("%Y-%m-%d %H:%M UTC")
    except Exception:  # pylint: disable=broad-except
        return ""   # cryptography missing or the server gone: the reason alone is still clear


def _host_port(url):
    try:
        parts = urlsplit(url)
        return "%s:%s" % (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (TypeError, ValueError):
        return None


def never_sent(exc):
    """The request provably did not reach the server: no connection was made."""
    if isinstance(exc, SSLError):
        return False
    if isinstance(exc, ConnectTimeout):
        return True
    if isinstance(exc, RequestsConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)      # urllib3's MaxRetryError wraps the cause
        return isinstance(reason, NewConnectionError)
    return False


def request_kind(method, url):
    """What a request is, for a warning: "GET users", "POST workspaces/workspacemembers"."""
    try:
        segments = [part for part in urlsplit(url).path.split("/") if part]
    except ValueError:
        return method
    if len(segments) >= 2 and segments[0] == "clusters":
        segments = segments[2:]
    for index, segment in enumerate(segments):
        if _VERSION_SEGMENT.match(segment):
            segments = segments[index + 1:]
            break
    else:
        return "%s /%s" % (method, "/".join(segments))
    plurals = segments[0::2]
    return "%s %s" % (method, "/".join(plurals) or "/")


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
    """Send HTTP requests over one session, retrying transient failures (see the module docstring)."""

    backoff_base = 0.5
    backoff_cap = 8.0

    def __init__(self, verify=True, timeout=30.0, retries=3, warn=None, sleep=None, stats=None,
                 user_agent="kubesphere.core", budget=60.0, pool_size=None):
        if not HAS_REQUESTS:
            raise KubeSphereError("the Python library 'requests' is required by kubesphere.core "
                                  "(pip install requests)")
        self.verify = verify
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.budget = max(0.0, float(budget))   # seconds this client may spend waiting to retry
        self._waited = 0.0
        self._reported = set()
        self._lock = threading.Lock()
        self._random = random.Random()
        self._warn = warn or (lambda message: None)
        self._sleep = sleep or time.sleep
        self.stats = stats if stats is not None else {}
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        if pool_size and int(pool_size) > 10:
            # requests keeps 10 connections per host; more threads than that would open and drop extras.
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=int(pool_size))
            self.session.mount("https://", adapter)
            self.session.mount("http://", adapter)

    def close(self):
        self.session.close()

    def backoff(self, attempt, retry_after=None):
        """Exponential backoff with jitter (half fixed, half random); never less than Retry-After."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        delay = ceiling / 2 + self._random.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def pause(self, attempt, retry_after=None):
        """Wait before retry number attempt+1; False (without waiting) when that would pass the budget."""
        delay = self.backoff(attempt, retry_after)
        with self._lock:
            if self._waited + delay > self.budget:
                return False
            self._waited += delay
        self._count("retries")
        self._sleep(delay)
        return True

    def report(self, key, message):
        """Warn once per key (a kind of retried request and its cause), not once per request."""
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
        self._warn(message)

    def send(self, method, url, headers=None, data=None, retry=True, idempotent=None, login=False):
        """Send one request; return a KsResponse for any HTTP status; raise KubeSphereError if no answer came.

        idempotent: None means by method. login: the token endpoint (never retried on KubeSphere's
        own 429, which is its lock-out)."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        left = self.retries if retry else 0
        attempt = 0
        lost = False    # an earlier send may have been processed, its answer lost
        shown = display_url(url)
        while True:
            started = time.time()
            self._count("requests")
            try:
                resp = self._request(method, url, headers, data)
            except RequestException as exc:
                reason, advice = describe_request_exception(exc, self.timeout, url, self.verify)
                transient = isinstance(exc, (RequestsConnectionError, Timeout, ChunkedEncodingError)) \
                    and not isinstance(exc, SSLError)
                safe = idempotent or never_sent(exc)
                if transient and safe and left > 0 and self.pause(attempt):
                    self._report_retry(method, url, "a connection error (%s)" % reason)
                    lost = lost or not never_sent(exc)
                    left, attempt = left - 1, attempt + 1
                    continue
                err = KubeSphereError(reason, method=method, url=shown, status=None, advice=advice)
                # A write whose answer was lost may have happened, retried or not: read before sending it again.
                err.uncertain = transient and not never_sent(exc) and method not in READ_METHODS
                err.after_lost = lost
                if attempt:
                    err.give_up(attempt)
                raise err
            text = resp.content.decode("utf-8", "replace") if resp.content else ""
            answer = KsResponse(resp.status_code, resp.headers, text, shown, time.time() - started)
            if answer.status in RETRY_STATUSES and left > 0 and (idempotent or not_acted(answer)) \
                    and not is_cluster_not_ready(answer.status, text) and not (login and _own_429(answer)):
                retry_after = _retry_after(resp.headers)
                if self.pause(attempt, retry_after):
                    cause = _STATUS_CAUSES[answer.status]
                    if retry_after is not None:
                        cause = cause[:-1] + ", Retry-After %g s)" % retry_after
                    self._report_retry(method, url, cause, answer.status)
                    lost = lost or not not_acted(answer)
                    left, attempt = left - 1, attempt + 1
                    continue
            answer.retries, answer.after_lost = attempt, lost
            return answer

    def _report_retry(self, method, url, cause, status=None):
        kind = request_kind(method, url)
        self.report(("retry", kind, status or cause),
                    "Retried %s on %s after %s, with backoff (at most %d times per request, %g s in all "
                    "per task); later retries of this kind are not reported"
                    % (kind, _host_port(url), cause, self.retries, self.budget))

    def _request(self, method, url, headers, data):
        kwargs = dict(headers=headers, data=data, timeout=self.timeout, verify=self.verify)
        if self.verify is False:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*[Uu]nverified HTTPS request.*")
                return self.session.request(method, url, **kwargs)
        return self.session.request(method, url, **kwargs)

    def _count(self, key):
        bump(self.stats, key)


def not_acted(answer):
    """A 429 with a Retry-After: a rate limiter refused the request before anything was done, so any
    request (a POST too) may be sent again once the wait is over."""
    return answer.status == 429 and _retry_after(answer.headers) is not None


def _own_429(answer):
    """KubeSphere's lock-out answer (an OAuth error body), not a gateway's rate limit."""
    return answer.status == 429 and isinstance(answer.json, dict) and "error" in answer.json


def _retry_after(headers):
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None
