"""GlobalRoleBindings carry a finalizer that the controller removes once the
binding is gone from every member cluster, so a member that is not Ready keeps
a deleted binding around (with its deletionTimestamp) until it recovers."""

from ..iam.bindings import GLOBAL_ROLE_BINDING_FINALIZER
from ..kinds.cluster import unready_members
from ..kinds.iam import GLOBAL_ROLE_BINDING
from ..objects import add_finalizer, finalizers_of, is_deleting, remove_finalizer
from .runtime import controller


@controller("iam.kubesphere.io", "globalrolebindings")
def reconcile_global_role_binding(ctx, ref):
    binding = ctx.api.view(ref.cluster).get(GLOBAL_ROLE_BINDING, ref.name)
    if binding is None:
        return None
    if not is_deleting(binding):
        ctx.store.mutate(ref.cluster, GLOBAL_ROLE_BINDING, ref.name, "",
                         lambda b: add_finalizer(b, GLOBAL_ROLE_BINDING_FINALIZER))
        return None
    if GLOBAL_ROLE_BINDING_FINALIZER not in finalizers_of(binding):
        return None
    if unready_members(ctx.api.view(ctx.host)):
        return 1.0
    ctx.store.mutate(ref.cluster, GLOBAL_ROLE_BINDING, ref.name, "",
                     lambda b: remove_finalizer(b, GLOBAL_ROLE_BINDING_FINALIZER))
    return None
