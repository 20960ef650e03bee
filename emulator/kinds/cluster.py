"""cluster.kubesphere.io kinds."""

from ..registry import Kind, register_kind

CLUSTER = register_kind(Kind(group="cluster.kubesphere.io", version="v1alpha1", plural="clusters",
                             kind="Cluster", host_only=True))

HOST_LABEL = "cluster-role.kubesphere.io/host"


def is_ready(cluster_obj):
    """A cluster is ready when its Ready condition is True."""
    for condition in (cluster_obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def unready_members(view):
    """Names of member clusters whose Ready condition is not True. Several
    deletions (users, global role bindings) wait for them, as on the real server."""
    return [c["metadata"]["name"] for c in view.list(CLUSTER)
            if HOST_LABEL not in ((c.get("metadata") or {}).get("labels") or {}) and not is_ready(c)]


# Cluster labels (pkg/kapis/cluster/v1alpha1/label_handler.go): one object per key=value, named by
# six random characters; a cluster carrying one has the label label.cluster.kubesphere.io/<name>: "".
LABEL = register_kind(Kind(group="cluster.kubesphere.io", version="v1alpha1", plural="labels", kind="Label",
                           host_only=True))
LABEL_FINALIZER = "finalizers.kubesphere.io/cluster-label"
LABEL_ON_CLUSTER = "label.cluster.kubesphere.io/%s"
LABEL_IDS_ANNOTATION = "cluster.kubesphere.io/label-ids"
CLUSTER_FINALIZER = "finalizer.cluster.kubesphere.io"
GROUP_LABEL = "cluster.kubesphere.io/group"
VISIBILITY_LABEL = "cluster.kubesphere.io/visibility"
CLUSTER_NAME_ANNOTATION = "cluster.kubesphere.io/name"
HOST_CLUSTER_ANNOTATION = "cluster.kubesphere.io/host-cluster"
