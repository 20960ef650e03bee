"""The OAuth endpoints: token (password and refresh_token grants), logout,
userinfo, and the OpenID discovery documents."""

import base64
import hashlib
from urllib.parse import parse_qs

from ..auth.passwords import ACTIVE, AUTH_LIMIT_EXCEEDED, INACTIVE, LOCKED, LoginFailure
from ..auth.tokens import REFRESH, TokenError
from ..errors import oauth_error_response
from ..messages import Response, json_response
from ..kinds.iam import USER
from .router import kapi

_NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
INVALID_GRANT = "invalid_grant"


@kapi("POST", "/oauth/token", consumes=["application/x-www-form-urlencoded"])
def token(ctx):
    fields = parse_qs(ctx.req.body.decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: v[0] for k, v in fields.items()}
    settings = ctx.settings
    v4 = not ctx.app.profile.logout_revokes_all   # the 3.x OAuth server words these differently
    if form.get("client_id") != settings.oauth_client_id:
        if not v4:
            return oauth_error_response(401, "invalid_client", "the OAuth client was not found")
        return oauth_error_response(400, "invalid_client",
                                    "The provided client_id is invalid or does not exist.")
    if form.get("client_secret") != settings.oauth_client_secret:
        if not v4:
            return oauth_error_response(401, "invalid_client", "invalid client credential")
        return oauth_error_response(401, "unauthorized_client", "Invalid client credential.")
    grant_type = form.get("grant_type")
    if grant_type == "password":
        return _password_grant(ctx, form)
    if grant_type == "refresh_token":
        return _refresh_grant(ctx, form)
    return oauth_error_response(400, "unsupported_grant_type", "The provided grant_type is not supported.")


def _password_grant(ctx, form):
    counters = ctx.app.counters
    if form.get("provider") and form.get("username") and form.get("password"):
        # A third-party provider: only LDAP takes passwords, and the emulator reaches no LDAP
        # server; an unknown provider fails the same way (ks-apiserver logs it, answers 500).
        counters.login("password_failed")
        return oauth_error_response(500, "server_error",
                                    "An internal server error occurred while processing the request.")
    try:
        user = ctx.app.logins.authenticate(form.get("username", ""), form.get("password", ""), "Token", ctx.req)
    except LoginFailure as failure:
        counters.login("password_failed")
        profile = ctx.app.profile
        if str(failure) == LOCKED:
            return oauth_error_response(429, INVALID_GRANT, LOCKED if profile.lockout_async else "Rate limit exceeded.")
        if str(failure) == INACTIVE:
            return oauth_error_response(400, INVALID_GRANT, profile.inactive_text)
        return oauth_error_response(400, INVALID_GRANT, "Invalid username or password."
                                    if not profile.lockout_async else profile.wrong_password_text)
    ctx.app.logins.succeeded(user, "Token", ctx.req)
    counters.login("password_ok")
    return json_response(ctx.app.tokens.issue_pair(user["metadata"]["name"]), headers=_NO_STORE)


def _refresh_grant(ctx, form):
    counters = ctx.app.counters
    try:
        username = ctx.app.tokens.verify(form.get("refresh_token", ""), REFRESH)
    except TokenError:
        counters.login("refresh_failed")
        return oauth_error_response(400, INVALID_GRANT, "The refresh token is invalid or expired.")
    user = ctx.api.view(ctx.app.host).get(USER, username)
    state = ((user or {}).get("status") or {}).get("state")
    if user is None:
        counters.login("refresh_failed")
        return oauth_error_response(400, INVALID_GRANT, "The refresh token is invalid or expired.")
    if state not in (ACTIVE, AUTH_LIMIT_EXCEEDED):
        counters.login("refresh_failed")
        return oauth_error_response(400, INVALID_GRANT, "Account suspended.")
    counters.login("refresh_ok")
    return json_response(ctx.app.tokens.issue_pair(username), headers=_NO_STORE)


@kapi("GET", "/oauth/logout")
def logout(ctx):
    """v4 revokes only the access token that was sent; 3.x every token of that user."""
    if ctx.user.method == "bearer":
        if ctx.app.profile.logout_revokes_all:
            ctx.app.tokens.revoke_user(ctx.user.name)
        else:
            ctx.app.tokens.revoke(ctx.user.token)
    redirect = ctx.arg("post_logout_redirect_uri")
    if redirect:
        return Response(302, "", "text/plain", [("Location", redirect)])
    return {"message": "success"}


@kapi("GET", "/oauth/userinfo")
def userinfo(ctx):
    if ctx.user.anonymous:
        return json_response("login_required", 401)
    user = ctx.api.view(ctx.app.host).get(USER, ctx.user.name) or {}
    email = (user.get("spec") or {}).get("email", "")
    return {"sub": ctx.user.name, "url": ctx.user.name, "email": email, "preferred_username": ctx.user.name}


def _issuer(ctx):
    return "http://" + (ctx.req.header("host") or f"{ctx.settings.host}:{ctx.settings.port}")


@kapi("GET", "/.well-known/openid-configuration")
def openid_configuration(ctx):
    issuer = _issuer(ctx)
    return {"issuer": issuer,
            "authorization_endpoint": issuer + "/oauth/authorize",
            "token_endpoint": issuer + "/oauth/token",
            "userinfo_endpoint": issuer + "/oauth/userinfo",
            "jwks_uri": issuer + "/oauth/keys",
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code", "id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_supported": ["iss", "sub", "aud", "iat", "exp", "email", "locale", "preferred_username"]}


# A made-up RSA public key: ID tokens are not issued by the emulator.
_MODULUS = base64.urlsafe_b64encode(hashlib.sha512(b"kubesphere-emulator").digest() * 4).rstrip(b"=").decode()


@kapi("GET", "/oauth/keys")
def keys(ctx):
    return {"keys": [{"use": "sig", "kty": "RSA", "kid": "629273823", "alg": "RS256",
                      "n": _MODULUS, "e": "AQAB"}]}
