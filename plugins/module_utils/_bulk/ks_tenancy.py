# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The kinds ks_tenancy converges, in the order they are written (removals run in reverse).

Each row names the Resource that already serves the kind's module, the module's own option
spec, what an item refers to, and how to read the whole collection once: a Listing of the objects
by the kind's key, with what the same lists say of each (its members, a user's role bindings),
which the runner hands to the Resource in place of its first read. A new kind is a new row here:
a Kind with its Resource, its options and its list reader.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    GLOBALROLE_ANNOTATION,
    GLOBAL_ROLE_BINDINGS,
    RAW_USERS,
    USER_REF_LABEL,
    labels_of,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_bulk import Kind, Listing, cluster_key
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_repo import (
    APP_REPO_OPTIONS,
    AppRepoResource,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import ClusterResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_member_lists import member_roles, worth_listing
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import (
    PROJECT_ROLES,
    WORKSPACE_ROLES,
    Members,
    workspace_role_name,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import is_system
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import placement_of
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import (
    PROJECT_OPTIONS,
    ProjectResource,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role import (
    ROLE_OPTIONS,
    RoleResource,
    role_templates,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES, scope_collection
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import (
    PLATFORM_ROLES,
    USER_OPTIONS,
    UserResource,
    cluster_ready,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import (
    WORKSPACE_OPTIONS,
    WorkspaceResource,
)

# The order objects are written in (removals run in reverse). A role comes right after what it lives in,
# and a platform or cluster role before the users that may be given it.
(TIER_PLATFORM_ROLES, TIER_USERS, TIER_WORKSPACES, TIER_WORKSPACE_ROLES, TIER_PROJECTS, TIER_PROJECT_ROLES,
 TIER_APP_REPOS) = range(7)


def _by_name(items):
    return dict((o["metadata"]["name"], o) for o in items if (o.get("metadata") or {}).get("name"))


def _keyed(objects, cluster=None):
    return dict(((cluster, name), obj) for name, obj in objects.items())


def _member_refs(params):
    return [("user", (None, m["user"])) for m in params.get("members") or []]


# Users ---------------------------------------------------------------------------------------
def _load_users(client, run):
    """Users by one list; the stored passwords (facts raw: only /apis shows the hash the password is compared
    with) and the GlobalRoleBindings of each user (fact global_role_bindings) by one more list each, when an
    item needs them."""
    present = run.of("users", "present")
    users = _by_name(client.list_all(UserResource.collection))
    raw = bindings = None
    if any(i.params.get("password") is not None and i.params.get("update_password") == "always" for i in present):
        raw = _by_name(client.list_all(RAW_USERS))
    if any(i.params.get("global_role") is not None for i in present):
        bindings = _bindings_by_user(client.list_all(GLOBAL_ROLE_BINDINGS))

    def facts(key):
        out = {}
        if raw is not None:
            out["raw"] = raw.get(key[1])
        if bindings is not None:
            out["global_role_bindings"] = bindings.get(key[1], [])
        return out
    return Listing(_keyed(users), facts=facts)


def _global_role_refs(role):
    """A custom platform role a user holds (the built-in ones are not objects of this run)."""
    if not role or role in PLATFORM_ROLES:
        return []
    return [("role", (None, name, "global", None)) for name in role.split(",") if name and name not in PLATFORM_ROLES]


def _user_refs(params):
    return _global_role_refs(params.get("global_role")) if params.get("global_role") is not None else []


def _user_existing_refs(key, obj):
    return _global_role_refs(((obj.get("metadata") or {}).get("annotations") or {}).get(GLOBALROLE_ANNOTATION))


def _bindings_by_user(bindings):
    """{user: [GlobalRoleBinding]} by the user-ref label, as the per-user list selects them (indexed once: a scan
    of every binding per user cost most of a 10,000-object no-change run)."""
    by_user = {}
    for binding in bindings:
        by_user.setdefault(labels_of(binding).get(USER_REF_LABEL), []).append(binding)
    return by_user


# Workspaces ----------------------------------------------------------------------------------
def _load_workspaces(client, run):
    templates = _by_name(client.list_all(WorkspaceResource.collection))
    members = _listed_members(client, run.of("workspaces", "present"), "workspace", templates)
    return Listing(_keyed(templates), facts=_members_facts(members, templates))


def _listed_members(client, items, scope, existing, cluster=None):
    """{name: {user: role}} of the existing workspaces or projects on cluster, from one list of their role bindings
    when that is cheaper than a member list each; None: each is read by its Resource."""
    if not worth_listing(client, items, existing):
        return None
    return member_roles(client, scope, cluster=cluster)


def _members_facts(members, existing):
    """Fact members of an existing object whose members were listed."""
    def facts(key):
        return {} if members is None or key[1] not in existing else dict(members=members.get(key[1], {}))
    return facts


def _workspace_refs(params):
    refs = [("user", (None, params["manager"]))] if params.get("manager") else []
    return refs + _member_refs(params)


def _workspace_existing_refs(key, obj):
    manager = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("manager")
    return [("user", (None, manager))] if manager else []


def _workspace_prune_blocker(key, obj, run):
    placed = placement_of(obj)
    unread = sorted(run.unread_clusters if placed is None else run.unread_clusters & set(placed))
    if unread:
        return ("its projects on %s could not be read (%s not ready), so it cannot be told that none is left"
                % (", ".join(unread), "it is" if len(unread) == 1 else "they are"))
    return None


# Projects ------------------------------------------------------------------------------------
PRUNE_READS_EVERY_CLUSTER = frozenset(["projects", "workspaces", "users"])


def _project_clusters(client, run):
    """The clusters whose namespaces are read: those of the declared projects and, to prune projects,
    workspaces or users (whose projects and memberships may lie on any cluster), every ready cluster;
    those not ready are noted in run.unread_clusters. [(cluster, needed)]: needed by a declared item."""
    needed = set(cluster_key(i.params.get("cluster")) for i in run.of("projects"))
    needed.update(cluster_key(i.params.get("cluster")) for i in run.of("roles") if i.params["scope"] == "project")
    extra = set()
    if run.prune & PRUNE_READS_EVERY_CLUSTER:
        extra.add(None)
        for cluster in client.list_all(ClusterResource.collection):
            name = cluster_key((cluster.get("metadata") or {}).get("name"))
            if cluster_ready(cluster):
                extra.add(name)
            elif name not in needed:
                run.unread_clusters.add(name)
    return [(c, c in needed) for c in sorted(needed | extra, key=lambda c: c or "")]


def _load_projects(client, run):
    """The namespaces of each cluster by one list each (a project the lists hold in another workspace is told
    apart from its label by ProjectResource.read_listed), with their members where listed."""
    found, members = {}, {}
    for cluster, needed in _project_clusters(client, run):
        try:
            namespaces = _by_name(client.list_all(ProjectResource.collection, cluster=cluster))
        except KubeSphereError as err:
            if needed or err.status not in (500, 502, 503, 504):
                raise
            run.unread_clusters.add(cluster)      # read only for prune: what lies there is kept
            continue
        run.read_clusters.add(cluster)
        on_cluster = [i for i in run.of("projects", "present") if cluster_key(i.params.get("cluster")) == cluster]
        listed = _listed_members(client, on_cluster, "project", namespaces, cluster=cluster)
        if listed is not None:
            members.update(((cluster, name), listed.get(name, {})) for name in namespaces)
        found.update(_keyed(namespaces, cluster))

    def facts(key):
        return dict(members=members[key]) if key in members else {}
    return Listing(found, covers=lambda key: key[0] in run.read_clusters, facts=facts)


def _project_refs(params):
    refs = [("workspace", (None, params["workspace"]))] if params.get("workspace") else []
    return refs + _member_refs(params)


def _labelled_workspace(key, obj, existing=None):
    """The workspace an object of a workspace (a project, a repo) lies in: its workspace label."""
    return workspace_of(obj)


def _labelled_workspace_refs(key, obj):
    workspace = workspace_of(obj)
    return [("workspace", (None, workspace))] if workspace else []


def load_memberships(client, run):
    """{(kind, key): set(users)}: who is a member of each existing workspace and project, for prune's rule that
    a user still in one is kept. From one list of role bindings per cluster on 4.x, else one member list per
    object; None when some could not be read (then no user is pruned)."""
    workspaces = run.inventory.get("workspaces")
    projects = run.inventory.get("projects")
    if workspaces is None or projects is None or run.unread_clusters:
        return None
    out = {}
    by_bindings = client.api.lacks("member_bindings") is None
    try:
        if by_bindings:
            listed = {None: member_roles(client, "workspace")}
            for cluster in set(key[0] for key in projects) | set([None]):
                listed[("project", cluster)] = member_roles(client, "project", cluster=cluster)
            if any(v is None for v in listed.values()):
                return None
            for name, users in listed[None].items():
                out[("workspace", (None, name))] = set(users)
            for key in projects:
                out[("project", key)] = set(listed[("project", key[0])].get(key[1], {}))
            return out
        for key in workspaces:
            out[("workspace", key)] = set(Members(client, "workspace", key[1]).read())
        for key in projects:
            out[("project", key)] = set(Members(client, "project", key[1], cluster=key[0]).read())
    except KubeSphereError as err:
        if err.status in (401, 403):
            return None
        raise
    return out


def _custom_member_roles(params, scope, builtin):
    """The declared-role keys a workspace's or project's members grant (other than the built-in roles)."""
    where = dict(name=None, scope=scope, project=params["name"], cluster=params.get("cluster"))
    out = []
    for member in params.get("members") or []:
        role = member["role"]
        if role not in builtin and not (scope == "workspace" and role in [workspace_role_name(params["name"], r)
                                                                          for r in WORKSPACE_ROLES]):
            out.append(("role", _role_key(dict(where, name=role))))
    return out


def _prune_project(key, obj):
    params = dict(name=key[1], cluster=key[0] or "host", state="absent")
    workspace = workspace_of(obj)
    if workspace:
        params["workspace"] = workspace
    return params


# Custom roles ----------------------------------------------------------------------------------
def _role_key(params):
    """(cluster, name, scope, project): a WorkspaceRole's name is unique across workspaces (it is
    cluster-wide), so its workspace is not part of the key."""
    scope = params.get("scope") or "global"
    cluster = cluster_key(params.get("cluster")) if scope in ("cluster", "project") else None
    return (cluster, params["name"], scope, params.get("project") if scope == "project" else None)


def _role_refs(params):
    if params["scope"] == "workspace":
        return [("workspace", (None, params["workspace"]))]
    if params["scope"] == "project":
        return [("project", (cluster_key(params.get("cluster")), params["project"]))]
    return []


def _role_existing_refs(key, obj):
    """A custom workspace role holds its workspace (prune it first); KubeSphere's own roles go with theirs, and a
    project's roles with its namespace."""
    if key[2] != "workspace" or is_system("workspacerole", key[1], obj):
        return []
    workspace = workspace_of(obj)
    return [("workspace", (None, workspace))] if workspace else []


def _role_workspace(key, obj, existing):
    if key[2] == "workspace":
        return workspace_of(obj)
    if key[2] == "project":
        project = existing.get(("project", (key[0], key[3])))
        return workspace_of(project) if project else None
    return None


def _role_tier(params):
    return dict(workspace=TIER_WORKSPACE_ROLES, project=TIER_PROJECT_ROLES).get(params["scope"], TIER_PLATFORM_ROLES)


def _describe_role(key, params):
    cluster, name, scope, project = key
    where = dict(workspace=" in workspace %s" % params.get("workspace"), project=" in project %s" % project)
    return "%s (%s)%s%s" % (name, scope, where.get(scope, ""), (" on cluster %s" % cluster) if cluster else "")


def _role_result(key, params):
    out = dict(scope=key[2], cluster=(key[0] or "host") if key[2] in ("cluster", "project") else None)
    if key[2] == "workspace":
        out["workspace"] = params.get("workspace")
    if key[2] == "project":
        out["project"] = key[3]
    return out


def _load_roles(client, run):
    """The global and workspace roles by one list each, the cluster roles by one per cluster (what the
    declared roles, and prune, need); the RoleTemplates of each scope once, handed to every role (fact
    templates). A project's roles are read one by one (one GET each: a list per project would cost the same)."""
    items = run.of("roles")
    scopes = set(i.params["scope"] for i in items)
    if "roles" in run.prune:
        scopes.update(("global", "workspace"))
    if any(_user_refs(i.params) for i in run.of("users", "present")):
        scopes.add("global")        # the custom platform roles users are given
    found, listed = {}, set()
    for scope in ("global", "workspace"):
        if scope in scopes:
            roles = _by_name(client.list_all(scope_collection(scope, SCOPES[scope].plural)))
            run.role_lists[scope] = roles
            listed.add((None, scope))
            found.update(((None, name, scope, None), obj) for name, obj in roles.items())
    clusters = set(cluster_key(i.params.get("cluster")) for i in items if i.params["scope"] == "cluster")
    for cluster in sorted(clusters, key=lambda c: c or ""):
        roles = _by_name(client.list_all(scope_collection("cluster", SCOPES["cluster"].plural), cluster=cluster))
        listed.add((cluster, "cluster"))
        found.update(((cluster, name, "cluster", None), obj) for name, obj in roles.items())
    templates = dict((scope, role_templates(client, scope)) for scope in sorted(set(
        i.params["scope"] for i in items if i.state == "present" and i.params.get("templates"))))

    def facts(key):
        return dict(templates=templates[key[2]]) if key[2] in templates else {}
    return Listing(found, covers=lambda key: (key[0], key[2]) in listed, facts=facts)


def _prune_role(key, obj):
    cluster, name, scope, project = key
    params = dict(name=name, scope=scope, state="absent")
    if scope == "workspace":
        params["workspace"] = workspace_of(obj)
    if scope in ("cluster", "project"):
        params["cluster"] = cluster or "host"
    if project:
        params["project"] = project
    return params


# App Store repos ---------------------------------------------------------------------------
def _load_app_repos(client, run):
    """Every workspace's repos by one list (names are unique across workspaces: the key is the name), when
    repos are declared or workspaces pruned: a workspace that still holds a repo is kept, as one that holds a
    project (KubeSphere would delete its repos and their apps with it). No request otherwise."""
    declared = bool(run.of("app_repos"))
    if not declared and ("workspaces" not in run.prune or client.api.lacks(*AppRepoResource.requires)):
        return Listing({})
    client.require(*AppRepoResource.requires)
    return Listing(_keyed(_by_name(client.list_all(AppRepoResource.collection))))


KINDS = (
    Kind("users", "user", UserResource, USER_OPTIONS, load=_load_users, tier=lambda p: TIER_USERS,
         refs=_user_refs, existing_refs=_user_existing_refs),
    Kind("workspaces", "workspace", WorkspaceResource, WORKSPACE_OPTIONS, load=_load_workspaces,
         refs=_workspace_refs, member_refs=lambda p: _custom_member_roles(p, "workspace", WORKSPACE_ROLES),
         tier=lambda p: TIER_WORKSPACES, existing_refs=_workspace_existing_refs,
         workspace_of=lambda key, obj, existing: key[1], prune_blocker=_workspace_prune_blocker),
    Kind("projects", "project", ProjectResource, PROJECT_OPTIONS, load=_load_projects,
         key=lambda p: (cluster_key(p.get("cluster")), p["name"]), refs=_project_refs,
         member_refs=lambda p: _custom_member_roles(p, "project", PROJECT_ROLES),
         prune_params=_prune_project, tier=lambda p: TIER_PROJECTS,
         extra=lambda key, p: dict(cluster=key[0] or "host"), existing_refs=_labelled_workspace_refs,
         workspace_of=_labelled_workspace),
    Kind("roles", "role", RoleResource, ROLE_OPTIONS, load=_load_roles, key=_role_key, refs=_role_refs,
         prune_params=_prune_role, tier=_role_tier, describe=_describe_role, extra=_role_result,
         existing_refs=_role_existing_refs, workspace_of=_role_workspace),
    Kind("app_repos", "app_repo", AppRepoResource, APP_REPO_OPTIONS, load=_load_app_repos,
         refs=lambda p: [("workspace", (None, p["workspace"]))], tier=lambda p: TIER_APP_REPOS,
         describe=lambda key, p: "%s in workspace %s" % (key[1], p.get("workspace")),
         extra=lambda key, p: dict(cluster=None, workspace=p.get("workspace")), existing_refs=_labelled_workspace_refs,
         workspace_of=_labelled_workspace,
         not_prunable="KubeSphere keeps no label on a repo but its workspace's, so kubesphere.core cannot mark "
                      "the ones it manages; remove a repo with state: absent"),
)
