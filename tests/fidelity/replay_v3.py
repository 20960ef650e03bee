"""Replay of the KubeSphere v3.4.1 recordings (../shared/ks-recordings-v3.4) against the emulator in
its 3.4 profile (--ks-version 3.4), with the same comparison as the v4.1 set. Each file runs against
a fresh emulator after the setup that stands in for the earlier files of the recording session."""

import os
import re
import time

from emulator.testing import EmulatorProcess

from . import replay
from .replay import _STARTING, EMULATOR_OPTIONS, Replayer, replay_exchanges

RECORDINGS_V3 = (os.environ.get("KS_RECORDINGS_V3")
                 or os.path.join(os.path.dirname(replay.RECORDINGS), "ks-recordings-v3.4"))
FILES_V3 = ("version.json", "oauth.json", "oauth-lockout.json", "users.json", "roles.json", "workspaces.json",
            "projects.json", "workspace-members.json", "project-members.json", "clusters.json", "errors.json",
            "workspace-deletion.json", "v3-gaps.json")
# Recordings this project made live in the repository (CI has them); the first batch in the shared folder.
OWN_RECORDINGS_V3 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recordings-v3.4")


def recording_path_v3(file_name):
    own = os.path.join(OWN_RECORDINGS_V3, file_name)
    return own if os.path.exists(own) else os.path.join(RECORDINGS_V3, file_name)


TENANT = "/kapis/tenant.kubesphere.io/v1alpha2"
IAM = "/kapis/iam.kubesphere.io/v1alpha2"
USER1_PASSWORD = "Rec3User1pass!"
SETTLE = 0.3

# The sessions the recorder named, by the exchange whose answer issued their tokens.
SESSIONS = {"password grant as admin: OK": "admin2", "refresh_token grant: OK": "admin3",
            "password grant as admin (for logout)": "admin4", "admin session A": "admin A",
            "admin session B": "admin B", "admin logs in again": "admin C",
            "admin session D (for POST logout)": "admin D"}


def exchanges_v3(file_name):
    import json
    with open(recording_path_v3(file_name), encoding="utf-8") as handle:
        return [e for e in json.load(handle) if "request" in e]


class ReplayerV3(Replayer):
    def __init__(self, emulator):
        super().__init__(emulator)
        self.sessions = {}

    def _placeholder(self, name, path):
        match = re.fullmatch(r"(admin\S*(?: [A-D])?) (access|refresh)_token", name)
        if match and match.group(1) in self.sessions:
            access, refresh = self.sessions[match.group(1)]
            return access if match.group(2) == "access" else refresh
        return super()._placeholder(name, path)

    def _current(self, path):
        api_path = re.sub(r"^(/kapis/clusters/[^/]+)?/kapis/", "/apis/", path.split("?")[0])
        api_path = re.sub(r"^/apis/tenant\.kubesphere\.io/v1alpha2/workspaces/[^/]+/namespaces/", "/api/v1/namespaces/",
                          api_path)
        api_path = api_path.replace("/apis/tenant.kubesphere.io/v1alpha2/workspaces/",
                                    "/apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/")
        if api_path.endswith("/password"):
            return None
        answer = self.http.get(self.emu.url + api_path, headers={"Authorization": "Bearer " + self.admin_token})
        return answer.json() if answer.status_code == 200 else None

    def send_named(self, exchange):
        issued = len(self.issued)
        answer = self.send(exchange)
        if exchange["name"] in SESSIONS and len(self.issued) > issued:
            self.sessions[SESSIONS[exchange["name"]]] = self.issued[-1][1:]
        return answer


def _post(replayer, path, body):
    answer = replayer.http.post(replayer.emu.url + path, json=body,
                                headers={"Authorization": "Bearer " + replayer.admin_token})
    assert answer.status_code == 200, (path, answer.status_code, answer.text)


def _user1(replayer):
    _post(replayer, IAM + "/users", {"metadata": {"name": "rec3-user1", "annotations": {
        "iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": "rec3-user1@example.com", "password": USER1_PASSWORD}})
    replayer.passwords["rec3-user1"] = USER1_PASSWORD
    deadline = time.monotonic() + 5
    while True:
        answer = replayer.http.get(replayer.emu.url + IAM + "/users/rec3-user1",
                                   headers={"Authorization": "Bearer " + replayer.admin_token})
        if answer.ok and (answer.json().get("status") or {}).get("state") == "Active":
            return
        assert time.monotonic() < deadline, "rec3-user1 did not become Active"
        time.sleep(0.02)


def _workspace(replayer, name="rec3-ws1"):
    _post(replayer, TENANT + "/workspaces", {"metadata": {"name": name}, "spec": {
        "template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    time.sleep(SETTLE)


def _project(replayer, name="rec3-proj1", workspace="rec3-ws1"):
    _post(replayer, f"{TENANT}/workspaces/{workspace}/namespaces", {"metadata": {
        "name": name, "labels": {"kubesphere.io/workspace": workspace},
        "annotations": {"kubesphere.io/creator": "admin"}}})
    time.sleep(SETTLE)


def _frozen_namespaces(replayer):
    # No namespace lifecycle controller ran where this was recorded: deleted namespaces stay Terminating.
    replayer.emu.configure(namespace_deletion_delay_ms=600000)


def _tenancy(*steps):
    def setup(replayer):
        _frozen_namespaces(replayer)
        for step in steps:
            step(replayer)
    return setup


SETUP_V3 = {
    "projects.json": _tenancy(_workspace),
    "workspace-members.json": _tenancy(_user1, _workspace, _project),
    "project-members.json": _tenancy(_user1, _workspace, _project),
    "errors.json": _tenancy(_user1, _workspace),
    "workspace-deletion.json": _tenancy(_user1, _workspace, _project),
    "workspaces.json": _frozen_namespaces,
    "v3-gaps.json": _frozen_namespaces,
}


def _relogin(replayer):
    """The follow-up run of oauth.json logged in afresh (the first run's tokens were revoked by a logout)."""
    replayer.logins.clear()
    replayer.admin_token = replayer._login("admin")[0]


def _wait_locked(replayer, timeout=8.0):
    """The recorder polled until the controller had locked rec3-lockout2 (about 5 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = replayer.http.get(replayer.emu.url + IAM + "/users/rec3-lockout2",
                                   headers={"Authorization": "Bearer " + replayer.admin_token})
        if (answer.json().get("status") or {}).get("state") == "AuthLimitExceeded":
            return
        time.sleep(0.1)


BEFORE_V3 = {
    "oauth.json": {"GET user rec3-lockout (status a few minutes after 11 failures)": _relogin},
    # The recorder waited 2 s after activation so that every failure counts (second resolution).
    "oauth-lockout.json": {"wrong password for rec3-lockout2, attempt 1": lambda _r: time.sleep(1.2),
                           "GET user rec3-lockout2 after the failures": _wait_locked},
}


def replay_file_v3(file_name):
    """[(exchange name, recorded response, Answer)] for every exchange of a v3.4 file."""
    results = []
    emulator = EmulatorProcess(ks_version="3.4", startup_timeout=60, **EMULATOR_OPTIONS)
    with _STARTING:    # a few emulators start at a time, like the v4.1 set
        emulator.start()
    try:
        replayer = ReplayerV3(emulator)
        SETUP_V3.get(file_name, lambda _r: None)(replayer)
        results = replay_exchanges(replayer, exchanges_v3(file_name), BEFORE_V3.get(file_name, {}),
                                   replayer.send_named)
    finally:
        emulator.stop()
    return results
