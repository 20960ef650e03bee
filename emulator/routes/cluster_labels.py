"""Cluster labels through /kapis/cluster.kubesphere.io/v1alpha1 (pkg/kapis/cluster/v1alpha1/label_handler.go,
v4.1.3): Label objects named by six random characters, one per key=value; label bindings append
clusters to a label's spec.clusters (controllers/cluster_labels.py puts the label on the Cluster);
unbind takes the label off the clusters at once. Failures are 400 plain text."""

import random

from .. import errors
from ..context import text_error
from ..kinds.cluster import CLUSTER, LABEL, LABEL_FINALIZER, LABEL_ON_CLUSTER
from ..messages import Response
from ..objects import go_ordered, without_type
from .router import kapi

BASE = "/kapis/cluster.kubesphere.io/v1alpha1"
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"       # k8s.io/apimachinery/pkg/util/rand


def _labels(ctx):
    return ctx.view().list(LABEL)


def _exists(request, labels):
    """Compared as sent (untrimmed) with the stored, trimmed key and value."""
    return any(l["spec"].get("key") == request.get("key") and l["spec"].get("value") == request.get("value")
               for l in labels)


def _get_label(ctx, name):
    label = ctx.view().get(LABEL, name)
    if label is None:
        raise text_error(400, ctx.lister_not_found(LABEL, name).message)
    return label


def _as_text(exc):
    return text_error(400, exc.message)


@kapi("GET", BASE + "/labels")
def list_labels(ctx):
    """{key: [{"value", "id"}]} (a Go map: keys sorted)."""
    grouped = {}
    for label in _labels(ctx):
        spec = label.get("spec") or {}
        grouped.setdefault(spec.get("key", ""), []).append(
            {"value": spec.get("value", ""), "id": label["metadata"]["name"]})
    return dict(sorted(grouped.items()))


@kapi("POST", BASE + "/labels")
def create_labels(ctx):
    requests = ctx.json_body("[]v1alpha1.CreateLabelRequest", list)
    existing = _labels(ctx)
    created = []
    for request in requests:
        request = request if isinstance(request, dict) else {}
        if _exists(request, existing):
            raise text_error(400, f"label {request.get('key', '')}/{request.get('value', '')} already exists")
        label = {"metadata": {"name": "".join(random.choice(_ALPHABET) for _index in range(6)),
                              "finalizers": [LABEL_FINALIZER]},
                 "spec": {"key": str(request.get("key") or "").strip(),
                          "value": str(request.get("value") or "").strip()}}
        try:
            created.append(ctx.api.create(ctx.app.host, LABEL, label, user=ctx.user))
        except errors.ApiError as exc:
            raise _as_text(exc) from None
    return [without_type(go_ordered(label)) for label in created]


@kapi("DELETE", BASE + "/labels")
def delete_labels(ctx):
    for name in ctx.json_body("[]string", list):
        try:
            ctx.api.delete(ctx.app.host, LABEL, str(name), user=ctx.user)
        except errors.ApiError as exc:
            raise _as_text(exc) from None
    return Response(200, b"")


@kapi("PUT", BASE + "/labels/{label}")
def update_label(ctx):
    label = _get_label(ctx, ctx.params["label"])
    if ctx.arg("action") == "unbind":
        return _unbind(ctx, label)
    request = ctx.json_body("v1alpha1.CreateLabelRequest", dict)
    if _exists(request, _labels(ctx)):
        raise text_error(400, f"label {request.get('key', '')}/{request.get('value', '')} already exists")
    label["spec"]["key"] = str(request.get("key") or "").strip()
    label["spec"]["value"] = str(request.get("value") or "").strip()
    try:
        return go_ordered(ctx.api.update(ctx.app.host, LABEL, label, user=ctx.user))
    except errors.ApiError as exc:
        raise _as_text(exc) from None


def _unbind(ctx, label):
    names = ctx.json_body("v1alpha1.UnbindClustersRequest", dict).get("clusters") or []
    key = LABEL_ON_CLUSTER % label["metadata"]["name"]
    for name in names:
        cluster = ctx.view().get(CLUSTER, name)
        if cluster is None:
            raise text_error(400, ctx.lister_not_found(CLUSTER, name).message)
        (cluster["metadata"].get("labels") or {}).pop(key, None)
        try:
            ctx.api.update(ctx.app.host, CLUSTER, cluster, user=ctx.user)
        except errors.ApiError as exc:
            raise _as_text(exc) from None
    remaining = sorted(set(label["spec"].get("clusters") or []) - set(names))
    if remaining:
        label["spec"]["clusters"] = remaining
    else:
        label["spec"].pop("clusters", None)
    try:
        return go_ordered(ctx.api.update(ctx.app.host, LABEL, label, user=ctx.user))
    except errors.ApiError as exc:
        raise _as_text(exc) from None


@kapi("POST", BASE + "/labelbindings")
def bind_clusters(ctx):
    """Appends the clusters to each label as sent (duplicates and unknown clusters too; the label
    controller then dedupes and drops clusters that do not exist)."""
    body = ctx.json_body("v1alpha1.BindingClustersRequest", dict)
    clusters = [str(c) for c in body.get("clusters") or []]
    for name in body.get("labels") or []:
        label = _get_label(ctx, str(name))
        label["spec"]["clusters"] = list(label["spec"].get("clusters") or []) + clusters
        try:
            ctx.api.update(ctx.app.host, LABEL, label, user=ctx.user)
        except errors.ApiError as exc:
            raise _as_text(exc) from None
    return Response(200, b"")
