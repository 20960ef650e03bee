"""Core (group "") kinds."""

import base64
import binascii

from .. import errors
from ..admission import admission
from ..objects import meta
from ..registry import Kind, register_kind


def _namespace_blockers(obj):
    # spec.finalizers ("kubernetes") keep a deleted namespace until the
    # namespace lifecycle controller has emptied it.
    return (obj.get("spec") or {}).get("finalizers") or []


def _namespace_terminating(obj):
    obj.setdefault("status", {})["phase"] = "Terminating"


NAMESPACE = register_kind(Kind(
    group="", version="v1", plural="namespaces", kind="Namespace", custom=False,
    status_subresource=True, name_format="label", kapis_generic=False,
    removal_blockers=_namespace_blockers, on_delete=_namespace_terminating))

CONFIGMAP = register_kind(Kind(group="", version="v1", plural="configmaps", kind="ConfigMap",
                               namespaced=True, custom=False, kapis_generic=False))
SECRET = register_kind(Kind(group="", version="v1", plural="secrets", kind="Secret",
                            namespaced=True, custom=False, kapis_generic=False))
SERVICE_ACCOUNT = register_kind(Kind(group="", version="v1", plural="serviceaccounts", kind="ServiceAccount",
                                     namespaced=True, custom=False, kapis_generic=False))


# kube-apiserver's NamespaceLifecycle admission refuses their deletion before any webhook (system-workspace.json).
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")


@admission("", "namespaces")
def namespace_defaults(review):
    """What kube-apiserver adds to every namespace."""
    if review.op == "DELETE":
        if review.old["metadata"]["name"] in IMMORTAL_NAMESPACES:
            raise errors.forbidden(NAMESPACE, review.old["metadata"]["name"], "this namespace may not be deleted")
        return
    obj = review.obj
    meta(obj).setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    if review.op == "CREATE":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    else:
        obj["spec"] = review.old.get("spec", {"finalizers": ["kubernetes"]})


@admission("", "secrets")
def secret_defaults(review):
    """kube-apiserver folds stringData into data (base64) and defaults the type; hooks registered
    after this one (KubeSphere's config webhook) see only data, as a real webhook does."""
    if review.op == "DELETE":
        return
    obj = review.obj
    data = obj.get("data") or {}
    for key, value in data.items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise errors.bad_request("Secret in version \"v1\" cannot be handled as a Secret: "
                                     "illegal base64 data at input byte 0") from None
    for key, value in (obj.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        obj["data"] = data
    obj["type"] = obj.get("type") or (review.old or {}).get("type") or "Opaque"
