"""The generic Kubernetes handler for /api and /apis: get, list (label and field
selectors, limit/continue), create, update, patch (merge, JSON, strategic on
core kinds, apply), delete and deletecollection, and the status subresource,
for every registered kind, answering exactly like kube-apiserver (Status
errors, "404 page not found" for unknown resources)."""

from .. import errors, registry
from ..messages import json_response, text_response
from ..objects import go_ordered
from ..selectors import SelectorError, field_filter, label_filter
from . import discovery
from .bodies import decode_object, decode_patch, patch_type
from .lists import paginate, render_list
from .paths import parse


def _not_found_page():
    return text_response(404, errors.KUBE_PAGE_NOT_FOUND)


def handle(ctx):
    path = parse(ctx.path)
    if path is None:
        return _not_found_page()
    if path.discovery:
        return _discovery(path)
    kind = registry.lookup(path.group, path.version, path.plural)
    if (kind is None or (kind.host_only and not ctx.on_host)
            or (path.namespace is not None and not kind.namespaced)):
        return _not_found_page()
    if kind.namespaced and path.namespace is None and path.name is not None:
        return _not_found_page()
    if path.subresource and not (path.subresource == "status" and kind.status_subresource):
        return _not_found_page()
    try:
        return _verb(ctx, kind, path)
    except errors.ApiError as exc:
        return exc.to_status()


def _discovery(path):
    documents = {"api": discovery.versions, "apis": discovery.group_list}
    if path.discovery in documents:
        return json_response(documents[path.discovery]())
    body = discovery.group(path.group) if path.discovery == "group" else discovery.resources(path.group, path.version)
    return json_response(body) if body else _not_found_page()


def _render(kind, version, obj):
    obj["apiVersion"] = kind.api_version(version)
    if kind.custom:
        return json_response(obj, sort_keys=True)
    return json_response(go_ordered(obj))


def _verb(ctx, kind, path):
    method = "GET" if ctx.req.method == "HEAD" else ctx.req.method
    namespace = path.namespace or ""
    if path.subresource == "status":
        return _status_subresource(ctx, kind, path, method)
    if method == "GET":
        return _get(ctx, kind, path) if path.name else _list(ctx, kind, path)
    if method == "POST":
        if path.name:
            decode_object(ctx.req, kind)   # kube decodes first: a bad body is a 400
            raise errors.method_not_supported(kind)
        obj = decode_object(ctx.req, kind)
        _check_namespace(obj, kind, path)
        created = ctx.api.create(ctx.cluster, kind, obj, user=ctx.user, dry_run=_dry_run(ctx))
        response = _render(kind, path.version, created)
        response.status = 201
        return response
    if method == "PUT" and path.name:
        obj = decode_object(ctx.req, kind)
        sent = (obj.get("metadata") or {}).get("name", "")
        if sent != path.name:
            raise errors.bad_request(f"the name of the object ({sent}) does not match the name on the URL ({path.name})")
        _check_namespace(obj, kind, path)
        return _render(kind, path.version, ctx.api.update(ctx.cluster, kind, obj, user=ctx.user,
                                                          dry_run=_dry_run(ctx)))
    if method == "PATCH" and path.name:
        return _patch(ctx, kind, path, namespace)
    if method == "DELETE":
        return _delete(ctx, kind, path) if path.name else _delete_collection(ctx, kind, path)
    raise errors.method_not_supported(kind)


def _dry_run(ctx):
    """?dryRun=All: admission and every check run, nothing is stored (recorded on the real server)."""
    return ctx.arg("dryRun") == "All"


def _get(ctx, kind, path):
    obj = ctx.view(cached=False).get(kind, path.name, path.namespace or "")
    if obj is None:
        raise errors.not_found(kind, path.name)
    return _render(kind, path.version, obj)


def _selected(ctx, kind, path):
    predicates = []
    try:
        if ctx.arg("labelSelector"):
            predicates.append(label_filter(ctx.arg("labelSelector")))
        if ctx.arg("fieldSelector"):
            predicates.append(field_filter(ctx.arg("fieldSelector")))
    except SelectorError as exc:
        raise errors.bad_request(str(exc)) from None
    return ctx.view(cached=False).list(kind, path.namespace, where=lambda o: all(p(o) for p in predicates))


def _list(ctx, kind, path):
    resource_version = ctx.app.store.resource_version()
    items = _selected(ctx, kind, path)
    try:
        limit = int(ctx.arg("limit") or 0)
    except ValueError:
        raise errors.bad_request(f"invalid limit: {ctx.arg('limit')}") from None
    page, extra = paginate(items, limit, ctx.arg("continue"), resource_version)
    body = render_list(kind, path.version, page, resource_version, extra)
    return json_response(body, sort_keys=kind.custom)


def _check_namespace(obj, kind, path):
    metadata = obj.setdefault("metadata", {})
    if not kind.namespaced:
        return
    sent = metadata.get("namespace")
    if sent and path.namespace and sent != path.namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
    if path.namespace:
        metadata["namespace"] = path.namespace


def _patch(ctx, kind, path, namespace):
    kind_of_patch = patch_type(ctx.req, kind)
    body = decode_patch(ctx.req, kind_of_patch)
    if kind_of_patch == "apply":
        if not ctx.arg("fieldManager"):
            raise errors.ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                                  'Required value: is required for apply patch')
        if ctx.view(cached=False).get(kind, path.name, namespace) is None:
            body.setdefault("metadata", {})["name"] = path.name
            if kind.namespaced:
                body["metadata"]["namespace"] = namespace
            body.pop("status", None)
            response = _render(kind, path.version, ctx.api.create(ctx.cluster, kind, body, user=ctx.user))
            response.status = 201
            return response
    updated = ctx.api.patch(ctx.cluster, kind, path.name, namespace, kind_of_patch, body, user=ctx.user,
                            dry_run=_dry_run(ctx))
    return _render(kind, path.version, updated)


def _delete(ctx, kind, path):
    obj, removed = ctx.api.delete(ctx.cluster, kind, path.name, path.namespace or "", user=ctx.user,
                                  dry_run=_dry_run(ctx))
    if removed and not kind.delete_returns_object:
        details = {"name": path.name}
        if kind.group:
            details["group"] = kind.group
        details["kind"] = kind.plural
        details["uid"] = obj["metadata"]["uid"]
        return errors.success_status(details)
    return _render(kind, path.version, obj)


def _delete_collection(ctx, kind, path):
    deleted = []
    for obj in _selected(ctx, kind, path):
        metadata = obj["metadata"]
        try:
            gone, _removed = ctx.api.delete(ctx.cluster, kind, metadata["name"], metadata.get("namespace", ""),
                                            user=ctx.user)
        except errors.ApiError as exc:
            if exc.code == 404:
                continue
            raise
        deleted.append(gone)
    body = render_list(kind, path.version, deleted, ctx.app.store.resource_version(), {})
    return json_response(body, sort_keys=kind.custom)


def _status_subresource(ctx, kind, path, method):
    namespace = path.namespace or ""
    if method == "GET":
        return _get(ctx, kind, path)
    if method == "PUT":
        obj = decode_object(ctx.req, kind)
        updated = ctx.api.update_status(ctx.cluster, kind, path.name, namespace, obj.get("status"), user=ctx.user)
        return _render(kind, path.version, updated)
    if method == "PATCH":
        kind_of_patch = patch_type(ctx.req, kind)
        body = decode_patch(ctx.req, kind_of_patch)
        current = ctx.view(cached=False).get(kind, path.name, namespace)
        if current is None:
            raise errors.not_found(kind, path.name)
        from ..patch import PatchError, json_patch, merge_patch
        try:
            patched = json_patch(current, body) if kind_of_patch == "json" else merge_patch(current, body)
        except PatchError as exc:
            raise errors.ApiError(422, "Invalid", str(exc)) from None
        updated = ctx.api.update_status(ctx.cluster, kind, path.name, namespace, patched.get("status"), user=ctx.user)
        return _render(kind, path.version, updated)
    raise errors.method_not_supported(kind)
