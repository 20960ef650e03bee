# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The one error type of the KubeSphere client, and reading KubeSphere's error bodies.

KubeSphere answers errors in four shapes (see the API reference, section 9.3):
a Kubernetes ``Status`` object, the multi-cluster dispatcher's ``{"ErrStatus": {...}}``,
OAuth's ``{"error", "error_description"}``, and (most kapis handlers) plain text.
"""

import html
import json
import re

try:  # Python 3
    from urllib.parse import quote_plus
except ImportError:  # pragma: no cover - Python 2 is not supported, but keep imports harmless
    from urllib import quote_plus

REDACTED = "********"

# Router-level misses: the path does not exist on this server at all (wrong API version,
# extension not installed). They are not "the object you asked for does not exist".
_ROUTE_MISSES = ("404: page not found", "404 page not found")
_CLUSTER_MISSING = re.compile(r"^cluster \S+ not exists$")
_CLUSTER_NOT_READY = re.compile(r"^cluster \S+ is not ready$")


def parse_error_body(text):
    """Return (message, reason, body) for an error body.

    body is the parsed JSON when the text is JSON, else the text itself.
    """
    text = text or ""
    stripped = text.strip()
    data = None
    if stripped[:1] in ("{", "[", '"'):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
    if isinstance(data, dict):
        status = data.get("ErrStatus") if isinstance(data.get("ErrStatus"), dict) else None
        if data.get("kind") == "Status":
            status = data
        if status is not None:
            return _text(status.get("message")), _text(status.get("reason")) or None, data
        if "error" in data and isinstance(data.get("error"), str):
            message = _text(data.get("error_description")) or data["error"]
            return message, data["error"], data
        if isinstance(data.get("message"), str):
            return data["message"], _text(data.get("reason")) or None, data
        return stripped, None, data
    if isinstance(data, str):
        return data, None, data
    if data is not None:
        return stripped, None, data
    if _HTML.match(stripped):
        return html_summary(stripped), None, text
    # Plain text: KubeSphere's http.Error adds a newline and HTML-escapes & < >.
    message = html.unescape(text.rstrip("\r\n"))
    return message, None, text


_HTML = re.compile(r"^(<!doctype html|<html|<head|<body)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
HTML_SUMMARY_LENGTH = 160


def html_summary(page):
    """A gateway's or proxy's HTML error page, said in one short line: its title (without the status code
    the message already gives), else its text, shortened; never the page itself."""
    match = _TITLE.search(page)
    text = match.group(1) if match else _TAG.sub(" ", page)
    text = " ".join(html.unescape(text).split())
    text = re.sub(r"^\d{3}\s+", "", text)
    if len(text) > HTML_SUMMARY_LENGTH:
        text = text[:HTML_SUMMARY_LENGTH - 3].rstrip() + "..."
    return "%s (an HTML page, from a proxy or gateway in front of KubeSphere)" % (text or "no text")


def _text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


class KubeSphereError(Exception):
    """A failed call to KubeSphere (HTTP error, connection error, or bad client options).

    Attributes: method, url (no credentials), status (int, or None when no HTTP answer came),
    message (the server's message), reason (Status reason / OAuth error code / None),
    body (parsed JSON or text), advice (what to do about it, or None), uncertain (a write whose
    answer was lost or came from a gateway: it may have been applied, so read before sending it again),
    retries (how often it was sent again before this error, when retries ran out).
    """

    def __init__(self, message, method=None, url=None, status=None, reason=None, body=None, advice=None):
        self.uncertain = False
        self.retries = 0    # how often the request was sent again before this error ended it
        self.after_lost = False     # an earlier send of the request lost its answer (it may have been applied)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.reason = reason
        self.body = body
        self.advice = advice
        self.missing = None  # set by the client when this server's line words "not found" otherwise
        super(KubeSphereError, self).__init__(self._render())

    @classmethod
    def from_response(cls, method, url, status, text, http_reason=None, advice=None):
        message, reason, body = parse_error_body(text)
        if not message:
            message = http_reason or "no message"
        return cls(message, method=method, url=url, status=status, reason=reason, body=body, advice=advice)

    def give_up(self, retries):
        """Say that retries more sends of the request ended in this error too (retries ran out)."""
        self.retries += retries
        self.args = (self._render(),)
        return self

    def _render(self):
        parts = []
        if self.method and self.url:
            parts.append("%s %s: " % (self.method, self.url))
        elif self.url:
            parts.append("%s: " % self.url)
        if self.retries:
            parts.append("gave up after %d %s: " % (self.retries, "retry" if self.retries == 1 else "retries"))
        if self.status is not None:
            parts.append("HTTP %s" % self.status)
            if self.reason:
                parts.append(" %s" % self.reason)
            parts.append(": ")
        parts.append(self.message or "")
        if self.advice:
            parts.append(" (%s)" % self.advice)
        return "".join(parts)

    def __str__(self):
        return self._render()

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self._render())

    @property
    def not_found(self):
        """True when the object asked for does not exist.

        404, or a 400/404 whose message says "not found" / "not exist" (KubeSphere answers
        400 for a missing workspace on DELETE and for a non-member). Not for a router miss
        ("404: Page Not Found": the API path itself is unknown to this server) and not for the
        dispatcher's "cluster X not exists" (see cluster_unavailable).
        """
        if self.missing is not None:
            return self.missing
        message = (self.message or "").strip()
        lowered = message.lower()
        if self.status not in (400, 404):
            return False
        if lowered in _ROUTE_MISSES or _CLUSTER_MISSING.match(message):
            return False
        if self.status == 404:
            return True
        return "not found" in lowered or "not exist" in lowered

    @property
    def route_miss(self):
        """The server has no such API path at all ("404: Page Not Found"): not a missing object, a path this
        server does not serve (another KubeSphere line, an extension that is not installed)."""
        return self.status == 404 and (self.message or "").strip().lower() in _ROUTE_MISSES

    @property
    def conflict(self):
        return self.status == 409

    @property
    def stale_write(self):
        """KubeSphere changed its cached copy of the object and the API server refused it as older than the
        stored one ("the object has been modified"; 409, or 400/500 from some kapis handlers). Nothing was
        written, and the same write sent again a moment later, when the cache has caught up, succeeds."""
        return self.status in (400, 409, 500) and "the object has been modified" in (self.message or "")

    @property
    def forbidden(self):
        """The caller may not do this: 403, or the 500 KubeSphere answers a kapis PATCH of a workspace template
        with ('workspacetemplates.tenant.kubesphere.io "x" is forbidden: ', ks-recordings errors.json)."""
        return self.status in (401, 403) or (self.status == 500 and " is forbidden" in (self.message or ""))

    @property
    def cluster_unavailable(self):
        """The multi-cluster dispatcher could not reach the cluster (unknown, not ready, 511)."""
        message = (self.message or "").strip()
        if self.status == 511:
            return True
        if self.status in (400, 500, 503):
            return bool(_CLUSTER_MISSING.match(message) or _CLUSTER_NOT_READY.match(message))
        return False

    def redact(self, secrets):
        """Replace every secret value (and its URL-encoded form) in this error's texts; return self."""
        variants = secret_variants(secrets)
        if not variants:
            return self
        self.message = scrub(self.message, variants)
        self.advice = scrub(self.advice, variants)
        self.url = scrub(self.url, variants)
        self.body = _scrub_data(self.body, variants)
        self.args = (self._render(),)
        return self


class KubeSphereAuthError(KubeSphereError):
    """A login, token refresh or token was refused. Never retried automatically."""


MIN_SECRET_LENGTH = 6  # KubeSphere's shortest allowed password; shorter values would mangle messages


def secret_variants(secrets):
    """The secrets and their URL-encoded forms, longest first; values shorter than 6 are dropped."""
    out = []
    for secret in secrets or ():
        if not secret or not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            continue
        for variant in (secret, quote_plus(secret)):
            if variant not in out:
                out.append(variant)
    # Longest first so that a secret containing another is replaced whole.
    out.sort(key=len, reverse=True)
    return out


def scrub(text, secrets):
    """Return text with every secret replaced. secrets: values from secret_variants()."""
    if not text or not isinstance(text, str):
        return text
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _scrub_data(data, secrets):
    if isinstance(data, str):
        return scrub(data, secrets)
    if isinstance(data, dict):
        return dict((key, _scrub_data(value, secrets)) for key, value in data.items())
    if isinstance(data, list):
        return [_scrub_data(value, secrets) for value in data]
    return data
