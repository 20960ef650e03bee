"""Custom roles at the four scopes (GlobalRole, WorkspaceRole, Role, iam
ClusterRole) as their CRD schemas check them: `rules` is required and must be
an array (422), even when the role is built from aggregationRoleTemplates."""

from .. import errors, registry
from ..admission import admission
from ..validation import go_quote

GROUP = "iam.kubesphere.io"
ROLE_PLURALS = ("globalroles", "workspaceroles", "roles", "clusterroles")
# The RoleTemplate scope label each kind of role aggregates from.
SCOPE_OF = {"globalroles": "global", "workspaceroles": "workspace", "roles": "namespace", "clusterroles": "cluster"}


def _check_rules(review):
    if review.op == "DELETE":
        return
    kind, name = registry.find(GROUP, review.kind.plural), review.obj["metadata"].get("name", "")
    if "rules" not in review.obj:
        raise errors.invalid(kind, name, [("rules", None, "Required value", "FieldValueRequired")])
    rules = review.obj["rules"]
    if rules is not None and not isinstance(rules, list):
        go_type = {str: "string", dict: "object", bool: "boolean"}.get(type(rules), "number")
        raise errors.invalid(kind, name, [("rules", go_quote(go_type), f"rules in body must be of type array: "
                                           f"{go_quote(go_type)}", "FieldValueTypeInvalid")])


for _plural in ROLE_PLURALS:
    admission(GROUP, _plural)(_check_rules)
