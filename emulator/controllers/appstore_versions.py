"""The app version controller (pkg/controller/application/appversion_contrlller.go): every version
carries the cleanup finalizer; a deleted version's package is removed from the store unless a
release still uses it, then the finalizer goes. What a cluster's garbage collector does is done
here too: the versions of a deleted app go."""

from .. import errors
from ..appstore import packages
from ..kinds.application import (APP_ID_LABEL, APP_VERSION_LABEL, APPLICATION, APPLICATION_RELEASE,
                                 APPLICATION_VERSION, GROUP, VERSION_FINALIZER)
from ..objects import add_finalizer, is_deleting, remove_finalizer
from .runtime import controller

_OLD_FINALIZER = "storeCleanFinalizer.application.kubesphere.io"


@controller(GROUP, "applicationversions")
def reconcile_version(ctx, ref):
    version = ctx.store.get(ctx.host, APPLICATION_VERSION, ref.name)
    if version is None:
        return None
    finalizers = version["metadata"].get("finalizers") or []
    if VERSION_FINALIZER not in finalizers:
        if is_deleting(version):
            return None

        def ensure(obj):
            remove_finalizer(obj, _OLD_FINALIZER)
            add_finalizer(obj, VERSION_FINALIZER)
        ctx.store.mutate(ctx.host, APPLICATION_VERSION, ref.name, "", ensure)
        return None
    if not is_deleting(version):
        return None
    if not ctx.store.list(ctx.host, APPLICATION_RELEASE, labels={APP_VERSION_LABEL: ref.name}):
        try:
            packages.delete(ctx.api, ctx.host, [ref.name])
        except errors.ApiError:
            pass
    ctx.store.mutate(ctx.host, APPLICATION_VERSION, ref.name, "", lambda o: remove_finalizer(o, VERSION_FINALIZER))
    return None


@controller(GROUP, "applications", name="appstore_versions_of_app")
def collect_versions(ctx, ref):
    """The garbage collector's part: versions owned by an app that is gone."""
    if ctx.store.get(ctx.host, APPLICATION, ref.name) is not None:
        return None
    for version in ctx.store.list(ctx.host, APPLICATION_VERSION, labels={APP_ID_LABEL: ref.name}):
        owners = version["metadata"].get("ownerReferences") or []
        if any(o.get("kind") == APPLICATION.kind and o.get("name") == ref.name for o in owners):
            try:
                ctx.api.delete(ctx.host, APPLICATION_VERSION, version["metadata"]["name"], admit=False)
            except errors.ApiError:
                pass
    return None
