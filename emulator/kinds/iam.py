"""iam.kubesphere.io kinds served by the host cluster."""

from ..registry import Kind, register_kind

GROUP = "iam.kubesphere.io"

USER = register_kind(Kind(group=GROUP, version="v1beta1", plural="users", kind="User", host_only=True))
GLOBAL_ROLE = register_kind(Kind(group=GROUP, version="v1beta1", plural="globalroles",
                                 kind="GlobalRole", host_only=True))
GLOBAL_ROLE_BINDING = register_kind(Kind(group=GROUP, version="v1beta1", plural="globalrolebindings",
                                         kind="GlobalRoleBinding", host_only=True))
LOGIN_RECORD = register_kind(Kind(group=GROUP, version="v1beta1", plural="loginrecords",
                                  kind="LoginRecord", host_only=True))

# Workspace and project scope (roles are created by the workspacetemplate and
# namespace controllers; bindings by them and by the members APIs).
WORKSPACE_ROLE = register_kind(Kind(group=GROUP, version="v1beta1", plural="workspaceroles",
                                    kind="WorkspaceRole", host_only=True))
WORKSPACE_ROLE_BINDING = register_kind(Kind(group=GROUP, version="v1beta1", plural="workspacerolebindings",
                                            kind="WorkspaceRoleBinding", host_only=True))
ROLE = register_kind(Kind(group=GROUP, version="v1beta1", plural="roles", kind="Role", namespaced=True))
ROLE_BINDING = register_kind(Kind(group=GROUP, version="v1beta1", plural="rolebindings", kind="RoleBinding",
                                  namespaced=True))

# Custom roles are built from RoleTemplates (host); iam ClusterRoles live in every cluster.
ROLE_TEMPLATE = register_kind(Kind(group=GROUP, version="v1beta1", plural="roletemplates", kind="RoleTemplate",
                                   host_only=True))
CLUSTER_ROLE = register_kind(Kind(group=GROUP, version="v1beta1", plural="clusterroles", kind="ClusterRole"))
CLUSTER_ROLE_BINDING = register_kind(Kind(group=GROUP, version="v1beta1", plural="clusterrolebindings",
                                          kind="ClusterRoleBinding"))
