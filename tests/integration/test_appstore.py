"""Issue 26: the App Store as code. ks_app_repo, ks_app and ks_app_release (and ks_info's App Store
kinds) through real ansible-playbook runs against the emulator: each module's create, again
(changed=0), update, --check (zero writes), --diff and absent; a repo served from a local index.yaml
synced into apps; an uploaded chart taken through the review to active; a YAML app deployed into a
project and upgraded; a Helm chart deployed with values compared as data.

Written ahead of the modules (phase 1 of the issue: the emulator and the recorded facts,
docs/appstore-facts.md); the playbooks are tests/integration/playbooks/appstore_*.yml.j2 until then,
because ansible-lint resolves every module a .yml playbook names. Phase 2 renames them to .yml (the
helper below takes either) and removes the skip."""

import base64
import json
import os

import pytest
import yaml

from emulator.chart_repo import ChartRepo, build_chart
import real_server
from ks_ansible import PLAYBOOKS, ROOT, Ansible, write_guard
from ks_ansible import unique as unique_name


APP = "/kapis/application.kubesphere.io/v2"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
JOB_MS = 200
PACKAGES_NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "extension-openpitrix"}}
MANIFESTS = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeter\ndata:\n  greeting: {greeting}\n"
             "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: greeter-token\nstringData:\n  token: {token}\n")


def unique(prefix):
    """A fresh name; KS_NAME_PREFIX marks the objects of one person's run on a shared real server."""
    return unique_name(os.environ.get("KS_NAME_PREFIX", "") + prefix)


def book(name):
    """appstore_<name>.yml once the modules exist, the .yml.j2 written ahead until then."""
    ready = PLAYBOOKS / f"appstore_{name}.yml"
    return ready if ready.exists() else PLAYBOOKS / f"appstore_{name}.yml.j2"


@pytest.fixture
def emu(fresh_emulator):
    if real_server.enabled():
        return fresh_emulator()         # a real server keeps its own pace and runs its own Jobs
    return fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10, extension_job_ms=JOB_MS)


@pytest.fixture
def runner(emu, tmp_path):
    return Ansible(emu, tmp_path)


@pytest.fixture
def charts():
    with ChartRepo() as repo:
        repo.publish("team", [("hello", "0.1.0"), ("hello", "0.2.0"), ("world", "1.0.0")])
        yield repo


def call(emu, method, path, body=None):
    status, answer = emu.call(method, path, body, token=emu.login())
    return status, answer


def tenant(emu, packages_namespace=True):
    """A workspace and its project; the namespace the App Store extension would make, unless told not to."""
    ws, project = unique("ws"), unique("proj")
    assert call(emu, "POST", f"{TENANT}/workspacetemplates", {
        "metadata": {"name": ws}, "spec": {"template": {"spec": {"manager": "admin"}},
                                           "placement": {"clusters": [{"name": "host"}]}}})[0] == 200
    assert call(emu, "POST", f"{TENANT}/workspaces/{ws}/namespaces", {
        "metadata": {"name": project, "labels": {"kubesphere.io/managed": "true"}}})[0] == 200
    if packages_namespace:
        call(emu, "POST", "/api/v1/namespaces", PACKAGES_NAMESPACE)
    return ws, project


def writes(emu, marker="application.kubesphere.io"):
    return {k: v for k, v in emu.counters()["requests"].items()
            if k.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE") and marker in k}


# ---- ks_app_repo ---------------------------------------------------------------------------------

def test_repo_lifecycle_sync_check_and_diff(runner, emu, charts):
    ws, _project = tenant(emu)
    repo = unique("charts")
    extra = {"ws": ws, "repo": repo, "url": charts.url("team")}

    with write_guard(emu):          # check mode on an empty server: the prediction, nothing written
        run = runner.playbook(book("repo"), "--tags", "create", extra_vars=extra, check=True, diff=True).assert_ok()
    predicted = run.result("Create")
    assert predicted["changed"] is True
    assert predicted["repo"]["spec"]["url"] == charts.url("team")
    assert "Chart-Secret-1" not in run.output

    emu.reset_counters()
    run = runner.playbook(book("repo"), "--tags", "create", extra_vars=extra, diff=True).assert_ok()
    created = run.result("Create")
    assert created["changed"] is True and run.result("Create again")["changed"] is False
    assert created["repo"]["metadata"]["labels"]["kubesphere.io/workspace"] == ws
    assert created["repo"]["spec"]["syncPeriod"] == 0
    assert "Chart-Secret-1" not in run.output and "Chart-Secret-1" not in json.dumps(run.records)
    assert writes(emu) == {f"POST {APP}/workspaces/{ws}/repos": 1}
    status, stored = call(emu, "GET", f"{APP}/workspaces/{ws}/repos/{repo}")
    assert stored["spec"]["credential"] == {"username": "chart-reader", "password": "Chart-Secret-1"}
    assert call(emu, "GET", f"{APP}/workspaces/{ws}/apps/{repo}-hello")[0] == 404     # period 0: not synced yet

    run = runner.playbook(book("repo"), "--tags", "sync", extra_vars=extra).assert_ok()
    assert run.result("Sync now")["changed"] is True
    assert run.result("Sync again")["changed"] is False
    assert run.result("Sync now")["repo"]["status"]["state"] == "successful"
    status, apps = call(emu, "GET", f"{APP}/workspaces/{ws}/apps")
    assert {f"{repo}-hello", f"{repo}-world"} <= {a["metadata"]["name"] for a in apps["items"]}
    status, versions = call(emu, "GET", f"{APP}/workspaces/{ws}/apps/{repo}-hello/versions")
    assert sorted(v["spec"]["versionName"] for v in versions["items"]) == ["0.1.0", "0.2.0"]

    with write_guard(emu):
        run = runner.playbook(book("repo"), "--tags", "update", extra_vars=extra, check=True, diff=True).assert_ok()
    predicted = run.result("Update")
    assert predicted["changed"] is True
    assert predicted["diff"]["before"]["spec"]["syncPeriod"] == 0
    assert predicted["diff"]["after"]["spec"]["syncPeriod"] == 3600
    assert "Chart-Secret" not in run.output                      # a changed password shows only masked

    emu.reset_counters()
    run = runner.playbook(book("repo"), "--tags", "update", extra_vars=extra, diff=True).assert_ok()
    assert run.result("Update")["changed"] is True and run.result("Update again")["changed"] is False
    assert writes(emu) == {f"PATCH {APP}/workspaces/{ws}/repos/{repo}": 1}
    status, stored = call(emu, "GET", f"{APP}/workspaces/{ws}/repos/{repo}")
    assert stored["spec"]["credential"]["password"] == "Chart-Secret-2"
    assert stored["spec"]["description"] == "charts of the team, synced hourly"

    with write_guard(emu):
        run = runner.playbook(book("repo"), "--tags", "absent", extra_vars=extra, check=True, diff=True).assert_ok()
    assert run.result("Remove")["changed"] is True and run.result("Remove")["diff"]["after"] == {}   # as every module says a deletion
    run = runner.playbook(book("repo"), "--tags", "absent", extra_vars=extra).assert_ok()
    assert run.result("Remove")["changed"] is True and run.result("Remove again")["changed"] is False
    assert call(emu, "GET", f"{APP}/repos/{repo}")[0] == 404


# ---- ks_app ------------------------------------------------------------------------------------

def test_uploaded_app_through_review_to_active(runner, emu, tmp_path):
    ws, _project = tenant(emu)
    app, category = unique("hello"), unique("cat")
    assert call(emu, "POST", f"{APP}/categories", {"metadata": {"name": category}, "spec": {}})[0] == 200
    chart_v1, chart_v2 = tmp_path / "hello-1.0.0.tgz", tmp_path / "hello-1.1.0.tgz"
    chart_v1.write_bytes(build_chart("hello", "1.0.0"))
    chart_v2.write_bytes(build_chart("hello", "1.1.0"))
    extra = {"ws": ws, "app": app, "chart_v1": str(chart_v1), "chart_v2": str(chart_v2), "category": category}

    with write_guard(emu):
        run = runner.playbook(book("app"), "--tags", "upload", extra_vars=extra, check=True, diff=True).assert_ok()
    assert run.result("Upload as a draft")["changed"] is True

    run = runner.playbook(book("app"), "--tags", "upload,submit", extra_vars=extra, diff=True).assert_ok()
    uploaded = run.result("Upload as a draft")
    assert uploaded["changed"] is True and run.result("Upload again")["changed"] is False
    assert uploaded["app"]["status"]["state"] == "draft"
    assert uploaded["app"]["metadata"]["labels"]["application.kubesphere.io/app-category-name"] == category
    assert [v["name"] for v in uploaded["versions"]] == [f"{app}-1.0.0"]
    assert run.result("Submit for review")["changed"] is True and run.result("Submit again")["changed"] is False
    status, version = call(emu, "GET", f"{APP}/workspaces/{ws}/apps/{app}/versions/{app}-1.0.0")
    assert version["status"]["state"] == "submitted" and version["status"]["message"] == "please review"

    with write_guard(emu):
        run = runner.playbook(book("app"), "--tags", "activate", extra_vars=extra, check=True, diff=True).assert_ok()
    predicted = run.result("Release to the store")
    assert predicted["changed"] is True and predicted["diff"]["after"]["state"] == "active"

    emu.reset_counters()
    run = runner.playbook(book("app"), "--tags", "activate,version", extra_vars=extra).assert_ok()
    assert run.result("Release to the store")["changed"] is True and run.result("Release again")["changed"] is False
    actions = writes(emu, "/action")
    assert actions[f"POST {APP}/apps/{app}/action"] == 1                     # never under /workspaces
    status, found = call(emu, "GET", f"{APP}/workspaces/{ws}/apps/{app}")
    assert found["status"]["state"] == "active"
    assert found["metadata"]["labels"]["application.kubesphere.io/app-store"] == "true"
    assert run.result("A second version, straight to the store")["changed"] is True
    assert run.result("The second version again")["changed"] is False
    status, versions = call(emu, "GET", f"{APP}/workspaces/{ws}/apps/{app}/versions")
    assert {v["metadata"]["name"]: v["status"]["state"] for v in versions["items"]} == {
        f"{app}-1.0.0": "active", f"{app}-1.1.0": "active"}

    run = runner.playbook(book("app"), "--tags", "suspend", extra_vars=extra, diff=True).assert_ok()
    assert run.result("Suspend")["changed"] is True and run.result("Suspend again")["changed"] is False
    assert call(emu, "GET", f"{APP}/apps/{app}")[1]["status"]["state"] == "suspended"

    with write_guard(emu):
        run = runner.playbook(book("app"), "--tags", "absent", extra_vars=extra, check=True).assert_ok()
    assert run.result("Remove")["changed"] is True
    run = runner.playbook(book("app"), "--tags", "absent", extra_vars=extra).assert_ok()
    assert run.result("Remove")["changed"] is True and run.result("Remove again")["changed"] is False
    assert call(emu, "GET", f"{APP}/apps/{app}")[0] == 404


# ---- ks_app_release ------------------------------------------------------------------------------

def test_yaml_app_deployed_and_upgraded(runner, emu, charts, tmp_path):
    ws, project = tenant(emu)
    app, release, repo, helm_release = unique("greeter"), unique("rel"), unique("team"), unique("unused")
    v1, v2 = tmp_path / "greeter-v1.yaml", tmp_path / "greeter-v2.yaml"
    v1.write_text(MANIFESTS.format(greeting="hello", token="t1"))
    v2.write_text(MANIFESTS.format(greeting="hello again", token="t2"))
    extra = {"ws": ws, "project": project, "app": app, "manifests_v1": str(v1), "manifests_v2": str(v2),
             "release": release, "repo": repo, "url": charts.url("team"), "helm_release": helm_release}
    runner.playbook(book("release"), "--tags", "setup", extra_vars=extra).assert_ok()

    with write_guard(emu):
        run = runner.playbook(book("release"), "--tags", "deploy", extra_vars=extra, check=True, diff=True).assert_ok()
    assert run.result("Deploy v1")["changed"] is True
    assert "dDE=" not in run.output and "t1" not in json.dumps(run.result("Deploy v1").get("diff"))

    run = runner.playbook(book("release"), "--tags", "deploy", extra_vars=extra, diff=True).assert_ok()
    deployed = run.result("Deploy v1")
    assert deployed["changed"] is True
    assert deployed["release"]["status"]["state"] == "active"
    labels = deployed["release"]["metadata"]["labels"]
    assert labels["kubesphere.io/namespace"] == project and labels["kubesphere.io/cluster"] == "host"
    assert labels["application.kubesphere.io/app-id"] == app
    assert run.result("Deploy v1 again")["changed"] is False
    assert run.result("Deploy v1 again, its manifests given as data in another order")["changed"] is False
    status, configmap = call(emu, "GET", f"/api/v1/namespaces/{project}/configmaps/greeter")
    assert configmap["data"] == {"greeting": "hello"}
    status, stored = call(emu, "GET", f"{APP}/namespaces/{project}/applications/{release}")
    documents = list(yaml.safe_load_all(base64.b64decode(stored["spec"]["values"])))
    assert {d["metadata"]["namespace"] for d in documents} == {project}   # the module puts them in the project

    with write_guard(emu):
        run = runner.playbook(book("release"), "--tags", "upgrade", extra_vars=extra, check=True, diff=True).assert_ok()
    assert run.result("Upgrade to v2")["changed"] is True
    emu.reset_counters()
    run = runner.playbook(book("release"), "--tags", "upgrade", extra_vars=extra, diff=True).assert_ok()
    assert run.result("Upgrade to v2")["changed"] is True and run.result("Upgrade again")["changed"] is False
    assert writes(emu) == {f"POST {APP}/namespaces/{project}/applications/{release}": 1}
    assert call(emu, "GET", f"/api/v1/namespaces/{project}/configmaps/greeter")[1]["data"] == {
        "greeting": "hello again"}

    with write_guard(emu):
        run = runner.playbook(book("release"), "--tags", "absent", extra_vars=extra, check=True).assert_ok()
    # In check mode nothing was deleted, so the second removal predicts the same deletion.
    assert run.changed_tasks() == ["Remove both", "Remove both again"]
    run = runner.playbook(book("release"), "--tags", "absent", extra_vars=extra).assert_ok()
    assert run.changed_tasks() == ["Remove both"]
    assert call(emu, "GET", f"{APP}/namespaces/{project}/applications/{release}")[0] == 404
    assert call(emu, "GET", f"/api/v1/namespaces/{project}/configmaps/greeter")[0] == 404


def test_a_helm_chart_deployed_with_values_compared_as_data(runner, emu, charts):
    if real_server.enabled():
        real_server.needs_emulator("Helm executor Jobs whose pods run; the real kit runs no pods")
    ws, project = tenant(emu)
    repo, helm_release = unique("team"), unique("helm")
    extra = {"ws": ws, "project": project, "app": unique("unused"), "release": unique("unused"), "repo": repo,
             "url": charts.url("team"), "helm_release": helm_release}
    run = runner.playbook(book("release"), "--tags", "helm", extra_vars=extra, diff=True).assert_ok()
    helm = run.result("Deploy the Helm chart with values")
    assert helm["changed"] is True and helm["release"]["status"]["state"] == "active"
    assert helm["release"]["status"]["message"] == "Install complete"
    assert run.result("Deploy the Helm chart again, the same values as YAML text")["changed"] is False
    upgraded = run.result("Upgrade the Helm chart")
    assert upgraded["changed"] is True and upgraded["release"]["status"]["message"] == "Upgrade succeeful"

    run = runner.playbook(book("release"), "--tags", "absent", extra_vars=extra).assert_ok()
    assert run.changed_tasks() == ["Remove both"]
    assert call(emu, "GET", f"{APP}/namespaces/{project}/applications/{helm_release}")[0] == 404


def test_a_failed_helm_install_reports_the_executor(runner, emu, charts):
    if real_server.enabled():
        real_server.needs_emulator("a Helm executor Job made to fail (emulator.kubesphere.io/helm-job-fails)")
    ws, project = tenant(emu)
    repo, release = unique("team"), unique("bad")
    runner.adhoc("kubesphere.core.ks_app_repo",
                 f"name={repo} workspace={ws} url={charts.url('team')} sync=true wait=true").assert_ok()
    status, answer = emu.call("PATCH", f"/apis/application.kubesphere.io/v2/applicationversions/{repo}-hello-0.2.0",
                              {"metadata": {"annotations": {"emulator.kubesphere.io/helm-job-fails": "true"}}},
                              token=emu.login(), headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, answer
    run = runner.adhoc("kubesphere.core.ks_app_release",
                       f"name={release} workspace={ws} project={project} app={repo}-hello version=0.2.0 "
                       "wait=true wait_timeout=30")
    assert run.rc != 0
    assert "deployFailed" in run.output and "helm-install-" in run.output and "has failed 1 times" in run.output


# ---- failures and ks_info ------------------------------------------------------------------------

def test_failures_are_clear(runner, emu, charts, tmp_path):
    ws, project = tenant(emu, packages_namespace=False)
    other_ws, _other = tenant(emu, packages_namespace=False)
    taken, draft = unique("taken"), unique("draft")
    assert call(emu, "POST", f"{APP}/workspaces/{other_ws}/repos", {
        "metadata": {"name": taken, "labels": {"kubesphere.io/workspace": other_ws}},
        "spec": {"url": charts.url("team"), "syncPeriod": 0}})[0] == 200
    chart = tmp_path / "nowhere.tgz"
    chart.write_bytes(build_chart("nowhere", "1.0.0"))
    extra = {"ws": ws, "project": project, "chart": str(chart), "taken_repo": taken, "url": charts.url("team"),
             "yaml_app": draft}

    # Without the namespace the App Store extension makes, an upload is refused before anything is
    # written (the server would leave a half-made app behind), in check mode too. A shared real server
    # that has the namespace (the extension is installed) cannot show it: that part is left out there.
    if call(emu, "GET", "/api/v1/namespaces/extension-openpitrix")[0] == 404 or not real_server.enabled():
        with write_guard(emu):
            predicted = runner.playbook(book("failures"), "--tags", "no_namespace", extra_vars=extra, check=True)
        assert "extension-openpitrix" in predicted.result("Upload without the packages namespace")["msg"]
        run = runner.playbook(book("failures"), "--tags", "no_namespace", extra_vars=extra)
        missing = run.result("Upload without the packages namespace")
        assert "extension-openpitrix" in missing["msg"] and missing.get("changed") is False
        assert call(emu, "GET", f"{APP}/apps/nowhere")[0] == 404
        call(emu, "POST", "/api/v1/namespaces", PACKAGES_NAMESPACE)

    assert call(emu, "POST", f"{APP}/workspaces/{ws}/apps", {
        "repoName": "upload", "appName": draft, "versionName": "v1", "workspace": ws, "appType": "yaml",
        "package": base64.b64encode(MANIFESTS.format(greeting="hi", token="t").encode()).decode()})[0] == 200
    with write_guard(emu):              # every failure below is predicted in check mode, nothing sent
        predicted = runner.playbook(book("failures"), "--tags", "others", extra_vars=extra, check=True)
    run = runner.playbook(book("failures"), "--tags", "others", extra_vars=extra)
    for result in (predicted, run):
        assert "connection refused" in result.result("A repo whose index cannot be fetched")["msg"]
        assert other_ws in result.result("A repo name another workspace has")["msg"]
        assert "upload" in result.result("A repo named upload")["msg"]
        assert "draft" in result.result("A release of a version that is still a draft")["msg"]
        assert "version" in result.result("A YAML app without a version")["msg"]
        assert "no-such-category" in result.result("A category that does not exist")["msg"]
    assert all(not r["result"].get("changed") for r in run.records)


def test_info_kinds(runner, emu, charts, tmp_path):
    ws, project = tenant(emu)
    repo, app, release = unique("team"), unique("greeter"), unique("rel")
    manifests = tmp_path / "greeter.yaml"
    manifests.write_text(MANIFESTS.format(greeting="hi", token="t"))
    extra = {"ws": ws, "project": project, "app": app, "manifests_v1": str(manifests), "manifests_v2": str(manifests),
             "release": release, "repo": repo, "url": charts.url("team"), "helm_release": unique("unused")}
    runner.playbook(book("release"), "--tags", "setup,deploy", extra_vars=extra).assert_ok()
    runner.playbook(book("repo"), "--tags", "sync", extra_vars=extra).assert_ok()
    with write_guard(emu):
        run = runner.playbook(book("info"), extra_vars=extra).assert_ok()

    def names(task):
        return sorted(item["metadata"]["name"] for item in run.result(task)["resources"])
    assert repo in names("Repos of the workspace")
    assert repo in names("Every repo")      # the kapis list without a workspace would not hold it
    assert "Chart-Secret" not in json.dumps(run.result("Every repo"))
    one, = run.result("One repo")["resources"]
    assert "Chart-Secret" not in json.dumps(one)
    assert {app, f"{repo}-hello", f"{repo}-world"} <= set(names("Apps of the workspace"))
    assert names("Apps of the repo") == [f"{repo}-hello", f"{repo}-world"]
    assert names("Versions of the app") == [f"{app}-v1", f"{app}-v2"]
    assert names("Releases of the project") == [release]
    rel, = run.result("One release")["resources"]
    assert "dDE=" not in json.dumps(rel)                          # a YAML app's Secret data stays hidden
    assert "kubesphere-app-uncategorized" in names("Categories")
    assert run.result("Versions without an app")["msg"] == "kind=app_version needs app"


# ---- the example playbook ------------------------------------------------------------------------

def test_the_example_runs_as_written_and_converges(runner, emu, charts):
    if real_server.enabled():
        real_server.needs_emulator("fixed names (store-demo) and a Helm release, whose executor needs pods")
    call(emu, "POST", "/api/v1/namespaces", PACKAGES_NAMESPACE)
    example = ROOT / "playbooks" / "examples" / "app_store.yml"
    extra = {"chart_repo_url": charts.url("team")}
    first = runner.playbook(example, extra_vars=extra).assert_ok()
    assert len(first.changed_tasks()) == 6
    assert first.result("The hello chart of the repository, with values")["release"]["status"]["state"] == "active"
    assert runner.playbook(example, extra_vars=extra).assert_ok().changed_tasks() == []


# ---- repos as tenancy: ks_tenancy items, the export, the tenant role -------------------------------

def test_repos_in_the_tenancy_exported_and_applied_back(runner, emu, charts, tmp_path):
    ws, repo, out = unique("ws"), unique("charts"), tmp_path / "team.yml"
    extra = {"ws": ws, "repo": repo, "url": charts.url("team"), "out": str(out), "other_ws": unique("other")}
    tenancy = book("tenancy")

    with write_guard(emu):          # the whole plan, nothing written
        run = runner.playbook(tenancy, "--tags", "declare", extra_vars=extra, check=True, diff=True).assert_ok()
    planned = run.result("Declare")
    assert planned["plan"]["counts"]["create"] == 2
    assert {"kind": "app_repo", "name": repo, "cluster": None, "workspace": ws, "action": "created",
            "changed": True} in [dict((k, r[k]) for k in r if k != "diff") for r in planned["results"]]
    assert "Chart-Secret-1" not in run.output

    emu.reset_counters()
    run = runner.playbook(tenancy, "--tags", "declare", extra_vars=extra).assert_ok()
    assert run.result("Declare")["changed"] is True and run.result("Declare again")["changed"] is False
    assert run.result("Declare again")["summary"]["app_repos"]["unchanged"] == 1
    assert writes(emu) == {f"POST {APP}/workspaces/{ws}/repos": 1, f"POST {APP}/workspaces/{ws}/repos/{repo}/action": 1}
    stored = call(emu, "GET", f"{APP}/repos/{repo}")[1]
    assert stored["spec"]["credential"] == {"username": "chart-reader", "password": "Chart-Secret-1"}
    assert stored["status"]["state"] == "successful"          # synced, and waited for
    assert "Chart-Secret-1" not in run.output

    run = runner.playbook(tenancy, "--tags", "export", extra_vars=extra).assert_ok()
    text = out.read_text()
    assert "Chart-Secret" not in text
    exported = yaml.safe_load(text)["ks_app_repos"]
    assert exported == [{"name": repo, "workspace": ws, "url": charts.url("team"), "username": "chart-reader",
                         "alias_name": "Team charts", "sync_period": 0}]
    assert f"app repo {repo}: its password is not exported" in run.output

    with write_guard(emu):          # applied back: nothing to do
        run = runner.playbook(tenancy, "--tags", "apply", extra_vars=extra, check=True).assert_ok()
    assert run.result("Report what changed")["msg"] == []
    edited = text.replace("alias_name: Team charts", "alias_name: The team's charts")
    out.write_text(edited)
    emu.reset_counters()
    run = runner.playbook(tenancy, "--tags", "apply", extra_vars=extra).assert_ok()
    assert run.result("Report what changed")["msg"] == [f"update app_repo {repo}"]
    assert writes(emu) == {f"PATCH {APP}/workspaces/{ws}/repos/{repo}": 1}
    stored = call(emu, "GET", f"{APP}/repos/{repo}")[1]
    assert stored["metadata"]["annotations"]["kubesphere.io/alias-name"] == "The team's charts"
    assert stored["spec"]["credential"]["password"] == "Chart-Secret-1"     # the stored password kept

    with write_guard(emu):          # for real, not in check mode: refused before any write
        own = runner.playbook(tenancy, "--tags", "kubesphere_own", extra_vars=extra)
    touched = own.result("Touch KubeSphere's own")
    assert "workspace system-workspace is protected" in touched["msg"] and touched["changed"] is False
    assert [(r["name"], r["action"]) for r in touched["results"]] == [("system-workspace", "failed"),
                                                                      (f"{repo}-sys", "skipped")]
    upload = own.result("Take the name KubeSphere keeps for uploads")
    assert "nothing was sent" in upload["msg"] and "upload is kept by KubeSphere for uploaded apps" in upload["msg"]

    with write_guard(emu):
        refused = runner.playbook(tenancy, "--tags", "prune", extra_vars=extra)
        stolen = runner.playbook(tenancy, "--tags", "steal", extra_vars=extra, check=True)
    assert refused.rc != 0 and "prune names app_repos, which cannot be pruned" in refused.output
    with write_guard(emu):          # its workspace holds the repo: kept, as one holding a project would be
        run = runner.playbook(tenancy, "--tags", "prune_workspaces", extra_vars=extra, check=True).assert_ok()
    assert run.result("Prune workspaces")["plan"]["deleted"] == []
    assert f"workspace {ws} is not declared but is kept: app_repo {repo} still refers to it" in run.output
    assert stolen.rc != 0 and f"app repo {repo} belongs to workspace {ws}, not to workspace" in stolen.output

    with write_guard(emu):
        run = runner.playbook(tenancy, "--tags", "absent", extra_vars=extra, check=True, diff=True).assert_ok()
    assert run.result("Remove")["plan"]["deleted"] == [f"app_repo {repo}"]
    run = runner.playbook(tenancy, "--tags", "absent", extra_vars=extra).assert_ok()
    assert run.result("Remove")["changed"] is True and run.result("Remove again")["changed"] is False
    assert call(emu, "GET", f"{APP}/repos/{repo}")[0] == 404
