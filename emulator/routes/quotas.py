"""Workspace quotas: /kapis/tenant.kubesphere.io/v1beta1/workspaces/{ws}/resourcequotas.
POST, GET, PUT and DELETE of one quota.kubesphere.io ResourceQuota, and no list
(GET on the collection is 405; list through /apis with the workspace label).
The handler adds the kubesphere.io/workspace label and spec.selector, and
decodes the body into the typed object, so its quantities are stored in
canonical form (a CRD written through /apis keeps them as sent); errors
are plain text, most of them 500 (duplicate, stale or missing resourceVersion,
PUT of a missing quota); a quota of another workspace is a lower-case 404."""

from .. import errors
from ..context import text_error
from ..kinds.quota import WORKSPACE_QUOTA
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import go_ordered, labels_of
from ..quantity import canonical_map
from .router import kapi

BASE = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/{ws}/resourcequotas"


def _body(ctx, workspace):
    body = ctx.json_body("v1alpha2.ResourceQuota", dict)
    metadata = body.setdefault("metadata", {})
    metadata.setdefault("labels", {})[WORKSPACE_LABEL] = workspace
    spec = body.setdefault("spec", {})
    spec["selector"] = {WORKSPACE_LABEL: workspace}
    quota = spec.get("quota")
    if isinstance(quota, dict) and isinstance(quota.get("hard"), dict):
        quota["hard"] = canonical_map(quota["hard"])
    return body


def _in_workspace(ctx, name):
    quota = ctx.view().get(WORKSPACE_QUOTA, name)
    if quota is None:
        raise ctx.lister_not_found(WORKSPACE_QUOTA, name)
    if labels_of(quota).get(WORKSPACE_LABEL) != ctx.params["ws"]:
        raise text_error(404, f'resourcequota.quota.kubesphere.io "{name}" not found')
    return quota


def _as_500(exc):
    return text_error(500, exc.message)


@kapi("POST", BASE)
def create_quota(ctx):
    body = _body(ctx, ctx.params["ws"])
    try:
        created = ctx.api.create(ctx.app.host, WORKSPACE_QUOTA, body, user=ctx.user)
    except errors.ApiError as exc:
        raise (_as_500(exc) if exc.code == 409 else exc) from None
    # Answered from the typed object: no kind/apiVersion, an empty status.
    created.pop("kind", None)
    created.pop("apiVersion", None)
    created["status"] = {"total": {}, "namespaces": None}
    return go_ordered(created)


@kapi("GET", BASE + "/{name}")
def get_quota(ctx):
    return go_ordered(_in_workspace(ctx, ctx.params["name"]))


@kapi("PUT", BASE + "/{name}")
def update_quota(ctx):
    name = ctx.params["name"]
    body = _body(ctx, ctx.params["ws"])
    body["metadata"]["name"] = name
    if ctx.view(cached=False).get(WORKSPACE_QUOTA, name) is None:
        raise text_error(500, f'ResourceQuota.quota.kubesphere.io "{name}" not found')
    try:
        return go_ordered(ctx.api.update(ctx.app.host, WORKSPACE_QUOTA, body, user=ctx.user))
    except errors.ApiError as exc:
        raise (_as_500(exc) if exc.code in (409, 422) else exc) from None


@kapi("DELETE", BASE + "/{name}")
def delete_quota(ctx):
    _in_workspace(ctx, ctx.params["name"])
    ctx.api.delete(ctx.app.host, WORKSPACE_QUOTA, ctx.params["name"], user=ctx.user)
    return {"message": "success"}
