"""The objects of a YAML app: checked against the version's package when a release is written
(ComplianceCheck), applied into the project by the release controller (YamlInstaller), read back
live for the release's realTimeResources, deleted on uninstall."""

from .. import errors, registry
from ..objects import clone
from . import packages


class ManifestError(Exception):
    """The server's text for a release whose objects it refuses."""


def kind_of(manifest):
    """The registered Kind of a document (the RESTMapper); ManifestError when unknown."""
    api_version, kind_name = manifest.get("apiVersion", ""), manifest.get("kind", "")
    group, _sep, version = api_version.rpartition("/")
    for kind in registry.kinds_in(group, version):
        if kind.kind == kind_name:
            return kind
    raise ManifestError(f'no matches for kind "{kind_name}" in version "{api_version}"')


def compliance_check(values, template, namespace):
    """The release's documents must match the version's one by one (kind and apiVersion) and each
    must name the release's namespace."""
    try:
        wanted, given = packages.read_manifests(values), packages.read_manifests(template)
    except packages.PackageError as exc:
        raise ManifestError(str(exc)) from None
    if len(wanted) != len(given):
        raise ManifestError("yamlList and yamlTempList length not equal")
    for mine, theirs in zip(wanted, given):
        kind_of(mine)
        kind_of(theirs)
        if (mine["kind"], mine["apiVersion"]) != (theirs["kind"], theirs["apiVersion"]):
            raise ManifestError("yamlList and yamlTempList not equal")
        if (mine.get("metadata") or {}).get("namespace", "") != namespace:
            raise ManifestError("subresource must have same namespace with app release")
    return wanted


def apply(api, cluster, manifests):
    """Server-side apply of each document: created, or its given fields merged into the live one."""
    for manifest in manifests:
        kind = kind_of(manifest)
        metadata = manifest.get("metadata") or {}
        name, namespace = metadata.get("name", ""), metadata.get("namespace", "") if kind.namespaced else ""
        if api.store.get(cluster, kind, name, namespace) is None:
            api.create(cluster, kind, clone(manifest), admit=True)
        else:
            api.patch(cluster, kind, name, namespace, "merge", clone(manifest))


def delete(api, cluster, manifests):
    for manifest in manifests:
        try:
            kind = kind_of(manifest)
        except ManifestError:
            continue
        metadata = manifest.get("metadata") or {}
        try:
            api.delete(cluster, kind, metadata.get("name", ""), metadata.get("namespace", "") if kind.namespaced
                       else "", admit=False)
        except errors.ApiError as exc:
            if exc.code != 404:
                raise


def live(api, cluster, manifests):
    """The objects as they are now; a missing one is stood in for by its name and the error."""
    found = []
    for manifest in manifests:
        kind = kind_of(manifest)
        metadata = manifest.get("metadata") or {}
        namespace = metadata.get("namespace", "") if kind.namespaced else ""
        obj = api.store.get(cluster, kind, metadata.get("name", ""), namespace)
        if obj is None:
            stand_in = {"apiVersion": manifest["apiVersion"], "kind": manifest["kind"],
                        "metadata": {k: metadata[k] for k in ("name", "namespace", "labels", "annotations")
                                     if k in metadata},
                        "status": {"state": errors.not_found(kind, metadata.get("name", "")).message}}
            found.append(stand_in)
        else:
            obj["metadata"].pop("managedFields", None)
            found.append(obj)
    return found
