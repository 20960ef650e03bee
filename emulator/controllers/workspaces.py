"""Each cluster's workspace controller: when a Workspace is deleted, the
projects labelled with it are orphaned (label removed; the namespace
controller then drops their roles and bindings) unless the
kubesphere.io/deletion-propagation annotation is Background or Foreground,
in which case they are deleted."""

from .. import errors
from ..kinds.core import NAMESPACE
from ..kinds.tenant import CASCADING_FINALIZER, PROPAGATION_ANNOTATION, WORKSPACE, WORKSPACE_LABEL
from ..objects import annotations_of, finalizers_of, is_deleting, remove_finalizer
from .runtime import controller

CASCADE = ("Background", "Foreground")


@controller("tenant.kubesphere.io", "workspaces", all_clusters=True)
def reconcile_workspace(ctx, ref):
    release(ctx, ref.cluster, ref.name)
    return None


def release(ctx, cluster, name):
    """Finish a deleted Workspace: orphan or delete its projects, drop the finalizer."""
    view = ctx.api.view(cluster)
    workspace = view.get(WORKSPACE, name)
    if workspace is None or not is_deleting(workspace) or CASCADING_FINALIZER not in finalizers_of(workspace):
        return
    cascade = annotations_of(workspace).get(PROPAGATION_ANNOTATION) in CASCADE
    for namespace in view.list(NAMESPACE, labels={WORKSPACE_LABEL: name}):
        project = namespace["metadata"]["name"]
        if cascade:
            try:
                ctx.api.delete(cluster, NAMESPACE, project, admit=False)
            except errors.ApiError:
                pass
        else:
            ctx.store.mutate(cluster, NAMESPACE, project, "",
                             lambda n: n["metadata"].get("labels", {}).pop(WORKSPACE_LABEL, None))
    ctx.store.mutate(cluster, WORKSPACE, name, "", lambda o: remove_finalizer(o, CASCADING_FINALIZER))
