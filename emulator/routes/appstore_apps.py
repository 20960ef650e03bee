"""App Store apps and versions (pkg/kapis/application/v2/handler_app.go, handler_appversion.go),
recorded in appstore.json:

* an upload is JSON (the package base64, as the console sends it) or multipart/form-data (a
  `file` part and a `jsonData` part); without S3 a package over 1 MiB is refused (400);
* a Helm package is read as a chart and what the request leaves out is taken from Chart.yaml
  (a missing appName becomes <chart>-<5 random chars>); a YAML package is only checked to be
  Kubernetes documents and nothing is filled in;
* the app's workspace comes from the body's `workspace`, a version's from the path;
* ?validate=true answers what would be written, and writes nothing;
* the review: version actions set any state they are given; the app action checks only two
  transitions (active: from draft or suspended, with an active or passed version; suspended:
  from active) and passes its state on to the versions that are active or suspended; it is not
  served under /workspaces/{ws} (the generic handler answers 500 there)."""

import base64
import email.parser
import email.policy

from .. import errors
from ..appstore import index, packages
from ..kinds.core import CONFIGMAP
from ..appstore.catalog import AppRequest, create_or_update_app, create_or_update_version, fill_from_chart, \
    update_latest_version
from ..appstore.kapis import SUCCESS, body, internal, routes, typed
from ..appstore.names import generated_app_name, version_name
from ..context import text_error
from ..gojson import GoJSONError, loads
from ..kinds.application import (ALIAS, APP_ID_LABEL, APP_STORE_LABEL, APPLICATION, APPLICATION_VERSION,
                                 CATEGORY_LABEL, DESCRIPTION, REPO, REPO_LABEL, SYSTEM_WORKSPACE, UPLOAD_REPO,
                                 WORKSPACE_LABEL)
from ..timeutil import rfc3339
from .query import list_result
from .router import kapi


def _register(method, templates):
    def add(handler):
        for template in templates:
            kapi(method, template)(handler)
        return handler
    return add


# ---- reading an upload ---------------------------------------------------------------------

def _upload(ctx):
    """The AppRequest of an upload (parseUpload); its failures are 500 text."""
    content_type = ctx.req.content_type
    if content_type == "multipart/form-data":
        parts = _multipart(ctx)
        if "file" not in parts:
            raise text_error(500, "http: no such file")
        try:
            data = loads(parts.get("jsonData", b"").decode() or "null")
        except (GoJSONError, UnicodeDecodeError) as exc:
            raise text_error(500, str(exc)) from None
        data = data if isinstance(data, dict) else {}
        if data.get("package"):
            raise text_error(500, "When using multipart/form-data to upload files, the package field does not "
                                  "need to be included in the json data.")
        request = AppRequest.from_json(data)
        request.package = parts["file"]
        return request
    if content_type == "application/json":
        try:
            return AppRequest.from_json(body(ctx))
        except errors.ApiError as exc:
            raise text_error(500, exc.message) from None
    raise text_error(500, "unsupported media type")


def _multipart(ctx):
    header = f"Content-Type: {ctx.req.header('content-type')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + ctx.req.body)
    found = {}
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if name:
            found[name] = part.get_payload(decode=True) or b""
    return found


def _check_size(request):
    if len(request.package) > packages.MAX_SIZE:
        raise text_error(400, f"System has no OSS store, the maximum file size is {packages.MAX_SIZE}")


def _parse(request):
    """parseRequest: a chart fills the request's blanks; a YAML bundle must parse."""
    try:
        if request.app_type == "helm":
            chart = packages.read_chart(request.package)
            fill_from_chart(request, chart, generated_app_name(chart["name"]))
        else:
            packages.read_manifests(request.package)
    except packages.PackageError as exc:
        raise text_error(500, str(exc)) from None
    return request


def _answer(request, with_resources):
    data = {"icon": request.icon, "appName": request.app_name, "versionName": request.version_name,
            "appHome": request.app_home, "description": request.description, "aliasName": request.alias_name}
    if with_resources:
        data["resources"] = request.resources
    return data


def _validating(ctx):
    return (ctx.arg("validate") or "").lower() in ("1", "t", "true")


# ---- apps ------------------------------------------------------------------------------------

@_register("POST", routes("/apps", workspace=True))
@_register("POST", routes("/apps/{app}", workspace=True))
def create_or_update_app_route(ctx):
    request = _upload(ctx)
    _check_size(request)
    request = _parse(request)
    answer = _answer(request, with_resources=True)
    if _validating(ctx):
        return answer
    _conflict_check(ctx, "app", APPLICATION, request.app_name)
    request.from_repo = False
    try:
        create_or_update_app(ctx.api, ctx.cluster, [request])
    except errors.ApiError as exc:
        raise internal(exc) from None
    return answer


def _conflict_check(ctx, param, kind, name):
    """conflictedDone: under /{param} the object must exist (else 500), without it must not (409)."""
    current = ctx.view().get(kind, name) if name else None
    if param in ctx.params and current is None:
        raise text_error(500, ctx.lister_not_found(kind, name).message)
    if param not in ctx.params and current is not None:
        raise text_error(409, f"{kind.kind} {name} already exists")


def _status_filter(ctx):
    """?conditions=status=a|b (params.ParseConditions): the states kept, or None."""
    conditions = ctx.arg("conditions") or ""
    for condition in conditions.split(","):
        key, sep, value = condition.partition("=")
        if sep and key == "status" and value:
            return set(value.split("|"))
    return None


def _selected(ctx, kind, labels=None):
    selector = ctx.arg("labelSelector")
    items = ctx.view().list(kind, labels=labels)
    if selector:
        from ..selectors import SelectorError, label_filter
        try:
            keep = label_filter(selector)
        except SelectorError as exc:
            raise text_error(400, str(exc)) from None
        items = [i for i in items if keep(i)]
    states = _status_filter(ctx)
    if states is not None:
        items = [i for i in items if (i.get("status") or {}).get("state", "") in states]
    workspace = ctx.params.get("workspace", "")
    if workspace:
        items = [i for i in items if (i["metadata"].get("labels") or {}).get(WORKSPACE_LABEL)
                 in (SYSTEM_WORKSPACE, workspace)]
    return items


def _without_selector(query):
    return {k: v for k, v in query.items() if k != "labelSelector"}


@_register("GET", routes("/apps", workspace=True))
def list_apps(ctx):
    return list_result(_selected(ctx, APPLICATION), _without_selector(ctx.req.query), render=typed)


def _app(ctx, name=None):
    name = name or ctx.params["app"]
    app = ctx.view().get(APPLICATION, name)
    if app is None:
        raise ctx.lister_not_found(APPLICATION, name)
    return app


@_register("GET", routes("/apps/{app}", workspace=True))
def describe_app(ctx):
    return typed(_app(ctx))


@_register("PATCH", routes("/apps/{app}", workspace=True))
def patch_app(ctx):
    """Sets category, icon, alias, description, attachments, abstraction and home from the body:
    a field left out is emptied."""
    request = body(ctx)
    app = _app(ctx)

    def text(key):
        value = request.get(key)
        return value if isinstance(value, str) else ""
    app["metadata"].setdefault("labels", {})[CATEGORY_LABEL] = text("categoryName")
    annotations = app["metadata"].setdefault("annotations", {})
    annotations[DESCRIPTION], annotations[ALIAS] = text("description"), text("aliasName")
    spec = app.setdefault("spec", {})
    for key, value in (("icon", text("icon")), ("attachments", request.get("attachments") or []),
                       ("abstraction", text("abstraction")), ("appHome", text("appHome"))):
        if value:
            spec[key] = value
        else:
            spec.pop(key, None)
    try:
        return typed(ctx.api.update(ctx.cluster, APPLICATION, app, user=ctx.user))
    except errors.ApiError as exc:
        raise internal(exc) from None


@_register("DELETE", routes("/apps/{app}", workspace=True))
def delete_app(ctx):
    app = _app(ctx)
    try:
        packages.delete(ctx.api, ctx.cluster, (app.get("spec") or {}).get("attachments") or [])
        ctx.api.delete(ctx.cluster, APPLICATION, app["metadata"]["name"], user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


@kapi("POST", "/kapis/application.kubesphere.io/v2/workspaces/{workspace}/apps/{app}/action")
def app_action_under_workspace(ctx):
    """Not a route of the App Store: the generic resource handler looks for a resource "apps"."""
    raise text_error(500, "no matches for application.kubesphere.io/v2, Resource=apps")


def _action_body(ctx, bad_code):
    try:
        request = ctx.json_body(go_type="v2.ApplicationVersionStatus", expect=dict)
    except errors.ApiError as exc:
        raise text_error(bad_code, exc.message) from None
    return {k: request.get(k) for k in ("state", "message", "userName") if isinstance(request.get(k), str)}


@kapi("POST", "/kapis/application.kubesphere.io/v2/apps/{app}/action")
def app_action(ctx):
    request = _action_body(ctx, 400)
    request["userName"] = ctx.user.name if ctx.user is not None else request.get("userName", "")
    app = _app(ctx)
    name, state = app["metadata"]["name"], request.get("state", "")
    current = (app.get("status") or {}).get("state", "")
    versions = ctx.view().list(APPLICATION_VERSION, labels={APP_ID_LABEL: name})
    if state == "active":
        if current not in ("draft", "suspended"):
            raise text_error(500, f"app {name} is not in draft or suspended status")
        if not any((v.get("status") or {}).get("state") in ("active", "passed") for v in versions):
            raise text_error(500, f"app {name} has no active or passed appversion")
    elif state == "suspended" and current != "active":
        raise text_error(500, f"app {name} is not in active status")
    if state == "active":
        ctx.app.store.mutate(ctx.cluster, APPLICATION, name, "",
                             lambda a: a["metadata"].setdefault("labels", {}).__setitem__(APP_STORE_LABEL, "true"))
    status = dict(app.get("status") or {}, state=state, updateTime=rfc3339())
    try:
        ctx.api.update_status(ctx.cluster, APPLICATION, name, "", status)
        for version in versions:
            if (version.get("status") or {}).get("state") in ("active", "suspended"):
                version_action(ctx, version["metadata"]["name"], request)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


def version_action(ctx, name, request):
    """DoAppVersionAction: any state is taken; suspending the last active version drafts an active app."""
    version = ctx.view().get(APPLICATION_VERSION, name)
    if version is None:
        raise ctx.lister_not_found(APPLICATION_VERSION, name)
    status = dict(version.get("status") or {}, state=request.get("state", ""), updated=rfc3339())
    if request.get("message"):
        status["message"] = request["message"]
    if request.get("userName"):
        status["userName"] = request["userName"]
    if not status["state"]:
        status.pop("state")
    ctx.api.update_status(ctx.cluster, APPLICATION_VERSION, name, "", status)
    if request.get("state") != "suspended":
        return
    app_id = (version["metadata"].get("labels") or {}).get(APP_ID_LABEL, "")
    siblings = ctx.api.store.list(ctx.cluster, APPLICATION_VERSION, labels={APP_ID_LABEL: app_id})
    app = ctx.api.store.get(ctx.cluster, APPLICATION, app_id)
    if app is None:
        raise ctx.lister_not_found(APPLICATION, app_id)
    if not any((v.get("status") or {}).get("state") == "active" for v in siblings) and \
            (app.get("status") or {}).get("state") == "active":
        ctx.api.update_status(ctx.cluster, APPLICATION, app_id, "", dict(app["status"], state="draft"))


# ---- versions --------------------------------------------------------------------------------

@_register("POST", routes("/apps/{app}/versions", workspace=True))
@_register("POST", routes("/apps/{app}/versions/{version}", workspace=True))
def create_or_update_version_route(ctx):
    request = _upload(ctx)
    _check_size(request)
    request.app_name = ctx.params["app"]
    request.workspace = ctx.params.get("workspace") or SYSTEM_WORKSPACE
    request = _parse(request)
    answer = _answer(request, with_resources=False)
    if _validating(ctx):
        return answer
    _conflict_check(ctx, "version", APPLICATION_VERSION, version_name(request.app_name, request.version_name))
    app = _app(ctx, request.app_name)
    request.from_repo = False
    try:
        create_or_update_version(ctx.api, ctx.cluster, ctx.api.store.get(ctx.cluster, APPLICATION, app["metadata"]["name"]),
                                 request)
        update_latest_version(ctx.api, ctx.cluster, request.app_name)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return answer


@_register("GET", routes("/apps/{app}/versions", workspace=True))
def list_versions(ctx):
    versions = _selected(ctx, APPLICATION_VERSION, labels={APP_ID_LABEL: ctx.params["app"]})
    return list_result(versions, _without_selector(ctx.req.query), render=typed)


def _version(ctx):
    version = ctx.view().get(APPLICATION_VERSION, ctx.params["version"])
    if version is None:
        raise ctx.lister_not_found(APPLICATION_VERSION, ctx.params["version"])
    return version


@_register("GET", routes("/apps/{app}/versions/{version}", workspace=True))
def describe_version(ctx):
    return typed(_version(ctx))


@_register("DELETE", routes("/apps/{app}/versions/{version}", workspace=True))
def delete_version(ctx):
    try:
        ctx.api.delete(ctx.cluster, APPLICATION_VERSION, ctx.params["version"], user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


@_register("POST", routes("/apps/{app}/versions/{version}/action", workspace=True))
def version_action_route(ctx):
    request = _action_body(ctx, 500)
    version = _version(ctx)
    if not request.get("message"):
        request["message"] = (version.get("status") or {}).get("message", "")
    try:
        version_action(ctx, version["metadata"]["name"], request)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


def package_of(ctx, version_id):
    """FailOverGet: a repo's version is downloaded from its pullUrl, an upload read from its ConfigMap."""
    version = ctx.api.store.get(ctx.cluster, APPLICATION_VERSION, version_id)
    if version is None:
        raise ctx.lister_not_found(APPLICATION_VERSION, version_id)
    repo_name = (version["metadata"].get("labels") or {}).get(REPO_LABEL, "")
    if repo_name != UPLOAD_REPO:
        repo = ctx.api.store.get(ctx.cluster, REPO, repo_name)
        if repo is None:
            raise ctx.lister_not_found(REPO, repo_name)
        credential = (repo.get("spec") or {}).get("credential") or {}
        try:
            return index.fetch((version.get("spec") or {}).get("pullUrl", ""), credential.get("username", ""),
                               credential.get("password", ""))
        except index.IndexFetchError as exc:
            raise errors.internal_error(str(exc)) from None
    package = packages.read(ctx.api, ctx.cluster, version_id)
    if package is None:
        raise ctx.lister_not_found(CONFIGMAP, version_id)
    return package


@_register("GET", routes("/apps/{app}/versions/{version}/package", workspace=True))
def version_package(ctx):
    try:
        data = package_of(ctx, ctx.params["version"])
    except errors.ApiError as exc:
        raise text_error(500, exc.message) from None
    return {"versionID": ctx.params["version"], "package": base64.b64encode(data).decode(),
            "appID": ctx.params["app"]}


@_register("GET", routes("/apps/{app}/versions/{version}/files", workspace=True))
def version_files(ctx):
    try:
        data = package_of(ctx, ctx.params["version"])
    except errors.ApiError as exc:
        raise text_error(500, exc.message) from None
    try:
        files = packages.chart_files(data)
    except packages.PackageError:
        files = {"all.yaml": data}
    return {name: base64.b64encode(content).decode() for name, content in files.items()}


@kapi("GET", "/kapis/application.kubesphere.io/v2/reviews")
def list_reviews(ctx):
    versions = ctx.view().list(APPLICATION_VERSION, labels={REPO_LABEL: UPLOAD_REPO})
    states = _status_filter(ctx)
    if states is not None:
        versions = [v for v in versions if (v.get("status") or {}).get("state", "") in states]
    return list_result(versions, ctx.req.query, render=typed)
