"""/version (open), /kapis/version (needs authorization), health probes, openapi."""

from ..messages import TEXT_TYPE, Response, json_response
from ..kinds.cluster import CLUSTER
from ..settings import DEFAULT_VERSION
from .router import kapi


def _major_minor(version):
    parts = version.lstrip("v").split(".")
    return (parts + ["", ""])[0], (parts + ["", ""])[1]


def version_body(settings, kubernetes_version=None):
    git_version = settings.git_version
    major, minor = _major_minor(git_version)
    kube = kubernetes_version or settings.kubernetes_version
    kube_major, kube_minor = _major_minor(kube)
    return {
        "gitVersion": git_version, "gitMajor": major, "gitMinor": minor,
        "gitCommit": settings.git_commit or DEFAULT_VERSION["gitCommit"], "gitTreeState": DEFAULT_VERSION["gitTreeState"],
        "buildDate": DEFAULT_VERSION["buildDate"], "goVersion": DEFAULT_VERSION["goVersion"],
        "compiler": "gc", "platform": "linux/amd64",
        "kubernetes": {"major": kube_major, "minor": kube_minor, "gitVersion": kube,
                       "gitCommit": "98b35193b2ac7a23a673325f5e9b830ecd5ba406", "gitTreeState": "clean",
                       "buildDate": "2026-11-22T00:00:00Z", "goVersion": DEFAULT_VERSION["goVersion"],
                       "compiler": "gc", "platform": "linux/amd64"},
    }


def _cluster_version(ctx):
    """A member answers with its own Kubernetes version."""
    kube = None
    if not ctx.on_host:
        cluster = ctx.api.view(ctx.app.host).get(CLUSTER, ctx.cluster)
        kube = ((cluster or {}).get("status") or {}).get("kubernetesVersion")
    return version_body(ctx.settings, kube)


@kapi("GET", "/version")
def version(ctx):
    return _cluster_version(ctx)


@kapi("GET", "/kapis/version")
def kapis_version(ctx):
    return _cluster_version(ctx)


@kapi("GET", "/healthz")
def healthz(ctx):
    return Response(200, "ok", TEXT_TYPE)


@kapi("GET", "/livez")
def livez(ctx):
    return Response(200, "ok", TEXT_TYPE)


@kapi("GET", "/readyz")
def readyz(ctx):
    return Response(200, "ok", TEXT_TYPE)


def _openapi(ctx, body):
    if ctx.req.method == "HEAD":
        return Response(200, "", TEXT_TYPE)     # what the real server answers to HEAD
    return json_response(body)


@kapi("GET", "/openapi/v2")
def openapi_v2(ctx):
    return _openapi(ctx, {"swagger": "2.0", "info": {"title": "KubeSphere", "version": ctx.settings.git_version},
                          "paths": {}})


@kapi("GET", "/openapi/v3")
def openapi_v3(ctx):
    return _openapi(ctx, {"paths": {}})
