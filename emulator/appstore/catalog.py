"""Writing apps and versions, as the upload handlers and the repo sync both do
(pkg/simple/client/application CreateOrUpdateApp / CreateOrUpdateAppVersion):

* the Application is created or updated first, its status patched (a new one is `draft` when
  uploaded, `active` when it comes from a repo; an existing one keeps its state);
* each ApplicationVersion is created or updated next, owned by the app, with the cleanup
  finalizer; an uploaded version's package is stored only then, so a failed store leaves the app
  and a version without status behind; then the version's status is written (`draft` for an
  upload, `active` from a repo), also for a version that existed;
* finally the app's latest-app-version annotation is set from the versions' semver."""

from dataclasses import dataclass, field
from typing import List, Optional

from ..kinds.application import (ALIAS, APP_ID_LABEL, APP_TYPE_LABEL, APPLICATION, APPLICATION_VERSION,
                                 CATEGORY_LABEL, DESCRIPTION, HAS_CRD_LABEL, LATEST_VERSION, MAINTAINERS,
                                 ORIGINAL_NAME, REPO_LABEL, UNCATEGORIZED, VERSION_FINALIZER, WORKSPACE_LABEL)
from ..objects import clone
from ..timeutil import rfc3339
from . import packages
from .names import version_name


@dataclass
class AppRequest:
    """application.AppRequest: what an upload or a repo sync asks for."""
    app_name: str = ""
    repo_name: str = ""
    original_name: str = ""
    alias_name: str = ""
    version_name: str = ""
    app_home: str = ""
    icon: str = ""
    digest: str = ""
    workspace: str = ""
    description: str = ""
    category_name: str = ""
    app_type: str = ""
    package: bytes = b""
    pull_url: str = ""
    maintainers: List[dict] = field(default_factory=list)
    abstraction: str = ""
    attachments: List[str] = field(default_factory=list)
    from_repo: bool = False
    has_crd: str = ""
    resources: Optional[list] = None

    @classmethod
    def from_json(cls, body):
        """The JSON body of an upload (field names as the server reads them)."""
        def text(key):
            value = body.get(key)
            return value if isinstance(value, str) else ""
        return cls(app_name=text("appName"), repo_name=text("repoName"), original_name=text("originalName"),
                   alias_name=text("aliasName"), version_name=text("versionName"), app_home=text("appHome"),
                   icon=text("icon"), digest=text("digest"), workspace=text("workspace"),
                   description=text("description"), category_name=text("categoryName"), app_type=text("appType"),
                   package=packages.decode_package(body.get("package")), pull_url=text("pullUrl"),
                   maintainers=[m for m in body.get("maintainers") or [] if isinstance(m, dict)],
                   abstraction=text("abstraction"), attachments=list(body.get("attachments") or []),
                   has_crd=text("hasCrd"))


def maintainers_of(chart):
    return [{k: v for k, v in (("name", m.get("name")), ("email", m.get("email")), ("url", m.get("url"))) if v}
            for m in chart.get("maintainers") or [] if isinstance(m, dict)]


def fill_from_chart(request, chart, generated_name):
    """What the server takes from Chart.yaml when the request leaves it out (fillEmptyFields)."""
    request.app_name = request.app_name or generated_name
    request.original_name = request.original_name or chart["name"]
    request.app_home = request.app_home or chart.get("home") or ""
    request.icon = request.icon or chart.get("icon") or ""
    request.version_name = request.version_name or chart["version"]
    request.maintainers = request.maintainers or maintainers_of(chart)
    request.repo_name = request.repo_name or "upload"
    request.description = request.description or chart.get("description") or ""
    request.abstraction = request.abstraction or chart.get("description") or ""
    request.alias_name = request.alias_name or chart["name"]


def _omit_empty(mapping):
    return {k: v for k, v in mapping.items() if v not in ("", None, [], {})}


def create_or_update_app(api, cluster, requests, owner=None):
    """Write the app of requests[0] and every requested version; returns the stored app."""
    request = requests[0]
    current = api.store.get(cluster, APPLICATION, request.app_name)
    app = clone(current) if current else {"metadata": {"name": request.app_name}}
    app["spec"] = _omit_empty({"appHome": request.app_home, "appType": request.app_type, "icon": request.icon,
                               "abstraction": request.abstraction, "attachments": request.attachments,
                               "resources": request.resources})
    metadata = app["metadata"]
    if owner is not None:
        metadata["ownerReferences"] = [owner]
    labels = metadata.setdefault("labels", {})
    labels.update({REPO_LABEL: request.repo_name, APP_TYPE_LABEL: request.app_type, HAS_CRD_LABEL: request.has_crd,
                   CATEGORY_LABEL: request.category_name or UNCATEGORIZED, WORKSPACE_LABEL: request.workspace})
    annotations = metadata.setdefault("annotations", {})
    annotations.update({ALIAS: request.alias_name, DESCRIPTION: request.description,
                        ORIGINAL_NAME: request.original_name})
    if request.maintainers:
        annotations[MAINTAINERS] = request.maintainers[0].get("name", "")
    stored = api.update(cluster, APPLICATION, app, admit=False) if current else \
        api.create(cluster, APPLICATION, app, admit=False)
    status = dict(stored.get("status") or {})
    if current is None:
        status["state"] = "active" if request.from_repo else "draft"
    status["updateTime"] = rfc3339()
    stored = api.update_status(cluster, APPLICATION, stored["metadata"]["name"], "", status)
    for version_request in requests:
        create_or_update_version(api, cluster, stored, version_request)
    return update_latest_version(api, cluster, stored["metadata"]["name"])


def create_or_update_version(api, cluster, app, request):
    name = version_name(app["metadata"]["name"], request.version_name)
    current = api.store.get(cluster, APPLICATION_VERSION, name)
    version = clone(current) if current else {"metadata": {"name": name}}
    metadata = version["metadata"]
    metadata["ownerReferences"] = [{"apiVersion": APPLICATION.api_version(), "kind": APPLICATION.kind,
                                    "name": app["metadata"]["name"], "uid": app["metadata"]["uid"],
                                    "controller": True, "blockOwnerDeletion": True}]
    version["spec"] = _omit_empty({"versionName": request.version_name, "appHome": request.app_home,
                                   "icon": request.icon, "created": rfc3339(), "digest": request.digest,
                                   "appType": request.app_type, "maintainer": request.maintainers,
                                   "pullUrl": request.pull_url})
    version["spec"]["versionName"] = request.version_name
    metadata["finalizers"] = [VERSION_FINALIZER]
    metadata.setdefault("labels", {}).update({REPO_LABEL: request.repo_name, APP_ID_LABEL: request.app_name,
                                              APP_TYPE_LABEL: request.app_type, WORKSPACE_LABEL: request.workspace})
    annotations = metadata.setdefault("annotations", {})
    annotations.update({ALIAS: request.alias_name, DESCRIPTION: request.description})
    if request.maintainers:
        annotations[MAINTAINERS] = request.maintainers[0].get("name", "")
    stored = api.update(cluster, APPLICATION_VERSION, version, admit=False) if current else \
        api.create(cluster, APPLICATION_VERSION, version, admit=False)
    if not request.from_repo:
        packages.upload(api, cluster, name, request.package)
    status = dict(stored.get("status") or {})
    status.update(state="active" if request.from_repo else "draft", updated=rfc3339())
    return api.update_status(cluster, APPLICATION_VERSION, name, "", status)


def _semver(text):
    """A comparable key for a (v-prefixed) semantic version, or None."""
    core, _sep, pre = text.lstrip("v").partition("-")
    core = core.split("+", 1)[0]
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts) + ((1,) if not pre else (0, pre))


def update_latest_version(api, cluster, app_name):
    versions = api.store.list(cluster, APPLICATION_VERSION, labels={APP_ID_LABEL: app_name})
    if not versions:
        return api.store.get(cluster, APPLICATION, app_name)
    latest = versions[0]["spec"].get("versionName", "")
    for version in versions:
        mine, best = _semver(version["spec"].get("versionName", "")), _semver(latest)
        if mine is not None and best is not None and mine > best:
            latest = version["spec"]["versionName"]

    def annotate(app):
        app["metadata"].setdefault("annotations", {})[LATEST_VERSION] = latest
    return api.store.mutate(cluster, APPLICATION, app_name, "", annotate)
