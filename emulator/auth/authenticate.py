"""Who is asking: anonymous (no Authorization header), HTTP Basic (a full
password check on every request), or a Bearer token from the token cache.
Failures are 401 Status bodies with ks-apiserver's messages."""

import base64
import binascii
from dataclasses import dataclass, field
from typing import List

from .. import errors
from ..kinds.iam import USER
from .passwords import ACTIVE, AUTH_LIMIT_EXCEEDED, LoginFailure
from .tokens import TokenError

AUTHENTICATED_GROUP = "system:authenticated"
UNAUTHENTICATED_GROUP = "system:unauthenticated"
CANNOT_AUTHENTICATE = "The request cannot be authenticated."


@dataclass
class UserInfo:
    name: str
    groups: List[str] = field(default_factory=list)
    method: str = "anonymous"       # anonymous | bearer | basic
    token: str = ""

    @property
    def anonymous(self):
        return self.method == "anonymous"


ANONYMOUS = UserInfo("system:anonymous", [UNAUTHENTICATED_GROUP])


class Authenticator:
    def __init__(self, app):
        self.app = app

    def authenticate(self, request):
        """UserInfo, or errors.ApiError(401)."""
        header = request.header("authorization")
        if header is None:
            return ANONYMOUS
        scheme, _sep, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value:
            return self._bearer(value)
        if scheme.lower() == "basic" and value:
            return self._basic(value, request)
        raise self._unauthorized(CANNOT_AUTHENTICATE)

    def _bearer(self, token):
        try:
            username = self.app.tokens.verify(token)
        except TokenError as exc:
            raise self._unauthorized(str(exc)) from None
        user = self.app.api.view(self.app.host).get(USER, username)
        if user is None:
            raise self._unauthorized(f'users.iam.kubesphere.io "{username}" not found')
        if (user.get("status") or {}).get("state") not in (ACTIVE, AUTH_LIMIT_EXCEEDED):
            raise self._unauthorized("account is not active")
        return self._info(user, "bearer", token)

    def _basic(self, value, request):
        counters = self.app.counters
        try:
            username, _sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            counters.login("basic_failed")
            raise self._unauthorized(CANNOT_AUTHENTICATE) from None
        counters.login("basic")
        try:
            user = self.app.logins.authenticate(username, password, "Password", request)
        except LoginFailure as exc:
            counters.login("basic_failed")
            raise self._unauthorized(str(exc)) from None
        return self._info(user, "basic")

    def _unauthorized(self, message):
        """A 401 worded as this app's line words it (3.x: "Unauthorized: ..." )."""
        return errors.unauthorized(message, self.app.profile.unauthorized_prefix)

    @staticmethod
    def _info(user, method, token=""):
        groups = [AUTHENTICATED_GROUP] + list((user.get("spec") or {}).get("groups") or [])
        return UserInfo(user["metadata"]["name"], groups, method, token)
