"""The extension catalog at start (extensions_catalog.yaml): the museum
Repository, Categories, Extensions and their ExtensionVersions, as the
repository sync would have created them. Extension status (versions,
recommendedVersion) is left to the Extension controller, as on a real server."""

import os

import yaml

from .kinds.extensions import CATEGORY, EXTENSION, EXTENSION_REF_LABEL, EXTENSION_VERSION, REPOSITORY
from .timeutil import rfc3339

CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extensions_catalog.yaml")
HELM_JOB_FAILS = "emulator.kubesphere.io/helm-job-fails"
CATEGORY_LABEL = "kubesphere.io/category"
REPOSITORY_LABEL = "kubesphere.io/repository-ref"


_CACHE = {}


def load_catalog(path=CATALOG):
    if path not in _CACHE:
        with open(path, encoding="utf-8") as handle:
            _CACHE[path] = yaml.safe_load(handle) or {}
    return _CACHE[path]


def default_values(extension, version):
    """The chart's values.yaml for a catalog version ("" for versions not in the catalog)."""
    for entry in load_catalog().get("extensions") or []:
        if entry["name"] == extension:
            for item in entry.get("versions") or []:
                if isinstance(item, dict) and str(item["version"]) == version:
                    return item.get("values", entry.get("values", ""))
            return entry.get("values", "")
    return ""


def seed_extensions(app, catalog=None):
    catalog = catalog if catalog is not None else load_catalog()
    repository = catalog.get("repository") or {}

    def create(kind, obj):
        app.api.create(app.host, kind, obj, admit=False)
    if repository:
        create(REPOSITORY, {"metadata": {"name": repository["name"]},
                            "spec": {"url": repository["url"], "depth": 3,
                                     "updateStrategy": {"registryPoll": {"interval": "10m0s"}, "timeout": "1m0s"}},
                            "status": {"lastSyncTime": rfc3339()}})
    for category in catalog.get("categories") or []:
        create(CATEGORY, {"metadata": {"name": category["name"], "annotations": {"kubesphere.io/count": "0"}},
                          "spec": {"displayName": {"en": category["en"], "zh": category.get("zh", category["en"])}}})
    for entry in catalog.get("extensions") or []:
        for kind, obj in extension_objects(entry, repository.get("name", "")):
            create(kind, obj)


def extension_objects(entry, repository=""):
    """[(kind, object)] for one catalog entry: the Extension, then its versions."""
    name = entry["name"]
    labels = {CATEGORY_LABEL: entry.get("category", "other")}
    if repository:
        labels[REPOSITORY_LABEL] = repository
    provider = {"en": {"name": "KubeSphere", "email": "kubesphere@yunify.com", "url": "https://kubesphere.io"}}
    text = {"displayName": {"en": entry.get("displayName", name)},
            "description": {"en": entry.get("description", "")}}
    objects = [(EXTENSION, {"metadata": {"name": name, "labels": dict(labels)},
                            "spec": dict(text, provider=provider)})]
    for version in entry.get("versions") or []:
        if not isinstance(version, dict):
            version = {"version": str(version)}
        number = str(version["version"])
        spec = dict(text, version=number, category=entry.get("category", "other"), keywords=[name],
                    provider=provider, ksVersion=">=4.1.0-0", kubeVersion=">=1.19.0-0",
                    installationMode=version.get("installationMode", entry.get("installationMode", "HostOnly")),
                    namespace=f"extension-{name}",
                    chartURL=f"http://extensions-museum.kubesphere-system.svc/charts/{name}-{number}.tgz",
                    created=rfc3339())
        dependencies = version.get("externalDependencies", entry.get("externalDependencies"))
        if dependencies:
            spec["externalDependencies"] = dependencies
        metadata = {"name": f"{name}-{number}", "labels": dict(labels, **{EXTENSION_REF_LABEL: name})}
        if version.get("helm_job_fails"):
            metadata["annotations"] = {HELM_JOB_FAILS: "true"}
        objects.append((EXTENSION_VERSION, {"metadata": metadata, "spec": spec}))
    return objects
