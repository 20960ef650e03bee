"""Projects: namespaces through /kapis/tenant.kubesphere.io/v1beta1/workspaces/{ws}/namespaces
(per cluster with /clusters/{c}). The handler forces the workspace label,
does not check that the workspace exists, answers 400 text for a duplicate,
404 for a namespace of another workspace, 200 for deleting one that is
already Terminating, and its PATCH decodes into a typed Namespace (so a null
annotation is stored as "")."""

from .. import errors
from ..context import text_error
from ..iam.tenancy import project_bindings, short_workspace_role, workspace_members
from ..kinds.core import NAMESPACE
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import clone, go_ordered, is_deleting, labels_of, without_type
from .query import list_result
from .router import kapi

BASE = "/kapis/tenant.kubesphere.io/v1beta1"
WS_NAMESPACES = BASE + "/workspaces/{ws}/namespaces"


def _typed(obj):
    obj = clone(obj)
    obj["kind"], obj["apiVersion"] = "Namespace", "v1"
    return go_ordered(obj)


def _workspace_admin(ctx, workspace):
    role = workspace_members(ctx.api.view(ctx.app.host), workspace).get(ctx.user.name)
    return role is not None and short_workspace_role(workspace, role) == "admin"


def _visible(ctx, workspace=None):
    """A predicate for the namespaces this user may list."""
    if ctx.allowed("list", "namespaces", "") or (workspace and _workspace_admin(ctx, workspace)):
        return None
    view = ctx.api.view(ctx.cluster)
    return lambda n: bool(project_bindings(view, n["metadata"]["name"], ctx.user.name))


def _in_workspace(ctx, workspace, name, cached=True):
    namespace = ctx.view(cached).get(NAMESPACE, name)
    if namespace is None:
        raise ctx.lister_not_found(NAMESPACE, name)
    if labels_of(namespace).get(WORKSPACE_LABEL) != workspace:
        raise text_error(404, f'namespace "{name}" not found')
    return namespace


def _body(ctx, workspace):
    body = ctx.json_body("v1.Namespace", dict)
    namespace = {"metadata": clone(body.get("metadata") or {})}
    if "spec" in body:
        namespace["spec"] = body["spec"]
    namespace["metadata"].setdefault("labels", {})[WORKSPACE_LABEL] = workspace
    return namespace


@kapi("GET", WS_NAMESPACES)
def list_projects(ctx):
    workspace = ctx.params["ws"]
    visible = _visible(ctx, workspace)
    namespaces = ctx.view().list(NAMESPACE, labels={WORKSPACE_LABEL: workspace}, copy=False)
    return list_result(namespaces, ctx.req.query, [visible] if visible else [], render=_typed)


@kapi("GET", BASE + "/namespaces")
@kapi("GET", "/kapis/resources.kubesphere.io/v1alpha3/namespaces")
def list_all_projects(ctx):
    visible = _visible(ctx)
    return list_result(ctx.view().list(NAMESPACE, copy=False), ctx.req.query, [visible] if visible else [], render=_typed)


@kapi("GET", BASE + "/workspaces/{ws}/workspacemembers/{user}/namespaces")
def member_projects(ctx):
    workspace, user = ctx.params["ws"], ctx.params["user"]
    view = ctx.api.view(ctx.cluster)
    namespaces = ctx.view().list(NAMESPACE, labels={WORKSPACE_LABEL: workspace}, copy=False)
    extra = [lambda n: bool(project_bindings(view, n["metadata"]["name"], user))]
    return list_result(namespaces, ctx.req.query, extra, render=_typed)


@kapi("POST", WS_NAMESPACES)
def create_project(ctx):
    namespace = _body(ctx, ctx.params["ws"])
    try:
        created = ctx.api.create(ctx.cluster, NAMESPACE, namespace, user=ctx.user)
    except errors.ApiError as exc:
        raise text_error(exc.code if exc.code in (403, 404) else 400, exc.message) from None
    return without_type(go_ordered(created))


@kapi("GET", WS_NAMESPACES + "/{ns}")
def get_project(ctx):
    return _typed(_in_workspace(ctx, ctx.params["ws"], ctx.params["ns"]))


@kapi("PUT", WS_NAMESPACES + "/{ns}")
def update_project(ctx):
    name = ctx.params["ns"]
    namespace = _body(ctx, ctx.params["ws"])
    sent = namespace["metadata"].get("name", "")
    if sent != name:
        raise text_error(400, f"the name of the object ({sent}) does not match the name on the URL ({name})")
    _in_workspace(ctx, ctx.params["ws"], name, cached=False)
    try:
        updated = ctx.api.update(ctx.cluster, NAMESPACE, namespace, user=ctx.user)
    except errors.ApiError as exc:
        raise text_error(exc.code if exc.code in (403, 404) else 500, exc.message) from None
    return _typed(updated)


def _typed_patch(body):
    """What survives decoding into a Namespace: nulls in label and annotation
    maps become empty strings."""
    metadata = (body or {}).get("metadata")
    if isinstance(metadata, dict):
        for key in ("labels", "annotations"):
            if isinstance(metadata.get(key), dict):
                metadata[key] = {k: ("" if v is None else v) for k, v in metadata[key].items()}
    return body


@kapi("PATCH", WS_NAMESPACES + "/{ns}")
def patch_project(ctx):
    name = ctx.params["ns"]
    body = _typed_patch(ctx.json_body("v1.Namespace", dict))
    _in_workspace(ctx, ctx.params["ws"], name, cached=False)
    try:
        patched = ctx.api.patch(ctx.cluster, NAMESPACE, name, "", "merge", body, user=ctx.user)
    except errors.ApiError as exc:
        raise text_error(exc.code if exc.code in (403, 404) else 500, exc.message) from None
    return without_type(go_ordered(patched))


@kapi("DELETE", WS_NAMESPACES + "/{ns}")
def delete_project(ctx):
    name = ctx.params["ns"]
    namespace = _in_workspace(ctx, ctx.params["ws"], name, cached=False)
    if not is_deleting(namespace):
        try:
            ctx.api.delete(ctx.cluster, NAMESPACE, name, user=ctx.user)
        except errors.ApiError as exc:
            raise text_error(exc.code if exc.code in (403, 404) else 500, exc.message) from None
    return {"message": "success"}
