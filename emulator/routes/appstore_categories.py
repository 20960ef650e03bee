"""App Store categories (pkg/kapis/application/v2/handler_category.go), recorded in appstore.json:
create answers the object without kind/apiVersion, an update with them; alias-name and description
come from the body's annotations (absent ones are emptied) and the icon from spec.icon; the
uncategorized category cannot be deleted (400), nor one that counts uploaded apps (500)."""

from .. import errors
from ..appstore.kapis import SUCCESS, body, internal, routes, typed
from ..context import text_error
from ..kinds.application import ALIAS, CATEGORY, DESCRIPTION, UNCATEGORIZED
from ..objects import clone, without_type
from .query import list_result
from .router import kapi


def _shown(category):
    return typed(category)


@kapi("GET", routes("/categories")[0])
def list_categories(ctx):
    return list_result(ctx.view().list(CATEGORY), ctx.req.query, render=_shown)


@kapi("GET", routes("/categories/{category}")[0])
def describe_category(ctx):
    category = ctx.view().get(CATEGORY, ctx.params["category"])
    if category is None:
        raise ctx.lister_not_found(CATEGORY, ctx.params["category"])
    return _shown(category)


@kapi("POST", routes("/categories")[0])
@kapi("POST", routes("/categories/{category}")[0])
def create_or_update_category(ctx):
    request = body(ctx)
    metadata = request.get("metadata") if isinstance(request.get("metadata"), dict) else {}
    name = metadata.get("name") or ""
    current = ctx.view().get(CATEGORY, name) if name else None
    if "category" in ctx.params and current is None:
        raise text_error(500, ctx.lister_not_found(CATEGORY, name).message)
    if "category" not in ctx.params and current is not None:
        raise text_error(409, f"Category {name} already exists")
    category = clone(current) if current else {"metadata": {"name": name}}
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    category["metadata"].setdefault("annotations", {}).update(
        {ALIAS: annotations.get(ALIAS, ""), DESCRIPTION: annotations.get(DESCRIPTION, "")})
    icon = ((request.get("spec") or {}) if isinstance(request.get("spec"), dict) else {}).get("icon")
    category["spec"] = {"icon": icon} if icon else {}
    try:
        if current is None:
            return without_type(_shown(ctx.api.create(ctx.cluster, CATEGORY, category, user=ctx.user)))
        return _shown(ctx.api.update(ctx.cluster, CATEGORY, category, user=ctx.user))
    except errors.ApiError as exc:
        raise internal(exc) from None


@kapi("DELETE", routes("/categories/{category}")[0])
def delete_category(ctx):
    name = ctx.params["category"]
    if name == UNCATEGORIZED:
        raise text_error(400, f"{UNCATEGORIZED} is default Category can't be delete")
    category = ctx.view().get(CATEGORY, name)
    if category is None:
        raise ctx.lister_not_found(CATEGORY, name)
    if ((category.get("status") or {}).get("total") or 0) > 0:
        raise text_error(500, f"can not delete helm category: {name} which owns applications")
    try:
        ctx.api.delete(ctx.cluster, CATEGORY, name, user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS
