"""The user controller: finalizer, asynchronous password hashing, status
(Active, and the end of a lock-out), the global role binding following the
iam.kubesphere.io/globalrole annotation, and cleanup on deletion."""

import time

from .. import errors, registry
from ..auth.passwords import ACTIVE, AUTH_LIMIT_EXCEEDED, hash_password, is_bcrypt_hash
from ..iam.bindings import bind_global_role, user_bindings
from ..iam.users import (GLOBALROLE_ANNOTATION, PASSWORD_CHANGED_ANNOTATION, USER_FINALIZER,
                         USER_OWNED_KINDS, USER_REF_LABEL)
from ..kinds.cluster import unready_members
from ..kinds.iam import GLOBAL_ROLE, USER
from ..objects import add_finalizer, annotations_of, finalizers_of, is_deleting, remove_finalizer
from ..timeutil import now, parse_rfc3339, rfc3339
from .runtime import controller

UNREADY_RETRY = 1.0
_FIRST_SEEN = "users.first_seen"   # memory: (cluster, user) -> (plain password, when the controller first saw it)


@controller("iam.kubesphere.io", "users")
def reconcile_user(ctx, ref):
    user = ctx.api.view(ref.cluster).get(USER, ref.name)
    if user is None:
        return None
    if is_deleting(user):
        return _finalize(ctx, ref, user)
    ctx.store.mutate(ref.cluster, USER, ref.name, "", lambda u: add_finalizer(u, USER_FINALIZER))
    hash_due = _hash_password(ctx, ref, user)
    if hash_due is not None and not (user.get("status") or {}).get("state"):
        return hash_due        # a new user becomes Active once its password is hashed
    again = _sync_status(ctx, ref)
    _sync_global_role(ctx, ref)
    due = [t for t in (hash_due, again) if t is not None]
    return min(due) if due else None


def _hash_password(ctx, ref, user):
    """Returns seconds until the hash is due (password_hash_ms: the real controller took ~0.14 s
    from the password PUT to the hash, a window in which neither password logs in), or None."""
    plain = (user.get("spec") or {}).get("password")
    first_seen = ctx.memory(_FIRST_SEEN)
    if not plain or is_bcrypt_hash(plain):
        first_seen.pop((ref.cluster, ref.name), None)
        return None
    seen_key, now_mono = (ref.cluster, ref.name), time.monotonic()
    first = first_seen.get(seen_key)
    if first is None or first[0] != plain:
        first = first_seen[seen_key] = (plain, now_mono)
    remaining = first[1] + ctx.settings.password_hash_ms / 1000.0 - now_mono
    if remaining > 0:
        return remaining
    first_seen.pop(seen_key, None)
    hashed = hash_password(plain, ctx.settings.bcrypt_cost)     # slow: outside the store lock

    def store_hash(obj):
        spec = obj.setdefault("spec", {})
        if spec.get("password") != plain:
            return False          # changed meanwhile; the next event hashes the new one
        spec["password"] = hashed
        obj["metadata"].setdefault("annotations", {})[PASSWORD_CHANGED_ANNOTATION] = rfc3339()
    ctx.store.mutate(ref.cluster, USER, ref.name, "", store_hash)
    return None


def _sync_status(ctx, ref):
    """Returns seconds until a lock-out ends, or None."""
    result = {}

    def update(obj):
        status = obj.setdefault("status", {})
        state = status.get("state")
        if not state:
            status["state"] = ACTIVE
            status["lastTransitionTime"] = rfc3339()
            return None
        if state != AUTH_LIMIT_EXCEEDED:
            return False
        locked = ctx.app.lockout.locked_at(ref.name) or parse_rfc3339(status.get("lastTransitionTime")) or now()
        remaining = locked + ctx.settings.lockout_window - now()
        if remaining > 0:
            result["again"] = remaining
            return False
        status["state"] = ACTIVE
        status.pop("reason", None)
        status["lastTransitionTime"] = rfc3339()
        ctx.app.lockout.forget(ref.name)
    ctx.store.mutate(ref.cluster, USER, ref.name, "", update)
    return result.get("again")


def _sync_global_role(ctx, ref):
    view = ctx.api.view(ref.cluster)
    user = view.get(USER, ref.name)
    if user is None or is_deleting(user):
        return
    role = annotations_of(user).get(GLOBALROLE_ANNOTATION)
    if role:
        if view.get(GLOBAL_ROLE, role) is not None:
            bind_global_role(ctx.api, ref.cluster, ref.name, role)
        return
    live = [b for b in user_bindings(view, ref.name) if not is_deleting(b)]
    if len(live) == 1:
        bound = live[0]["roleRef"]["name"]
        ctx.store.mutate(ref.cluster, USER, ref.name, "",
                         lambda u: u["metadata"].setdefault("annotations", {}).__setitem__(
                             GLOBALROLE_ANNOTATION, bound))


def _finalize(ctx, ref, user):
    if USER_FINALIZER not in finalizers_of(user):
        return None
    if unready_members(ctx.api.view(ctx.host)):
        return UNREADY_RETRY
    for group, plural in USER_OWNED_KINDS:
        kind = registry.find(group, plural)
        if kind is None:
            continue
        for cluster in ([ctx.host] if kind.host_only else ctx.store.clusters()):
            owned = ctx.api.view(cluster).list(kind, labels={USER_REF_LABEL: ref.name})
            for obj in owned:
                try:
                    ctx.api.delete(cluster, kind, obj["metadata"]["name"],
                                   obj["metadata"].get("namespace", ""), admit=False)
                except errors.ApiError:
                    pass
    ctx.app.lockout.forget(ref.name)
    ctx.store.mutate(ref.cluster, USER, ref.name, "", lambda u: remove_finalizer(u, USER_FINALIZER))
    return None
