"""Cluster listings: /kapis/resources.kubesphere.io/v1alpha3/clusters (every
authenticated user; kubeconfig stripped) and /kapis/tenant.kubesphere.io/v1beta1/clusters
(the clusters the caller may use)."""

import json

from ..kinds.cluster import CLUSTER
from ..objects import clone, go_ordered
from .query import list_result
from .router import kapi

RESOURCES = "/kapis/resources.kubesphere.io/v1alpha3/clusters"
GRANTED_ANNOTATION = "iam.kubesphere.io/granted-clusters"


def public_cluster(cluster):
    cluster = clone(cluster)
    ((cluster.get("spec") or {}).get("connection") or {}).pop("kubeconfig", None)
    cluster.setdefault("status", {})
    return go_ordered(cluster)


def _clusters(ctx):
    return ctx.api.cached_view(ctx.app.host).list(CLUSTER)


@kapi("GET", RESOURCES)
def list_clusters(ctx):
    return list_result(_clusters(ctx), ctx.req.query, render=public_cluster)


@kapi("GET", RESOURCES + "/{name}")
def get_cluster(ctx):
    cluster = ctx.api.cached_view(ctx.app.host).get(CLUSTER, ctx.params["name"])
    if cluster is None:
        raise ctx.lister_not_found(CLUSTER, ctx.params["name"])
    return public_cluster(cluster)


@kapi("GET", "/kapis/tenant.kubesphere.io/v1beta1/clusters")
def tenant_clusters(ctx):
    clusters = _clusters(ctx)
    if not ctx.allowed("list", "clusters", "cluster.kubesphere.io"):
        granted = _granted(ctx)
        clusters = [c for c in clusters if c["metadata"]["name"] in granted]
    return list_result(clusters, ctx.req.query, render=public_cluster)


def _granted(ctx):
    from ..kinds.iam import USER
    user = ctx.api.view(ctx.app.host).get(USER, ctx.user.name) or {}
    value = ((user.get("metadata") or {}).get("annotations") or {}).get(GRANTED_ANNOTATION) or ""
    try:
        names = json.loads(value)
    except ValueError:
        names = value.split(",")
    return {n.strip() for n in names if isinstance(n, str) and n.strip()}
