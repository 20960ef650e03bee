"""ks-apiserver v4's generic kapis handler: any registered kind without explicit
routes is served under /kapis/{group}/{version}/[namespaces/{ns}/]{plural}[/{name}]
(and /workspaces/{ws}/{plural}, which lists with the kubesphere.io/workspace
label). Lists answer {"metadata":{"continue":"<total>","remainingItemCount":N},
"items":[...]}; writes answer null; errors are plain text."""

from .. import errors, registry
from ..context import text_error
from ..messages import json_response
from ..objects import go_ordered
from .query import filters_from_query, page_of, sort_items
from .router import accepts_json

WORKSPACE_LABEL = "kubesphere.io/workspace"
_PATCH_TYPES = {"application/merge-patch+json": "merge", "application/json-patch+json": "json",
                "application/json": "merge"}


def _parse(path):
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) < 4 or parts[0] != "kapis":
        return None
    group, version, rest = parts[1], parts[2], parts[3:]
    workspace = namespace = None
    if rest[0] == "workspaces" and len(rest) > 2:
        workspace, rest = rest[1], rest[2:]
    if rest[0] == "namespaces" and len(rest) > 2:
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 2:
        return None
    return group, version, rest[0], (rest[1] if len(rest) == 2 else None), namespace, workspace


def serve_generic(ctx):
    """A Response, or None when the path is not a generic resource path."""
    parsed = _parse(ctx.path)
    if parsed is None:
        return None
    group, version, plural, name, namespace, workspace = parsed
    kind = registry.lookup(group, version, plural)
    if kind is None or not kind.kapis_generic or (kind.host_only and not ctx.on_host):
        return None
    if namespace is not None and not kind.namespaced:
        return None
    if not accepts_json(ctx.req.header("accept")):
        return errors.router_text(406, errors.NOT_ACCEPTABLE)
    try:
        return _dispatch(ctx, kind, version, name, namespace or "", workspace)
    except errors.ApiError as exc:
        return exc.to_text()


def _dispatch(ctx, kind, version, name, namespace, workspace):
    method = "GET" if ctx.req.method == "HEAD" else ctx.req.method
    if method == "GET" and name is None:
        return _list(ctx, kind, version, namespace, workspace)
    if method == "GET":
        obj = ctx.view().get(kind, name, namespace)
        if obj is None:
            raise ctx.lister_not_found(kind, name)
        return json_response(_render(obj, kind, version))
    if method == "POST" and name is None:
        obj = _typed_body(ctx, kind)
        if kind.namespaced:
            obj.setdefault("metadata", {})["namespace"] = namespace
        ctx.api.create(ctx.cluster, kind, obj, user=ctx.user)
        return json_response(None)
    if method == "PUT" and name is not None:
        obj = _typed_body(ctx, kind)
        obj.setdefault("metadata", {})
        if obj["metadata"].get("name") != name:
            raise text_error(400, f"the name of the object ({obj['metadata'].get('name', '')}) "
                                  f"does not match the name on the URL ({name})")
        if kind.namespaced:
            obj["metadata"]["namespace"] = namespace
        ctx.api.update(ctx.cluster, kind, obj, user=ctx.user)
        return json_response(None)
    if method == "PATCH" and name is not None:
        patch_type = _PATCH_TYPES.get(ctx.req.content_type)
        if patch_type is None:
            return errors.router_text(415, errors.UNSUPPORTED_MEDIA_TYPE)
        ctx.api.patch(ctx.cluster, kind, name, namespace, patch_type, ctx.json_body(), user=ctx.user)
        return json_response(None)
    if method == "DELETE" and name is not None:
        ctx.api.delete(ctx.cluster, kind, name, namespace, user=ctx.user)
        return json_response(None)
    return errors.router_text(405, errors.METHOD_NOT_ALLOWED)


def _typed_body(ctx, kind):
    body = ctx.json_body(go_type="unstructured.Unstructured", expect=dict)
    group = (body.get("apiVersion") or "").rpartition("/")[0]
    if body.get("kind") != kind.kind or group != kind.group:
        raise text_error(400, "wrong resource GroupVersionKind")
    return body


def _render(obj, kind, version):
    obj["apiVersion"] = kind.api_version(version)
    return go_ordered(obj)


def _list(ctx, kind, version, namespace, workspace):
    query = ctx.req.query
    predicates = filters_from_query(query)
    if workspace:
        predicates.append(lambda o: ((o["metadata"].get("labels") or {}).get(WORKSPACE_LABEL)) == workspace)
    items = ctx.view().list(kind, namespace or None, where=lambda o: all(p(o) for p in predicates))
    ordered = sort_items(items, query)
    page, start = page_of(ordered, query)
    remaining = max(len(ordered) - start - len(page), 0)
    return json_response({"metadata": {"continue": str(len(ordered)), "remainingItemCount": remaining},
                          "items": [_render(o, kind, version) for o in page]})
