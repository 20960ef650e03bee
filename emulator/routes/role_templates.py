"""GET /kapis/iam.kubesphere.io/v1beta1/users/{user}/roletemplates?scope=...: the
RoleTemplates of one scope the user may build roles from, as
{"items": [...], "totalItems": N}. Recorded: without scope, or for a user that
does not exist, it is an empty list; a platform-regular user gets no global
templates. Assumed (the recordings are silent): a user may use a scope's
templates when the requester may create roles of that scope (the answer for
another user, which only a platform admin may ask for, is the admin's)."""

from ..kinds.iam import ROLE_TEMPLATE, USER
from ..objects import go_ordered, labels_of
from .router import kapi

_ROLE_PLURAL = {"global": ("globalroles", ""), "cluster": ("clusterroles", ""),
                "workspace": ("workspaceroles", "workspace"), "namespace": ("roles", "namespace")}


@kapi("GET", "/kapis/iam.kubesphere.io/v1beta1/users/{user}/roletemplates")
def user_role_templates(ctx):
    scope = ctx.arg("scope")
    if scope not in _ROLE_PLURAL or ctx.view().get(USER, ctx.params["user"]) is None:
        return {"items": [], "totalItems": 0}
    plural, where = _ROLE_PLURAL[scope]
    namespace = ctx.arg("namespace", "") if where == "namespace" else ""
    if not ctx.allowed("create", plural, group="iam.kubesphere.io", namespace=namespace):
        return {"items": [], "totalItems": 0}
    items = [go_ordered(t) for t in ctx.view().list(ROLE_TEMPLATE)
             if labels_of(t).get("iam.kubesphere.io/scope") == scope]
    return {"items": items, "totalItems": len(items)}
