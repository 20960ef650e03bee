"""API discovery documents (/api, /apis, /apis/{g}, /apis/{g}/{v}, /api/v1)."""

from .. import registry

_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update"]


def versions():
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def _group(name, versions_):
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions_]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def group_list():
    groups = [_group(g, v) for g, v in registry.group_versions().items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(name):
    versions_ = registry.group_versions().get(name)
    if not versions_ or not name:
        return None
    return dict(kind="APIGroup", apiVersion="v1", **_group(name, versions_))


def resources(group_name, version):
    kinds = registry.kinds_in(group_name, version)
    if not kinds:
        return None
    listed = []
    for kind in kinds:
        listed.append({"name": kind.plural, "singularName": kind.singular or kind.kind.lower(),
                       "namespaced": kind.namespaced, "kind": kind.kind, "verbs": _VERBS})
        if kind.status_subresource:
            listed.append({"name": f"{kind.plural}/status", "singularName": "", "namespaced": kind.namespaced,
                           "kind": kind.kind, "verbs": ["get", "patch", "update"]})
    group_version = f"{group_name}/{version}" if group_name else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": listed}
