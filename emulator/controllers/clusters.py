"""The host's cluster controller (pkg/controller/cluster/cluster_controller.go, v4.1.3), for Clusters
whose kubeconfig reaches one of the emulator's joinable members (emulator/members.py). The write
sequence recorded in cluster-lifecycle.json, in order:

1. finalizer.cluster.kubesphere.io (status becomes {});
2. spec.connection.kubernetesAPIEndpoint and status.uid (the member's kube-system uid); the
   member's objects are then the Cluster's (/clusters/{name} reaches them once Ready);
3. ks-core installed by Helm (cluster_join_ms; a spec.config change reinstalls it): KSCoreReady
   True "KS Core is available now" and the kubesphere.io/config-hash annotation (FNV-64a of the
   config bytes);
4. the labels named by the cluster.kubesphere.io/label-ids annotation get the cluster;
5. Ready: True "Cluster is available now" with kubeSphereVersion, kubernetesVersion and nodeCount
   once the member's ks-apiserver answers (on a first install it starts a little later: Ready is
   False meanwhile, with the real message), and the label-ids annotation goes;
6. the member's kubesphere-system is annotated with its name and the host's; the creator's
   {creator}-cluster-admin binding is made in the member (annotation kubesphere.io/initialized);
   users bound in the member get the cluster in iam.kubesphere.io/granted-clusters.

A kubeconfig that reaches nothing, or not with valid credentials, makes Ready False with the
client's message; the controller retries. Conditions keep one entry per type, the one written
last at the end.

Deletion (the unjoin): the cluster leaves every workspace placement (the host's too: nothing
refuses deleting the host Cluster), the workspacetemplate controller then removes the member's
Workspaces while the Cluster still answers; if it was Ready the member's kubesphere-system loses
the two annotations; users lose the granted cluster; the finalizer goes and the member is
unjoined (ks-core stays in it). A deleted host Cluster is made again, as the real controller does
on its next resync.

The host and the members seeded with --members keep the status they were given. With
cluster_controller false nothing runs, as on a server started with --controllers='*,-cluster'."""

import base64
import binascii
import time

from .. import errors
from ..kinds.cluster import (CLUSTER, CLUSTER_FINALIZER, CLUSTER_NAME_ANNOTATION, HOST_CLUSTER_ANNOTATION,
                             HOST_LABEL, LABEL, LABEL_IDS_ANNOTATION, is_ready)
from ..kinds.core import NAMESPACE, SECRET
from ..kinds.iam import CLUSTER_ROLE_BINDING, USER
from ..kinds.tenant import WORKSPACE_TEMPLATE
from ..iam.users import ROLE_REF_LABEL, USER_REF_LABEL
from ..members import HOST_ID, KubeconfigError, resolve
from ..objects import add_finalizer, annotations_of, finalizers_of, is_deleting, labels_of, remove_finalizer
from ..timeutil import rfc3339
from .installplans import fnv64a
from .runtime import controller

GRANTED_ANNOTATION = "iam.kubesphere.io/granted-clusters"
CONFIG_HASH_ANNOTATION = "kubesphere.io/config-hash"
INITIALIZED_ANNOTATION = "kubesphere.io/initialized"
CREATOR_ANNOTATION = "kubesphere.io/creator"
NO_KS_APISERVER = "the server could not find the requested resource (get services http:ks-apiserver:80)"
RESYNC = 2.0          # seconds: notice a revoked credential or a member that stopped answering
RETRY = 1.0
FIRST_START = 0.2     # of cluster_join_ms: how much later a first install's ks-apiserver answers

# Names of this app's controller memory (ctx.memory), each keyed by Cluster uid:
_INSTALLS = "clusters.installs"        # -> (due, config hash): the Helm job running for it
_UNJOINING = "clusters.unjoining"      # -> when its placements were released
_GENERATIONS = "clusters.generations"  # -> the generation a full pass last saw (the real one writes on every spec change)


@controller("cluster.kubesphere.io", "clusters")
def reconcile_cluster(ctx, ref):
    if not ctx.settings.cluster_controller:
        return None
    cluster = ctx.api.view(ctx.host).get(CLUSTER, ref.name)
    if cluster is None:
        return None
    if is_deleting(cluster):
        return _unjoin(ctx, cluster)
    if CLUSTER_FINALIZER not in finalizers_of(cluster):
        ctx.store.mutate(ctx.host, CLUSTER, ref.name, "", _with_finalizer)
        return None                                   # the write brings the next pass
    if HOST_LABEL in labels_of(cluster):
        return _host(ctx, cluster)
    if ref.name in ctx.app.members.static:
        return None
    connection = (cluster.get("spec") or {}).get("connection") or {}
    raw = _bytes(connection.get("kubeconfig"))
    if not raw:
        return None                                   # a proxy cluster waits for its agent (not in core 4.1)
    return _join(ctx, cluster, raw)


def _with_finalizer(obj):
    obj.setdefault("status", {})
    return add_finalizer(obj, CLUSTER_FINALIZER)


def _bytes(value):
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        return b""


def _host(ctx, cluster):
    uid = ctx.app.members.kube_system_uid(ctx.app.members.get(HOST_ID))
    if uid and (cluster.get("status") or {}).get("uid") != uid:
        ctx.store.mutate(ctx.host, CLUSTER, cluster["metadata"]["name"], "",
                         lambda o: _set(o.setdefault("status", {}), "uid", uid))
    return None


def _set(mapping, key, value):
    if mapping.get(key) == value:
        return False
    mapping[key] = value
    return True


# ---- joining ---------------------------------------------------------------------------------

def _join(ctx, cluster, raw):
    name = cluster["metadata"]["name"]
    members = ctx.app.members
    joined_before = bool((cluster.get("status") or {}).get("uid"))
    try:
        target = resolve(ctx.app, raw)
    except KubeconfigError as exc:
        return _not_ready(ctx, name, f"failed to get cluster client for {name}: {exc}")
    if target.member is None:
        return _not_ready(ctx, name, f'failed to get cluster client for {name}: '
                                     f'Get "{target.server}/version?timeout=32s": {target.dial_error}')
    if not target.authorized:
        return _not_ready(ctx, name, f"failed to get kube-system namespace for {name}: Unauthorized" if joined_before
                          else f"failed to get cluster client for {name}: the server has asked for the client "
                               "to provide credentials")
    member = target.member
    if member.id == HOST_ID:
        return None           # a Cluster pointed at the host is the host to the real controller: not modelled
    if member.joined_as and member.joined_as != name:
        return _not_ready(ctx, name, f"emulator: {member.id} is already joined as {member.joined_as} "
                                     "(two Clusters of one member are not modelled)")
    uid = members.kube_system_uid(member)
    connection = cluster["spec"]["connection"]
    if member.store_key != name:
        previous = members.joined(name)
        if previous is not None:
            members.unbind(previous)                # the kubeconfig now reaches another member
        members.bind(member, name)
    if not connection.get("kubernetesAPIEndpoint") or (cluster.get("status") or {}).get("uid") != uid:
        def locate(obj):
            obj.setdefault("status", {})["uid"] = uid
            obj["spec"]["connection"]["kubernetesAPIEndpoint"] = target.server
        ctx.store.mutate(ctx.host, CLUSTER, name, "", locate)
        return None
    wait = _ks_core(ctx, cluster, member)
    if wait is not None:
        return wait
    cluster = ctx.api.view(ctx.host).get(CLUSTER, name) or cluster
    _sync_labels(ctx, cluster)
    generation = cluster["metadata"].get("generation")
    wait = _ready(ctx, name, member, touch=ctx.memory(_GENERATIONS).get(cluster["metadata"]["uid"]) != generation)
    if wait is not None:
        return wait
    ctx.memory(_GENERATIONS)[cluster["metadata"]["uid"]] = generation
    _sync_name(ctx, name, member)
    return RESYNC if _sync_members(ctx, cluster, member) else RETRY


def _not_ready(ctx, name, message):
    ctx.store.mutate(ctx.host, CLUSTER, name, "",
                     lambda o: _condition(o.setdefault("status", {}), "Ready", False, "Ready", message))
    return RETRY


def _condition(status, kind, ok, reason, message, touch=False):
    """Replace the condition of that type (appended last, as updateClusterCondition does); False when unchanged.
    touch: write it again with the time of now even when it says the same (a reconcile after a spec change)."""
    conditions = status.get("conditions") or []
    wanted = "True" if ok else "False"
    now = rfc3339()
    for current in conditions:
        if current.get("type") == kind and current.get("status") == wanted and current.get("message") == message \
                and (not touch or current.get("lastUpdateTime") == now):
            return False
    status["conditions"] = [c for c in conditions if c.get("type") != kind] + [
        {"lastTransitionTime": now, "lastUpdateTime": now, "message": message, "reason": reason,
         "status": wanted, "type": kind}]
    return True


def _condition_true(cluster, kind):
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (cluster.get("status") or {}).get("conditions") or [])


def _ks_core(ctx, cluster, member):
    """Install (or, after a config change, upgrade) ks-core in the member; seconds to wait, or None when done."""
    uid = cluster["metadata"]["uid"]
    want = fnv64a(_bytes((cluster.get("spec") or {}).get("config")).decode("utf-8", "replace"))
    if _condition_true(cluster, "KSCoreReady") and annotations_of(cluster).get(CONFIG_HASH_ANNOTATION) == want:
        return None
    now = time.monotonic()
    installs = ctx.memory(_INSTALLS)
    with ctx.lock:
        job = installs.get(uid)
        if job is None or job[1] != want:
            job = installs[uid] = (now + ctx.settings.cluster_join_ms / 1000.0, want)
        if now < job[0]:
            return job[0] - now
        del installs[uid]
    _install(ctx, member)

    def installed(obj):
        _condition(obj.setdefault("status", {}), "KSCoreReady", True, "KSCoreReady", "KS Core is available now")
        obj["metadata"].setdefault("annotations", {})[CONFIG_HASH_ANNOTATION] = want
    ctx.store.mutate(ctx.host, CLUSTER, cluster["metadata"]["name"], "", installed)
    return None


def _install(ctx, member):
    """What the Helm release leaves in the member: kubesphere-system and a release Secret per revision."""
    cluster = member.store_key
    if ctx.api.view(cluster).get(NAMESPACE, "kubesphere-system") is None:
        ctx.api.create(cluster, NAMESPACE, {"metadata": {"name": "kubesphere-system"}}, admit=False)
    member.ks_core_revision += 1
    if member.ks_core_revision == 1:
        member.ks_apiserver_at = time.monotonic() + FIRST_START * ctx.settings.cluster_join_ms / 1000.0
    revision = member.ks_core_revision
    try:
        ctx.api.create(cluster, SECRET, {
            "metadata": {"name": f"sh.helm.release.v1.ks-core.v{revision}", "namespace": "kubesphere-system",
                         "labels": {"owner": "helm", "name": "ks-core", "status": "deployed",
                                    "version": str(revision)}},
            "type": "helm.sh/release.v1", "data": {}}, admit=False)
    except errors.ApiError:
        pass


def _sync_labels(ctx, cluster):
    """The labels named by the label-ids annotation (set at create, as the console may) get the cluster."""
    name = cluster["metadata"]["name"]
    for label_id in (annotations_of(cluster).get(LABEL_IDS_ANNOTATION) or "").split(","):
        label_id = label_id.strip()
        if not label_id:
            continue
        ctx.store.mutate(ctx.host, LABEL, label_id, "", lambda o: _add_cluster(o, name))


def _add_cluster(label, name):
    clusters = label.setdefault("spec", {}).get("clusters") or []
    if name in clusters:
        return False
    label["spec"]["clusters"] = sorted(set(clusters) | {name})
    return True


def _ready(ctx, name, member, touch=False):
    members = ctx.app.members
    up = members.ks_apiserver_up(member)
    settings = ctx.settings

    def change(obj):
        changed = obj["metadata"].get("annotations", {}).pop(LABEL_IDS_ANNOTATION, None) is not None
        status = obj.setdefault("status", {})
        if not up:
            return _condition(status, "Ready", False, "Ready", NO_KS_APISERVER) or changed
        changed = _set(status, "kubeSphereVersion", settings.git_version) or changed
        changed = _condition(status, "Ready", True, "Ready", "Cluster is available now", touch) or changed
        changed = _set(status, "kubernetesVersion", member.kubernetes_version) or changed
        return _set(status, "nodeCount", member.node_count) or changed
    ctx.store.mutate(ctx.host, CLUSTER, name, "", change)
    return None if up else max(0.05, member.ks_apiserver_at - time.monotonic())


def _sync_name(ctx, name, member):
    def annotate(namespace):
        annotations = namespace["metadata"].setdefault("annotations", {})
        changed = _set(annotations, CLUSTER_NAME_ANNOTATION, name)
        return _set(annotations, HOST_CLUSTER_ANNOTATION, ctx.host) or changed
    ctx.store.mutate(member.store_key, NAMESPACE, "kubesphere-system", "", annotate)


def _sync_members(ctx, cluster, member):
    """The creator's cluster-admin binding in the member, then every user's granted clusters. False: retry."""
    name = cluster["metadata"]["name"]
    annotations = annotations_of(cluster)
    creator = annotations.get(CREATOR_ANNOTATION)
    if creator and INITIALIZED_ANNOTATION not in annotations:
        if ctx.api.view(ctx.host).get(USER, creator) is None:
            return False                               # real: every reconcile fails until the user exists
        binding = f"{creator}-cluster-admin"
        if ctx.api.view(member.store_key).get(CLUSTER_ROLE_BINDING, binding) is None:
            ctx.api.create(member.store_key, CLUSTER_ROLE_BINDING, {
                "metadata": {"name": binding, "labels": {USER_REF_LABEL: creator, ROLE_REF_LABEL: "cluster-admin"}},
                "subjects": [{"kind": "User", "apiGroup": "iam.kubesphere.io", "name": creator}],
                "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "ClusterRole", "name": "cluster-admin"}},
                admit=False)
            ctx.store.mutate(ctx.host, CLUSTER, name, "", lambda o: _set(
                o["metadata"].setdefault("annotations", {}), INITIALIZED_ANNOTATION, rfc3339()))
    granted = {s.get("name") for b in ctx.api.view(member.store_key).list(CLUSTER_ROLE_BINDING)
               if USER_REF_LABEL in labels_of(b) for s in b.get("subjects") or [] if s.get("kind") == "User"}
    _grant(ctx, name, granted)
    return True


def _grant(ctx, name, users):
    """iam.kubesphere.io/granted-clusters holds the cluster for exactly these users."""
    for user in ctx.api.view(ctx.host).list(USER):
        value = annotations_of(user).get(GRANTED_ANNOTATION)
        clusters = [c for c in (value or "").split(",") if c]
        want = user["metadata"]["name"] in users
        if (name in clusters) == want:
            continue
        clusters = clusters + [name] if want else [c for c in clusters if c != name]
        ctx.store.mutate(ctx.host, USER, user["metadata"]["name"], "", lambda o, v=",".join(clusters): _set(
            o["metadata"].setdefault("annotations", {}), GRANTED_ANNOTATION, v))


# ---- the unjoin ------------------------------------------------------------------------------

def _unjoin(ctx, cluster):
    name, uid = cluster["metadata"]["name"], cluster["metadata"]["uid"]
    if CLUSTER_FINALIZER not in finalizers_of(cluster):
        return None
    with ctx.lock:
        started = ctx.memory(_UNJOINING).get(uid)
        if started is None:
            ctx.memory(_UNJOINING)[uid] = time.monotonic()
    if started is None:
        _release_placements(ctx, name)
        # The workspacetemplate controller removes the member's Workspaces while the Cluster still answers.
        return 3 * ctx.settings.controller_delay_ms / 1000.0 + 0.01
    members = ctx.app.members
    member = members.joined(name)
    if member is not None and is_ready(cluster):
        def forget(namespace):
            annotations = namespace["metadata"].get("annotations") or {}
            found = [annotations.pop(key) for key in (CLUSTER_NAME_ANNOTATION, HOST_CLUSTER_ANNOTATION)
                     if key in annotations]
            return bool(found)
        ctx.store.mutate(member.store_key, NAMESPACE, "kubesphere-system", "", forget)
    _grant(ctx, name, set())
    ctx.store.mutate(ctx.host, CLUSTER, name, "", lambda o: remove_finalizer(o, CLUSTER_FINALIZER))
    with ctx.lock:
        for memory in (_UNJOINING, _INSTALLS, _GENERATIONS):
            ctx.memory(memory).pop(uid, None)
    if member is not None:
        members.unbind(member)
    members.static.discard(name)
    if HOST_LABEL in labels_of(cluster) and ctx.api.view(ctx.host).get(CLUSTER, name) is None:
        from ..seed import host_cluster
        ctx.api.create(ctx.host, CLUSTER, host_cluster(ctx.settings), admit=False)
    return None


def _release_placements(ctx, name):
    """unbindWorkspaceTemplate: the cluster leaves every workspace's placement.clusters."""
    for template in ctx.api.view(ctx.host).list(WORKSPACE_TEMPLATE):
        placed = ((template.get("spec") or {}).get("placement") or {}).get("clusters") or []
        if not any(c.get("name") == name for c in placed):
            continue

        def release(obj):
            placement = obj["spec"]["placement"]
            kept = [c for c in placement.get("clusters") or [] if c.get("name") != name]
            if kept:
                placement["clusters"] = kept
            else:
                placement.pop("clusters", None)
        ctx.store.mutate(ctx.host, WORKSPACE_TEMPLATE, template["metadata"]["name"], "", release)
