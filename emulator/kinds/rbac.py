"""rbac.authorization.k8s.io Roles: KubeSphere mirrors each iam Role of a
project into a Kubernetes Role named kubesphere:iam:{role}."""

from ..registry import Kind, register_kind

RBAC_ROLE = register_kind(Kind(group="rbac.authorization.k8s.io", version="v1", plural="roles", kind="Role",
                               namespaced=True, custom=False, kapis_generic=False))
MIRROR_PREFIX = "kubesphere:iam:"
