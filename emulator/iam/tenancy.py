"""Workspace and project roles and memberships as ks-apiserver v4 stores them:
WorkspaceRoles {ws}-{role} (or {role}.{fnv64a(ws)} when that would pass 63
characters), project Roles admin/operator/viewer, and bindings named
{user}-{role} labelled with the user and the role, one per user per scope."""

from .. import errors
from ..kinds.iam import ROLE, ROLE_BINDING, WORKSPACE_ROLE, WORKSPACE_ROLE_BINDING
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import labels_of
from .users import ROLE_REF_LABEL, USER_REF_LABEL

WORKSPACE_ROLES = ("admin", "regular", "self-provisioner", "viewer")
PROJECT_ROLES = ("admin", "operator", "viewer")
MANAGED_LABEL = "kubesphere.io/managed"
WORKSPACE_ROLE_ANNOTATION = "iam.kubesphere.io/workspacerole"
PROJECT_ROLE_ANNOTATION = "iam.kubesphere.io/role"
_IAM = "iam.kubesphere.io"

# What each built-in role may do in its scope (the emulator's stand-in for the
# aggregated role templates).
WORKSPACE_ROLE_VERBS = {"admin": "*", "self-provisioner": "create-projects", "regular": "read", "viewer": "read"}
PROJECT_ROLE_VERBS = {"admin": "*", "operator": "write", "viewer": "read"}


def fnv64a_hex(text):
    value = 0xcbf29ce484222325
    for byte in text.encode():
        value ^= byte
        value = (value * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return format(value, "x")


def workspace_role_name(workspace, role):
    name = f"{workspace}-{role}"
    return name if len(name) <= 63 else f"{role}.{fnv64a_hex(workspace)}"


def short_workspace_role(workspace, full_name):
    for role in WORKSPACE_ROLES:
        if workspace_role_name(workspace, role) == full_name:
            return role
    return None


def workspace_role_object(workspace, role):
    return {"metadata": {"name": workspace_role_name(workspace, role),
                         "labels": {WORKSPACE_LABEL: workspace},
                         "annotations": {"kubesphere.io/creator": "system",
                                         "iam.kubesphere.io/role-template-rules": "{}"}},
            "aggregationRoleTemplates": {"roleSelector": {"matchLabels": {"iam.kubesphere.io/scope": "workspace"}},
                                         "templateNames": []},
            "rules": []}


def project_role_object(namespace, role):
    return {"metadata": {"name": role, "namespace": namespace,
                         "annotations": {"kubesphere.io/creator": "system"}},
            "aggregationRoleTemplates": {"roleSelector": {"matchLabels": {"iam.kubesphere.io/scope": "namespace",
                                                                          MANAGED_LABEL: "true"}},
                                         "templateNames": []},
            "rules": []}


def _subjects(user):
    return [{"apiGroup": _IAM, "kind": "User", "name": user}]


def workspace_binding_object(workspace, user, role_name, name=None):
    return {"metadata": {"name": name or f"{user}-{role_name}",
                         "labels": {ROLE_REF_LABEL: role_name, USER_REF_LABEL: user, WORKSPACE_LABEL: workspace}},
            "subjects": _subjects(user),
            "roleRef": {"apiGroup": _IAM, "kind": "WorkspaceRole", "name": role_name}}


def project_binding_object(namespace, user, role):
    return {"metadata": {"name": f"{user}-{role}", "namespace": namespace,
                         "labels": {ROLE_REF_LABEL: role, USER_REF_LABEL: user}},
            "subjects": _subjects(user),
            "roleRef": {"apiGroup": _IAM, "kind": "Role", "name": role}}


def _not_deleting(binding):
    return not binding["metadata"].get("deletionTimestamp")


def workspace_bindings(view, workspace, user=None):
    labels = {WORKSPACE_LABEL: workspace}
    if user is not None:
        labels[USER_REF_LABEL] = user
    return view.list(WORKSPACE_ROLE_BINDING, where=_not_deleting, labels=labels)


def project_bindings(view, namespace, user=None):
    labels = {USER_REF_LABEL: user} if user is not None else None
    return view.list(ROLE_BINDING, namespace=namespace, where=_not_deleting, labels=labels)


def _members(bindings):
    members = {}
    for binding in bindings:
        for subject in binding.get("subjects") or []:
            if subject.get("kind") == "User":
                members.setdefault(subject["name"], binding["roleRef"]["name"])
    return members


def workspace_members(view, workspace):
    """{user: full WorkspaceRole name}."""
    return _members(workspace_bindings(view, workspace))


def project_members(view, namespace):
    """{user: project role name}."""
    return _members(project_bindings(view, namespace))


def _rebind(api, cluster, kind, existing, wanted_role, new_object, namespace=""):
    """One role per user per scope: keep a binding of wanted_role, drop the others."""
    if not any(b["roleRef"]["name"] == wanted_role for b in existing):
        try:
            api.create(cluster, kind, new_object, admit=False)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
    for binding in existing:
        if binding["roleRef"]["name"] != wanted_role:
            try:
                api.delete(cluster, kind, binding["metadata"]["name"], namespace, admit=False)
            except errors.ApiError:
                pass


def bind_workspace_member(api, cluster, workspace, user, role_name):
    existing = workspace_bindings(api.view(cluster), workspace, user)
    _rebind(api, cluster, WORKSPACE_ROLE_BINDING, existing, role_name,
            workspace_binding_object(workspace, user, role_name))


def bind_project_member(api, cluster, namespace, user, role):
    existing = project_bindings(api.view(cluster), namespace, user)
    _rebind(api, cluster, ROLE_BINDING, existing, role, project_binding_object(namespace, user, role), namespace)


def unbind(api, cluster, kind, bindings, namespace=""):
    for binding in bindings:
        try:
            api.delete(cluster, kind, binding["metadata"]["name"], namespace, admit=False)
        except errors.ApiError:
            pass


def workspace_role_exists(view, workspace, role_name):
    role = view.get(WORKSPACE_ROLE, role_name)
    return role is not None and labels_of(role).get(WORKSPACE_LABEL) == workspace


def project_role_exists(view, namespace, role):
    return view.get(ROLE, role, namespace) is not None
