"""Custom workspace and project roles as authorization sources: a user bound to a WorkspaceRole or
Role that is not a built-in one (built-ins are made by the controllers, creator "system", and keep the
fixed grants of workspace_roles.py) may do what the role's rules allow, as KubeSphere's RBAC
authorizer (v4.1.3 pkg/apiserver/authorization/rbac visitRulesFor) does: a workspace-scope request is
checked against the user's workspace roles, a namespace-scope one against the roles of the workspace
owning the namespace and then the namespace's own roles. The rules are what the aggregation
controller copied from the RoleTemplates (role_templates.yaml, as the real server serves them)."""

from ..iam.tenancy import project_bindings, workspace_bindings
from ..kinds.core import NAMESPACE
from ..kinds.iam import ROLE, WORKSPACE_ROLE
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import annotations_of, labels_of
from .authorizer import register_authorizer
from .rules import rule_allows


def _custom_rules(role):
    if role is None or annotations_of(role).get("kubesphere.io/creator") == "system":
        return []
    return role.get("rules") or []


def _allowed_by(roles, info):
    return any(rule_allows(rule, info) for role in roles for rule in _custom_rules(role))


def _namespace(app, name):
    for cluster in app.store.clusters():
        found = app.api.view(cluster).get(NAMESPACE, name)
        if found is not None:
            return cluster, found
    return None, None


@register_authorizer
def custom_role_rules(app, user, info):
    if not info.is_resource:
        return False
    host = app.api.view(app.host)
    cluster, namespace = _namespace(app, info.namespace) if info.namespace else (None, None)
    workspace = info.workspace or (labels_of(namespace).get(WORKSPACE_LABEL) if namespace else "")
    if workspace:
        roles = [host.get(WORKSPACE_ROLE, b["roleRef"]["name"]) for b in workspace_bindings(host, workspace, user.name)]
        if _allowed_by(roles, info):
            return True
    if namespace is None:
        return False
    view = app.api.view(cluster)
    roles = [view.get(ROLE, b["roleRef"]["name"], info.namespace)
             for b in project_bindings(view, info.namespace, user.name)]
    return _allowed_by(roles, info)
