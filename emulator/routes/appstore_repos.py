"""App Store repositories (pkg/kapis/application/v2/handler_repo.go), recorded in appstore.json:

* a repo belongs to the workspace its kubesphere.io/workspace label names, taken from the body,
  never from the path (a body without it saves the label empty); lists under a workspace show
  that workspace's and system-workspace's repos, the list outside any workspace the unlabelled ones;
* create and PATCH fetch <url>/index.yaml first (500 with Helm's text when that fails);
  ?validate=true stops there with {"ok": true};
* spec.credential of the body is only used for that fetch: what is kept comes from user:password@
  in the URL, which stays in spec.url too; the body's other metadata is dropped;
* POST .../action asks the controller to sync now (status.state manualTrigger);
* reads go through the informer cache, so a PATCH right after a write may meet a stale
  resourceVersion: the conflict comes back as 500 text, like every other failure but NotFound."""

from .. import errors
from ..appstore import index
from ..appstore.kapis import SUCCESS, body, internal, routes, typed
from ..context import text_error
from ..kinds.application import ALIAS, REPO, SYSTEM_WORKSPACE, UPLOAD_REPO, WORKSPACE_LABEL
from ..kinds.events import EVENT
from ..objects import clone
from .query import list_result
from .router import kapi


def _register(method, templates):
    def add(handler):
        for template in templates:
            kapi(method, template)(handler)
        return handler
    return add


@_register("GET", routes("/repos", workspace=True))
def list_repos(ctx):
    allowed = (SYSTEM_WORKSPACE, ctx.params.get("workspace", ""))
    repos = [r for r in ctx.view().list(REPO) if (r["metadata"].get("labels") or {}).get(WORKSPACE_LABEL, "") in allowed]
    return list_result(repos, ctx.req.query, render=typed)


@_register("GET", routes("/repos/{repo}", workspace=True))
def describe_repo(ctx):
    repo = ctx.view().get(REPO, ctx.params["repo"])
    if repo is None:
        raise ctx.lister_not_found(REPO, ctx.params["repo"])
    return typed(repo)


@_register("POST", routes("/repos", workspace=True))
@_register("PATCH", routes("/repos/{repo}", workspace=True))
def create_or_update_repo(ctx):
    request = body(ctx)
    metadata = request.get("metadata") if isinstance(request.get("metadata"), dict) else {}
    spec = request.get("spec") if isinstance(request.get("spec"), dict) else {}
    name = metadata.get("name") or ""
    if name == UPLOAD_REPO:
        raise text_error(400, f"repo name {UPLOAD_REPO} is not allowed")
    repo_id = ctx.params.get("repo") or name
    url = spec.get("url") or ""
    _clean, username, password = index.split_credentials(url)
    credential = spec.get("credential") if isinstance(spec.get("credential"), dict) else {}
    try:
        index.load_index(url, username or credential.get("username", ""), password or credential.get("password", ""))
    except index.IndexFetchError as exc:
        raise text_error(500, str(exc)) from None
    if ctx.arg("validate"):
        return {"ok": True}
    current = ctx.view().get(REPO, repo_id)
    if "repo" in ctx.params and current is None:
        raise text_error(500, ctx.lister_not_found(REPO, repo_id).message)
    if "repo" not in ctx.params and current is not None:
        raise text_error(409, f"Repo {repo_id} already exists")
    repo = clone(current) if current else {"metadata": {"name": repo_id}}
    repo["spec"] = {"url": url, "credential": {k: v for k, v in (("username", username), ("password", password)) if v}}
    if spec.get("description"):
        repo["spec"]["description"] = str(spec["description"])[:512]
    if spec.get("syncPeriod") is not None:
        repo["spec"]["syncPeriod"] = spec["syncPeriod"]
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    repo["metadata"].setdefault("labels", {})[WORKSPACE_LABEL] = labels.get(WORKSPACE_LABEL, "")
    repo["metadata"].setdefault("annotations", {})[ALIAS] = annotations.get(ALIAS, "")
    try:
        if current is None:
            ctx.api.create(ctx.cluster, REPO, repo, user=ctx.user)
        else:
            ctx.api.update(ctx.cluster, REPO, repo, user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return {"repo_id": repo_id}


@_register("DELETE", routes("/repos/{repo}", workspace=True))
def delete_repo(ctx):
    try:
        ctx.api.delete(ctx.cluster, REPO, ctx.params["repo"], user=ctx.user)
    except errors.ApiError as exc:
        raise internal(exc) from None
    return SUCCESS


@_register("POST", routes("/repos/{repo}/action", workspace=True))
def sync_repo(ctx):
    repo = ctx.view().get(REPO, ctx.params["repo"])
    if repo is None:
        raise ctx.lister_not_found(REPO, ctx.params["repo"])
    status = dict(repo.get("status") or {}, state="manualTrigger")
    try:
        current = ctx.api.store.get(ctx.cluster, REPO, ctx.params["repo"])
        if current is None or current["metadata"]["resourceVersion"] != repo["metadata"]["resourceVersion"]:
            raise errors.conflict(REPO, ctx.params["repo"])
        ctx.api.update_status(ctx.cluster, REPO, ctx.params["repo"], "", status)
    except errors.ApiError as exc:
        raise text_error(500, exc.message) from None
    return SUCCESS


@_register("GET", routes("/repos/{repo}/events", workspace=True))
def repo_events(ctx):
    events = [e for e in ctx.view().list(EVENT) if (e.get("involvedObject") or {}).get("name") == ctx.params["repo"]]
    return list_result(events, ctx.req.query, render=typed)
