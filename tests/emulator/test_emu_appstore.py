"""The App Store in the emulator (application.kubesphere.io/v2), as a real v4.1.3 answered it in
appstore.json: repos and their sync from a chart repository on loopback, uploads and the
missing extension-openpitrix, the review, categories, YAML and Helm releases. Helm executor Jobs
stay pending here (extension_job_ms is ten minutes) until a test marks them finished."""

import base64
import json

import pytest

from emu_helpers import Client, unique, wait_for
from emulator.chart_repo import ChartRepo, build_chart

APP = "/kapis/application.kubesphere.io/v2"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
B64 = base64.b64encode


@pytest.fixture(scope="module")
def emu():
    from emulator.testing import EmulatorProcess
    with EmulatorProcess(bcrypt_cost=4, controller_delay_ms=5, informer_lag_ms=5,
                         extension_job_ms=600000) as process:
        yield process


@pytest.fixture(scope="module")
def api(emu):
    return Client(emu.url, emu.login())


@pytest.fixture(scope="module")
def charts():
    with ChartRepo() as repo:
        yield repo


@pytest.fixture(scope="module")
def tenant(api):
    """A workspace with a project, and the packages namespace (the App Store extension's)."""
    ws, proj = unique("ws"), unique("proj")
    assert api.post(f"{TENANT}/workspacetemplates", json={
        "metadata": {"name": ws}, "spec": {"template": {"spec": {"manager": "admin"}},
                                           "placement": {"clusters": [{"name": "host"}]}}}).status_code == 200
    assert api.post(f"{TENANT}/workspaces/{ws}/namespaces", json={
        "metadata": {"name": proj, "labels": {"kubesphere.io/managed": "true"}}}).status_code == 200
    api.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": "extension-openpitrix"}})
    return ws, proj


def get(api, path):
    answer = api.get(path)
    return answer.json() if answer.status_code == 200 else None


def state(api, path, key="state"):
    return ((get(api, path) or {}).get("status") or {}).get(key)


def repo_body(name, url, workspace, sync_period=0, **spec):
    return {"metadata": {"name": name, "labels": {"kubesphere.io/workspace": workspace}},
            "spec": dict({"url": url, "syncPeriod": sync_period}, **spec)}


def upload(api, ws, app, version, package, app_type="helm", path=None):
    body = {"repoName": "upload", "appName": app, "versionName": version, "workspace": ws,
            "appType": app_type, "package": B64(package).decode()}
    return api.post(path or f"{APP}/workspaces/{ws}/apps", json=body)


def _ok(answer):
    if answer.status_code == 500 and "has been modified" in answer.text:
        return None
    assert answer.status_code == 200, answer.text
    return answer


def review_to_active(api, ws, app, version):
    wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{app}/versions/{version}"))   # the informer cache
    for step in ("submitted", "passed", "active"):
        assert api.post(f"{APP}/workspaces/{ws}/apps/{app}/versions/{version}/action",
                        json={"state": step}).status_code == 200
        wait_for(lambda s=step: state(api, f"{APP}/workspaces/{ws}/apps/{app}/versions/{version}") == s)


# ---- repos -------------------------------------------------------------------------------------

def test_repo_needs_its_index_and_keeps_only_url_credentials(api, charts, tenant):
    ws, _proj = tenant
    charts.publish("plain", [("hello", "0.1.0")])
    repos = f"{APP}/workspaces/{ws}/repos"
    missing = api.post(repos, json=repo_body("r-missing", charts.url("nothing"), ws))
    assert missing.status_code == 500
    assert missing.text == f"failed to fetch {charts.url('nothing')}/index.yaml : 404 File not found\n"
    refused = api.post(repos, json=repo_body("r-refused", "http://127.0.0.1:9/charts", ws))
    assert refused.text == ('Get "http://127.0.0.1:9/charts/index.yaml": dial tcp 127.0.0.1:9: '
                            'connect: connection refused\n')
    assert api.post(repos, json=repo_body("upload", charts.url("plain"), ws)).status_code == 400
    no_period = repo_body("r-noperiod", charts.url("plain"), ws)
    del no_period["spec"]["syncPeriod"]
    assert api.post(repos, json=no_period).text == (
        'Repo.application.kubesphere.io "r-noperiod" is invalid: spec.syncPeriod: Required value\n')
    assert api.post(f"{repos}?validate=true", json=repo_body("r-v", charts.url("plain"), ws)).json() == {"ok": True}
    assert api.get(f"{repos}/r-v").status_code == 404

    name = unique("r")
    created = api.post(repos, json=repo_body(name, charts.url("plain"), ws,
                                             credential={"username": "u", "password": "p"}))
    assert created.json() == {"repo_id": name}
    repo = wait_for(lambda: (get(api, f"{repos}/{name}") or {}).get("status", {}).get("state") == "created"
                    and get(api, f"{repos}/{name}"))
    assert repo["spec"]["credential"] == {} and repo["metadata"]["labels"] == {"kubesphere.io/workspace": ws}
    assert api.post(repos, json=repo_body(name, charts.url("plain"), ws)).text == f"Repo {name} already exists\n"
    with_user = charts.url("plain").replace("http://", "http://who:secret@")
    # the repo controller may still be syncing it: an update from the cache's older copy is the 500, retried
    wait_for(lambda: _ok(api.patch(f"{repos}/{name}", repo_body(name, with_user, ws), content_type="application/json")))
    repo = wait_for(lambda: (get(api, f"{repos}/{name}") or {}).get("spec", {}).get("credential") and
                    get(api, f"{repos}/{name}"))
    assert repo["spec"] == {"url": with_user, "credential": {"username": "who", "password": "secret"},
                            "syncPeriod": 0}
    gone = api.patch(f"{repos}/nope", repo_body("nope", charts.url("plain"), ws), content_type="application/json")
    assert (gone.status_code, gone.text) == (500, 'Repo.application.kubesphere.io "nope" not found\n')
    listed = api.get(repos).json()
    assert name in [r["metadata"]["name"] for r in listed["items"]] and listed["totalItems"] >= 1
    assert name not in [r["metadata"]["name"] for r in api.get(f"{APP}/repos").json()["items"]]


def test_sync_turns_charts_into_active_apps_only_when_asked(api, charts, tenant):
    ws, _proj = tenant
    charts.publish("sync", [("hello", "0.1.0"), ("hello", "0.2.0"), ("world", "1.0.0")])
    name = unique("rs")
    repos = f"{APP}/workspaces/{ws}/repos"
    assert api.post(repos, json=repo_body(name, charts.url("sync"), ws)).ok
    wait_for(lambda: state(api, f"{repos}/{name}") == "created")
    assert get(api, f"{APP}/workspaces/{ws}/apps/{name}-hello") is None       # syncPeriod 0: never on its own
    assert api.post(f"{repos}/{name}/action", json={}).json() == {"message": "success"}
    wait_for(lambda: state(api, f"{repos}/{name}") == "successful", message="sync")
    app = get(api, f"{APP}/workspaces/{ws}/apps/{name}-hello")
    assert app["status"]["state"] == "active"
    assert app["metadata"]["labels"]["application.kubesphere.io/repo-name"] == name
    assert app["metadata"]["labels"]["kubesphere.io/workspace"] == ws
    assert app["metadata"]["annotations"]["application.kubesphere.io/latest-app-version"] == "0.2.0"
    assert app["metadata"]["ownerReferences"][0]["kind"] == "Repo"
    versions = api.get(f"{APP}/workspaces/{ws}/apps/{name}-hello/versions").json()["items"]
    assert sorted(v["metadata"]["name"] for v in versions) == [f"{name}-hello-0.1.0", f"{name}-hello-0.2.0"]
    assert {v["status"]["state"] for v in versions} == {"active"}
    assert versions[0]["spec"]["pullUrl"].startswith(charts.url("sync") + "/hello-")
    events = api.get(f"{repos}/{name}/events").json()["items"]
    assert events[0]["reason"] == "Synced" and events[0]["message"] == f"HelmRepo {name} synced successfully"
    assert get(api, f"{APP}/categories/kubesphere-app-uncategorized") is not None

    charts.publish("sync", [("hello", "0.1.0"), ("hello", "0.3.0")])
    api.post(f"{repos}/{name}/action", json={})
    wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{name}-world") is None, message="world removed")
    wait_for(lambda: sorted(v["metadata"]["name"] for v in api.get(
        f"{APP}/workspaces/{ws}/apps/{name}-hello/versions").json()["items"]) == [
        f"{name}-hello-0.1.0", f"{name}-hello-0.3.0"], message="versions follow the index")

    charts.drop_index("sync")
    api.post(f"{repos}/{name}/action", json={})
    wait_for(lambda: state(api, f"{repos}/{name}") == "syncing")
    charts.publish("sync", [("hello", "0.1.0")])
    wait_for(lambda: state(api, f"{repos}/{name}") == "successful", timeout=10, message="retried sync")

    assert api.delete(f"{repos}/{name}").json() == {"message": "success"}
    wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{name}-hello") is None, message="owned apps collected")
    wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{name}-hello/versions/{name}-hello-0.1.0") is None)
    again = api.delete(f"{repos}/{name}")
    assert (again.status_code, again.text) == (404, f'repos.application.kubesphere.io "{name}" not found\n')


def test_a_repo_with_a_period_syncs_on_its_own_and_goes_with_its_workspace(api, charts):
    charts.publish("period", [("hello", "0.1.0")])
    ws = unique("wsr")
    api.post(f"{TENANT}/workspacetemplates", json={"metadata": {"name": ws}, "spec": {
        "template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    name = unique("rp")
    assert api.post(f"{APP}/workspaces/{ws}/repos", json=repo_body(name, charts.url("period"), ws, 3600)).ok
    wait_for(lambda: state(api, f"{APP}/repos/{name}") == "successful", message="sync by period")
    api.request("DELETE", f"{TENANT}/workspacetemplates/{ws}", json={})
    wait_for(lambda: api.get(f"{APP}/repos/{name}").status_code == 404, timeout=10, message="repo removed")


# ---- uploads and review --------------------------------------------------------------------------

def test_upload_without_the_packages_namespace_leaves_a_draft_app(fresh_emulator):
    emu = fresh_emulator(controller_delay_ms=5, informer_lag_ms=5)
    api = Client(emu.url, emu.login())
    chart = build_chart("lonely", "1.0.0")
    failed = upload(api, "system-workspace", "lonely", "1.0.0", chart)
    assert (failed.status_code, failed.text) == (404, 'namespaces "extension-openpitrix" not found\n')
    wait_for(lambda: state(api, f"{APP}/apps/lonely") == "draft", message="draft app")      # the controller sets it
    assert get(api, f"{APP}/apps/lonely/versions/lonely-1.0.0")["status"] == {}
    assert upload(api, "system-workspace", "lonely", "1.0.0", chart).text == "Application lonely already exists\n"
    assert api.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": "extension-openpitrix"}}).status_code == 201
    fixed = upload(api, "system-workspace", "lonely", "1.0.0", chart, path=f"{APP}/apps/lonely")
    assert fixed.json()["versionName"] == "1.0.0"
    wait_for(lambda: state(api, f"{APP}/apps/lonely/versions/lonely-1.0.0") == "draft")
    package = api.get(f"{APP}/apps/lonely/versions/lonely-1.0.0/package").json()
    assert base64.b64decode(package["package"]) == chart


def test_upload_reads_the_chart_and_keeps_a_version_immutable(api, tenant):
    ws, _proj = tenant
    app = unique("up")
    first = build_chart("upchart", "1.0.0")
    validated = api.post(f"{APP}/workspaces/{ws}/apps?validate=true", json={
        "repoName": "upload", "workspace": ws, "appType": "helm", "package": B64(first).decode()}).json()
    assert validated["appName"].startswith("upchart-") and validated["versionName"] == "1.0.0"
    assert validated["resources"] is None
    answer = upload(api, ws, app, "", first).json()
    assert answer == {"icon": "", "appName": app, "versionName": "1.0.0", "appHome": "https://example.invalid/upchart",
                      "description": "A tiny test chart", "aliasName": "upchart", "resources": None}
    stored = wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{app}"))
    assert stored["metadata"]["labels"]["application.kubesphere.io/repo-name"] == "upload"
    assert stored["metadata"]["labels"]["application.kubesphere.io/app-category-name"] == "kubesphere-app-uncategorized"
    too_big = upload(api, ws, unique("big"), "1.0.0", bytes(1048577))
    assert (too_big.status_code, too_big.text) == (400, "System has no OSS store, the maximum file size is 1048576\n")
    junk = upload(api, ws, unique("junk"), "1.0.0", b"not a chart")
    assert (junk.status_code, junk.text) == (500, "gzip: invalid header\n")
    versions = f"{APP}/workspaces/{ws}/apps/{app}/versions"
    second = build_chart("upchart", "1.1.0")
    body = {"repoName": "upload", "versionName": "1.1.0", "appType": "helm", "package": B64(second).decode()}
    assert api.post(versions, json=body).ok
    wait_for(lambda: get(api, f"{versions}/{app}-1.1.0"))
    assert api.post(versions, json=body).text == f"ApplicationVersion {app}-1.1.0 already exists\n"
    other = dict(body, package=B64(build_chart("upchart", "1.1.0", description="other")).decode())
    assert api.post(f"{versions}/{app}-1.1.0", json=other).ok
    kept = api.get(f"{versions}/{app}-1.1.0/package").json()["package"]
    assert base64.b64decode(kept) == second                     # the store keeps the first upload
    files = api.get(f"{versions}/{app}-1.1.0/files").json()
    assert sorted(files) == ["Chart.yaml", "templates/configmap.yaml", "values.yaml"]
    assert wait_for(lambda: (get(api, f"{APP}/workspaces/{ws}/apps/{app}")["metadata"]["annotations"]
                             .get("application.kubesphere.io/latest-app-version") == "1.1.0"))


def test_multipart_upload_is_read_like_the_json_one(api, tenant):
    ws, _proj = tenant
    app = unique("mp")
    data = {"repoName": "upload", "appName": app, "workspace": ws, "appType": "helm"}
    answer = api.post(f"{APP}/workspaces/{ws}/apps", data={"jsonData": json.dumps(data)},
                      files={"file": ("c.tgz", build_chart("mpchart", "2.0.0"))})
    assert answer.status_code == 200 and answer.json()["versionName"] == "2.0.0"
    with_package = api.post(f"{APP}/workspaces/{ws}/apps", data={"jsonData": json.dumps(dict(data, package="eA=="))},
                            files={"file": ("c.tgz", b"x")})
    assert with_package.status_code == 500 and "the package field does not need" in with_package.text


def test_review_states_and_the_app_actions_checks(api, tenant):
    ws, _proj = tenant
    app = unique("rv")
    assert upload(api, ws, app, "1.0.0", build_chart("rv", "1.0.0")).ok
    wait_for(lambda: state(api, f"{APP}/workspaces/{ws}/apps/{app}/versions/{app}-1.0.0") == "draft")
    act = f"{APP}/apps/{app}/action"
    version = f"{APP}/workspaces/{ws}/apps/{app}/versions/{app}-1.0.0"
    assert api.post(act, json={"state": "active"}).text == f"app {app} has no active or passed appversion\n"
    assert api.post(f"{APP}/workspaces/{ws}/apps/{app}/action", json={"state": "active"}).text == (
        "no matches for application.kubesphere.io/v2, Resource=apps\n")
    assert api.post(f"{version}/action", json={"state": "submitted", "message": "please"}).ok
    wait_for(lambda: state(api, version) == "submitted")
    reviews = api.get(f"{APP}/reviews", params={"conditions": "status=submitted"}).json()["items"]
    assert f"{app}-1.0.0" in [v["metadata"]["name"] for v in reviews]
    assert api.post(f"{version}/action", json={"state": "passed"}).ok
    wait_for(lambda: state(api, version) == "passed")
    assert api.post(act, json={"state": "suspended"}).text == f"app {app} is not in active status\n"
    assert api.post(act, json={"state": "active"}).json() == {"message": "success"}
    found = wait_for(lambda: state(api, f"{APP}/apps/{app}") == "active" and get(api, f"{APP}/apps/{app}"))
    assert found["metadata"]["labels"]["application.kubesphere.io/app-store"] == "true"
    assert state(api, version) == "passed" and get(api, version)["status"]["message"] == "please"
    assert api.post(act, json={"state": "active"}).text == f"app {app} is not in draft or suspended status\n"
    assert api.post(f"{version}/action", json={"state": "active"}).ok
    wait_for(lambda: state(api, version) == "active")
    assert api.post(act, json={"state": "suspended"}).ok
    wait_for(lambda: state(api, version) == "suspended")
    assert get(api, version)["status"]["userName"] == "admin"
    assert api.post(act, json={"state": "active"}).text == f"app {app} has no active or passed appversion\n"
    assert api.post(f"{version}/action", json={"state": "active"}).ok
    wait_for(lambda: state(api, version) == "active")
    assert api.post(act, json={"state": "active"}).ok
    wait_for(lambda: state(api, f"{APP}/apps/{app}") == "active")
    assert api.post(f"{version}/action", json={"state": "suspended"}).ok      # its only active version
    wait_for(lambda: state(api, f"{APP}/apps/{app}") == "draft", message="app drafted")
    assert api.post(f"{version}/action", json={"state": "made-up"}).ok        # no check on versions
    wait_for(lambda: state(api, version) == "made-up")
    missing = api.post(f"{APP}/apps/nope/action", json={"state": "active"})
    assert (missing.status_code, missing.text) == (404, 'Application.application.kubesphere.io "nope" not found\n')


def test_categories_count_uploaded_apps(api, tenant):
    ws, _proj = tenant
    name, app = unique("cat"), unique("ca")
    body = {"metadata": {"name": name, "annotations": {"kubesphere.io/alias-name": "Cat"}}, "spec": {"icon": "db"}}
    created = api.post(f"{APP}/categories", json=body).json()
    assert "kind" not in created and created["status"] == {"total": 0}
    wait_for(lambda: get(api, f"{APP}/categories/{name}"))       # reads go through the informer cache
    assert api.post(f"{APP}/categories", json=body).text == f"Category {name} already exists\n"
    # the category controller may still be counting: an update from the cache's older copy is the 500, retried
    updated = wait_for(lambda: _ok(api.post(f"{APP}/categories/{name}",
                                            json={"metadata": {"name": name}, "spec": {}}))).json()
    assert updated["kind"] == "Category" and updated["metadata"]["annotations"]["kubesphere.io/alias-name"] == ""
    assert api.delete(f"{APP}/categories/kubesphere-app-uncategorized").status_code == 400
    assert upload(api, ws, app, "1.0.0", build_chart("ca", "1.0.0")).ok
    wait_for(lambda: get(api, f"{APP}/workspaces/{ws}/apps/{app}"))
    # A write right after another may meet the informer cache's older copy: 500 "has been modified", retried.
    patched = wait_for(lambda: _ok(api.patch(f"{APP}/workspaces/{ws}/apps/{app}",
                                             {"categoryName": name, "aliasName": "A"},
                                             content_type="application/json"))).json()
    assert patched["metadata"]["annotations"]["kubesphere.io/description"] == ""
    wait_for(lambda: state(api, f"{APP}/categories/{name}", "total") == 1, message="counted")
    refused = api.delete(f"{APP}/categories/{name}")
    assert (refused.status_code, refused.text) == (500, f"can not delete helm category: {name} which owns applications\n")
    wait_for(lambda: _ok(api.patch(f"{APP}/workspaces/{ws}/apps/{app}", {"categoryName": "kubesphere-app-uncategorized"},
                                   content_type="application/json")))
    wait_for(lambda: state(api, f"{APP}/categories/{name}", "total") == 0, message="uncounted")
    assert api.delete(f"{APP}/categories/{name}").ok
    wait_for(lambda: api.get(f"{APP}/categories/{name}").status_code == 404, message="category gone")


# ---- releases ------------------------------------------------------------------------------------

YAML_APP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {cm}\ndata:\n  greeting: {greeting}\n")


def release_body(name, app, version, values, app_type, ws, proj, labels=None):
    base = {"kubesphere.io/namespace": proj, "kubesphere.io/workspace": ws, "kubesphere.io/cluster": "host",
            "application.kubesphere.io/app-id": app}
    return {"metadata": {"name": name, "labels": base if labels is None else labels},
            "spec": {"appID": app, "appVersionID": version, "appType": app_type, "values": B64(values.encode()).decode()}}


def test_yaml_release_applies_its_objects_and_follows_upgrades(api, tenant):
    ws, proj = tenant
    app, cm, rel = unique("ya"), unique("cm"), unique("rel")
    assert upload(api, ws, app, "v1", YAML_APP.format(cm=cm, greeting="hi").encode(), "yaml").ok
    wait_for(lambda: state(api, f"{APP}/workspaces/{ws}/apps/{app}/versions/{app}-v1") == "draft")
    releases = f"{APP}/namespaces/{proj}/applications"
    in_ns = YAML_APP.format(cm=cm, greeting="hi").replace("metadata:\n", f"metadata:\n  namespace: {proj}\n")
    draft = api.post(releases, json=release_body(rel, app, f"{app}-v1", in_ns, "yaml", ws, proj))
    assert draft.status_code == 500 and "state: draft" in draft.text
    review_to_active(api, ws, app, f"{app}-v1")
    unlabelled = api.post(releases, json=release_body(rel, app, f"{app}-v1", in_ns, "yaml", ws, proj,
                                                      labels={"kubesphere.io/namespace": proj}))
    assert (unlabelled.status_code, unlabelled.text) == (400, "must set application.kubesphere.io/app-id\n")
    outside = api.post(releases, json=release_body(rel, app, f"{app}-v1", YAML_APP.format(cm=cm, greeting="x"),
                                                   "yaml", ws, proj))
    assert outside.text == "subresource must have same namespace with app release\n"
    assert api.post(releases, json=release_body(rel, app, f"{app}-v1", in_ns, "yaml", ws, proj)).json() == {
        "message": "success"}
    shown = wait_for(lambda: state(api, f"{releases}/{rel}") == "active" and get(api, f"{releases}/{rel}"))
    assert shown["status"]["message"] == "Deploying"
    assert shown["metadata"]["annotations"]["kubesphere.io/creator"] == "admin"
    assert shown["status"]["realTimeResources"][0]["data"] == {"greeting": "hi"}
    assert get(api, f"/api/v1/namespaces/{proj}/configmaps/{cm}")["data"] == {"greeting": "hi"}
    assert api.post(releases, json=release_body(rel, app, f"{app}-v1", in_ns, "yaml", ws, proj)).status_code == 409
    assert rel in [r["metadata"]["name"] for r in api.get(f"{APP}/workspaces/{ws}/applications").json()["items"]]

    v2 = YAML_APP.format(cm=cm, greeting="bye")
    assert api.post(f"{APP}/workspaces/{ws}/apps/{app}/versions", json={
        "repoName": "upload", "versionName": "v2", "appType": "yaml", "package": B64(v2.encode()).decode()}).ok
    review_to_active(api, ws, app, f"{app}-v2")
    upgraded = v2.replace("metadata:\n", f"metadata:\n  namespace: {proj}\n")
    assert api.post(f"{releases}/{rel}", json=release_body(rel, app, f"{app}-v2", upgraded, "yaml", ws, proj)).ok
    wait_for(lambda: (get(api, f"/api/v1/namespaces/{proj}/configmaps/{cm}") or {}).get("data") == {"greeting": "bye"},
             message="upgrade applied")
    assert get(api, f"{releases}/{rel}")["metadata"]["labels"]["application.kubesphere.io/appversion-id"] == f"{app}-v2"
    assert api.delete(f"{releases}/{rel}").ok
    wait_for(lambda: api.get(f"{releases}/{rel}").status_code == 404, message="release gone")
    assert api.get(f"/api/v1/namespaces/{proj}/configmaps/{cm}").status_code == 404
    again = api.delete(f"{releases}/{rel}")
    assert again.text == f'applicationreleases.application.kubesphere.io "{rel}" not found\n'


def _mark(api, proj, job, ok):
    path = f"/apis/batch/v1/namespaces/{proj}/jobs/{job}"
    current = api.get(path).json()
    current["status"] = {"succeeded": 1} if ok else {"failed": 1}
    assert api.put(path + "/status", json=current).status_code == 200


def test_helm_release_waits_for_its_executor_job(api, charts, tenant):
    ws, proj = tenant
    charts.publish("helm", [("hello", "0.1.0"), ("hello", "0.2.0")])
    repo = unique("rh")
    api.post(f"{APP}/workspaces/{ws}/repos", json=repo_body(repo, charts.url("helm"), ws))
    wait_for(lambda: state(api, f"{APP}/repos/{repo}") == "created")
    api.post(f"{APP}/repos/{repo}/action", json={})
    wait_for(lambda: state(api, f"{APP}/repos/{repo}") == "successful")
    app, releases, rel = f"{repo}-hello", f"{APP}/namespaces/{proj}/applications", unique("hr")
    assert api.post(releases, json=release_body(rel, app, f"{app}-0.1.0", "message: hi\n", "helm", ws, proj)).ok
    created = wait_for(lambda: state(api, f"{releases}/{rel}") == "created" and get(api, f"{releases}/{rel}"))
    job = created["status"]["installJobName"]
    assert job.startswith(f"helm-install-{rel}-") and created["status"]["message"] == "Deploying"
    listed = api.get(f"/apis/batch/v1/namespaces/{proj}/jobs").json()["items"]
    assert [j["metadata"]["labels"]["application.kubesphere.io/app-release-name"] for j in listed
            if j["metadata"]["name"] == job] == [rel]
    _mark(api, proj, job, ok=True)
    active = wait_for(lambda: state(api, f"{releases}/{rel}") == "active" and get(api, f"{releases}/{rel}"))
    assert active["status"]["message"] == "Install complete"
    secrets = api.get(f"/api/v1/namespaces/{proj}/secrets", params={"labelSelector": "owner=helm"}).json()["items"]
    assert [s["metadata"]["name"] for s in secrets if s["metadata"]["labels"]["name"] == rel] == [
        f"sh.helm.release.v1.{rel}.v1"]

    upgrade = release_body(rel, app, f"{app}-0.2.0", "message: bye\n", "helm", ws, proj)
    assert api.post(f"{releases}/{rel}", json=upgrade).ok
    upgraded = wait_for(lambda: state(api, f"{releases}/{rel}") == "upgraded" and get(api, f"{releases}/{rel}"))
    assert upgraded["status"]["installJobName"] != job
    _mark(api, proj, upgraded["status"]["installJobName"], ok=True)
    wait_for(lambda: (get(api, f"{releases}/{rel}") or {}).get("status", {}).get("message") == "Upgrade succeeful")

    failing = unique("hf")
    assert api.post(releases, json=release_body(failing, app, f"{app}-0.1.0", "", "helm", ws, proj)).ok
    job = wait_for(lambda: state(api, f"{releases}/{failing}", "installJobName"))
    _mark(api, proj, job, ok=False)
    failed = wait_for(lambda: state(api, f"{releases}/{failing}") == "deployFailed" and get(api, f"{releases}/{failing}"))
    assert failed["status"]["message"] == f"deploy failed, job {job} has failed 1 times "
    assert api.delete(f"{releases}/{failing}").ok
    wait_for(lambda: api.get(f"{releases}/{failing}").status_code == 404, message="failed release gone at once")

    assert api.delete(f"{releases}/{rel}").ok
    uninstall = wait_for(lambda: state(api, f"{releases}/{rel}", "uninstallJobName"))
    assert state(api, f"{releases}/{rel}") == "deleting"
    _mark(api, proj, uninstall, ok=True)
    wait_for(lambda: api.get(f"{releases}/{rel}").status_code == 404, message="release uninstalled")
    assert not [s for s in api.get(f"/api/v1/namespaces/{proj}/secrets").json()["items"]
                if s["metadata"].get("labels", {}).get("name") == rel]


def test_helm_jobs_finish_on_their_own_after_extension_job_ms(fresh_emulator, charts):
    emu = fresh_emulator(controller_delay_ms=5, informer_lag_ms=5, extension_job_ms=100)
    api = Client(emu.url, emu.login())
    charts.publish("auto", [("hello", "0.1.0")])
    api.post(f"{APP}/repos", json=repo_body("auto", charts.url("auto"), "system-workspace"))
    wait_for(lambda: state(api, f"{APP}/repos/auto") == "created")
    api.post(f"{APP}/repos/auto/action", json={})
    wait_for(lambda: state(api, f"{APP}/repos/auto") == "successful")
    releases = f"{APP}/namespaces/default/applications"
    body = release_body("auto-rel", "auto-hello", "auto-hello-0.1.0", "message: hi\n", "helm", "system-workspace",
                        "default")
    assert api.post(releases, json=body).ok
    wait_for(lambda: state(api, f"{releases}/auto-rel") == "active", message="job finished on its own")
    api.patch("/apis/application.kubesphere.io/v2/applicationversions/auto-hello-0.1.0",
              {"metadata": {"annotations": {"emulator.kubesphere.io/helm-job-fails": "true"}}})
    assert api.post(releases, json=dict(body, metadata=dict(body["metadata"], name="auto-bad"))).ok
    wait_for(lambda: state(api, f"{releases}/auto-bad") == "deployFailed", message="failing job")


def test_app_store_dry_runs_are_not_writes(emu, api, charts):
    charts.publish("dry", [("hello", "0.1.0")])
    emu.configure(forbid_writes=True)
    try:
        before = emu.counters()["writes"]
        answer = api.post(f"{APP}/repos?validate=true", json=repo_body("dry", charts.url("dry"), "system-workspace"))
        assert answer.json() == {"ok": True}
        refused = api.post(f"{APP}/repos", json=repo_body("dry", charts.url("dry"), "system-workspace"))
        assert refused.status_code == 500 and "forbid_writes" in refused.text
        assert emu.counters()["writes"] == before + 1
    finally:
        emu.configure(forbid_writes=False)
