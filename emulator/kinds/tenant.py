"""tenant.kubesphere.io kinds: the WorkspaceTemplate (host) and the Workspace
the host controller keeps in every placed cluster, plus the admission rules
the real CRD schema and the resource-protection webhook apply."""

from .. import errors
from ..admission import admission
from ..objects import labels_of
from ..registry import Kind, register_kind

GROUP = "tenant.kubesphere.io"
WORKSPACE_LABEL = "kubesphere.io/workspace"
PROTECTED_LABEL = "kubesphere.io/protected-resource"
CASCADING_FINALIZER = "kubesphere.io/cascading-deletion"
PROPAGATION_ANNOTATION = "kubesphere.io/deletion-propagation"

WORKSPACE_TEMPLATE = register_kind(Kind(group=GROUP, version="v1beta1", plural="workspacetemplates",
                                        kind="WorkspaceTemplate", host_only=True, kapis_generic=False))
WORKSPACE = register_kind(Kind(group=GROUP, version="v1beta1", plural="workspaces", kind="Workspace",
                               kapis_generic=False))


@admission(GROUP, "workspacetemplates")
def template_schema(review):
    """The CRD requires spec.placement (the kapis handler always sends one)."""
    if review.op != "CREATE":
        return
    if "placement" not in (review.obj.get("spec") or {}):
        raise errors.invalid(WORKSPACE_TEMPLATE, review.obj["metadata"].get("name", ""),
                             [("spec.placement", None, "Required value", "FieldValueRequired")])


def _protect(review):
    if review.op == "DELETE" and labels_of(review.old).get(PROTECTED_LABEL) == "true":
        raise errors.webhook_denied("protector.kubesphere.io", "this resource may not be deleted")


admission(GROUP, "workspacetemplates")(_protect)
admission("", "namespaces")(_protect)
