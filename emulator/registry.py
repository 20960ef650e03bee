"""The resource registry: which (group, version, plural) the server knows and how
it stores them. Registering a kind is one declaration, for example::

    from emulator.registry import Kind, register_kind

    WORKSPACE_TEMPLATE = register_kind(Kind(
        group="tenant.kubesphere.io", version="v1beta1", plural="workspacetemplates",
        kind="WorkspaceTemplate", host_only=True))

Every registered kind is then served by the generic Kubernetes handler under
/apis (and /api for the core group) and, unless ``kapis_generic=False``, by the
KubeSphere v4 generic kapis handler.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple


@dataclass(frozen=True)
class Kind:
    group: str
    version: str            # the storage version: objects are kept with this apiVersion
    plural: str
    kind: str
    namespaced: bool = False
    host_only: bool = False   # served by the host cluster only (users, clusters, workspacetemplates...)
    custom: bool = True       # a CRD: resourceVersion required on PUT, generation tracked, keys sorted in /apis JSON
    status_subresource: bool = False
    name_format: str = "subdomain"   # "subdomain" (DNS-1123 subdomain) or "label" (DNS-1123 label)
    other_versions: Tuple[str, ...] = ()
    kapis_generic: bool = True
    singular: str = ""
    delete_returns_object: bool = False   # DELETE answers the deleted object, not a Status (ResourceQuota)
    # Extra conditions, beyond metadata.finalizers, that keep a deleted object
    # alive (Namespace spec.finalizers). Returns a list of pending names.
    removal_blockers: Optional[Callable] = field(default=None, compare=False)
    # Called on the stored copy when deletion starts (Namespace phase Terminating).
    on_delete: Optional[Callable] = field(default=None, compare=False)

    @property
    def versions(self):
        return (self.version,) + tuple(self.other_versions)

    def api_version(self, version=None):
        version = version or self.version
        return f"{self.group}/{version}" if self.group else version

    @property
    def list_kind(self):
        return self.kind + "List"

    @property
    def key(self):
        return (self.group, self.plural)

    def __repr__(self):
        return f"Kind({self.plural}.{self.group or 'core'})"


_BY_GVR = {}
_BY_GR = {}


def register_kind(kind):
    """Add a kind; returns it so modules can keep a constant."""
    for version in kind.versions:
        _BY_GVR[(kind.group, version, kind.plural)] = kind
    _BY_GR[(kind.group, kind.plural)] = kind
    return kind


def lookup(group, version, plural):
    return _BY_GVR.get((group, version, plural))


def find(group, plural):
    return _BY_GR.get((group, plural))


def all_kinds():
    return list(_BY_GR.values())


def group_versions():
    """{group: [versions]} in registration order (for discovery)."""
    result = {}
    for (group, version, _plural) in _BY_GVR:
        versions = result.setdefault(group, [])
        if version not in versions:
            versions.append(version)
    return result


def kinds_in(group, version):
    return [k for (g, v, _p), k in _BY_GVR.items() if g == group and v == version]
