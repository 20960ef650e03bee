"""Workspace and project members (/kapis/iam.kubesphere.io/v1beta1), with the
real quirks: POST takes an array and echoes it, the role must exist (404) but
the user need not, lists hold stub users carrying only the role annotation,
GET/PUT of a non-member is 400 "member X not exist", DELETE always succeeds,
and there is no GET of a single project member (405)."""

from .. import errors
from ..context import text_error
from ..iam.tenancy import (PROJECT_ROLE_ANNOTATION, WORKSPACE_ROLE_ANNOTATION, bind_project_member,
                           bind_workspace_member, project_bindings, project_members, unbind,
                           workspace_bindings, workspace_members)
from ..iam.users import public
from ..kinds.iam import ROLE, ROLE_BINDING, USER, WORKSPACE_ROLE, WORKSPACE_ROLE_BINDING
from ..kinds.tenant import WORKSPACE_LABEL
from ..objects import labels_of
from .query import list_result
from .router import kapi

IAM = "/kapis/iam.kubesphere.io/v1beta1"
WS_MEMBERS = IAM + "/workspaces/{ws}/workspacemembers"
NS_MEMBERS = IAM + "/namespaces/{ns}/namespacemembers"


def _stub(name, annotation, role):
    return {"metadata": {"name": name, "creationTimestamp": None, "annotations": {annotation: role}},
            "spec": {"email": ""}, "status": {}}


def _members_list(ctx, members, annotation, role_filter):
    stubs = [_stub(user, annotation, role) for user, role in members.items()]
    wanted = ctx.arg(role_filter)
    extra = [lambda s: s["metadata"]["annotations"][annotation] == wanted] if wanted else []
    return list_result(stubs, ctx.req.query, extra)


def _member_list_body(ctx):
    members = ctx.json_body("[]v1beta1.Member", list)
    for member in members:
        if not isinstance(member, dict):
            raise text_error(400, "json: cannot unmarshal into Go value of type v1beta1.Member")
    return members


def _member_body(ctx, username):
    member = ctx.json_body("v1beta1.Member", dict)
    if member.get("username") != username:
        raise text_error(400, f"incorrect username {username}, the username must equal to the member")
    return member


# ---- workspace members -------------------------------------------------------

def _check_workspace_role(ctx, workspace, role_name):
    role = ctx.api.view(ctx.app.host).get(WORKSPACE_ROLE, role_name or "")
    if role is None:
        raise ctx.lister_not_found(WORKSPACE_ROLE, role_name or "")
    if labels_of(role).get(WORKSPACE_LABEL) != workspace:
        raise text_error(404, f'workspacerole.iam.kubesphere.io "{role_name}" not found')


@kapi("GET", WS_MEMBERS)
def list_workspace_members(ctx):
    members = workspace_members(ctx.api.cached_view(ctx.app.host), ctx.params["ws"])
    return _members_list(ctx, members, WORKSPACE_ROLE_ANNOTATION, "workspacerole")


@kapi("GET", WS_MEMBERS + "/{user}")
def get_workspace_member(ctx):
    workspace, username = ctx.params["ws"], ctx.params["user"]
    # The member right after its POST (custom role or not) is found: the real server's read is not behind.
    view = ctx.api.view(ctx.app.host)
    role = workspace_members(view, workspace).get(username)
    if role is None:
        if ctx.app.profile.member_put_any:   # 3.x looks the user up: 404 user ... not found
            raise ctx.lister_not_found(USER, username)
        raise text_error(400, f"member {username} not exist")
    user = view.get(USER, username)
    if user is None:
        raise ctx.lister_not_found(USER, username)
    user["metadata"].setdefault("annotations", {})[WORKSPACE_ROLE_ANNOTATION] = role
    return public(user)


@kapi("POST", WS_MEMBERS)
def add_workspace_members(ctx):
    workspace = ctx.params["ws"]
    members = _member_list_body(ctx)
    for member in members:
        _check_workspace_role(ctx, workspace, member.get("roleRef"))
    for member in members:
        bind_workspace_member(ctx.api, ctx.app.host, workspace, member.get("username", ""), member["roleRef"])
    return members


@kapi("PUT", WS_MEMBERS + "/{user}")
def change_workspace_member(ctx):
    workspace, username = ctx.params["ws"], ctx.params["user"]
    member = _member_body(ctx, username)
    put_any = ctx.app.profile.member_put_any   # 3.x binds a non-member too and echoes the member
    if not put_any and username not in workspace_members(ctx.api.view(ctx.app.host), workspace):
        raise text_error(400, f"member {username} not exist")
    _check_workspace_role(ctx, workspace, member.get("roleRef"))
    bind_workspace_member(ctx.api, ctx.app.host, workspace, username, member["roleRef"])
    return member if put_any else {"message": "success"}


@kapi("DELETE", WS_MEMBERS + "/{user}")
def remove_workspace_member(ctx):
    host = ctx.app.host
    unbind(ctx.api, host, WORKSPACE_ROLE_BINDING,
           workspace_bindings(ctx.api.view(host), ctx.params["ws"], ctx.params["user"]))
    return {"message": "success"}


# ---- project members ---------------------------------------------------------

def _check_project_role(ctx, namespace, role):
    if ctx.api.view(ctx.cluster).get(ROLE, role or "", namespace) is None:
        if ctx.app.profile.rbac_project_roles:     # v3-gaps.json: 3.x looks up the rbac Role
            raise text_error(404, f'role.rbac.authorization.k8s.io "{role or ""}" not found')
        raise ctx.lister_not_found(ROLE, role or "")


@kapi("GET", NS_MEMBERS)
def list_project_members(ctx):
    members = project_members(ctx.view(), ctx.params["ns"])
    return _members_list(ctx, members, PROJECT_ROLE_ANNOTATION, "role")


@kapi("POST", NS_MEMBERS)
def add_project_members(ctx):
    namespace = ctx.params["ns"]
    members = _member_list_body(ctx)
    for member in members:
        _check_project_role(ctx, namespace, member.get("roleRef"))
    for member in members:
        bind_project_member(ctx.api, ctx.cluster, namespace, member.get("username", ""), member["roleRef"])
    return members


@kapi("PUT", NS_MEMBERS + "/{user}")
def change_project_member(ctx):
    namespace, username = ctx.params["ns"], ctx.params["user"]
    member = _member_body(ctx, username)
    put_any = ctx.app.profile.member_put_any
    if not put_any and username not in project_members(ctx.api.view(ctx.cluster), namespace):
        raise text_error(400, f"member {username} not exist")
    _check_project_role(ctx, namespace, member.get("roleRef"))
    bind_project_member(ctx.api, ctx.cluster, namespace, username, member["roleRef"])
    return member if put_any else {"message": "success"}


@kapi("GET", NS_MEMBERS + "/{user}")
def get_project_member(ctx):
    """3.x only (v4 answers 405, as a route without GET)."""
    namespace, username = ctx.params["ns"], ctx.params["user"]
    if not ctx.app.profile.member_get_project:
        return errors.router_text(405, errors.METHOD_NOT_ALLOWED)
    role = project_members(ctx.view(), namespace).get(username)
    user = ctx.api.cached_view(ctx.app.host).get(USER, username)
    if role is None or user is None:
        raise ctx.lister_not_found(USER, username)
    user["metadata"].setdefault("annotations", {})[PROJECT_ROLE_ANNOTATION] = role
    return public(user)


@kapi("DELETE", NS_MEMBERS + "/{user}")
def remove_project_member(ctx):
    namespace = ctx.params["ns"]
    unbind(ctx.api, ctx.cluster, ROLE_BINDING,
           project_bindings(ctx.api.view(ctx.cluster), namespace, ctx.params["user"]), namespace)
    return {"message": "success"}


@kapi("GET", IAM + "/clustermembers")
def list_cluster_members(ctx):
    """Users bound to a cluster role in this cluster (none unless someone bound them)."""
    from .. import registry
    kind = registry.find("iam.kubesphere.io", "clusterrolebindings")
    bindings = ctx.view().list(kind) if kind is not None else []
    members = {}
    for binding in bindings:
        for subject in binding.get("subjects") or []:
            if subject.get("kind") == "User":
                members.setdefault(subject["name"], binding["roleRef"]["name"])
    return _members_list(ctx, members, "iam.kubesphere.io/clusterrole", "clusterrole")
