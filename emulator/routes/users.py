"""/kapis/iam.kubesphere.io/v1beta1/users: the user routes of ks-apiserver v4.
Reads go through the informer cache (they may lag just-made writes); errors are
plain text with the real codes."""

from .. import errors
from ..auth.passwords import ACTIVE, DISABLED, password_matches
from ..context import text_error
from ..iam.bindings import bind_global_role, users_with_role
from ..iam.users import GLOBALROLE_ANNOTATION, USER_REF_LABEL, public
from ..kinds.iam import GLOBAL_ROLE, LOGIN_RECORD, USER
from ..objects import clone, go_ordered, without_type
from ..timeutil import rfc3339
from .query import list_result
from .router import kapi

BASE = "/kapis/iam.kubesphere.io/v1beta1/users"


def _host(ctx):
    return ctx.app.host


def _cached_user(ctx, name):
    user = ctx.api.cached_view(_host(ctx)).get(USER, name)
    if user is None:
        raise ctx.lister_not_found(USER, name)
    return user


def _user_body(ctx):
    """The body decoded into the typed User: unknown top-level fields (and the
    apiVersion/kind sent) do not matter."""
    body = ctx.json_body("v1beta1.User", dict)
    user = {"apiVersion": USER.api_version(), "kind": USER.kind,
            "metadata": body.get("metadata") or {}, "spec": body.get("spec") or {}}
    user["spec"].setdefault("email", "")        # a Go string field: always marshalled
    if "status" in body:
        user["status"] = body.get("status") or {}
    return user


@kapi("GET", BASE)
def list_users(ctx):
    users = ctx.api.cached_view(_host(ctx)).list(USER, copy=False)      # public() copies the page
    extra = []
    role = ctx.arg("globalrole")
    if role:
        bound = users_with_role(ctx.api.cached_view(_host(ctx)), role)
        extra.append(lambda u: u["metadata"]["name"] in bound)
    return list_result(users, ctx.req.query, extra, render=public)


@kapi("POST", BASE)
def create_user(ctx):
    user = _user_body(ctx)
    role = (user["metadata"].get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
    if role and ctx.api.cached_view(_host(ctx)).get(GLOBAL_ROLE, role) is None:
        raise ctx.lister_not_found(GLOBAL_ROLE, role)
    user.setdefault("status", {})
    try:
        created = ctx.api.create(_host(ctx), USER, user, user=ctx.user)
    except errors.ApiError as exc:
        if exc.code == 403 and "user email" in exc.message:   # 3.x: 409 with the webhook's text
            raise text_error(ctx.app.profile.duplicate_email_status, exc.message) from None
        raise
    if role:
        bind_global_role(ctx.api, _host(ctx), created["metadata"]["name"], role)
    return without_type(public(created))


@kapi("GET", BASE + "/{name}")
def get_user(ctx):
    try:
        return public(_cached_user(ctx, ctx.params["name"]))
    except errors.ApiError as exc:
        # 3.x answers the lister's not-found as an internal error.
        raise text_error(ctx.app.profile.missing_user_get_status, exc.message) from None


@kapi("PUT", BASE + "/{name}")
def update_user(ctx):
    """A full replace, except that the password always comes from storage and
    only status.state Active/Disabled is taken from the body."""
    name = ctx.params["name"]
    user = _user_body(ctx)
    sent_name = user["metadata"].get("name", "")
    if sent_name != name:
        raise text_error(400, f"the name of the object ({sent_name}) does not match the name on the URL ({name})")
    stored = _cached_user(ctx, name)
    new = {"apiVersion": USER.api_version(), "kind": USER.kind, "metadata": clone(user["metadata"]),
           "spec": clone(user["spec"]), "status": clone(stored.get("status") or {})}
    new["spec"].pop("password", None)
    if (stored.get("spec") or {}).get("password"):
        new["spec"]["password"] = stored["spec"]["password"]
    state = (user.get("status") or {}).get("state")
    if state in (ACTIVE, DISABLED):
        new["status"]["state"] = state
        new["status"]["lastTransitionTime"] = rfc3339()
    updated = ctx.api.update(_host(ctx), USER, new, user=ctx.user)
    old_role = (stored["metadata"].get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
    role = (user["metadata"].get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
    if role and role != old_role and ctx.allowed("update", "users", "iam.kubesphere.io"):
        if ctx.api.view(_host(ctx)).get(GLOBAL_ROLE, role) is not None:
            bind_global_role(ctx.api, _host(ctx), name, role)
    return public(updated)


@kapi("DELETE", BASE + "/{name}")
def delete_user(ctx):
    name = ctx.params["name"]
    if ctx.app.profile.lister_kind_lower and ctx.api.cached_view(_host(ctx)).get(USER, name) is None:
        raise errors.not_found(USER, name)   # 3.x deletes through the API server: users.iam... 404
    _cached_user(ctx, name)
    ctx.api.delete(_host(ctx), USER, name, user=ctx.user)
    return {"message": "success"}


@kapi("PUT", BASE + "/{name}/password")
def change_password(ctx):
    name = ctx.params["name"]
    body = ctx.json_body("v1beta1.PasswordReset", dict)
    user = _cached_user(ctx, name)
    current = body.get("currentPassword") or ""
    stored_hash = (user.get("spec") or {}).get("password")
    # Only callers who may change anyone's password may skip currentPassword.
    privileged = ctx.allowed("update", "users", "iam.kubesphere.io", subresource="password")
    if (current or not privileged) and not password_matches(stored_hash, current):
        raise text_error(400, "incorrect old password")
    new = clone(ctx.api.view(_host(ctx)).get(USER, name) or user)
    if body.get("password"):
        new.setdefault("spec", {})["password"] = body["password"]
    else:
        new.setdefault("spec", {}).pop("password", None)   # recorded: {} removes the password
    ctx.api.update(_host(ctx), USER, new, user=ctx.user, require_version=False)
    return {"message": "success"}


@kapi("GET", BASE + "/{name}/loginrecords")
def login_records(ctx):
    name = ctx.params["name"]
    records = ctx.api.cached_view(_host(ctx)).list(LOGIN_RECORD, labels={USER_REF_LABEL: name})
    return list_result(records, ctx.req.query, render=go_ordered)


@kapi("GET", BASE + "/{name}/roletemplates")
def role_templates(ctx):
    """Role templates are not emulated: the list is always empty."""
    return {"items": [], "totalItems": 0}
