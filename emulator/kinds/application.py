"""The App Store kinds (application.kubesphere.io/v2, cluster-scoped CRDs of ks-core v4.1) and the
checks kube-apiserver makes on them: the CRD schemas' required fields and the ApplicationRelease
webhook of ks-controller-manager (the version to deploy must be active). Their kapis routes are
explicit (routes/appstore_*.py), so the generic kapis handler stays out of this group."""

from .. import errors
from ..admission import admission
from ..registry import Kind, register_kind

GROUP = "application.kubesphere.io"


def _kind(plural, kind, short):
    return register_kind(Kind(group=GROUP, version="v2", plural=plural, kind=kind, host_only=True,
                              status_subresource=True, kapis_generic=False, singular=short))


REPO = _kind("repos", "Repo", "repo")
APPLICATION = _kind("applications", "Application", "application")
APPLICATION_VERSION = _kind("applicationversions", "ApplicationVersion", "applicationversion")
APPLICATION_RELEASE = _kind("applicationreleases", "ApplicationRelease", "applicationrelease")
CATEGORY = _kind("categories", "Category", "category")

# Labels and annotations (kubesphere.io/api application/v2 constants.go).
REPO_LABEL = "application.kubesphere.io/repo-name"
APP_ID_LABEL = "application.kubesphere.io/app-id"
APP_VERSION_LABEL = "application.kubesphere.io/appversion-id"
APP_TYPE_LABEL = "application.kubesphere.io/app-type"
HAS_CRD_LABEL = "application.kubesphere.io/hascrd"
APP_STORE_LABEL = "application.kubesphere.io/app-store"
CATEGORY_LABEL = "application.kubesphere.io/app-category-name"
RELEASE_NAME_LABEL = "application.kubesphere.io/app-release-name"
ORIGINAL_NAME = "application.kubesphere.io/app-originalName"
LATEST_VERSION = "application.kubesphere.io/latest-app-version"
MAINTAINERS = "application.kubesphere.io/app-maintainers"
WORKSPACE_LABEL = "kubesphere.io/workspace"
NAMESPACE_LABEL = "kubesphere.io/namespace"
CLUSTER_LABEL = "kubesphere.io/cluster"
ALIAS = "kubesphere.io/alias-name"
DESCRIPTION = "kubesphere.io/description"
CREATOR = "kubesphere.io/creator"

UPLOAD_REPO = "upload"
UNCATEGORIZED = "kubesphere-app-uncategorized"
SYSTEM_WORKSPACE = "system-workspace"
PACKAGE_NAMESPACE = "extension-openpitrix"   # where packages live without S3 (a ConfigMap each)
PACKAGE_KEY = "BinaryKey"
VERSION_FINALIZER = "application.kubesphere.io/cleanup"
CATEGORY_FINALIZER = "categories.application.kubesphere.io"
RELEASE_FINALIZER = "helmrelease.application.kubesphere.io"
RELEASE_WEBHOOK = "applicationrelease.extensions.kubesphere.io"


def _required(review, kind, paths):
    obj = review.obj
    missing = []
    for path in paths:
        node = obj
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            missing.append((path, None, "Required value", "FieldValueRequired"))
    if missing:
        raise errors.invalid(kind, obj["metadata"].get("name", ""), missing)


@admission(GROUP, "repos")
def repo_schema(review):
    if review.op in ("CREATE", "UPDATE"):
        _required(review, REPO, ["spec.url", "spec.syncPeriod"])


@admission(GROUP, "applicationversions")
def version_schema(review):
    if review.op in ("CREATE", "UPDATE"):
        _required(review, APPLICATION_VERSION, ["spec.versionName"])


@admission(GROUP, "applicationreleases")
def release_checks(review):
    """The CRD schema, then ks-controller-manager's webhook: only an active version is deployed."""
    if review.op not in ("CREATE", "UPDATE"):
        return
    _required(review, APPLICATION_RELEASE, ["spec.appID", "spec.appVersionID"])
    version_id = review.obj["spec"]["appVersionID"]
    version = review.api.store.get(review.cluster, APPLICATION_VERSION, version_id)
    if version is None:
        raise errors.webhook_denied(RELEASE_WEBHOOK, errors.not_found(APPLICATION_VERSION, version_id,
                                                                      by_kind=True).message)
    state = (version.get("status") or {}).get("state", "")
    if state != "active":
        raise errors.webhook_denied(RELEASE_WEBHOOK, f"invalid application version: {version_id}, state: {state}, "
                                                     f"for release: {review.obj['metadata'].get('name', '')}")
