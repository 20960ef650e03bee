# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The one HTTP client of kubesphere.core.

Plain Python (no Ansible imports): modules, the inventory plugin and benchmarks use it alike.

    client = KubeSphereClient(options, warn=callable_or_None)
    client.get("/kapis/iam.kubesphere.io/v1beta1/users/bob", missing_ok=True)

It knows KubeSphere's login (OAuth password grant, refresh, on-disk token cache shared by
processes), its path routing (/clusters/{cluster}/...), its error shapes, its list shapes and
its read-after-write lag. Errors are KubeSphereError; nothing secret ever appears in an error,
a warning or a repr.
"""

import functools
import json
import os
import ssl
import threading
import time

try:
    from urllib.parse import quote, unquote, urlencode, urlsplit
except ImportError:  # pragma: no cover
    from urllib import quote, unquote, urlencode
    from urlparse import urlsplit

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_connection import ENV_VARS
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import (  # noqa: F401 (re-exported)
    KubeSphereAuthError,
    KubeSphereError,
    scrub,
    secret_variants,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_transport import (  # noqa: F401 (re-exported)
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    KsResponse,
    RETRY_STATUSES,
    Transport,
    bump,
    display_url,
    is_cluster_not_ready,
    not_acted,
    request_kind,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_auth import (
    FALSE_STRINGS,
    TRUE_STRINGS,
    Authenticator,
    default_cache_dir,
    resolve_cache_dir,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_detect import VersionCache, line_advice, probe, remember
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import (
    AUTO,
    LINES,
    LIST_TOTAL_KEYS,
    V4,
    check_choice,
)

__all__ = ["KubeSphereClient", "KubeSphereError", "KubeSphereAuthError", "KsResponse",
           "HAS_REQUESTS", "REQUESTS_IMPORT_ERROR"]

USER_AGENT = "kubesphere.core-client/1"
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


def _scrubbed(func):
    """Remove every secret this client knows from any KubeSphereError leaving a public method."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        try:
            return func(self, *args, **kwargs)
        except KubeSphereError as err:
            err.redact(self._secrets())
            raise
    return wrapper


class KubeSphereClient(object):
    """A session with one KubeSphere host cluster (and, through it, its member clusters)."""

    # Read-after-write: a not-found answer for a path naming an object this client wrote less than
    # settle_window seconds ago is retried after each of settle_delays (informer caches lag).
    settle_window = 2.0
    settle_delays = (0.05, 0.1, 0.2, 0.4)

    def __init__(self, options, warn=None, sleep=None):
        options = dict(options or {})
        self._warn_callback = warn
        self._sleep = sleep or time.sleep
        self.host = _check_host(options.get("ks_host"))
        self.stats = dict(requests=0, logins=0, refreshes=0, retries=0, reauths=0, not_found_retries=0)
        validate_certs = _as_bool(options.get("validate_certs"), "validate_certs", True)
        ca_path = options.get("ca_path") or None
        if ca_path and validate_certs:
            ca_path = _check_ca_path(ca_path)
        self._transport = Transport(
            verify=(ca_path or True) if validate_certs else False,
            timeout=_as_number(options.get("request_timeout"), "request_timeout", 30.0),
            retries=_as_int(options.get("retries"), "retries", 3),
            budget=_as_number(options.get("retry_budget"), "retry_budget", 60.0, zero_ok=True),
            warn=self._warn, sleep=self._sleep, stats=self.stats, user_agent=USER_AGENT,
            pool_size=options.get("pool_size"))
        try:
            choice = check_choice(options.get("ks_api_version"))
        except ValueError as err:
            raise KubeSphereError(str(err))
        self._line = None if choice == AUTO else LINES[choice]
        # Where the line came from: option (ks_api_version), cache (detected earlier, kept for a day),
        # probe (asked in this process) or assumed (no version endpoint answered).
        self._line_source = None if choice == AUTO else "option"
        self._line_rechecked = False
        self.git_version = None
        self._line_lock = threading.RLock()
        cache_dir = resolve_cache_dir(options.get("token_cache"))
        token = options.get("ks_token")
        if isinstance(token, dict):  # the result of ks_login may be passed whole
            token = token.get("ks_token") or token.get("access_token")
        self._auth = Authenticator(
            self.host, self._transport,
            username=options.get("ks_username") or None,
            password=options.get("ks_password") or None,
            client_id=options.get("ks_client_id") or "kubesphere",
            client_secret=options.get("ks_client_secret") or "kubesphere",
            static_token=token or None,
            cache_dir=cache_dir, refusals_dir=None if cache_dir else default_cache_dir(),
            warn=self._warn, stats=self.stats)
        self._version_cache = VersionCache(cache_dir, self.host) if cache_dir else None
        self._own_tokens = set()  # tokens this client obtained by its own login (see logout)
        self._recent = {}  # object name -> time.monotonic() of this client's last write naming it
        self._recent_lock = threading.Lock()
        self._thread = threading.local()  # per thread: the writes it sent (a bulk run's object runs on one)
        if not validate_certs and self.host.startswith("https://"):
            self._warn("TLS certificate verification is disabled (validate_certs=false) for %s" % self.host)

    @classmethod
    def options_from_env(cls, overrides=None):
        """Options with every unset (missing or None) key filled from its KUBESPHERE_* variable."""
        result = dict((key, value) for key, value in (overrides or {}).items() if value is not None)
        for key, variable in ENV_VARS:
            if result.get(key) is None:
                value = os.environ.get(variable)
                if value not in (None, ""):
                    result[key] = value
        return result

    def __repr__(self):
        return "KubeSphereClient(host=%r, username=%r)" % (self.host, self._auth.username)

    def close(self):
        self._transport.close()

    # -- authentication -----------------------------------------------------------------------

    @_scrubbed
    def login(self, force=False):
        """Make sure there is a valid access token and return it."""
        return self._token(force=force)

    def _token(self, **kwargs):
        """The Authenticator's token; one it had to log in or refresh for is this client's own."""
        before = self.stats.get("logins", 0) + self.stats.get("refreshes", 0)
        token = self._auth.token(**kwargs)
        if self.stats.get("logins", 0) + self.stats.get("refreshes", 0) > before:
            self._own_tokens.add(token)
        return token

    # -- the server's line (3.x or 4.x) ------------------------------------------------------

    @property
    def api(self):
        """The ApiLine of this host (ks_versions.py): from ks_api_version, the cache, or detection."""
        if self._line is None:
            with self._line_lock:
                if self._line is None:
                    self._line = LINES[self._detect_line()]
        return self._line

    def _detect_line(self):
        cache = self._version_cache
        if cache is not None:
            line, self.git_version = cache.fresh_line()
            if line:
                self._line_source = "cache"
                return line
        self._line_source = "probe"
        try:
            line, self.git_version = probe(self._probe_send, self.host)
        except KubeSphereError as err:
            if err.status is None:   # unreachable: the request itself would fail the same way
                raise
            line = None
        if not line:
            self._line_source = "assumed"
            self._warn("could not tell the KubeSphere version of %s (neither /version nor /kapis/version answered "
                       "without a token); assuming 4.x. Set ks_api_version (or KUBESPHERE_API_VERSION) to v3 or v4 "
                       "to say it" % self.host)
            return V4
        if cache is not None and not remember(cache, line, self.git_version):
            self._warn("could not write the detected KubeSphere version to %s" % cache.directory)
        return line

    def _line_for(self, method, path, body, auth, cluster=None):
        """The line to say a request in, or None for one every line says alike (the cluster list the
        inventory reads, /api/v1 namespaces): it costs no detection, and another line would not change it."""
        if all(line.path(path) == path and line.body(method, path, body) is body for line in LINES.values()) \
                and not (cluster and cluster != "host"):
            return None
        if self._line is not None:
            return self._line
        if auth:
            self._token()   # missing credentials fail before the version is asked
        return self.api

    def _probe_send(self, method, url, headers):
        return self._transport.send(method, url, headers=headers)

    def _recheck_line(self):
        """Ask the server its line once more (once per client, only for a line read from the day-old cache)
        after an answer that may mean another server answers now: a refused token, a path it does not
        serve, a feature the line lacks. The cache keeps the new answer. True when the line changed."""
        with self._line_lock:
            if self._line_source != "cache" or self._line_rechecked:
                return False
            self._line_rechecked = True
            before, before_version = self._line, self.git_version
            try:
                line, git_version = probe(self._probe_send, self.host)
            except KubeSphereError:
                return False
            if not line:
                return False
            self._line_source = "probe"
            self._line, self.git_version = LINES[line], git_version
            if self._version_cache is not None:
                remember(self._version_cache, line, git_version)
            if self._line is before:
                return False
            self._warn("KubeSphere at %s now runs %s (%s), not %s (%s) as detected earlier and kept in %s (an "
                       "upgrade?): detected again, and the request repeated"
                       % (self.host, git_version, self._line.title, before_version or "a version not known",
                          before.title, self._version_cache.path if self._version_cache is not None else "memory"))
            return True

    def _line_advice(self):
        """For a path the server does not serve: the line the request was sent in and how to change it."""
        cache = self._version_cache
        # Detected again only when the recheck got an answer (it then makes the source "probe"); one that got
        # none leaves the cached line, which no server confirmed.
        again = self._line_rechecked and self._line_source == "probe"
        return line_advice(self._line, self._line_source, self.git_version, again,
                           cache.path if cache is not None else None)

    @_scrubbed
    def require(self, *features):
        """Fail before any write when this server's line lacks a feature (e.g. extensions on 3.x)."""
        for feature in features:
            problem = self.api.lacks(feature)
            if problem and self._recheck_line():
                problem = self.api.lacks(feature)
            if problem:
                shown = (" (this server reports %s)" % self.git_version) if self.git_version else ""
                if self._line_source in ("option", "assumed"):
                    shown += " (%s)" % self._line_advice()
                raise KubeSphereError(problem + shown)

    @property
    def token(self):
        return self.login()

    @_scrubbed
    def logout(self):
        """Revoke the token this client was given (ks_token) or obtained by its own login, and forget
        it; returns the answer, or None when there is none. A token read from the shared cache is never
        revoked: other tasks and forks use it, and on 3.x a logout revokes every token of the user."""
        token = self._auth.static_token or self._auth.current_token()
        if not token or (token != self._auth.static_token and token not in self._own_tokens):
            return None
        resp = self._transport.send("GET", self.host + "/oauth/logout",
                                    headers={"Accept": "application/json", "Authorization": "Bearer " + token})
        self._auth.forget(token)
        if resp.status >= 400 and resp.status != 401:
            raise KubeSphereError.from_response("GET", resp.url, resp.status, resp.text)
        return resp.json

    # -- requests -----------------------------------------------------------------------------

    def url(self, path, cluster=None, query=None):
        """The full URL of an API path, with the cluster routing of this server's line and the query."""
        if not path.startswith("/"):
            path = "/" + path
        if cluster and cluster != "host":
            path = self.api.cluster_path(path, quote(str(cluster), safe=""))
        encoded = encode_query(query)
        if encoded:
            path += ("&" if "?" in path else "?") + encoded
        return self.host + path

    @_scrubbed
    def request(self, method, path, cluster=None, body=None, query=None, content_type=None,
                expected_status=None, auth=True, idempotent=None, raw=False):
        """Send one API request; return a KsResponse; raise KubeSphereError for HTTP >= 400
        unless the status is in expected_status. auth=False sends no token (for /version).
        idempotent=True lets a POST or PATCH be retried like a PUT (it must be safe to send twice).
        The path and body are v4's, said the way this server's line wants them (ks_versions.py);
        raw=True sends them as given (ks_api), routing to a member cluster still follows the line."""
        method = method.upper()
        if not path.startswith("/"):
            path = "/" + path
        given = (method, path, body, cluster, query, content_type)
        line = None if raw else self._line_for(method, path, body, auth, cluster)
        body, path, url, data, headers = self._said(line, *given)
        expected = frozenset(int(code) for code in (expected_status or ()))
        bare_path = urlsplit(path).path
        delays = None
        reauthenticated = False
        while True:
            token = None
            if auth:
                token = self._token()
                headers["Authorization"] = "Bearer " + token
            try:
                resp = self._transport.send(method, url, headers=headers, data=data, idempotent=idempotent)
            except KubeSphereError as err:
                if err.uncertain:
                    self._note_write(method, bare_path, body, None, counted=False)
                raise
            if resp.status == 401 and auth and 401 not in expected:
                if self._auth.static_token and not self._auth.may_replace_static():
                    raise KubeSphereAuthError.from_response(method, resp.url, resp.status, resp.text,
                                                            advice=self._auth.refused_token_advice())
                if reauthenticated:
                    raise KubeSphereAuthError.from_response(
                        method, resp.url, resp.status, resp.text,
                        advice="refused again right after a new login; not retried further")
                reauthenticated = True
                bump(self.stats, "reauths")
                self._auth.drop_static()
                self._token(rejected=token)
                self._transport.report(("reauth",), "KubeSphere refused the access token (it restarted, or the "
                                       "token was revoked); logged in again once and repeated %s"
                                       % request_kind(method, url))
                # Another server may answer now (an upgrade from 3.x to 4.x): its line is asked again.
                if line is not None and (self._recheck_line() or self._line is not line):
                    line = self._line
                    body, path, url, data, headers = self._said(line, *given)
                    bare_path = urlsplit(path).path
                continue
            if resp.status >= 400:
                err = KubeSphereError.from_response(method, resp.url, resp.status, resp.text)
                if line is not None and err.route_miss:
                    # A path this server does not serve, said the way of a line read from the cache.
                    if self._recheck_line() or self._line is not line:
                        line = self._line
                        body, path, url, data, headers = self._said(line, *given)
                        bare_path = urlsplit(path).path
                        continue
                    err.advice = self._line_advice()
                    err.args = (str(err),)
                if resp.status == 500 and not raw and self.api.is_missing(resp.status, err.message):
                    err.missing = True
                err.after_lost = resp.after_lost
                if resp.retries:
                    err.give_up(resp.retries)
                if method in WRITE_METHODS and _may_have_happened(resp, err):
                    err.uncertain = True   # read before sending it again (_engine/ks_recovery.py)
                    err.retry_after = _retry_after_value(resp.headers.get("Retry-After"))
                    self._note_write(method, bare_path, body, None, counted=False)
                if err.not_found and self._recently_written(bare_path):
                    if delays is None:
                        delays = list(self.settle_delays)
                    if delays:
                        bump(self.stats, "not_found_retries")
                        self._sleep(delays.pop(0))
                        continue
                if resp.status in expected:
                    return resp
                raise err
            self._note_write(method, bare_path, body, resp)
            return resp

    def _said(self, line, method, path, body, cluster, query, content_type):
        """(body, path, url, data, headers) of a request said in line (None: as given)."""
        if line is not None:
            body = line.body(method, path, body)
            path = line.path(path)
        url = self.url(path, cluster, query)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            if isinstance(body, bytes):
                data = body
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type or "application/json"
        elif content_type:
            headers["Content-Type"] = content_type
        return body, path, url, data, headers

    def pause_before_retry(self, attempt, err=None):
        """For a caller repeating a write after reading that it did not happen: wait with backoff
        (honouring a Retry-After of err); False when the task's retry budget or count is spent."""
        if attempt >= self._transport.retries:
            return False
        return self._transport.pause(attempt, getattr(err, "retry_after", None))

    def report_once(self, key, message):
        """A warning given once per key by this client (a kind of recovered write, not each one)."""
        self._transport.report(key, message)

    def get(self, path, cluster=None, query=None, missing_ok=False):
        """The parsed JSON of a GET; None when the object does not exist and missing_ok."""
        try:
            return self.request("GET", path, cluster=cluster, query=query).json
        except KubeSphereError as err:
            if missing_ok and err.not_found:
                return None
            raise

    def post(self, path, body, cluster=None, content_type=None, idempotent=None):
        return self.request("POST", path, cluster=cluster, body=body, content_type=content_type,
                            idempotent=idempotent).json

    def put(self, path, body, cluster=None):
        return self.request("PUT", path, cluster=cluster, body=body).json

    def patch(self, path, body, cluster=None, content_type="application/merge-patch+json"):
        return self.request("PATCH", path, cluster=cluster, body=body, content_type=content_type).json

    def delete(self, path, cluster=None, body=None, missing_ok=False):
        """DELETE (KubeSphere workspace deletes need body={}); None when already gone and missing_ok, or
        when an earlier send of this DELETE lost its answer (that send deleted it)."""
        try:
            return self.request("DELETE", path, cluster=cluster, body=body).json
        except KubeSphereError as err:
            if err.not_found and (missing_ok or err.after_lost):
                return None
            raise

    @_scrubbed
    def list_all(self, path, cluster=None, query=None, page_size=500):
        """Every item of every page of a list, whatever its shape: KubeSphere {items, totalItems}
        (or total_count, 4.2 Enterprise; page walk), Kubernetes (metadata.continue token), or v4 generic kapis (continue = total)."""
        query = dict(query or {})
        query["limit"] = int(page_size)
        query.pop("page", None)
        query.pop("continue", None)
        first = self.get(path, cluster=cluster, query=query)
        if first is None:
            return []
        if isinstance(first, list):
            return first
        if not isinstance(first, dict) or "items" not in first or not isinstance(first["items"] or [], list):
            raise KubeSphereError("the answer is not a list (no items)", method="GET",
                                  url=self._shown(path, cluster, query))
        meta = first.get("metadata") if isinstance(first.get("metadata"), dict) else {}
        token = meta.get("continue")
        total_key = next((key for key in LIST_TOTAL_KEYS if key in first), None)
        if total_key:
            return self._walk_pages(path, cluster, query, first, lambda page: _total_of(page, total_key))
        if token and str(token).isdigit() and "kind" not in first:
            return self._walk_pages(path, cluster, query, first,
                                    lambda page: (page.get("metadata") or {}).get("continue"))
        if token:
            return self._follow_continue(path, cluster, query, first)
        return list(first.get("items") or [])

    # -- internals ----------------------------------------------------------------------------

    def _walk_pages(self, path, cluster, query, first, total_of):
        items, keys, page, body = [], set(), 1, first
        while True:
            page_items = body.get("items") or []
            added = 0
            for item in page_items:
                key = _item_key(item)
                if key is not None:
                    if key in keys:
                        continue
                    keys.add(key)
                items.append(item)
                added += 1
            total = _as_count(total_of(body))
            if total is None or len(items) >= total or not page_items:
                break
            if added == 0 or page > total // max(1, query["limit"]) + 2:
                raise KubeSphereError("paging made no progress at page %d (%d of %d items read); the server "
                                      "seems to ignore page=" % (page, len(items), total),
                                      method="GET", url=self._shown(path, cluster, query))
            page += 1
            body = self.get(path, cluster=cluster, query=dict(query, page=page))
            if not isinstance(body, dict):
                raise KubeSphereError("page %d is not a list" % page, method="GET",
                                      url=self._shown(path, cluster, query))
        if total is not None and len(items) < total:
            self._warn("GET %s: read %d of %d items; the list changed while it was read page by page"
                       % (self._shown(path, cluster, query), len(items), total))
        return items

    def _follow_continue(self, path, cluster, query, first):
        items, body, restarted = list(first.get("items") or []), first, False
        while True:
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items
            try:
                body = self.get(path, cluster=cluster, query=dict(query, **{"continue": token}))
            except KubeSphereError as err:
                if err.status != 410 or restarted:  # 410: the continue token expired; start over once
                    raise
                restarted = True
                body = self.get(path, cluster=cluster, query=query)
                items = []
            if not isinstance(body, dict):
                raise KubeSphereError("a page is not a list", method="GET", url=self._shown(path, cluster, query))
            items.extend(body.get("items") or [])

    def _recently_written(self, path):
        now = time.monotonic()
        with self._recent_lock:
            for name in [name for name, when in self._recent.items() if now - when > self.settle_window]:
                del self._recent[name]
            if not self._recent:
                return False
            segments = set(unquote(part) for part in path.split("/") if part)
            return any(name in segments for name in self._recent)

    def _note_write(self, method, path, body, resp, counted=True):
        """Remember the names a write touched (reads of them settle); counted=False: it may have happened."""
        if method not in WRITE_METHODS or path.startswith("/oauth/"):
            return
        if counted:
            bump(self.stats, "writes")   # a failure after this must report changed=true
            self._thread.writes = self.writes_in_thread() + 1
        segments = [unquote(part) for part in path.split("/") if part]
        with self._recent_lock:
            if method == "DELETE":  # a not-found for a deleted object is the truth, not lag
                if segments:
                    self._recent.pop(segments[-1], None)
                return
            names = set()
            if method in ("PUT", "PATCH") and segments:
                names.add(segments[-1])
            for source in (resp.json if resp is not None else None, body):
                meta = source.get("metadata") if isinstance(source, dict) else None
                if isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"]:
                    names.add(meta["name"])
            now = time.monotonic()
            for name in names:
                self._recent[name] = now

    def writes_in_thread(self):
        """The writes the calling thread has sent through this client: whether a failed object of a bulk run
        changed anything before it failed."""
        return getattr(self._thread, "writes", 0)

    def _shown(self, path, cluster, query):
        return display_url(self.url(path, cluster, query))

    def _secrets(self):
        return self._auth.secrets()

    def _warn(self, message):
        if self._warn_callback is not None:
            self._warn_callback(scrub(message, secret_variants(self._secrets())))


def encode_query(query):
    """A query string from a dict (or pairs); list values repeat the key, None values are dropped."""
    if not query:
        return ""
    pairs = []
    for key, value in (query.items() if isinstance(query, dict) else query):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((str(key), str(item)))
    return urlencode(pairs)


def _item_key(item):
    meta = item.get("metadata") if isinstance(item, dict) else None
    if not isinstance(meta, dict):
        return None
    if meta.get("uid"):
        return ("uid", meta["uid"])
    if meta.get("name"):
        return ("name", meta.get("namespace"), meta["name"])
    return None


def _total_of(page, key):
    """The total of a page, under the first page's key or any other a server uses for it."""
    if key in page:
        return page.get(key)
    return next((page.get(other) for other in LIST_TOTAL_KEYS if other in page), None)


def _as_count(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_host(value):
    if not value or not isinstance(value, str) or not value.strip():
        raise KubeSphereError("ks_host is required: the URL of KubeSphere, for example https://ks.example.com "
                              "(or set KUBESPHERE_HOST)")
    host = value.strip().rstrip("/")
    try:
        parts = urlsplit(host)
    except ValueError:
        raise KubeSphereError("ks_host is not a valid URL")
    if "@" in parts.netloc:
        raise KubeSphereError("ks_host must not contain credentials; use ks_username and ks_password")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KubeSphereError("ks_host %r needs a scheme and a host name, for example https://ks.example.com "
                              "or http://127.0.0.1:30880" % host)
    if parts.query or parts.fragment:
        raise KubeSphereError("ks_host %r must not have a query or fragment" % host)
    if parts.path:
        # KubeSphere serves its API (and /oauth) at the root: with a path every request meets the console
        # or a proxy instead (a misleading 403). A sub-path prefix is not supported.
        raise KubeSphereError("ks_host %r must not have a path (%s): give the scheme, host and port only, "
                              "for example %s://%s; KubeSphere served under a sub-path of a reverse proxy "
                              "is not supported" % (host, parts.path, parts.scheme, parts.netloc))
    return host


def _as_bool(value, name, default):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS + FALSE_STRINGS:
        return value.strip().lower() in TRUE_STRINGS
    raise KubeSphereError("%s must be a boolean, not %r" % (name, value))


def _as_number(value, name, default, zero_ok=False):
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise KubeSphereError("%s must be a number of seconds, not %r" % (name, value))
    if number < 0 or (number == 0 and not zero_ok):
        raise KubeSphereError("%s must be positive" % name)
    return number


def _may_have_happened(resp, err):
    """Whether a write answered with an error may still have been applied: a gateway's 5xx (the upstream may
    have done it), a conflict or "already exists" met by a send after one whose answer was lost (that one
    did it). Not a 429 with Retry-After (refused before anything was done), nor the dispatcher's "cluster
    X is not ready"."""
    if resp.status in RETRY_STATUSES:
        return not not_acted(resp) and not is_cluster_not_ready(resp.status, resp.text)
    if resp.after_lost:
        message = (err.message or "").lower()
        return resp.status == 409 or "already exists" in message or "has been modified" in message
    return False


def _retry_after_value(value):
    try:
        return max(0.0, float(value)) if value else None
    except (TypeError, ValueError):
        return None


def _check_ca_path(value):
    """The ca_path as an absolute path, checked: a readable PEM bundle that holds a certificate."""
    path = os.path.abspath(os.path.expanduser(str(value)))
    if not os.path.exists(path):
        raise KubeSphereError("ca_path %s does not exist (it must be the PEM file of the CA that signed the "
                              "server's certificate)" % path)
    if not os.path.isfile(path):
        raise KubeSphereError("ca_path %s is not a file (it must be a PEM CA bundle)" % path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise KubeSphereError("ca_path %s cannot be read: %s" % (path, exc.strerror or type(exc).__name__))
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise KubeSphereError("ca_path %s is not a PEM CA bundle: it holds no -----BEGIN CERTIFICATE----- block "
                              "(a DER file? convert it with openssl x509 -inform der)" % path)
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise KubeSphereError("ca_path %s is not a usable PEM CA bundle: %s" % (path, reason))
    return path


def _as_int(value, name, default):
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise KubeSphereError("%s must be a whole number, not %r" % (name, value))
    if number < 0:
        raise KubeSphereError("%s must not be negative" % name)
    return number
