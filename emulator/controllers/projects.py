"""ks-controller-manager's namespace controller (v4), per cluster:

* once, for a namespace with the kubesphere.io/workspace label and without
  the kubesphere.io/cascading-deletion finalizer: the project Roles admin,
  operator and viewer (only when labelled kubesphere.io/managed=true), the
  creator's {creator}-admin RoleBinding (even without the roles, as recorded),
  then the finalizer; 3.x adds the finalizer with the creator's binding first
  and makes the roles one by one over builtin_roles_delay_ms (late_roles.py);
* a namespace without the workspace label loses its iam Roles and RoleBindings;
* on deletion the finalizer is dropped at once (Kubernetes' own namespace
  lifecycle, controllers/namespaces.py, finishes the deletion)."""

from .. import errors
from ..iam.tenancy import MANAGED_LABEL, PROJECT_ROLES, project_binding_object, project_role_object
from ..kinds.core import NAMESPACE
from ..kinds.iam import ROLE, ROLE_BINDING
from ..kinds.rbac import MIRROR_PREFIX, RBAC_ROLE
from ..kinds.tenant import CASCADING_FINALIZER, WORKSPACE_LABEL
from ..objects import add_finalizer, annotations_of, finalizers_of, is_deleting, labels_of, remove_finalizer
from . import late_roles
from .runtime import controller

CREATOR_ANNOTATION = "kubesphere.io/creator"


@controller("", "namespaces", all_clusters=True)
def reconcile_project(ctx, ref):
    namespace = ctx.api.view(ref.cluster).get(NAMESPACE, ref.name)
    if namespace is None:
        return None
    if is_deleting(namespace):
        ctx.store.mutate(ref.cluster, NAMESPACE, ref.name, "", lambda n: remove_finalizer(n, CASCADING_FINALIZER))
        return None
    labels = labels_of(namespace)
    if not labels.get(WORKSPACE_LABEL):
        _drop_iam(ctx, ref)
        return None
    if ctx.app.profile.roles_after_finalizer:
        return _reconcile_late(ctx, ref, namespace)
    if CASCADING_FINALIZER in finalizers_of(namespace):
        return None
    # 4.x makes project roles only for managed namespaces; 3.x for every namespace of a workspace.
    if labels.get(MANAGED_LABEL) == "true" or ctx.app.profile.project_roles_unmanaged:
        for role in PROJECT_ROLES:
            _create_role(ctx, ref, role)
    _bind_creator(ctx, ref, namespace)
    ctx.store.mutate(ref.cluster, NAMESPACE, ref.name, "", lambda n: add_finalizer(n, CASCADING_FINALIZER))
    return None


# The order v3.4.1's initRoles made them in (recorded).
LATE_ORDER = ("operator", "viewer", "admin")


def _reconcile_late(ctx, ref, namespace):
    """3.x: the creator's binding and the finalizer first, then each missing role when its time comes."""
    uid = namespace["metadata"].get("uid")
    if CASCADING_FINALIZER not in finalizers_of(namespace):
        _bind_creator(ctx, ref, namespace)
        ctx.store.mutate(ref.cluster, NAMESPACE, ref.name, "", lambda n: add_finalizer(n, CASCADING_FINALIZER))
        late_roles.started(ref, uid)
    view = ctx.api.view(ref.cluster)
    for index, role in enumerate(LATE_ORDER):
        if view.get(ROLE, role, ref.name) is not None:
            continue
        wait = late_roles.remaining(ctx, ref, uid, share=(index + 1.0) / len(LATE_ORDER))
        if wait > 0:
            return wait
        _create_role(ctx, ref, role)
    late_roles.done(ref, uid)
    return None


def _create_role(ctx, ref, role):
    _create(ctx, ref.cluster, ROLE, project_role_object(ref.name, role))
    _mirror(ctx, ref.cluster, ref.name, role)


def _bind_creator(ctx, ref, namespace):
    creator = annotations_of(namespace).get(CREATOR_ANNOTATION)
    if creator:
        _create(ctx, ref.cluster, ROLE_BINDING, project_binding_object(ref.name, creator, "admin"))


def _create(ctx, cluster, kind, obj):
    try:
        ctx.api.create(cluster, kind, obj, admit=False)
    except errors.ApiError as exc:
        if exc.code not in (404, 409, 403):
            raise


def _mirror(ctx, cluster, namespace, role):
    """The Kubernetes Role KubeSphere keeps beside each iam Role. Its name has a
    colon, which the API's name check for new objects here would refuse, so it
    goes straight to the store, as the controller's own client does."""
    name = ("" if ctx.app.profile.rbac_project_roles else MIRROR_PREFIX) + role
    if ctx.store.get(cluster, RBAC_ROLE, name, namespace) is None:
        ctx.store.create(cluster, RBAC_ROLE, {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                              "metadata": {"name": name, "namespace": namespace}, "rules": []})


def _drop_iam(ctx, ref):
    for kind in (ROLE_BINDING, ROLE, RBAC_ROLE):
        for obj in ctx.api.view(ref.cluster).list(kind, namespace=ref.name):
            try:
                ctx.api.delete(ref.cluster, kind, obj["metadata"]["name"], ref.name, admit=False)
            except errors.ApiError:
                pass
