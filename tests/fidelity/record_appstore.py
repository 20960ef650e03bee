"""Record the App Store (application.kubesphere.io/v2) against a real KubeSphere v4.1.3.

    .venv/bin/python tests/fidelity/record_appstore.py --host http://127.0.0.1:9090 \
        --out tests/fidelity/recordings/appstore.json

What it needs and does (all objects are named a26r-*; everything is deleted at the end):
* a chart repository served by emulator.chart_repo on 127.0.0.1:18726 (the real ks-apiserver and
  ks-controller-manager run on the same machine, so they reach it);
* the namespace extension-openpitrix must NOT exist at the start (the missing-namespace failure is
  recorded first, then the namespace is created through the API as a user would);
* a workspace a26r-ws and its project a26r-proj, made unrecorded before the first exchange;
* no pods run on the recording kit: what the Helm executor Jobs would do is done by hand (the Helm
  release Secret written as Helm writes it, the Job's status marked Complete or Failed), each step
  kept as a note entry.

The file format is the one of ../shared/ks-recordings/README.md ("File format").
"""

import argparse
import base64
import datetime
import gzip
import json
import sys
import time

import requests

from emulator.chart_repo import ChartRepo  # the installed kubesphere-emulator package

PORT = 18726
APP = "/kapis/application.kubesphere.io/v2"
WS, PROJ = "a26r-ws", "a26r-proj"
W = f"{APP}/workspaces/{WS}"
N = f"{APP}/namespaces/{PROJ}/applications"
BIG = "<base64 of 1048577 zero bytes>"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


class Recorder:
    def __init__(self, host):
        self.host = host.rstrip("/")
        self.http = requests.Session()
        self.entries = []
        answer = self.http.post(self.host + "/oauth/token", data={
            "grant_type": "password", "username": "admin", "password": "P@88w0rd",
            "client_id": "kubesphere", "client_secret": "kubesphere"})
        answer.raise_for_status()
        self.token = answer.json()["access_token"]

    def _send(self, method, path, body, content_type="application/json"):
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            headers["Content-Type"] = content_type
            data = json.dumps(body)
        return self.http.request(method, self.host + path, data=data, headers=headers)

    def x(self, name, method, path, body=None, note=None, shown_body=None):
        """One recorded exchange; returns (status, parsed body)."""
        at = _now()
        response = self._send(method, path, body)
        ctype = response.headers.get("Content-Type", "")
        try:
            parsed = response.json() if ctype.startswith("application/json") else response.text
        except ValueError:
            parsed = response.text
        headers = {"Authorization": "Bearer <token>"}
        if body is not None:
            headers = {"Content-Type": "application/json", **headers}
        entry = {"name": name, "at": at,
                 "request": {"method": method, "path": path, "headers": headers,
                             "body": shown_body if shown_body is not None else body},
                 "response": {"status": response.status_code, "content_type": ctype, "body": parsed}}
        if note:
            entry["note"] = note
        self.entries.append(entry)
        print(f"{response.status_code} {method} {path}  -- {name}", file=sys.stderr)
        return response.status_code, parsed

    def note(self, name, note):
        self.entries.append({"name": name, "at": _now(), "note": note})

    def call(self, method, path, body=None):
        """Unrecorded (setup, polling, steps done by hand)."""
        response = self._send(method, path, body)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def wait(self, what, check, timeout=30.0):
        start = time.monotonic()
        while True:
            if check():
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(0.1)

    def state(self, path, key="state"):
        status, body = self.call("GET", path)
        return ((body.get("status") or {}).get(key) if status == 200 else status)

    def save(self, path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.entries, handle, indent=1, ensure_ascii=False)
            handle.write("\n")


# ---- what the Helm executor Job's pod would have done ----------------------------------

def helm_release_secret(name, namespace, chart, version, revision, values, manifest, description):
    """The Secret Helm 3 stores a release in: data.release = base64(gzip(JSON release))."""
    stamp = _now()
    release = {"name": name, "namespace": namespace, "version": revision,
               "info": {"first_deployed": stamp, "last_deployed": stamp, "deleted": "",
                        "description": description, "status": "deployed"},
               "chart": {"metadata": {"name": chart, "version": version, "apiVersion": "v2",
                                      "appVersion": version},
                         "templates": [], "values": {"message": "hello"}, "files": []},
               "config": values, "manifest": manifest}
    encoded = base64.b64encode(gzip.compress(json.dumps(release).encode())).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{revision}", "namespace": namespace,
                         "labels": {"name": name, "owner": "helm", "status": "deployed",
                                    "version": str(revision)}},
            "data": {"release": b64(encoded)}}


def mark_job(rec, namespace, job, ok):
    """Finish a Job through its status subresource (the apiserver wants the companion conditions)."""
    _status, current = rec.call("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/{job}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = (current.get("status") or {}).get("startTime", stamp)
    if ok:
        conditions = [{"type": t, "status": "True", "reason": "CompletionsReached",
                       "message": "Reached expected number of succeeded pods",
                       "lastProbeTime": stamp, "lastTransitionTime": stamp}
                      for t in ("SuccessCriteriaMet", "Complete")]
        current["status"] = {"conditions": conditions, "succeeded": 1, "startTime": start,
                             "completionTime": stamp}
    else:
        conditions = [{"type": t, "status": "True", "reason": "BackoffLimitExceeded",
                       "message": "Job has reached the specified backoff limit",
                       "lastProbeTime": stamp, "lastTransitionTime": stamp}
                      for t in ("FailureTarget", "Failed")]
        current["status"] = {"conditions": conditions, "failed": 1, "startTime": start}
    status, body = rec.call("PUT", f"/apis/batch/v1/namespaces/{namespace}/jobs/{job}/status", current)
    if status != 200:
        raise SystemExit(f"marking job {job}: {status} {body}")


def hello_manifest(release, message):
    return (f"---\n# Source: a26r-hello/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\n"
            f"metadata:\n  name: {release}-cm\ndata:\n  message: \"{message}\"\n")


# ---- bodies ----------------------------------------------------------------------------

def repo_body(name, url, sync_period=0, description=None, alias=None, workspace=WS, credential=None):
    spec = {"url": url, "syncPeriod": sync_period}
    if description is not None:
        spec["description"] = description
    if credential:
        spec["credential"] = credential
    metadata = {"name": name, "labels": {"kubesphere.io/workspace": workspace}}
    if alias:
        metadata["annotations"] = {"kubesphere.io/alias-name": alias}
    return {"apiVersion": "application.kubesphere.io/v2", "kind": "HelmRepo", "metadata": metadata, "spec": spec}


def upload_body(app, version, package, app_type="helm", **extra):
    """What the console's create-app form posts (getCreateAppParams): the package base64 in JSON."""
    body = {"repoName": "upload", "appName": app, "originalName": app,
            "categoryName": "kubesphere-app-uncategorized", "versionName": version, "workspace": WS,
            "appType": app_type, "package": package}
    body.update(extra)
    return body


YAML_V1 = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a26r-yaml-cm\ndata:\n  greeting: hello\n"
           "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a26r-yaml-secret\nstringData:\n  token: t1\n")
YAML_V2 = YAML_V1.replace("greeting: hello", "greeting: hello v2").replace("token: t1", "token: t2")


def in_namespace(manifests, namespace=PROJ):
    """The same documents, each with metadata.namespace (the release check wants it)."""
    return manifests.replace("metadata:\n  name:", f"metadata:\n  namespace: {namespace}\n  name:")


def release_body(name, app, version, values, app_type, workspace=WS, namespace=PROJ, labels=None):
    base = {"kubesphere.io/namespace": namespace, "kubesphere.io/workspace": workspace,
            "kubesphere.io/cluster": "host", "application.kubesphere.io/app-id": app,
            "application.kubesphere.io/app-type": app_type}
    return {"apiVersion": "application.kubesphere.io/v2", "kind": "ApplicationRelease",
            "metadata": {"name": name, "labels": base if labels is None else labels,
                         "annotations": {"kubesphere.io/alias-name": name}},
            "spec": {"appID": app, "appVersionID": version, "appType": app_type, "values": b64(values)}}


# ---- the recording -----------------------------------------------------------------------

def setup(rec):
    status, _body = rec.call("GET", "/api/v1/namespaces/extension-openpitrix")
    if status != 404:
        raise SystemExit("extension-openpitrix exists: delete it first (the recording starts without it)")
    rec.call("POST", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", {
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
        "metadata": {"name": WS, "annotations": {"kubesphere.io/creator": "admin"}},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    rec.wait("workspace", lambda: rec.call("GET", f"/kapis/tenant.kubesphere.io/v1beta1/workspaces/{WS}")[0] == 200)
    rec.call("POST", f"/kapis/tenant.kubesphere.io/v1beta1/workspaces/{WS}/namespaces", {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": PROJ, "labels": {"kubesphere.io/workspace": WS, "kubesphere.io/managed": "true"},
                     "annotations": {"kubesphere.io/creator": "admin"}}})
    rec.note("setup", f"Unrecorded: workspace {WS} (manager admin, placed on host) and its project {PROJ} "
             "created through the tenant kapis. A chart repository served on http://127.0.0.1:18726 "
             "(emulator/chart_repo.py): /a26r-charts with a26r-hello 0.1.0 and 0.2.0 and a26r-world 1.0.0. "
             "The namespace extension-openpitrix did not exist.")


def record_repos(rec, charts):
    url = charts.url("a26r-charts")
    R = f"{W}/repos"
    rec.x("LIST repos of the workspace (none yet)", "GET", R)
    rec.x("GET repo a26r-repo (missing)", "GET", f"{R}/a26r-repo")
    rec.x("POST repo ?validate=true (index fetched, nothing saved)", "POST", f"{R}?validate=true",
          repo_body("a26r-repo", url))
    rec.x("POST repo whose URL has no index.yaml", "POST", R, repo_body("a26r-bad", charts.url("a26r-nothing")))
    rec.x("POST repo on a closed port", "POST", R, repo_body("a26r-bad", "http://127.0.0.1:9/charts"))
    rec.x("POST repo named upload (reserved)", "POST", R, repo_body("upload", url))
    body = repo_body("a26r-nosync", url)
    del body["spec"]["syncPeriod"]
    rec.x("POST repo without syncPeriod", "POST", R, body)
    rec.x("POST repo a26r-repo (syncPeriod 0, credential in spec only)", "POST", R,
          repo_body("a26r-repo", url, description="a26r test repo", alias="A26r Repo",
                    credential={"username": "spec-user", "password": "spec-pass"}))
    rec.x("GET repo a26r-repo right after the create", "GET", f"{R}/a26r-repo")
    rec.wait("repo created", lambda: rec.state(f"{R}/a26r-repo") == "created")
    rec.x("GET repo a26r-repo once the controller saw it", "GET", f"{R}/a26r-repo")
    rec.x("POST repo a26r-repo again", "POST", R, repo_body("a26r-repo", url))
    rec.x("LIST repos of the workspace", "GET", R)
    rec.x("LIST repos outside any workspace", "GET", f"{APP}/repos")
    time.sleep(2)
    rec.x("LIST apps of the workspace 2s later (syncPeriod 0: never synced)", "GET", f"{W}/apps")
    rec.x("POST action on repo a26r-repo (sync now)", "POST", f"{R}/a26r-repo/action", {})
    rec.x("GET repo a26r-repo right after the sync action", "GET", f"{R}/a26r-repo")
    took = rec.wait("sync", lambda: rec.state(f"{R}/a26r-repo") == "successful")
    rec.x("GET repo a26r-repo once synced", "GET", f"{R}/a26r-repo", note=f"synced {took:.2f} s after the action")
    rec.x("LIST apps of the workspace after the sync", "GET", f"{W}/apps")
    rec.x("LIST apps outside any workspace", "GET", f"{APP}/apps")
    rec.x("GET app a26r-repo-a26r-hello", "GET", f"{W}/apps/a26r-repo-a26r-hello")
    rec.x("LIST versions of a26r-repo-a26r-hello", "GET", f"{W}/apps/a26r-repo-a26r-hello/versions")
    rec.x("GET version a26r-repo-a26r-hello-0.1.0", "GET",
          f"{W}/apps/a26r-repo-a26r-hello/versions/a26r-repo-a26r-hello-0.1.0")
    rec.x("LIST categories after the sync (uncategorized made by the controller)", "GET", f"{APP}/categories")
    rec.x("LIST events of repo a26r-repo", "GET", f"{R}/a26r-repo/events")
    auth_url = url.replace("http://", "http://a26r-user:a26r-pass@")
    rec.x("PATCH repo a26r-repo (credentials in the URL, description, alias, syncPeriod 0)", "PATCH",
          f"{R}/a26r-repo", repo_body("a26r-repo", auth_url, description="changed", alias="A26r Repo 2"))
    rec.wait("patch seen", lambda: rec.state(f"{R}/a26r-repo", "lastUpdateTime") and
             rec.call("GET", f"{R}/a26r-repo")[1]["spec"].get("description") == "changed")
    rec.x("GET repo a26r-repo after the PATCH", "GET", f"{R}/a26r-repo")
    rec.x("PATCH repo a26r-repo without the workspace label", "PATCH", f"{R}/a26r-repo",
          {"metadata": {"name": "a26r-repo"}, "spec": {"url": url, "syncPeriod": 0}})
    rec.wait("label gone", lambda: rec.call("GET", f"{R}/a26r-repo")[1]["metadata"]["labels"].get(
        "kubesphere.io/workspace") == "")
    rec.x("GET repo a26r-repo after the PATCH without label", "GET", f"{R}/a26r-repo")
    rec.x("LIST repos of the workspace after the PATCH without label", "GET", R)
    rec.x("PATCH repo a26r-repo back (label, description, no credentials)", "PATCH", f"{R}/a26r-repo",
          repo_body("a26r-repo", url, description="a26r test repo", alias="A26r Repo"))
    rec.wait("label back", lambda: rec.call("GET", f"{R}/a26r-repo")[1]["metadata"]["labels"].get(
        "kubesphere.io/workspace") == WS)
    rec.x("PATCH repo a26r-missing", "PATCH", f"{R}/a26r-missing", repo_body("a26r-missing", url))
    rec.x("POST action on repo a26r-missing", "POST", f"{R}/a26r-missing/action", {})

    charts.publish("a26r-charts", [("a26r-hello", "0.1.0"), ("a26r-hello", "0.2.0"), ("a26r-hello", "0.3.0")])
    rec.note("index changed", "Unrecorded: the served index now has a26r-hello 0.1.0, 0.2.0 and 0.3.0 and no a26r-world.")
    rec.x("POST action on repo a26r-repo (index changed)", "POST", f"{R}/a26r-repo/action", {})
    rec.wait("resync", lambda: rec.state(f"{R}/a26r-repo") == "successful"
             and rec.call("GET", f"{W}/apps/a26r-repo-a26r-world")[0] == 404)
    rec.x("GET app a26r-repo-a26r-world after the resync (gone from the index)", "GET",
          f"{W}/apps/a26r-repo-a26r-world")
    rec.x("LIST versions of a26r-repo-a26r-hello after the resync", "GET", f"{W}/apps/a26r-repo-a26r-hello/versions")
    rec.x("GET app a26r-repo-a26r-hello after the resync", "GET", f"{W}/apps/a26r-repo-a26r-hello")

    charts.drop_index("a26r-charts")
    rec.note("index removed", "Unrecorded: the served index.yaml now answers 404.")
    rec.x("POST action on repo a26r-repo (index answers 404)", "POST", f"{R}/a26r-repo/action", {})
    time.sleep(3)
    rec.x("GET repo a26r-repo 3s after a sync whose index fetch fails", "GET", f"{R}/a26r-repo")
    charts.publish("a26r-charts", [("a26r-hello", "0.1.0"), ("a26r-hello", "0.2.0"), ("a26r-hello", "0.3.0")])
    rec.note("index back", "Unrecorded: the served index.yaml is back (a26r-hello 0.1.0, 0.2.0, 0.3.0).")
    rec.x("POST action on repo a26r-repo (index back)", "POST", f"{R}/a26r-repo/action", {})
    rec.wait("sync after failure", lambda: rec.state(f"{R}/a26r-repo") == "successful", timeout=60)
    rec.x("GET repo a26r-repo once synced again", "GET", f"{R}/a26r-repo")


def record_uploads(rec, charts):
    up_v1 = b64(charts.built[("a26r-up", "1.0.0")])
    up_v11 = b64(charts.built[("a26r-up", "1.1.0")])
    up_v11b = b64(charts.built[("a26r-up", "1.1.0-b")])
    rec.x("POST upload helm app a26r-up ?validate=true", "POST", f"{W}/apps?validate=true", upload_body("a26r-up", "", up_v1))
    rec.x("POST upload helm app a26r-up without extension-openpitrix", "POST", f"{W}/apps",
          upload_body("a26r-up", "1.0.0", up_v1))
    rec.x("GET app a26r-up after the failed upload", "GET", f"{W}/apps/a26r-up")
    rec.x("GET version a26r-up-1.0.0 after the failed upload", "GET", f"{W}/apps/a26r-up/versions/a26r-up-1.0.0")
    rec.x("POST upload helm app a26r-up again (still no namespace)", "POST", f"{W}/apps",
          upload_body("a26r-up", "1.0.0", up_v1))
    rec.x("POST update helm app a26r-up (still no namespace)", "POST", f"{W}/apps/a26r-up",
          upload_body("a26r-up", "1.0.0", up_v1))
    rec.x("POST namespace extension-openpitrix", "POST", "/api/v1/namespaces",
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "extension-openpitrix"}})
    rec.x("POST update helm app a26r-up (namespace there)", "POST", f"{W}/apps/a26r-up",
          upload_body("a26r-up", "1.0.0", up_v1))
    rec.x("GET app a26r-up after the upload", "GET", f"{W}/apps/a26r-up")
    rec.x("GET version a26r-up-1.0.0 after the upload", "GET", f"{W}/apps/a26r-up/versions/a26r-up-1.0.0")
    rec.x("GET package of a26r-up-1.0.0", "GET", f"{W}/apps/a26r-up/versions/a26r-up-1.0.0/package")
    rec.x("GET files of a26r-up-1.0.0", "GET", f"{W}/apps/a26r-up/versions/a26r-up-1.0.0/files")
    rec.x("LIST configmaps of extension-openpitrix", "GET", "/api/v1/namespaces/extension-openpitrix/configmaps")
    rec.x("POST upload helm app over 1 MiB", "POST", f"{W}/apps",
          upload_body("a26r-big", "1.0.0", b64(bytes(1048577))),
          shown_body=upload_body("a26r-big", "1.0.0", BIG))
    rec.x("POST upload helm app whose package is not a chart", "POST", f"{W}/apps",
          upload_body("a26r-junk", "1.0.0", b64("not a chart")))
    rec.x("POST upload helm app without appName (name made by the server)", "POST", f"{W}/apps?validate=true",
          upload_body("", "", up_v1))
    rec.x("POST version 1.1.0 of a26r-up", "POST", f"{W}/apps/a26r-up/versions",
          {"repoName": "upload", "versionName": "1.1.0", "appType": "helm", "package": up_v11})
    rec.x("POST version 1.1.0 of a26r-up again", "POST", f"{W}/apps/a26r-up/versions",
          {"repoName": "upload", "versionName": "1.1.0", "appType": "helm", "package": up_v11})
    rec.x("POST update version a26r-up-1.1.0 with another package", "POST",
          f"{W}/apps/a26r-up/versions/a26r-up-1.1.0",
          {"repoName": "upload", "versionName": "1.1.0", "appType": "helm", "package": up_v11b})
    rec.x("GET package of a26r-up-1.1.0 after the update (still the first upload)", "GET",
          f"{W}/apps/a26r-up/versions/a26r-up-1.1.0/package")
    rec.x("LIST versions of a26r-up", "GET", f"{W}/apps/a26r-up/versions")
    rec.x("GET app a26r-up (latest version)", "GET", f"{W}/apps/a26r-up")


def record_review(rec):
    V = f"{W}/apps/a26r-up/versions"
    act = f"{APP}/apps/a26r-up/action"
    rec.x("POST app action active with only draft versions", "POST", act, {"state": "active"})
    rec.x("POST app action under the workspace path (no such route)", "POST", f"{W}/apps/a26r-up/action",
          {"state": "active"})
    rec.x("POST version action submitted (a26r-up-1.0.0)", "POST", f"{V}/a26r-up-1.0.0/action",
          {"state": "submitted", "message": "please review"})
    rec.x("GET version a26r-up-1.0.0 submitted", "GET", f"{V}/a26r-up-1.0.0")
    rec.x("GET app a26r-up while its version is submitted", "GET", f"{W}/apps/a26r-up")
    rec.x("LIST reviews (submitted)", "GET", f"{APP}/reviews?conditions=status%3Dsubmitted")
    rec.x("LIST versions of a26r-up with status submitted", "GET", f"{V}?conditions=status%3Dsubmitted")
    rec.x("POST version action passed (a26r-up-1.0.0)", "POST", f"{V}/a26r-up-1.0.0/action", {"state": "passed"})
    rec.x("POST app action suspended while draft", "POST", act, {"state": "suspended"})
    rec.x("POST app action active (a passed version)", "POST", act, {"state": "active"})
    rec.x("GET app a26r-up active", "GET", f"{W}/apps/a26r-up")
    rec.x("GET version a26r-up-1.0.0 after the app became active", "GET", f"{V}/a26r-up-1.0.0")
    rec.x("POST app action active again", "POST", act, {"state": "active"})
    rec.x("POST version action active (a26r-up-1.0.0)", "POST", f"{V}/a26r-up-1.0.0/action", {"state": "active"})
    rec.x("POST app action suspended", "POST", act, {"state": "suspended"})
    rec.x("GET app a26r-up suspended", "GET", f"{W}/apps/a26r-up")
    rec.x("GET version a26r-up-1.0.0 after the app was suspended", "GET", f"{V}/a26r-up-1.0.0")
    rec.x("POST app action active (its version suspended)", "POST", act, {"state": "active"})
    rec.x("POST version action active (a26r-up-1.0.0, app suspended)", "POST", f"{V}/a26r-up-1.0.0/action",
          {"state": "active"})
    rec.x("POST app action active (version active again)", "POST", act, {"state": "active"})
    rec.x("GET app a26r-up active again", "GET", f"{W}/apps/a26r-up")
    rec.x("POST version action suspended (a26r-up-1.0.0, the app's only active version)", "POST",
          f"{V}/a26r-up-1.0.0/action", {"state": "suspended"})
    rec.x("GET app a26r-up after its only active version was suspended", "GET", f"{W}/apps/a26r-up")
    rec.x("POST version action rejected (a26r-up-1.1.0)", "POST", f"{V}/a26r-up-1.1.0/action",
          {"state": "rejected", "message": "not yet"})
    rec.x("GET version a26r-up-1.1.0 rejected", "GET", f"{V}/a26r-up-1.1.0")
    rec.x("POST version action with an unknown state", "POST", f"{V}/a26r-up-1.1.0/action", {"state": "a26r-bogus"})
    rec.x("GET version a26r-up-1.1.0 with the unknown state", "GET", f"{V}/a26r-up-1.1.0")
    rec.x("POST version action draft (a26r-up-1.1.0)", "POST", f"{V}/a26r-up-1.1.0/action", {"state": "draft"})
    rec.x("POST app action submitted (not a reviewed transition)", "POST", act, {"state": "submitted"})
    rec.x("GET app a26r-up after app action submitted", "GET", f"{W}/apps/a26r-up")
    rec.x("LIST versions of a26r-up after app action submitted", "GET", V)
    rec.x("POST app action on a missing app", "POST", f"{APP}/apps/a26r-missing/action", {"state": "active"})
    rec.x("POST version action on a missing version", "POST", f"{V}/a26r-up-9.9.9/action", {"state": "active"})
    rec.call("POST", act, {"state": "draft"})
    for state in ("passed", "active"):
        rec.call("POST", f"{V}/a26r-up-1.0.0/action", {"state": state})
    rec.note("back to active", "Unrecorded: app action draft, then version a26r-up-1.0.0 actions passed and active.")
    rec.x("POST app action active (app draft, version 1.0.0 active)", "POST", act, {"state": "active"})


def record_categories(rec):
    C = f"{APP}/categories"
    body = {"apiVersion": "application.kubesphere.io/v2", "kind": "Category",
            "metadata": {"name": "a26r-cat", "annotations": {"kubesphere.io/alias-name": "A26r Cat",
                                                             "kubesphere.io/description": "a26r category"}},
            "spec": {"icon": "database"}}
    rec.x("POST category a26r-cat", "POST", C, body)
    rec.x("POST category a26r-cat again", "POST", C, body)
    rec.x("POST update category a26r-cat (alias and icon, no description)", "POST", f"{C}/a26r-cat",
          {"metadata": {"name": "a26r-cat", "annotations": {"kubesphere.io/alias-name": "A26r Cat 2"}},
           "spec": {"icon": "cache"}})
    rec.x("POST update category a26r-nocat (missing)", "POST", f"{C}/a26r-nocat",
          {"metadata": {"name": "a26r-nocat"}, "spec": {}})
    rec.x("GET category a26r-cat", "GET", f"{C}/a26r-cat")
    rec.x("GET category a26r-none (missing)", "GET", f"{C}/a26r-none")
    rec.x("LIST categories", "GET", C)
    rec.x("DELETE category kubesphere-app-uncategorized", "DELETE", f"{C}/kubesphere-app-uncategorized")
    patch = {"categoryName": "a26r-cat", "aliasName": "A26r Up", "description": "uploaded by a26r",
             "abstraction": "a26r abstraction", "appHome": "https://example.invalid/a26r-up", "icon": ""}
    rec.x("PATCH app a26r-up (category a26r-cat, alias, description)", "PATCH", f"{W}/apps/a26r-up", patch)
    rec.wait("category total", lambda: rec.state(f"{C}/a26r-cat", "total") == 1)
    rec.x("GET category a26r-cat counting a26r-up", "GET", f"{C}/a26r-cat")
    rec.x("DELETE category a26r-cat while it has an app", "DELETE", f"{C}/a26r-cat")
    rec.x("PATCH app a26r-up with only the category (the rest emptied)", "PATCH", f"{W}/apps/a26r-up",
          {"categoryName": "kubesphere-app-uncategorized"})
    rec.x("GET app a26r-up after the PATCH with only the category", "GET", f"{W}/apps/a26r-up")
    rec.wait("category empty", lambda: rec.state(f"{C}/a26r-cat", "total") == 0)
    rec.x("DELETE category a26r-cat once empty", "DELETE", f"{C}/a26r-cat")
    rec.x("GET category a26r-cat right after the DELETE", "GET", f"{C}/a26r-cat")
    rec.wait("category gone", lambda: rec.call("GET", f"{C}/a26r-cat")[0] == 404)
    rec.x("DELETE category a26r-cat again", "DELETE", f"{C}/a26r-cat")
    rec.x("PATCH app a26r-missing", "PATCH", f"{W}/apps/a26r-missing", patch)


def record_yaml_app(rec):
    rec.x("POST upload yaml app without appName", "POST", f"{W}/apps", upload_body("", "v1", b64(YAML_V1), "yaml"))
    rec.x("POST upload yaml app that is not YAML", "POST", f"{W}/apps",
          upload_body("a26r-yaml", "v1", b64("a: [b"), "yaml"))
    rec.x("POST upload yaml app a26r-yaml v1", "POST", f"{W}/apps",
          upload_body("a26r-yaml", "v1", b64(YAML_V1), "yaml", aliasName="A26r YAML", description="a yaml app"))
    rec.x("GET app a26r-yaml", "GET", f"{W}/apps/a26r-yaml")
    rec.x("GET version a26r-yaml-v1", "GET", f"{W}/apps/a26r-yaml/versions/a26r-yaml-v1")
    rec.x("GET files of a26r-yaml-v1", "GET", f"{W}/apps/a26r-yaml/versions/a26r-yaml-v1/files")

    rec.x("POST release without the app-id label", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", in_namespace(YAML_V1), "yaml",
                       labels={"kubesphere.io/namespace": PROJ}))
    rec.x("POST release with objects outside the namespace", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", YAML_V1, "yaml"))
    rec.x("POST release with fewer objects than the version", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", in_namespace(YAML_V1).split("---", maxsplit=1)[0], "yaml"))
    rec.x("POST release of a draft version", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", in_namespace(YAML_V1), "yaml"))
    for state in ("submitted", "passed", "active"):
        rec.call("POST", f"{W}/apps/a26r-yaml/versions/a26r-yaml-v1/action", {"state": state})
    rec.call("POST", f"{APP}/apps/a26r-yaml/action", {"state": "active"})
    rec.note("yaml app reviewed", "Unrecorded: a26r-yaml-v1 taken submitted -> passed -> active by version "
             "actions, then the app made active by the app action.")
    rec.x("POST release a26r-rel (yaml, v1)", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", in_namespace(YAML_V1), "yaml"))
    rec.x("GET release a26r-rel right after the create", "GET", f"{N}/a26r-rel")
    took = rec.wait("yaml release active", lambda: rec.state(f"{N}/a26r-rel") == "active")
    rec.x("GET release a26r-rel once active", "GET", f"{N}/a26r-rel", note=f"active {took:.2f} s after the create")
    rec.x("GET configmap a26r-yaml-cm applied by the release", "GET", f"/api/v1/namespaces/{PROJ}/configmaps/a26r-yaml-cm")
    rec.x("POST release a26r-rel again", "POST", N,
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v1", in_namespace(YAML_V1), "yaml"))
    rec.x("LIST releases of the project", "GET", N)
    rec.x("LIST releases of the workspace", "GET", f"{W}/applications")
    rec.x("LIST releases of app a26r-yaml", "GET", f"{APP}/applications?appID=a26r-yaml")

    rec.x("POST version v2 of a26r-yaml", "POST", f"{W}/apps/a26r-yaml/versions",
          {"repoName": "upload", "versionName": "v2", "appType": "yaml", "package": b64(YAML_V2)})
    for state in ("submitted", "passed", "active"):
        rec.call("POST", f"{W}/apps/a26r-yaml/versions/a26r-yaml-v2/action", {"state": state})
    rec.note("yaml v2 reviewed", "Unrecorded: a26r-yaml-v2 taken submitted -> passed -> active.")
    rec.x("POST update release a26r-rel (v2, new values)", "POST", f"{N}/a26r-rel",
          release_body("a26r-rel", "a26r-yaml", "a26r-yaml-v2", in_namespace(YAML_V2), "yaml"))
    rec.x("GET release a26r-rel right after the upgrade", "GET", f"{N}/a26r-rel")
    time.sleep(1.5)
    rec.x("GET release a26r-rel 1.5s after the upgrade", "GET", f"{N}/a26r-rel")
    rec.x("GET configmap a26r-yaml-cm after the upgrade", "GET", f"/api/v1/namespaces/{PROJ}/configmaps/a26r-yaml-cm")
    rec.x("POST update release a26r-nope (missing)", "POST", f"{N}/a26r-nope",
          release_body("a26r-nope", "a26r-yaml", "a26r-yaml-v2", in_namespace(YAML_V2), "yaml"))


def record_helm_releases(rec):
    app, v1, v2 = "a26r-repo-a26r-hello", "a26r-repo-a26r-hello-0.1.0", "a26r-repo-a26r-hello-0.2.0"
    rec.x("POST release a26r-helm (repo chart a26r-hello 0.1.0)", "POST", N,
          release_body("a26r-helm", app, v1, "message: hi\n", "helm"))
    rec.x("GET release a26r-helm right after the create", "GET", f"{N}/a26r-helm")
    rec.wait("install job", lambda: rec.state(f"{N}/a26r-helm") == "created")
    time.sleep(1)
    rec.x("GET release a26r-helm with its install Job pending", "GET", f"{N}/a26r-helm")
    rec.x("LIST jobs of the project (the install Job)", "GET", f"/apis/batch/v1/namespaces/{PROJ}/jobs")
    job = rec.call("GET", f"{N}/a26r-helm")[1]["status"]["installJobName"]
    rec.call("POST", f"/api/v1/namespaces/{PROJ}/secrets", helm_release_secret(
        "a26r-helm", PROJ, "a26r-hello", "0.1.0", 1, {"message": "hi"}, hello_manifest("a26r-helm", "hi"),
        "Install complete"))
    rec.call("POST", f"/api/v1/namespaces/{PROJ}/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a26r-helm-cm", "namespace": PROJ},
              "data": {"message": "hi"}})
    mark_job(rec, PROJ, job, ok=True)
    rec.note("install job stand-in", f"By hand, in place of the pod of Job {job}: Helm release Secret "
             "sh.helm.release.v1.a26r-helm.v1 (status deployed, description 'Install complete') and the chart's "
             "ConfigMap a26r-helm-cm written, then the Job's status marked Complete.")
    took = rec.wait("helm release active", lambda: rec.state(f"{N}/a26r-helm") == "active")
    rec.x("GET release a26r-helm once its Helm release is deployed", "GET", f"{N}/a26r-helm",
          note=f"active {took:.2f} s after the stand-in")

    rec.x("POST update release a26r-helm (0.2.0, new values)", "POST", f"{N}/a26r-helm",
          release_body("a26r-helm", app, v2, "message: bye\n", "helm"))
    rec.x("GET release a26r-helm right after the upgrade", "GET", f"{N}/a26r-helm")
    rec.wait("upgrade job", lambda: rec.state(f"{N}/a26r-helm") == "upgraded")
    time.sleep(1)
    rec.x("GET release a26r-helm with its upgrade Job pending", "GET", f"{N}/a26r-helm")
    job2 = rec.call("GET", f"{N}/a26r-helm")[1]["status"]["installJobName"]
    rec.call("POST", f"/api/v1/namespaces/{PROJ}/secrets", helm_release_secret(
        "a26r-helm", PROJ, "a26r-hello", "0.2.0", 2, {"message": "bye"}, hello_manifest("a26r-helm", "bye"),
        "Upgrade complete"))
    mark_job(rec, PROJ, job2, ok=True)
    rec.note("upgrade job stand-in", f"By hand, in place of the pod of Job {job2}: Helm release Secret "
             "sh.helm.release.v1.a26r-helm.v2 (deployed, 'Upgrade complete') written, then the Job marked Complete.")
    took = rec.wait("helm upgrade active", lambda: rec.state(f"{N}/a26r-helm") == "active")
    rec.x("GET release a26r-helm once upgraded", "GET", f"{N}/a26r-helm", note=f"active {took:.2f} s after the stand-in")

    rec.x("POST release a26r-fail (0.1.0)", "POST", N,
          release_body("a26r-fail", app, v1, "message: fail\n", "helm"))
    rec.wait("fail job", lambda: rec.state(f"{N}/a26r-fail") == "created")
    job3 = rec.call("GET", f"{N}/a26r-fail")[1]["status"]["installJobName"]
    mark_job(rec, PROJ, job3, ok=False)
    rec.note("failed install job", f"By hand: Job {job3} marked Failed (BackoffLimitExceeded); no Helm release written.")
    took = rec.wait("deploy failed", lambda: rec.state(f"{N}/a26r-fail") == "deployFailed")
    rec.x("GET release a26r-fail after its install Job failed", "GET", f"{N}/a26r-fail",
          note=f"deployFailed {took:.2f} s after the Job was marked Failed")

    rec.x("DELETE release a26r-helm", "DELETE", f"{N}/a26r-helm")
    rec.wait("uninstall job", lambda: rec.state(f"{N}/a26r-helm", "uninstallJobName") not in (None, ""))
    rec.x("GET release a26r-helm while its uninstall Job is pending", "GET", f"{N}/a26r-helm")
    uninstall = rec.call("GET", f"{N}/a26r-helm")[1]["status"]["uninstallJobName"]
    for revision in (1, 2):
        rec.call("DELETE", f"/api/v1/namespaces/{PROJ}/secrets/sh.helm.release.v1.a26r-helm.v{revision}")
    rec.call("DELETE", f"/api/v1/namespaces/{PROJ}/configmaps/a26r-helm-cm")
    mark_job(rec, PROJ, uninstall, ok=True)
    rec.note("uninstall job stand-in", f"By hand, in place of the pod of Job {uninstall}: the Helm release Secrets "
             "and the chart's ConfigMap deleted, then the Job marked Complete.")
    took = rec.wait("release gone", lambda: rec.call("GET", f"{N}/a26r-helm")[0] == 404)
    rec.x("GET release a26r-helm after the uninstall", "GET", f"{N}/a26r-helm", note=f"gone {took:.2f} s after the stand-in")

    rec.x("DELETE release a26r-fail (no Helm release was ever deployed)", "DELETE", f"{N}/a26r-fail")
    rec.x("GET release a26r-fail right after the DELETE", "GET", f"{N}/a26r-fail")
    took = rec.wait("fail gone", lambda: rec.call("GET", f"{N}/a26r-fail")[0] == 404)
    rec.x("GET release a26r-fail once gone", "GET", f"{N}/a26r-fail", note=f"gone {took:.2f} s after the DELETE")
    rec.x("LIST jobs of the project after both uninstalls", "GET", f"/apis/batch/v1/namespaces/{PROJ}/jobs")

    rec.x("DELETE release a26r-rel (yaml)", "DELETE", f"{N}/a26r-rel")
    rec.wait("yaml release gone", lambda: rec.call("GET", f"{N}/a26r-rel")[0] == 404)
    rec.x("GET release a26r-rel after the DELETE", "GET", f"{N}/a26r-rel")
    rec.x("GET configmap a26r-yaml-cm after the yaml release is gone", "GET",
          f"/api/v1/namespaces/{PROJ}/configmaps/a26r-yaml-cm")
    rec.x("DELETE release a26r-rel again", "DELETE", f"{N}/a26r-rel")


def record_deletions(rec):
    V = f"{W}/apps/a26r-up/versions"
    rec.x("DELETE version a26r-up-1.1.0", "DELETE", f"{V}/a26r-up-1.1.0")
    rec.wait("version gone", lambda: rec.call("GET", f"{V}/a26r-up-1.1.0")[0] == 404)
    rec.x("GET version a26r-up-1.1.0 after the DELETE", "GET", f"{V}/a26r-up-1.1.0")
    rec.x("DELETE version a26r-up-1.1.0 again", "DELETE", f"{V}/a26r-up-1.1.0")
    rec.x("LIST configmaps of extension-openpitrix after the version DELETE", "GET",
          "/api/v1/namespaces/extension-openpitrix/configmaps")
    rec.x("DELETE app a26r-up", "DELETE", f"{W}/apps/a26r-up")
    rec.x("GET app a26r-up after the DELETE", "GET", f"{W}/apps/a26r-up")
    rec.x("DELETE app a26r-up again", "DELETE", f"{W}/apps/a26r-up")
    rec.x("DELETE app a26r-yaml", "DELETE", f"{W}/apps/a26r-yaml")
    rec.x("DELETE repo a26r-repo", "DELETE", f"{W}/repos/a26r-repo")
    rec.x("GET repo a26r-repo after the DELETE", "GET", f"{W}/repos/a26r-repo")
    rec.x("DELETE repo a26r-repo again", "DELETE", f"{W}/repos/a26r-repo")
    rec.note("no garbage collector", "The recording kit runs no kube-controller-manager, so the Applications owned "
             "by the deleted Repo and the ApplicationVersions owned by the deleted Applications stay (a real cluster's "
             "garbage collector removes them through their ownerReferences). They were deleted by hand afterwards.")


def cleanup(rec):
    """Unrecorded: everything a26r-*, the executor ConfigMaps, the workspace and project, the namespace."""
    for plural in ("applicationreleases", "applications", "applicationversions", "repos", "categories"):
        _status, listed = rec.call("GET", f"/apis/application.kubesphere.io/v2/{plural}")
        for item in listed.get("items", []):
            name = item["metadata"]["name"]
            if name.startswith("a26r-"):
                rec.call("DELETE", f"/apis/application.kubesphere.io/v2/{plural}/{name}")
    for path in (f"/api/v1/namespaces/{PROJ}/configmaps", f"/apis/batch/v1/namespaces/{PROJ}/jobs",
                 f"/api/v1/namespaces/{PROJ}/secrets", "/api/v1/namespaces/extension-openpitrix/configmaps"):
        _status, listed = rec.call("GET", path)
        for item in listed.get("items", []) if isinstance(listed, dict) else []:
            if not item["metadata"]["name"].startswith(("kube-root-ca", "default-token")):
                rec.call("DELETE", f"{path}/{item['metadata']['name']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--host", default="http://127.0.0.1:9090")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rec = Recorder(args.host)
    charts = ChartRepo(port=PORT).start()
    charts.publish("a26r-charts", [("a26r-hello", "0.1.0"), ("a26r-hello", "0.2.0"), ("a26r-world", "1.0.0")])
    from emulator.chart_repo import build_chart
    charts.built = {("a26r-up", "1.0.0"): build_chart("a26r-up", "1.0.0"),
                    ("a26r-up", "1.1.0"): build_chart("a26r-up", "1.1.0"),
                    ("a26r-up", "1.1.0-b"): build_chart("a26r-up", "1.1.0", description="another package")}
    try:
        setup(rec)
        record_repos(rec, charts)
        record_uploads(rec, charts)
        record_review(rec)
        record_categories(rec)
        record_yaml_app(rec)
        record_helm_releases(rec)
        record_deletions(rec)
    finally:
        rec.save(args.out)
        charts.stop()
    print(f"{len(rec.entries)} entries written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
