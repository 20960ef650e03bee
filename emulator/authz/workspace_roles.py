"""Workspace and project roles as authorization sources (the emulator's
stand-in for KubeSphere's workspace/namespace-scoped RBAC):

* workspace admin: anything within the workspace (its members, roles,
  projects and their members), but not the global rights the kapis handlers
  check themselves (a JSON patch of the template needs global delete
  permission, hence the recorded 500 "... is forbidden: ");
* workspace self-provisioner: read, and create projects;
* workspace regular / viewer: read;
* project admin: anything in the project; operator: anything but members;
  viewer: read."""

from ..iam.tenancy import project_members, short_workspace_role, workspace_members
from ..kinds.core import NAMESPACE
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import labels_of
from .authorizer import register_authorizer

_READ = ("get", "list", "watch")
_MEMBER_RESOURCES = ("namespacemembers", "rolebindings", "roles")


def _workspace_of(info):
    if info.workspace:
        return info.workspace
    if info.resource in ("workspacetemplates", "workspaces") and info.name and not info.kubernetes_request:
        return info.name
    return ""


def _workspace_role(app, user, workspace):
    role = workspace_members(app.api.view(app.host), workspace).get(user.name)
    return short_workspace_role(workspace, role) if role else None


def _workspace_allows(role, info):
    if role == "admin":
        return True
    if role == "self-provisioner" and info.resource == "namespaces" and info.verb == "create":
        return True
    return role is not None and info.verb in _READ


def _project(app, namespace):
    """(cluster, namespace object) of the first cluster that has it."""
    for cluster in app.store.clusters():
        found = app.api.view(cluster).get(NAMESPACE, namespace)
        if found is not None:
            return cluster, found
    return None, None


@register_authorizer
def workspace_and_project_roles(app, user, info):
    if not info.is_resource:
        return False
    workspace = _workspace_of(info)
    if workspace and _workspace_allows(_workspace_role(app, user, workspace), info):
        return True
    if not info.namespace or info.kubernetes_request and info.resource == "namespaces" and not info.name:
        return False
    cluster, namespace = _project(app, info.namespace)
    if namespace is None:
        return False
    owner = labels_of(namespace).get(WORKSPACE_LABEL)
    if owner and _workspace_role(app, user, owner) == "admin":
        return True
    role = project_members(app.api.view(cluster), info.namespace).get(user.name)
    if role == "admin":
        return True
    if role == "operator":
        return info.resource not in _MEMBER_RESOURCES or info.verb in _READ
    return role == "viewer" and info.verb in _READ
