"""Who may place a workspace on a cluster (checkClusterPermission in pkg/models/tenant/tenant.go,
v4.1.3), asked by the kapis workspace create and placement patches: a cluster labelled
cluster.kubesphere.io/visibility=public is anyone's; otherwise the user must be allowed to delete
clusters, or hold cluster-admin in that cluster. Refused: 403 text (recorded)."""

from ..context import text_error
from ..kinds.cluster import VISIBILITY_LABEL
from ..kinds.iam import CLUSTER_ROLE_BINDING
from ..objects import labels_of
from .users import USER_REF_LABEL


def check_cluster_use(ctx, cluster):
    name = cluster["metadata"]["name"]
    if labels_of(cluster).get(VISIBILITY_LABEL) == "public":
        return
    if ctx.allowed("delete", "clusters", "cluster.kubesphere.io"):
        return
    bindings = ctx.api.view(name).list(CLUSTER_ROLE_BINDING, labels={USER_REF_LABEL: ctx.user.name})
    if any((b.get("roleRef") or {}).get("name") == "cluster-admin" for b in bindings):
        return
    raise text_error(403, f'clusters.cluster.kubesphere.io "{name}" is forbidden: '
                          f"user is not allowed to use the cluster {name}")
