"""/kapis/tenant.kubesphere.io: workspace templates (v1beta1 read-write,
v1alpha3 read-only) and the per-cluster Workspace reads, with the real
server's codes: create maps every failure but NotFound/Forbidden to 400, PUT
failures but NotFound and a name mismatch are 500, PATCH takes JSON Patch only
(500 for anything else) with add/remove only under /spec/placement, DELETE
needs a JSON body and reports a missing workspace as 400."""

from .. import errors
from ..context import text_error
from ..iam.cluster_use import check_cluster_use
from ..iam.tenancy import workspace_bindings
from ..kinds.cluster import CLUSTER
from ..kinds.tenant import PROPAGATION_ANNOTATION, WORKSPACE, WORKSPACE_TEMPLATE
from ..objects import clone, go_ordered, set_annotation, without_type
from .query import list_result
from .router import kapi

BASE = "/kapis/tenant.kubesphere.io/v1beta1"
LEGACY = "/kapis/tenant.kubesphere.io/v1alpha3"
_GROUP = "tenant.kubesphere.io"
_PATCH_TYPES = ("application/json", "application/merge-patch+json", "application/json-patch+json")


def _typed(obj, kind):
    obj = clone(obj)
    obj["kind"], obj["apiVersion"] = kind.kind, kind.api_version()
    return go_ordered(obj)


def _host_view(ctx):
    return ctx.api.cached_view(ctx.app.host)


def _template(ctx, name):
    template = _host_view(ctx).get(WORKSPACE_TEMPLATE, name)
    if template is None:
        raise ctx.lister_not_found(WORKSPACE_TEMPLATE, name)
    return template


def _as_text(exc, keep=(404, 403), default=400):
    return text_error(exc.code if exc.code in keep else default, exc.message)


# ---- reads ---------------------------------------------------------------------

@kapi("GET", BASE + "/workspacetemplates")
@kapi("GET", LEGACY + "/workspacetemplates")
def list_templates(ctx):
    templates = _host_view(ctx).list(WORKSPACE_TEMPLATE, copy=False)    # _typed() copies the page
    extra = []
    if not ctx.granted_globally("list", "workspacetemplates", _GROUP):
        # Without a global right a user sees the workspaces they are a member of.
        host = ctx.api.view(ctx.app.host)
        extra.append(lambda t: bool(workspace_bindings(host, t["metadata"]["name"], ctx.user.name)))
    return list_result(templates, ctx.req.query, extra, render=lambda t: _typed(t, WORKSPACE_TEMPLATE))


@kapi("GET", BASE + "/workspacetemplates/{ws}")
@kapi("GET", LEGACY + "/workspacetemplates/{ws}")
def get_template(ctx):
    return _typed(_template(ctx, ctx.params["ws"]), WORKSPACE_TEMPLATE)


@kapi("GET", BASE + "/workspaces")
def list_workspaces(ctx):
    """Registered first in v4, so this alias answers with per-cluster Workspaces."""
    workspaces = ctx.view().list(WORKSPACE, copy=False)
    return list_result(workspaces, ctx.req.query, render=lambda w: _typed(w, WORKSPACE))


@kapi("GET", BASE + "/workspaces/{ws}")
def get_workspace(ctx):
    workspace = ctx.view().get(WORKSPACE, ctx.params["ws"])
    if workspace is None:
        raise ctx.lister_not_found(WORKSPACE, ctx.params["ws"])
    return _typed(workspace, WORKSPACE)


@kapi("GET", BASE + "/workspaces/{ws}/clusters")
def workspace_clusters(ctx):
    template = _template(ctx, ctx.params["ws"])
    placement = (template.get("spec") or {}).get("placement") or {}
    view = _host_view(ctx)
    if placement.get("clusters"):
        names = [c.get("name") for c in placement["clusters"]]
        clusters = [c for c in (view.get(CLUSTER, n) for n in names) if c is not None]
    elif "clusterSelector" in placement:
        clusters = view.list(CLUSTER)
    else:
        clusters = []
    return {"items": [_typed(c, CLUSTER) for c in clusters], "totalItems": len(clusters)}


# ---- writes --------------------------------------------------------------------

def _decoded(ctx):
    """The body as the typed WorkspaceTemplate keeps it: unknown fields, the
    sent apiVersion/kind and a missing placement do not matter."""
    body = ctx.json_body("v1beta1.WorkspaceTemplate", dict)
    spec = body.get("spec") or {}
    template = dict(spec.get("template") or {})
    template.setdefault("metadata", {})
    return {"metadata": body.get("metadata") or {},
            "spec": {"template": template, "placement": spec.get("placement") or {}}}


def _check_clusters(ctx, clusters):
    view = ctx.api.view(ctx.app.host)
    for cluster in clusters or []:
        name = (cluster or {}).get("name") if isinstance(cluster, dict) else None
        if name and view.get(CLUSTER, name) is None:
            raise ctx.lister_not_found(CLUSTER, name)
        if name:
            check_cluster_use(ctx, view.get(CLUSTER, name))


@kapi("POST", BASE + "/workspacetemplates")
@kapi("POST", BASE + "/workspaces")
def create_template(ctx):
    template = _decoded(ctx)
    _check_clusters(ctx, template["spec"]["placement"].get("clusters"))
    try:
        created = ctx.api.create(ctx.app.host, WORKSPACE_TEMPLATE, template, user=ctx.user)
    except errors.ApiError as exc:
        raise _as_text(exc) from None
    return without_type(go_ordered(created))


@kapi("PUT", BASE + "/workspacetemplates/{ws}")
@kapi("PUT", BASE + "/workspaces/{ws}")
def update_template(ctx):
    name = ctx.params["ws"]
    template = _decoded(ctx)
    sent = template["metadata"].get("name", "")
    if sent != name:
        raise text_error(400, f"the name of the object ({sent}) does not match the name on the URL ({name})")
    try:
        updated = ctx.api.update(ctx.app.host, WORKSPACE_TEMPLATE, template, user=ctx.user)
    except errors.ApiError as exc:
        raise _as_text(exc, keep=(404, 403), default=500) from None
    return _typed(updated, WORKSPACE_TEMPLATE)


def _check_patch(ctx, name, operations):
    needs_admin = False
    for operation in operations:
        if not isinstance(operation, dict):
            raise text_error(500, "the server rejected our request due to an error in our request")
        path = operation.get("path") or ""
        if path.startswith("/spec/placement"):
            if operation.get("op") not in ("add", "remove"):
                raise text_error(400, "not support operation type")
            value = operation.get("value")
            if isinstance(value, dict):
                _check_clusters(ctx, value.get("clusters") if "clusters" in value else [value])
        else:
            needs_admin = True
    if needs_admin and not ctx.allowed("delete", "workspacetemplates", _GROUP):
        raise text_error(500, f'workspacetemplates.tenant.kubesphere.io "{name}" is forbidden: ')


@kapi("PATCH", BASE + "/workspacetemplates/{ws}", consumes=_PATCH_TYPES)
@kapi("PATCH", BASE + "/workspaces/{ws}", consumes=_PATCH_TYPES)
def patch_template(ctx):
    name = ctx.params["ws"]
    operations = ctx.json_body()
    if not isinstance(operations, list):
        kind = "object" if isinstance(operations, dict) else type(operations).__name__
        raise text_error(500, f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch")
    # Read straight from the API, not the informer cache: a patch right after the create finds it (recorded).
    template = ctx.api.view(ctx.app.host).get(WORKSPACE_TEMPLATE, name)
    if template is None:
        raise ctx.lister_not_found(WORKSPACE_TEMPLATE, name)
    _check_patch(ctx, name, operations)
    operations = _placement_by_name(name, template, operations)
    try:
        patched = ctx.api.patch(ctx.app.host, WORKSPACE_TEMPLATE, name, "", "json", operations, user=ctx.user)
    except errors.ApiError as exc:
        if exc.code == 422:
            raise text_error(500, "the server rejected our request due to an error in our request") from None
        raise _as_text(exc, keep=(404, 403), default=500) from None
    return _typed(patched, WORKSPACE_TEMPLATE)


def _placement_by_name(name, template, operations):
    """KubeSphere applies placement ops by cluster name: a remove must carry the cluster as its
    value (500 "missing value" otherwise) and removes that cluster wherever it is; removing one
    that is not placed is refused, adding one that is placed is a Duplicate value."""
    placed = [c.get("name") for c in ((template.get("spec") or {}).get("placement") or {}).get("clusters") or []]
    out = []
    for operation in operations:
        if not (operation.get("path") or "").startswith("/spec/placement"):
            out.append(operation)
            continue
        value = operation.get("value")
        if operation.get("op") == "remove":
            if "value" not in operation:
                raise text_error(500, "operation, missing value field: missing value")
            cluster = value.get("name") if isinstance(value, dict) else None
            if cluster not in placed:
                raise text_error(500, "the server rejected our request due to an error in our request")
            out.append({"op": "remove", "path": "/spec/placement/clusters/%d" % placed.index(cluster)})
            placed.remove(cluster)
            continue
        if isinstance(value, dict) and value.get("name") in placed and operation["path"].startswith(
                "/spec/placement/clusters/"):
            raise text_error(500, f'WorkspaceTemplate.tenant.kubesphere.io "{name}" is invalid: '
                                  f'spec.placement.clusters[{len(placed)}]: Duplicate value: '
                                  f'{{"name":"{value["name"]}"}}')
        if isinstance(value, dict) and value.get("name"):
            placed.append(value["name"])
        out.append(operation)
    return out


@kapi("DELETE", BASE + "/workspacetemplates/{ws}")
@kapi("DELETE", BASE + "/workspaces/{ws}")
def delete_template(ctx):
    name = ctx.params["ws"]
    profile = ctx.app.profile
    if profile.workspace_delete_body or ctx.req.body.strip():
        options = ctx.json_body("v1.DeleteOptions", dict)
    else:
        options = {}   # 3.x: a DELETE without a body is NewDeleteOptions(0)
    host = ctx.app.host
    if ctx.api.view(host).get(WORKSPACE_TEMPLATE, name) is None:
        if profile.workspace_missing_delete_status == 404:
            raise text_error(404, errors.not_found(WORKSPACE_TEMPLATE, name).message)
        raise text_error(400, "failed to get workspace template: "
                         + ctx.lister_not_found(WORKSPACE_TEMPLATE, name).message)
    policy = options.get("propagationPolicy")
    if profile.workspace_deletes_projects:
        # 3.x deletes the projects unless told Orphan (its orphan finalizer); said here the v4 way.
        policy = None if policy == "Orphan" else "Background"
    if policy:
        ctx.app.store.mutate(
            host, WORKSPACE_TEMPLATE, name, "", lambda o: set_annotation(o, PROPAGATION_ANNOTATION, policy))
    try:
        ctx.api.delete(host, WORKSPACE_TEMPLATE, name, user=ctx.user)
    except errors.ApiError as exc:
        raise _as_text(exc, keep=(404,), default=400) from None
    return {"message": "success"}
