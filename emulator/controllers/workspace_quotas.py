"""The workspace quota controller: owns each quota.kubesphere.io ResourceQuota
by its Workspace and writes its status (hard, and used, per project of the
workspace and in total). Nothing runs in the emulated projects, so used is 0."""

from ..kinds.core import NAMESPACE
from ..kinds.quota import WORKSPACE_QUOTA
from ..kinds.tenant import WORKSPACE, WORKSPACE_LABEL
from ..objects import labels_of
from .runtime import controller


@controller("quota.kubesphere.io", "resourcequotas")
def reconcile_workspace_quota(ctx, ref):
    view = ctx.api.view(ctx.host)
    quota = view.get(WORKSPACE_QUOTA, ref.name)
    if quota is None:
        return None
    workspace = labels_of(quota).get(WORKSPACE_LABEL)
    hard = dict(((quota.get("spec") or {}).get("quota") or {}).get("hard") or {})
    used = dict((k, "0") for k in hard)
    found = view.list(NAMESPACE, labels={WORKSPACE_LABEL: workspace}, copy=False) if workspace else []
    projects = sorted(n["metadata"]["name"] for n in found)
    status = {"namespaces": [{"hard": dict(hard), "namespace": p, "used": dict(used)} for p in projects],
              "total": {"hard": hard, "used": used}}
    owner = view.get(WORKSPACE, workspace) if workspace else None

    def change(obj):
        obj["status"] = status
        if owner is not None and not obj["metadata"].get("ownerReferences"):
            obj["metadata"]["ownerReferences"] = [{
                "apiVersion": WORKSPACE.api_version(), "kind": WORKSPACE.kind, "name": workspace,
                "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    ctx.store.mutate(ctx.host, WORKSPACE_QUOTA, ref.name, "", change)
    return None
