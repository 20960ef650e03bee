"""App Store releases (pkg/kapis/application/v2/handler_apprls.go), recorded in appstore.json:

* the body is the whole ApplicationRelease; its labels must name the app, cluster, workspace and
  namespace (400 "must set <label>"); the object stored is the body as sent (an update replaces
  labels, annotations and finalizers, so the controller's finalizer is gone until it adds it
  again), plus the appversion-id label and the creator annotation;
* spec.values is []byte: base64 in JSON. A YAML release's documents must match the version's
  package one by one and each must carry the release's namespace (500 otherwise); the webhook
  refuses a version that is not active (500 through this API);
* release names are cluster-wide: the namespace in the path only filters lists;
* a YAML release read back carries the live objects in status.realTimeResources."""

import base64
import binascii

from .. import errors
from ..appstore import manifests
from ..appstore.kapis import SUCCESS, body, internal, routes, typed
from ..context import text_error
from ..kinds.application import (APP_ID_LABEL, APP_VERSION_LABEL, APPLICATION_RELEASE, CLUSTER_LABEL, CREATOR,
                                 NAMESPACE_LABEL, WORKSPACE_LABEL)
from ..kinds.cluster import CLUSTER
from ..selectors import SelectorError, label_filter
from .appstore_apps import package_of
from .query import list_result
from .router import kapi

_REQUIRED_LABELS = (APP_ID_LABEL, CLUSTER_LABEL, WORKSPACE_LABEL, NAMESPACE_LABEL)


def _register(method, templates):
    def add(handler):
        for template in templates:
            kapi(method, template)(handler)
        return handler
    return add


def release_cluster(release):
    return ((release.get("metadata") or {}).get("labels") or {}).get(CLUSTER_LABEL) or "host"


def release_namespace(release):
    return ((release.get("metadata") or {}).get("labels") or {}).get(NAMESPACE_LABEL) or "default"


def values_of(release):
    """spec.values decoded ([]byte)."""
    try:
        return base64.b64decode((release.get("spec") or {}).get("values") or "")
    except (binascii.Error, ValueError):
        return b""


def target_cluster(ctx, name):
    """The cluster a release deploys into, as this server knows it (500 when it does not)."""
    if name in ("host", ctx.app.host):
        return ctx.app.host
    if ctx.api.store.get(ctx.app.host, CLUSTER, name) is None:
        raise text_error(500, ctx.lister_not_found(CLUSTER, name).message)
    ctx.app.ensure_cluster(name)
    return name


@_register("GET", routes("/applications", workspace=True, namespace=True))
def list_releases(ctx):
    wanted = {APP_ID_LABEL: ctx.arg("appID") or "", NAMESPACE_LABEL: ctx.params.get("namespace", ""),
              WORKSPACE_LABEL: ctx.params.get("workspace", "")}
    wanted = {k: v for k, v in wanted.items() if v}
    releases = ctx.view().list(APPLICATION_RELEASE, labels=wanted)
    selector = ctx.arg("labelSelector")
    if selector:
        try:
            keep = label_filter(selector)
        except SelectorError as exc:
            raise text_error(400, str(exc)) from None
        releases = [r for r in releases if keep(r)]
    query = {k: v for k, v in ctx.req.query.items() if k != "labelSelector"}
    return list_result(releases, query, render=typed)


@_register("POST", routes("/applications", workspace=True, namespace=True))
@_register("POST", routes("/applications/{application}", namespace=True))
def create_or_update_release(ctx):
    request = body(ctx)
    metadata = request.get("metadata") if isinstance(request.get("metadata"), dict) else {}
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
    for key in _REQUIRED_LABELS:
        if not labels.get(key):
            raise text_error(400, f"must set {key}")
    name = metadata.get("name") or ""
    current = ctx.view().get(APPLICATION_RELEASE, name) if name else None
    if "application" in ctx.params and current is None:
        raise text_error(500, ctx.lister_not_found(APPLICATION_RELEASE, name).message)
    if "application" not in ctx.params and current is not None:
        raise text_error(409, f"ApplicationRelease {name} already exists")
    spec = request.get("spec") if isinstance(request.get("spec"), dict) else {}
    if spec.get("appType") != "helm":
        target_cluster(ctx, labels[CLUSTER_LABEL])
        try:
            template = package_of(ctx, spec.get("appVersionID") or "")
        except errors.ApiError as exc:
            raise text_error(500, exc.message) from None
        try:
            manifests.compliance_check(values_of(request), template, labels[NAMESPACE_LABEL])
        except manifests.ManifestError as exc:
            raise text_error(500, str(exc)) from None
    release = {"metadata": {k: v for k, v in metadata.items()
                            if k in ("name", "labels", "annotations", "finalizers", "ownerReferences")},
               "spec": spec}
    release["metadata"]["labels"] = dict(labels, **{APP_VERSION_LABEL: spec.get("appVersionID", "")})
    release["metadata"]["annotations"] = dict(metadata.get("annotations") or {},
                                              **{CREATOR: ctx.user.name if ctx.user else ""})
    try:
        if current is None:
            ctx.api.create(ctx.cluster, APPLICATION_RELEASE, release, user=ctx.user)
        else:
            release["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            ctx.api.update(ctx.cluster, APPLICATION_RELEASE, release, user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


@_register("GET", routes("/applications/{application}", namespace=True))
def describe_release(ctx):
    release = ctx.view().get(APPLICATION_RELEASE, ctx.params["application"])
    if release is None:
        raise ctx.lister_not_found(APPLICATION_RELEASE, ctx.params["application"])
    shown = typed(release)
    status = shown["status"]
    status.pop("realTimeResources", None)
    if (release.get("spec") or {}).get("appType") in ("yaml", "edge"):
        try:
            cluster = target_cluster(ctx, release_cluster(release))
            docs = manifests.packages.read_manifests(values_of(release))
            status["realTimeResources"] = manifests.live(ctx.api, cluster, docs) or None
        except (errors.ApiError, manifests.ManifestError, manifests.packages.PackageError):
            pass
        if status.get("realTimeResources") is None:
            status.pop("realTimeResources", None)
    return shown


@_register("DELETE", routes("/applications/{application}", namespace=True))
def delete_release(ctx):
    try:
        ctx.api.delete(ctx.cluster, APPLICATION_RELEASE, ctx.params["application"], user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS
