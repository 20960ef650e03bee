"""The repo controller (pkg/controller/application/helm_repo_controller.go), as appstore.json shows it:

* a new repo gets status created; a repo whose workspace is gone or being deleted is deleted;
* it syncs when asked (manualTrigger), while a sync is unfinished (syncing), or when syncPeriod > 0
  and the last successful sync is older than that; syncPeriod 0 never syncs on its own;
* a sync fetches the index (a failure leaves the state syncing and is retried), deletes the apps
  and versions the index no longer has, and writes one Application per chart, named
  <repo>-<short chart name>, owned by the repo and active at once, with a version per chart version
  (<app>-<version>, active, pullUrl resolved against the repo URL; unchanged digests are skipped);
  then the state is successful and a Synced event is recorded;
* what a cluster's garbage collector does is done here too: the apps of a deleted repo go."""

import uuid

from .. import errors
from ..appstore import index
from ..appstore.catalog import AppRequest, create_or_update_app
from ..appstore.names import format_version, short_name
from ..kinds.application import (APP_ID_LABEL, APPLICATION, APPLICATION_VERSION, GROUP, REPO, REPO_LABEL,
                                 SYSTEM_WORKSPACE, WORKSPACE_LABEL)
from ..kinds.events import EVENT
from ..kinds.tenant import WORKSPACE_TEMPLATE
from ..objects import is_deleting
from ..timeutil import now, parse_rfc3339, rfc3339
from .runtime import controller

RETRY_SECONDS = 1.0


@controller(GROUP, "repos")
def reconcile_repo(ctx, ref):
    repo = ctx.store.get(ctx.host, REPO, ref.name)
    if repo is None:
        _collect_apps(ctx, ref.name)
        return None
    if is_deleting(repo):
        return None
    status = repo.get("status") or {}
    if not status.get("state"):
        return _set_state(ctx, repo, "created")
    workspace = (repo["metadata"].get("labels") or {}).get(WORKSPACE_LABEL, "")
    if workspace and workspace != SYSTEM_WORKSPACE:      # always there on a real server, not seeded here
        template = ctx.store.get(ctx.host, WORKSPACE_TEMPLATE, workspace)
        if template is None or is_deleting(template):
            _delete(ctx, REPO, ref.name)
            return None
    period = (repo.get("spec") or {}).get("syncPeriod") or 0
    if status["state"] not in ("manualTrigger", "syncing"):
        if not period:
            return None
        elapsed = now() - (parse_rfc3339(status.get("lastUpdateTime")) or 0)
        if status["state"] == "successful" and elapsed < period:
            return period - elapsed
    _set_state(ctx, repo, "syncing")
    return _sync(ctx, ctx.store.get(ctx.host, REPO, ref.name), period)


def _set_state(ctx, repo, state):
    status = dict(repo.get("status") or {}, state=state, lastUpdateTime=rfc3339())
    try:
        ctx.api.update_status(ctx.host, REPO, repo["metadata"]["name"], "", status)
    except errors.ApiError:
        pass
    return None


def _delete(ctx, kind, name):
    try:
        ctx.api.delete(ctx.host, kind, name, admit=False)
    except errors.ApiError:
        pass


def _sync(ctx, repo, period):
    if repo is None:
        return None
    name, spec = repo["metadata"]["name"], repo.get("spec") or {}
    credential = spec.get("credential") or {}
    try:
        charts = index.load_index(spec.get("url", ""), credential.get("username", ""), credential.get("password", ""))
    except index.IndexFetchError:
        return RETRY_SECONDS                 # the state stays syncing; the real controller backs off too
    wanted_apps = {f"{name}-{short_name(chart)}" for chart in charts}
    for app in ctx.store.list(ctx.host, APPLICATION, labels={REPO_LABEL: name}):
        if app["metadata"]["name"] not in wanted_apps:
            _delete(ctx, APPLICATION, app["metadata"]["name"])
    owner = {"apiVersion": REPO.api_version(), "kind": REPO.kind, "name": name, "uid": repo["metadata"]["uid"]}
    for chart, versions in charts.items():
        requests = _requests(ctx, repo, chart, _newest_first(versions))
        if requests:
            create_or_update_app(ctx.api, ctx.host, requests, owner=owner)
    _set_state(ctx, ctx.store.get(ctx.host, REPO, name) or repo, "successful")
    _record_synced(ctx, ctx.store.get(ctx.host, REPO, name) or repo)
    return period or None


def _newest_first(versions):
    """One entry per version (the newest created wins), newest first."""
    by_version = {}
    for entry in versions:
        kept = by_version.get(entry["version"])
        if kept is None or str(entry.get("created", "")) > str(kept.get("created", "")):
            by_version[entry["version"]] = entry
    return sorted(by_version.values(), key=lambda e: str(e.get("created", "")), reverse=True)


def _requests(ctx, repo, chart, versions):
    name = repo["metadata"]["name"]
    app_id = f"{name}-{short_name(chart)}"
    wanted = {f"{app_id}-{format_version(v['version'])}" for v in versions}
    digests = {}
    for version in ctx.store.list(ctx.host, APPLICATION_VERSION, labels={REPO_LABEL: name, APP_ID_LABEL: app_id}):
        if version["metadata"]["name"] in wanted:
            digests[version["metadata"]["name"]] = (version.get("spec") or {}).get("digest", "")
        else:
            _delete(ctx, APPLICATION_VERSION, version["metadata"]["name"])
    requests = [_request(repo, chart, v) for v in versions
                if digests.get(f"{app_id}-{format_version(v['version'])}") != v.get("digest", "")]
    if not requests and versions and ctx.store.get(ctx.host, APPLICATION, app_id) is None:
        requests = [_request(repo, chart, versions[0])]
    return requests


def _request(repo, chart, entry):
    name, spec = repo["metadata"]["name"], repo.get("spec") or {}
    url = (entry.get("urls") or [""])[0]
    if not url.startswith(("https://", "http://", "s3://", "oci://")):
        url = spec.get("url", "").rstrip("/") + "/" + url
    maintainers = [{k: v for k, v in (("name", m.get("name")), ("email", m.get("email")), ("url", m.get("url")))
                    if v} for m in entry.get("maintainers") or [] if isinstance(m, dict)]
    return AppRequest(repo_name=name, version_name=entry["version"], app_name=f"{name}-{short_name(chart)}",
                      alias_name=chart, original_name=chart, app_home=entry.get("home") or "",
                      icon=entry.get("icon") or "", digest=entry.get("digest") or "",
                      description=entry.get("description") or "", abstraction=entry.get("description") or "",
                      maintainers=maintainers, app_type="helm", pull_url=url, from_repo=True,
                      workspace=(repo["metadata"].get("labels") or {}).get(WORKSPACE_LABEL, ""))


def _record_synced(ctx, repo):
    name, stamp = repo["metadata"]["name"], rfc3339()
    event = {"metadata": {"name": f"{name}.{uuid.uuid4().hex[:16]}", "namespace": "default"},
             "involvedObject": {"kind": REPO.kind, "name": name, "uid": repo["metadata"]["uid"],
                                "apiVersion": REPO.api_version(),
                                "resourceVersion": repo["metadata"].get("resourceVersion", "")},
             "reason": "Synced", "message": f"HelmRepo {name} synced successfully",
             "source": {"component": "helmrepo-controller"}, "firstTimestamp": stamp, "lastTimestamp": stamp,
             "count": 1, "type": "Normal", "eventTime": None, "reportingComponent": "helmrepo-controller",
             "reportingInstance": ""}
    try:
        ctx.api.create(ctx.host, EVENT, event, admit=False)
    except errors.ApiError:
        pass


def _collect_apps(ctx, repo_name):
    """The garbage collector's part: apps owned by a repo that is gone."""
    for app in ctx.store.list(ctx.host, APPLICATION, labels={REPO_LABEL: repo_name}):
        owners = app["metadata"].get("ownerReferences") or []
        if any(o.get("kind") == REPO.kind and o.get("name") == repo_name for o in owners):
            _delete(ctx, APPLICATION, app["metadata"]["name"])


@controller("tenant.kubesphere.io", "workspacetemplates", name="appstore_repos_of_workspace")
def remove_repos_of_workspace(ctx, ref):
    """A workspace that is gone or being deleted takes its repos with it."""
    template = ctx.store.get(ctx.host, WORKSPACE_TEMPLATE, ref.name)
    if template is not None and not is_deleting(template):
        return None
    for repo in ctx.store.list(ctx.host, REPO, labels={WORKSPACE_LABEL: ref.name}):
        _delete(ctx, REPO, repo["metadata"]["name"])
    return None
