"""What appstore.json's recorder had and did besides its recorded exchanges (see its setup and note
entries): workspace a26r-ws with project a26r-proj, a chart repository on loopback (served again
here, on another port: URLs in requests are rewritten), the unrecorded review steps, and the
steps done by hand in place of the Helm executor Jobs' pods (here: the Jobs marked Complete or
Failed through their status subresource, which the emulator answers as the pod would have).
replay.py adds this file and its setup."""

import base64
import json
import time

from emulator.chart_repo import ChartRepo

from .tenancy_setup import SETTLE, _no_namespace_lifecycle, _project, _workspace

APPSTORE_FILES = ("appstore.json",)
RECORDED_ADDRESS = "127.0.0.1:18726"
BIG = "<base64 of 1048577 zero bytes>"
APP = "/kapis/application.kubesphere.io/v2"
W = APP + "/workspaces/a26r-ws"
N = APP + "/namespaces/a26r-proj/applications"
FIRST_CHARTS = [("a26r-hello", "0.1.0"), ("a26r-hello", "0.2.0"), ("a26r-world", "1.0.0")]
LATER_CHARTS = [("a26r-hello", "0.1.0"), ("a26r-hello", "0.2.0"), ("a26r-hello", "0.3.0")]

_CHARTS = []


def _charts():
    """One chart server for every replay of the file (a daemon thread)."""
    if not _CHARTS:
        _CHARTS.append(ChartRepo().start())
    return _CHARTS[0]


def _call(replayer, method, path, body=None):
    headers = {"Authorization": "Bearer " + replayer.admin_token}
    return replayer.http.request(method, replayer.emu.url + path, json=body, headers=headers)


def _wait(what, check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"replay: timed out waiting for {what}"
        time.sleep(0.01)


def _status(replayer, path, key="state"):
    answer = _call(replayer, "GET", path)
    return (answer.json().get("status") or {}).get(key) if answer.status_code == 200 else answer.status_code


def setup_appstore(replayer):
    _no_namespace_lifecycle(replayer)
    _workspace(replayer, "a26r-ws")
    time.sleep(SETTLE)
    _project(replayer, "a26r-ws", "a26r-proj")
    time.sleep(SETTLE)
    charts = _charts()
    charts.publish("a26r-charts", FIRST_CHARTS)
    send = replayer.send

    def send_to_our_charts(exchange):
        """The recorded chart server's URL becomes ours; the 1 MiB placeholder becomes the bytes."""
        text = json.dumps(exchange).replace(RECORDED_ADDRESS, charts.base.split("//", 1)[1])
        text = text.replace(BIG, base64.b64encode(bytes(1048577)).decode())
        return send(json.loads(text))
    replayer.send = send_to_our_charts


def _publish(charts_list):
    def publish(_replayer):
        _charts().publish("a26r-charts", charts_list)
    return publish


def _drop_index(_replayer):
    _charts().drop_index("a26r-charts")


def _actions(*steps):
    """Unrecorded version and app actions of the recorder: (app, version or None, state)."""
    def run(replayer):
        for app, version, state in steps:
            path = f"{W}/apps/{app}/versions/{version}/action" if version else f"{APP}/apps/{app}/action"
            answer = _call(replayer, "POST", path, {"state": state})
            assert answer.status_code == 200, (path, answer.status_code, answer.text)
            time.sleep(0.05)       # the handlers read through the informer cache
    return run


def _mark_job(release, job_field, ok, then_state=None):
    """Finish the Job the release names in status.<job_field>, as was done by hand."""
    def run(replayer):
        _wait(f"{release} {job_field}", lambda: _status(replayer, f"{N}/{release}", job_field) not in (None, 404))
        job = _status(replayer, f"{N}/{release}", job_field)
        path = f"/apis/batch/v1/namespaces/a26r-proj/jobs/{job}/status"
        current = _call(replayer, "GET", path.rsplit("/status", 1)[0]).json()
        current["status"] = {"succeeded": 1} if ok else {"failed": 1}
        answer = _call(replayer, "PUT", path, current)
        assert answer.status_code == 200, answer.text
        if then_state is not None:
            _wait(f"{release} {then_state}", lambda: _status(replayer, f"{N}/{release}") == then_state)
    return run


def _wait_state(path, state, key="state"):
    def run(replayer):
        _wait(f"{path} {key}={state}", lambda: _status(replayer, path, key) == state)
    return run


def _steps(*runs):
    def run(replayer):
        for step in runs:
            step(replayer)
    return run


APPSTORE_SETUP = {"appstore.json": setup_appstore}
APPSTORE_BEFORE = {"appstore.json": {
    "GET repo a26r-repo once the controller saw it": _wait_state(f"{W}/repos/a26r-repo", "created"),
    "GET repo a26r-repo once synced": _wait_state(f"{W}/repos/a26r-repo", "successful"),
    "POST action on repo a26r-repo (index changed)": _publish(LATER_CHARTS),
    "GET app a26r-repo-a26r-world after the resync (gone from the index)": _wait_state(
        f"{W}/apps/a26r-repo-a26r-world", 404),
    "POST action on repo a26r-repo (index answers 404)": _drop_index,
    "POST action on repo a26r-repo (index back)": _publish(LATER_CHARTS),
    "GET repo a26r-repo once synced again": _wait_state(f"{W}/repos/a26r-repo", "successful"),
    "POST app action active (app draft, version 1.0.0 active)": _actions(
        ("a26r-up", None, "draft"), ("a26r-up", "a26r-up-1.0.0", "passed"), ("a26r-up", "a26r-up-1.0.0", "active")),
    "GET category a26r-cat counting a26r-up": _wait_state(f"{APP}/categories/a26r-cat", 1, "total"),
    "DELETE category a26r-cat once empty": _wait_state(f"{APP}/categories/a26r-cat", 0, "total"),
    "DELETE category a26r-cat again": _wait_state(f"{APP}/categories/a26r-cat", 404),
    "POST release a26r-rel (yaml, v1)": _actions(
        ("a26r-yaml", "a26r-yaml-v1", "submitted"), ("a26r-yaml", "a26r-yaml-v1", "passed"),
        ("a26r-yaml", "a26r-yaml-v1", "active"), ("a26r-yaml", None, "active")),
    "GET release a26r-rel once active": _wait_state(f"{N}/a26r-rel", "active"),
    "POST update release a26r-rel (v2, new values)": _actions(
        ("a26r-yaml", "a26r-yaml-v2", "submitted"), ("a26r-yaml", "a26r-yaml-v2", "passed"),
        ("a26r-yaml", "a26r-yaml-v2", "active")),
    "GET release a26r-helm with its install Job pending": _wait_state(f"{N}/a26r-helm", "created"),
    "GET release a26r-helm once its Helm release is deployed": _mark_job("a26r-helm", "installJobName", True, "active"),
    "GET release a26r-helm with its upgrade Job pending": _wait_state(f"{N}/a26r-helm", "upgraded"),
    "GET release a26r-helm once upgraded": _steps(_wait_state(f"{N}/a26r-helm", "upgraded"),
                                                  _mark_job("a26r-helm", "installJobName", True, "active")),
    "GET release a26r-fail after its install Job failed": _steps(
        _wait_state(f"{N}/a26r-fail", "created"), _mark_job("a26r-fail", "installJobName", False, "deployFailed")),
    "GET release a26r-helm while its uninstall Job is pending": _wait_state(f"{N}/a26r-helm", "deleting"),
    "GET release a26r-helm after the uninstall": _mark_job("a26r-helm", "uninstallJobName", True, 404),
    "GET release a26r-fail once gone": _wait_state(f"{N}/a26r-fail", 404),
    "GET release a26r-rel after the DELETE": _wait_state(f"{N}/a26r-rel", 404),
    "GET version a26r-up-1.1.0 after the DELETE": _wait_state(f"{W}/apps/a26r-up/versions/a26r-up-1.1.0", 404),
}}
# No pod runs on the recording kit: the executor Jobs stay pending until marked finished.
APPSTORE_OPTIONS = {"appstore.json": dict(extension_job_ms=600000)}
