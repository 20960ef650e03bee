"""ks-controller-manager's role controllers (v4) for custom roles:

* aggregation: a role with aggregationRoleTemplates gets the rules of its
  templates. The controller only ever adds rules (narrowing templateNames keeps
  the old ones), rewrites templateNames (sorted; names that are no RoleTemplate
  are dropped; with a roleSelector, the matched names, the selector being ANDed
  with iam.kubesphere.io/scope=<the role's scope>), and copies a template's
  iam.kubesphere.io/rego-override annotation;
* GlobalRoles and WorkspaceRoles get a finalizer, a WorkspaceRole labelled with
  its workspace an ownerReference to the WorkspaceTemplate; deleting one waits
  while a member cluster is not Ready ("failed to delete related resources:
  cluster not ready"), and never touches the bindings (as recorded);
* an iam ClusterRole is mirrored to a Kubernetes ClusterRole kubesphere:iam:<name>.
The built-in roles (creator "system") keep the fixed stand-in rules they have."""

from .. import registry
from ..iam.custom_roles import GROUP, SCOPE_OF
from ..kinds.cluster import unready_members
from ..kinds.iam import ROLE_TEMPLATE
from ..kinds.rbac import MIRROR_PREFIX, RBAC_CLUSTER_ROLE
from ..kinds.tenant import WORKSPACE_LABEL, WORKSPACE_TEMPLATE
from ..objects import add_finalizer, annotations_of, finalizers_of, is_deleting, labels_of, remove_finalizer
from .runtime import controller

FINALIZERS = {"globalroles": "finalizers.kubesphere.io/globalroles",
              "workspaceroles": "finalizers.kubesphere.io/workspaceroles"}
REGO = "iam.kubesphere.io/rego-override"
CLUSTERROLE_REF = "iam.kubesphere.io/clusterrole-ref"
BLOCKED_RETRY = 1.0


def _matches(selector, labels):
    return all(labels.get(k) == v for k, v in ((selector or {}).get("matchLabels") or {}).items())


def aggregated(role, templates, scope):
    """(templateNames, rules, rego) the controller writes for role."""
    spec = role.get("aggregationRoleTemplates") or {}
    by_name = dict((t["metadata"]["name"], t) for t in templates)
    if spec.get("roleSelector"):
        chosen = [t for t in templates if labels_of(t).get("iam.kubesphere.io/scope") == scope
                  and _matches(spec["roleSelector"], labels_of(t))]
        names = [t["metadata"]["name"] for t in chosen]
    else:
        names = sorted(n for n in spec.get("templateNames") or [] if n in by_name)
        chosen = [by_name[n] for n in names]
    rules = list(role.get("rules") or [])
    for template in chosen:
        for rule in (template.get("spec") or {}).get("rules") or []:
            if rule not in rules:
                rules.append(rule)
    rego = next((annotations_of(t)[REGO] for t in chosen if REGO in annotations_of(t)), None)
    return names, rules, rego


def _reconcile(ctx, ref, plural):
    kind = registry.find(GROUP, plural)
    view = ctx.api.view(ref.cluster)
    role = view.get(kind, ref.name, ref.namespace)
    if role is None:
        return None
    finalizer = FINALIZERS.get(plural)
    if is_deleting(role):
        if finalizer not in finalizers_of(role):
            return None
        if unready_members(ctx.api.view(ctx.host)):
            return BLOCKED_RETRY
        ctx.store.mutate(ref.cluster, kind, ref.name, ref.namespace, lambda o: remove_finalizer(o, finalizer))
        return None
    if annotations_of(role).get("kubesphere.io/creator") == "system":
        return None
    changes = []
    if finalizer:
        changes.append(lambda o: add_finalizer(o, finalizer))
    if plural == "workspaceroles" and labels_of(role).get(WORKSPACE_LABEL):
        changes.append(_owner_change(ctx, labels_of(role)[WORKSPACE_LABEL]))
    if role.get("aggregationRoleTemplates"):
        templates = ctx.api.view(ctx.host).list(ROLE_TEMPLATE)
        changes.append(_aggregation_change(templates, SCOPE_OF[plural]))
    ctx.store.mutate(ref.cluster, kind, ref.name, ref.namespace, lambda o: _apply_all(changes, o))
    if plural == "clusterroles":
        _mirror_cluster_role(ctx, ref.cluster, view.get(kind, ref.name))
    return None


def _apply_all(changes, obj):
    """Run every change (none may be skipped); True when any changed obj."""
    results = [change(obj) for change in changes]
    return True in results


def _aggregation_change(templates, scope):
    def change(obj):
        names, rules, rego = aggregated(obj, templates, scope)
        before = (list(obj["aggregationRoleTemplates"].get("templateNames") or []), obj.get("rules"),
                  annotations_of(obj).get(REGO))
        if obj["aggregationRoleTemplates"].get("templateNames") is not None or names:
            obj["aggregationRoleTemplates"]["templateNames"] = names
        obj["rules"] = rules
        if rego:
            obj["metadata"].setdefault("annotations", {})[REGO] = rego
        return before != (names, rules, annotations_of(obj).get(REGO))
    return change


def _owner_change(ctx, workspace):
    template = ctx.api.view(ctx.host).get(WORKSPACE_TEMPLATE, workspace)

    def change(obj):
        if template is None or obj["metadata"].get("ownerReferences"):
            return False
        obj["metadata"]["ownerReferences"] = [{
            "apiVersion": WORKSPACE_TEMPLATE.api_version(), "kind": WORKSPACE_TEMPLATE.kind, "name": workspace,
            "uid": template["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
        return True
    return change


def _mirror_cluster_role(ctx, cluster, role):
    """Straight to the store: the name has a colon, which the API's name check refuses."""
    if role is None:
        return
    name = MIRROR_PREFIX + role["metadata"]["name"]
    mirror = {"apiVersion": RBAC_CLUSTER_ROLE.api_version(), "kind": RBAC_CLUSTER_ROLE.kind,
              "metadata": {"name": name, "labels": {CLUSTERROLE_REF: role["metadata"]["name"]},
                           "ownerReferences": [{"apiVersion": role["apiVersion"], "kind": "ClusterRole",
                                                "name": role["metadata"]["name"], "uid": role["metadata"]["uid"]}]},
              "rules": list(role.get("rules") or [])}
    current = ctx.store.get(cluster, RBAC_CLUSTER_ROLE, name)
    if current is None:
        ctx.store.create(cluster, RBAC_CLUSTER_ROLE, mirror)
    elif current.get("rules") != mirror["rules"]:
        ctx.store.mutate(cluster, RBAC_CLUSTER_ROLE, name, "", lambda o: o.update(rules=mirror["rules"]) or True)


@controller(GROUP, "globalroles")
def reconcile_global_role(ctx, ref):
    return _reconcile(ctx, ref, "globalroles")


@controller(GROUP, "workspaceroles")
def reconcile_workspace_role(ctx, ref):
    return _reconcile(ctx, ref, "workspaceroles")


@controller(GROUP, "roles", all_clusters=True)
def reconcile_role(ctx, ref):
    return _reconcile(ctx, ref, "roles")


@controller(GROUP, "clusterroles", all_clusters=True)
def reconcile_cluster_role(ctx, ref):
    return _reconcile(ctx, ref, "clusterroles")
