"""GlobalRoleBindings: how a user gets a platform role ({user}-{role}, labelled
with the user and role, at most one per user)."""

from ..kinds.iam import GLOBAL_ROLE_BINDING
from ..objects import is_deleting
from .users import ROLE_REF_LABEL, USER_REF_LABEL

GLOBAL_ROLE_BINDING_FINALIZER = "finalizers.kubesphere.io/globalrolebindings"


def user_bindings(view, username):
    return view.list(GLOBAL_ROLE_BINDING, labels={USER_REF_LABEL: username})


def users_with_role(view, role):
    """Names of users bound to a global role."""
    names = set()
    for binding in view.list(GLOBAL_ROLE_BINDING, where=lambda b: (b.get("roleRef") or {}).get("name") == role):
        for subject in binding.get("subjects") or []:
            if subject.get("kind") == "User":
                names.add(subject.get("name"))
    return names


def binding_object(username, role):
    return {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "GlobalRoleBinding",
            "metadata": {"name": f"{username}-{role}",
                         "labels": {ROLE_REF_LABEL: role, USER_REF_LABEL: username}},
            "subjects": [{"apiGroup": "iam.kubesphere.io", "kind": "User", "name": username}],
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": role}}


def bind_global_role(api, cluster, username, role):
    """Make `role` the user's only global role: create {user}-{role} if no live
    binding grants it, and delete the user's other bindings."""
    from .. import errors
    view = api.view(cluster)
    live = [b for b in user_bindings(view, username) if not is_deleting(b)]
    if not any(b["roleRef"]["name"] == role for b in live):
        try:
            api.create(cluster, GLOBAL_ROLE_BINDING, binding_object(username, role), admit=False)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
    for binding in live:
        if binding["roleRef"]["name"] != role:
            try:
                api.delete(cluster, GLOBAL_ROLE_BINDING, binding["metadata"]["name"], admit=False)
            except errors.ApiError:
                pass
