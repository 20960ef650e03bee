"""/kapis/cluster.kubesphere.io/v1alpha1 (pkg/kapis/cluster/v1alpha1/handler.go, v4.1.3): the join's
validation, the kubeconfig update and the grant requests. Failures are 400 plain text with the
server's words (recorded in cluster-lifecycle.json); successes are 200 with no body.

A kubeconfig reaches what emulator/members.py resolves: a joinable member, the host, or nothing
(a dial error naming its server)."""

import base64
import binascii

from .. import errors
from ..context import text_error
from ..kinds.cluster import CLUSTER, HOST_CLUSTER_ANNOTATION, HOST_LABEL
from ..kinds.core import NAMESPACE
from ..kinds.tenant import WORKSPACE_TEMPLATE
from ..members import KubeconfigError, resolve
from ..messages import Response
from ..objects import annotations_of, labels_of
from .router import kapi

BASE = "/kapis/cluster.kubesphere.io/v1alpha1"
DIFFERENT_CLUSTER = ("this kubeconfig corresponds to a different cluster than the previous one, you need to make "
                     "sure that kubeconfig is not from another cluster")


def _ok():
    return Response(200, b"")


def decode_bytes(value, field):
    """A Go []byte field of a JSON body: base64 text (or null)."""
    if value is None:
        return b""
    if not isinstance(value, str):
        kind = {dict: "object", list: "array", bool: "bool"}.get(type(value), "number")
        raise text_error(400, f"json: cannot unmarshal {kind} into Go struct field {field} of type []uint8")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise text_error(400, f"illegal base64 data at input byte {_bad_base64_at(value)}") from None


def _bad_base64_at(text):
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    for index, char in enumerate(text):
        if char not in alphabet:
            return index
    return len(text) - len(text) % 4


def _target(ctx, raw):
    try:
        return resolve(ctx.app, raw)
    except KubeconfigError as exc:
        raise text_error(400, str(exc)) from None


# ---- validation ------------------------------------------------------------------------------

@kapi("POST", BASE + "/clusters/validation")
def validate_cluster(ctx):
    """What the console asks before it creates a Cluster: the member answers, is not a Cluster here
    already (same kube-system uid) and no other host manages it."""
    body = ctx.json_body("v1alpha1.Cluster", dict)
    connection = ((body.get("spec") or {}).get("connection") or {}) if isinstance(body.get("spec"), dict) else {}
    name = (body.get("metadata") or {}).get("name", "") if isinstance(body.get("metadata"), dict) else ""
    raw = decode_bytes(connection.get("kubeconfig"), "Connection.spec.connection.kubeconfig")
    if connection.get("type") != "direct":
        raise text_error(400, "cluster connection type MUST be direct")
    if not raw:
        raise text_error(400, "cluster kubeconfig MUST NOT be empty")
    target = _target(ctx, raw)
    if target.member is None:
        raise text_error(400, f'Get "{target.server}/api/v1/namespaces/kube-system?timeout=10s": {target.dial_error}')
    if not target.authorized:
        raise text_error(400, "Unauthorized")
    members = ctx.app.members
    uid = members.kube_system_uid(target.member)
    for cluster in ctx.view().list(CLUSTER):
        if uid and ((cluster.get("status") or {}).get("uid") == uid):
            raise text_error(400, f"cluster {name} already exists ({cluster['metadata']['name']}), "
                                  "MUST not import the same cluster twice")
    namespace = ctx.api.view(target.member.store_key).get(NAMESPACE, "kubesphere-system")
    manager = annotations_of(namespace or {}).get(HOST_CLUSTER_ANNOTATION)
    if manager:
        raise text_error(400, f"current cluster is managed by another host cluster '{manager}'")
    return _ok()


# ---- kubeconfig ------------------------------------------------------------------------------

@kapi("PUT", BASE + "/clusters/{cluster}/kubeconfig")
def update_kubeconfig(ctx):
    """A new kubeconfig for a joined direct member: it must reach the same cluster (kube-system uid)."""
    body = ctx.json_body("v1alpha1.UpdateClusterRequest", dict)
    raw = decode_bytes(body.get("kubeconfig"), "UpdateClusterRequest.kubeconfig")
    name = ctx.params["cluster"]
    cluster = ctx.view().get(CLUSTER, name)
    if cluster is None:
        raise text_error(400, ctx.lister_not_found(CLUSTER, name).message)
    if HOST_LABEL in labels_of(cluster):
        raise text_error(400, "update kubeconfig of the host cluster is not allowed")
    if ((cluster.get("spec") or {}).get("connection") or {}).get("type") == "proxy":
        raise text_error(400, "update kubeconfig of member clusters which using proxy mode is not allowed, "
                              "their certs are managed and will be renewed by tower")
    if not raw:
        raise text_error(400, "cluster kubeconfig MUST NOT be empty")
    target = _target(ctx, raw)
    if target.member is None:
        raise text_error(400, f'Get "{target.server}/version?timeout=10s": {target.dial_error}')
    if not target.authorized:
        raise text_error(400, "the server has asked for the client to provide credentials")
    members = ctx.app.members
    if not members.ks_apiserver_up(target.member):
        raise text_error(400, "unable validate kubesphere endpoint, invalid response: , please make sure "
                              "ks-apiserver.kubesphere-system.svc of member cluster is up and running")
    if members.kube_system_uid(target.member) != (cluster.get("status") or {}).get("uid"):
        raise text_error(400, DIFFERENT_CLUSTER)
    cluster["spec"]["connection"]["kubeconfig"] = base64.b64encode(raw).decode()
    try:
        ctx.api.update(ctx.app.host, CLUSTER, cluster)      # the cached copy: stale right after a controller write
    except errors.ApiError as exc:
        raise text_error(400, exc.message) from None
    return _ok()


# ---- grant requests --------------------------------------------------------------------------

@kapi("POST", BASE + "/clusters/{cluster}/grantrequests")
def grant_requests(ctx):
    """Add the cluster to (or remove it from) workspaces' placements. The cluster is not looked up."""
    requests = ctx.json_body("[]v1alpha1.UpdateVisibilityRequest", list)
    name = ctx.params["cluster"]
    changes = []
    for request in requests:
        request = request if isinstance(request, dict) else {}
        workspace = request.get("workspace") or ""
        template = ctx.view().get(WORKSPACE_TEMPLATE, workspace)
        if template is None:
            raise text_error(400, ctx.lister_not_found(WORKSPACE_TEMPLATE, workspace).message)
        placed = [c.get("name") for c in ((template.get("spec") or {}).get("placement") or {}).get("clusters") or []
                  if c.get("name")]
        placed = list(dict.fromkeys(placed))
        if request.get("op") == "add":
            if name not in placed:
                placed.append(name)
        elif request.get("op") == "remove":
            placed = [c for c in placed if c != name]
        else:
            raise text_error(400, "not support operation type")
        changes.append((workspace, placed))
    for workspace, placed in changes:
        patch = {"spec": {"placement": {"clusters": [{"name": c} for c in placed] if placed else None}}}
        try:
            ctx.api.patch(ctx.app.host, WORKSPACE_TEMPLATE, workspace, "", "merge", patch, user=ctx.user)
        except errors.ApiError as exc:
            raise text_error(400, exc.message) from None
    return _ok()
