"""The category controller (pkg/controller/application/appcategory_controller.go): a category gets
its finalizer and counts the uploaded apps labelled with it in status.total; a deleted one waits
while it counts any; the uncategorized category is created once an app refers to it. Apps wake it
(the real one maps an app's old and new category label to their categories)."""

from .. import errors
from ..kinds.application import (APPLICATION, CATEGORY, CATEGORY_FINALIZER, CATEGORY_LABEL, GROUP, REPO_LABEL,
                                 UNCATEGORIZED, UPLOAD_REPO)
from ..objects import add_finalizer, is_deleting, remove_finalizer
from .runtime import controller


def _total(ctx, name):
    return len(ctx.store.list(ctx.host, APPLICATION, labels={CATEGORY_LABEL: name, REPO_LABEL: UPLOAD_REPO}))


def _reconcile(ctx, name):
    category = ctx.store.get(ctx.host, CATEGORY, name)
    if category is None:
        referred = ctx.store.list(ctx.host, APPLICATION, labels={CATEGORY_LABEL: name})
        if name == UNCATEGORIZED and referred:
            try:
                ctx.api.create(ctx.host, CATEGORY, {"metadata": {"name": name}}, admit=False)
            except errors.ApiError:
                pass
        return
    if CATEGORY_FINALIZER not in (category["metadata"].get("finalizers") or []):
        if not is_deleting(category):
            ctx.store.mutate(ctx.host, CATEGORY, name, "", lambda o: add_finalizer(o, CATEGORY_FINALIZER))
        return
    total = _total(ctx, name)
    if is_deleting(category):
        if total == 0:
            ctx.store.mutate(ctx.host, CATEGORY, name, "", lambda o: remove_finalizer(o, CATEGORY_FINALIZER))
        return
    if (category.get("status") or {}).get("total") != total:
        ctx.api.update_status(ctx.host, CATEGORY, name, "", dict(category.get("status") or {}, total=total))


@controller(GROUP, "categories")
def reconcile_category(ctx, ref):
    _reconcile(ctx, ref.name)
    return None


@controller(GROUP, "applications", name="appstore_categories_of_app")
def recount_categories(ctx, ref):
    app = ctx.store.get(ctx.host, APPLICATION, ref.name)
    names = {c["metadata"]["name"] for c in ctx.store.list(ctx.host, CATEGORY)}
    if app is not None:
        names.add((app["metadata"].get("labels") or {}).get(CATEGORY_LABEL, ""))
    for name in sorted(n for n in names if n):
        _reconcile(ctx, name)
    return None
