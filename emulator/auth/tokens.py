"""JWT-shaped access and refresh tokens (HS256, like ks-apiserver) kept in an
in-memory token cache: a token is valid only while it is in the cache, so
dropping the cache (POST /_emulator/restart or a process restart) invalidates
every issued token with "token not found in cache", as on the real server."""

import base64
import hashlib
import hmac
import json
import math
import threading
import time
import uuid
from collections import namedtuple

from .. import gojson
from ..timeutil import go_duration

ACCESS = "access_token"
REFRESH = "refresh_token"

TokenRecord = namedtuple("TokenRecord", "username token_type expires_at")


class TokenError(Exception):
    """The message is what the 401 Status (or OAuth error) reports."""


def _b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text):
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise TokenError("illegal base64 data at input byte 0") from None


def mint_jwt(secret, claims):
    """Sign claims with HS256 (also used by tests to craft foreign tokens)."""
    header = _b64encode(json.dumps({"alg": "HS256", "kid": "kubesphere", "typ": "JWT"},
                                   separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64encode(signature)}"


def decode_jwt(secret, token, now=None):
    """Claims of a well-formed, correctly signed, unexpired token, else TokenError
    with the message golang-jwt / ks-apiserver would give."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("token contains an invalid number of segments")
    try:
        header = gojson.loads(_b64decode(parts[0]))
        claims = gojson.loads(_b64decode(parts[1]))
    except gojson.GoJSONError as exc:
        raise TokenError(str(exc)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("token is malformed")
    if header.get("alg") != "HS256":
        raise TokenError(f"signing method {header.get('alg')} is invalid")
    expected = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64decode(parts[2])):
        raise TokenError("signature is invalid")
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and now > exp:
        raise TokenError(f"jwt: token is expired by {go_duration(now - exp)}")
    return claims


class TokenService:
    def __init__(self, settings):
        self.settings = settings
        self._cache = {}
        self._lock = threading.Lock()

    def issue(self, username, token_type, ttl):
        issued = time.time()
        claims = {"iss": "kubesphere", "sub": username, "username": username,
                  "token_type": token_type, "iat": int(issued), "nbf": int(issued),
                  "jti": uuid.uuid4().hex}
        expires_at = None
        if ttl > 0:
            expires_at = issued + ttl
            claims["exp"] = math.ceil(expires_at)
        token = mint_jwt(self.settings.jwt_secret, claims)
        with self._lock:
            self._cache[token] = TokenRecord(username, token_type, expires_at)
            if len(self._cache) % 1000 == 0:
                self._forget_expired()
        return token

    def issue_pair(self, username):
        """The body of a successful /oauth/token answer."""
        ttl = self.settings.token_ttl
        refresh_ttl = ttl + self.settings.token_inactivity_timeout if ttl > 0 else 0
        body = {"access_token": self.issue(username, ACCESS, ttl), "token_type": "Bearer",
                "refresh_token": self.issue(username, REFRESH, refresh_ttl)}
        if ttl > 0:
            body["expires_in"] = int(ttl)
        return body

    def verify(self, token, token_type=ACCESS):
        """The username a cached, unexpired token belongs to, else TokenError."""
        claims = decode_jwt(self.settings.jwt_secret, token)
        with self._lock:
            record = self._cache.get(token)
        if record is None or record.token_type != token_type:
            raise TokenError("token not found in cache")
        if record.expires_at is not None and time.time() > record.expires_at:
            raise TokenError(f"jwt: token is expired by {go_duration(time.time() - record.expires_at)}")
        return claims.get("username") or record.username

    def revoke(self, token):
        with self._lock:
            self._cache.pop(token, None)

    def revoke_user(self, username):
        """Every token of the user (what a 3.x logout does)."""
        with self._lock:
            for token in [t for t, r in self._cache.items() if r.username == username]:
                del self._cache[token]

    def drop_all(self):
        """What a ks-apiserver restart does to the in-memory token cache."""
        with self._lock:
            count = len(self._cache)
            self._cache.clear()
        return count

    def _forget_expired(self):
        now = time.time()
        for token in [t for t, r in self._cache.items() if r.expires_at is not None and r.expires_at < now]:
            del self._cache[token]
