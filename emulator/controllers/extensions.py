"""The Extension controller: keeps an Extension's status.versions and
recommendedVersion in step with its ExtensionVersions (label
kubesphere.io/extension-ref), and holds the kubesphere.io/extension-protection
finalizer until no InstallPlan installs it. State fields are mirrored from the
InstallPlan by the InstallPlan controller."""

import re

from ..kinds.extensions import EXTENSION, EXTENSION_REF_LABEL, EXTENSION_VERSION, GROUP, INSTALL_PLAN
from ..objects import is_deleting
from .runtime import controller

FINALIZER = "kubesphere.io/extension-protection"


def version_key(version):
    """Semantic-version order: 1.10.0 > 1.9.0, and a pre-release sorts before its release."""
    core, _dash, pre = str(version).lstrip("v").partition("-")
    numbers = tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", core)[:3])
    return numbers + ((1,) if not pre else (0, pre))


@controller(GROUP, "extensions")
def reconcile_extension(ctx, ref):
    sync_extension(ctx, ref.name)


@controller(GROUP, "extensionversions")
def reconcile_extension_version(ctx, ref):
    version = ctx.api.view(ref.cluster).get(EXTENSION_VERSION, ref.name)
    if version is not None:
        owner = (version["metadata"].get("labels") or {}).get(EXTENSION_REF_LABEL)
        if owner:
            sync_extension(ctx, owner)
        return
    for extension in ctx.api.view(ctx.host).list(EXTENSION):     # deleted: its owner is a name prefix
        if ref.name.startswith(extension["metadata"]["name"] + "-"):
            sync_extension(ctx, extension["metadata"]["name"])


def sync_extension(ctx, name):
    view = ctx.api.view(ctx.host)
    versions = view.list(EXTENSION_VERSION,
                         where=lambda o: (o["metadata"].get("labels") or {}).get(EXTENSION_REF_LABEL) == name)
    listed = sorted(({"creationTimestamp": v["metadata"]["creationTimestamp"],
                      "version": str((v.get("spec") or {}).get("version", ""))} for v in versions),
                    key=lambda item: version_key(item["version"]))
    stable = [item["version"] for item in listed if "-" not in item["version"]]
    recommended = (stable or [item["version"] for item in listed] or [""])[-1]
    plan_exists = view.get(INSTALL_PLAN, name) is not None

    def change(obj):
        metadata = obj["metadata"]
        finalizers = metadata.get("finalizers") or []
        if is_deleting(obj):
            if not plan_exists and FINALIZER in finalizers:
                metadata["finalizers"] = [f for f in finalizers if f != FINALIZER]
            return None
        if FINALIZER not in finalizers:
            metadata["finalizers"] = finalizers + [FINALIZER]
        status = obj.setdefault("status", {})
        status["versions"] = listed
        if recommended:
            status["recommendedVersion"] = recommended
        else:
            status.pop("recommendedVersion", None)
        return None
    ctx.store.mutate(ctx.host, EXTENSION, name, "", change)
