"""The host's workspacetemplate controller (ks-controller-manager v4):

* first reconcile only: the four WorkspaceRoles and the manager's {ws}-admin
  binding, then the kubesphere.io/cascading-deletion finalizer (a later
  manager change rebinds nothing, as in v4); 3.x adds the finalizer first and
  makes the roles and the binding builtin_roles_delay_ms later (late_roles.py);
* every reconcile: a Workspace in each placed Ready cluster, removed from
  clusters no longer placed;
* deletion: waits while a placed cluster is not Ready, then deletes the
  Workspaces (carrying the deletion-propagation annotation, which decides
  whether that cluster's projects are orphaned or deleted) and drops its
  finalizer once they are gone."""

from .. import errors
from ..iam.tenancy import (WORKSPACE_ROLES, bind_workspace_member, workspace_binding_object, workspace_role_name,
                           workspace_role_object)
from ..kinds.cluster import CLUSTER, is_ready
from ..kinds.iam import WORKSPACE_ROLE, WORKSPACE_ROLE_BINDING
from ..kinds.tenant import CASCADING_FINALIZER, PROPAGATION_ANNOTATION, WORKSPACE, WORKSPACE_TEMPLATE
from ..objects import add_finalizer, annotations_of, finalizers_of, is_deleting, remove_finalizer, set_annotation
from . import late_roles
from .runtime import controller
from .workspaces import release

BLOCKED_RETRY = 1.0
PENDING_RETRY = 0.1


@controller("tenant.kubesphere.io", "workspacetemplates")
def reconcile_template(ctx, ref):
    template = ctx.api.view(ctx.host).get(WORKSPACE_TEMPLATE, ref.name)
    if template is None:
        return None
    if is_deleting(template):
        return _finalize(ctx, template)
    late = ctx.app.profile.roles_after_finalizer
    uid = template["metadata"].get("uid")
    if CASCADING_FINALIZER not in finalizers_of(template):
        if not late:
            _initialize(ctx, template)
        ctx.store.mutate(ctx.host, WORKSPACE_TEMPLATE, ref.name, "",
                         lambda o: add_finalizer(o, CASCADING_FINALIZER))
        if late:
            late_roles.started(ref, uid)
    _sync_workspaces(ctx, template)
    if late and not _has_roles(ctx, ref.name):
        wait = late_roles.remaining(ctx, ref, uid)
        if wait > 0:
            return wait
        _initialize(ctx, template)
        late_roles.done(ref, uid)
    return None


def _has_roles(ctx, name):
    view = ctx.api.view(ctx.host)
    return all(view.get(WORKSPACE_ROLE, workspace_role_name(name, role)) is not None for role in WORKSPACE_ROLES)


def _initialize(ctx, template):
    name = template["metadata"]["name"]
    for role in WORKSPACE_ROLES:
        try:
            ctx.api.create(ctx.host, WORKSPACE_ROLE, workspace_role_object(name, role), admit=False)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
    manager = ((template.get("spec") or {}).get("template") or {}).get("spec", {}).get("manager")
    if manager:
        admin_role = workspace_role_name(name, "admin")
        # The manager's binding is named after the role ({ws}-admin), not {user}-{role}.
        try:
            ctx.api.create(ctx.host, WORKSPACE_ROLE_BINDING,
                           workspace_binding_object(name, manager, admin_role, name=admin_role), admit=False)
        except errors.ApiError as exc:
            if exc.code != 409:
                raise
            bind_workspace_member(ctx.api, ctx.host, name, manager, admin_role)


def placed_clusters(ctx, template):
    """Names of the clusters the placement selects (a clusterSelector selects all)."""
    placement = (template.get("spec") or {}).get("placement") or {}
    if placement.get("clusters"):
        return [c.get("name") for c in placement["clusters"] if c.get("name")]
    if "clusterSelector" in placement:
        return [c["metadata"]["name"] for c in ctx.api.view(ctx.host).list(CLUSTER)]
    return []


def _cluster_ready(ctx, name):
    cluster = ctx.api.view(ctx.host).get(CLUSTER, name)
    return cluster is not None and is_ready(cluster) and ctx.store.has_cluster(name)


def _cluster_down(ctx, name):
    """A joined cluster whose Ready condition is not True. A cluster that never
    reported any status (never joined) does not hold deletions up (recorded)."""
    cluster = ctx.api.view(ctx.host).get(CLUSTER, name)
    if cluster is None:
        return False
    conditions = [c for c in (cluster.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"]
    return bool(conditions) and conditions[0].get("status") != "True"


def _workspace_object(template):
    inner = (template.get("spec") or {}).get("template") or {}
    metadata = inner.get("metadata") or {}
    obj = {"metadata": {"name": template["metadata"]["name"], "finalizers": [CASCADING_FINALIZER]},
           "spec": dict(inner.get("spec") or {}), "status": {}}
    if metadata.get("labels"):
        obj["metadata"]["labels"] = dict(metadata["labels"])
    if metadata.get("annotations"):
        obj["metadata"]["annotations"] = dict(metadata["annotations"])
    return obj


def _sync_workspaces(ctx, template):
    name = template["metadata"]["name"]
    placed = set(placed_clusters(ctx, template))
    for cluster in ctx.app.members.reached():
        current = ctx.api.view(cluster).get(WORKSPACE, name)
        if cluster in placed:
            if not _cluster_ready(ctx, cluster):
                continue
            wanted = _workspace_object(template)
            if current is None:
                ctx.api.create(cluster, WORKSPACE, wanted, admit=False)
            elif not is_deleting(current) and current.get("spec") != wanted["spec"]:
                ctx.store.mutate(cluster, WORKSPACE, name, "", lambda o: o.__setitem__("spec", wanted["spec"]))
        elif current is not None and not is_deleting(current):
            ctx.api.delete(cluster, WORKSPACE, name, admit=False)


def _finalize(ctx, template):
    name = template["metadata"]["name"]
    if CASCADING_FINALIZER not in finalizers_of(template):
        return None
    if any(_cluster_down(ctx, cluster) for cluster in placed_clusters(ctx, template)):
        return BLOCKED_RETRY
    policy = annotations_of(template).get(PROPAGATION_ANNOTATION)
    pending = 0
    # A cluster unjoined meanwhile is out of reach: its Workspace no longer holds the deletion up.
    for cluster in ctx.app.members.reached():
        workspace = ctx.api.view(cluster).get(WORKSPACE, name)
        if workspace is None:
            continue
        pending += 1
        if is_deleting(workspace):
            continue
        if policy:
            ctx.store.mutate(cluster, WORKSPACE, name, "",
                             lambda o: set_annotation(o, PROPAGATION_ANNOTATION, policy))
        ctx.api.delete(cluster, WORKSPACE, name, admit=False)
        # The cluster's own workspace controller reacts within milliseconds (recorded): run it now.
        release(ctx, cluster, name)
        if ctx.api.view(cluster).get(WORKSPACE, name) is None:
            pending -= 1
    if pending:
        return PENDING_RETRY
    ctx.store.mutate(ctx.host, WORKSPACE_TEMPLATE, name, "", lambda o: remove_finalizer(o, CASCADING_FINALIZER))
    return None
