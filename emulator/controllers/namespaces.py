"""Namespace lifecycle (kube-controller-manager): once a deleted namespace has
no metadata.finalizers left, delete everything in it, then drop the
"kubernetes" spec finalizer so the namespace disappears. A real lifecycle
controller takes a moment even for an empty namespace:
namespace_deletion_delay_ms (counted from when the deletion was first seen)
keeps it Terminating that long."""

import time

from .. import errors, registry
from ..kinds.core import NAMESPACE
from ..objects import is_deleting
from .runtime import controller

_FIRST_SEEN = "namespaces.first_seen"   # memory: (cluster, name, uid) -> when the deletion was first seen


@controller("", "namespaces", all_clusters=True)
def reconcile_namespace(ctx, ref):
    namespace = ctx.api.view(ref.cluster).get(NAMESPACE, ref.name)
    if namespace is None or not is_deleting(namespace) or namespace["metadata"].get("finalizers"):
        return None
    key = (ref.cluster, ref.name, namespace["metadata"].get("uid"))
    delay = float(getattr(ctx.settings, "namespace_deletion_delay_ms", 0.0)) / 1000.0
    waited = time.monotonic() - ctx.memory(_FIRST_SEEN).setdefault(key, time.monotonic())
    if waited < delay:
        return delay - waited
    remaining = 0
    for kind in registry.all_kinds():
        if not kind.namespaced or (kind.host_only and ref.cluster != ctx.host):
            continue
        for obj in ctx.api.view(ref.cluster).list(kind, namespace=ref.name):
            try:
                _obj, removed = ctx.api.delete(ref.cluster, kind, obj["metadata"]["name"], ref.name, admit=False)
            except errors.ApiError:
                continue
            remaining += 0 if removed else 1
    if remaining:
        return 0.5

    def finalize(obj):
        spec = obj.setdefault("spec", {})
        spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != "kubernetes"]
    ctx.store.mutate(ref.cluster, NAMESPACE, ref.name, "", finalize)
    ctx.memory(_FIRST_SEEN).pop(key, None)
    return None
