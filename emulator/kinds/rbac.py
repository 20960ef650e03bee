"""rbac.authorization.k8s.io Roles and ClusterRoles: KubeSphere mirrors each iam Role of a
project into a Kubernetes Role named kubesphere:iam:{role}, and each iam ClusterRole into a
Kubernetes ClusterRole of the same kind of name (not GlobalRoles)."""

from ..registry import Kind, register_kind

RBAC_ROLE = register_kind(Kind(group="rbac.authorization.k8s.io", version="v1", plural="roles", kind="Role",
                               namespaced=True, custom=False, kapis_generic=False))
MIRROR_PREFIX = "kubesphere:iam:"
RBAC_CLUSTER_ROLE = register_kind(Kind(group="rbac.authorization.k8s.io", version="v1", plural="clusterroles",
                                       kind="ClusterRole", custom=False, kapis_generic=False))
