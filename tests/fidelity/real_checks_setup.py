"""The files recorded for issue 21 from the real servers (tests/fidelity/record_v4_gaps.py, record_placement.py): each makes
its own objects, so they replay against a fresh emulator; only KubeSphere's own objects, long settled on
the recorded server, are waited for."""

import time

REAL_CHECK_FILES = ("member-get-and-template-patch.json", "custom-role-authz.json", "quota-names.json",
                    "system-workspace.json", "placement.json")


def _system_workspace_settled(replayer, timeout=5.0):
    """The seeded system-workspace's per-cluster Workspace, which its controller makes just after start."""
    headers = {"Authorization": "Bearer " + replayer.admin_token}
    deadline = time.monotonic() + timeout
    path = "/apis/tenant.kubesphere.io/v1beta1/workspaces/system-workspace"
    while replayer.http.get(replayer.emu.url + path, headers=headers).status_code != 200:
        assert time.monotonic() < deadline, "system-workspace got no Workspace"
        time.sleep(0.02)


REAL_CHECK_SETUP = {"system-workspace.json": _system_workspace_settled}


def _wait_status(path, status, timeout=5.0):
    """The recorder polled (unrecorded) until path answered status before the named exchange."""
    def wait(replayer):
        headers = {"Authorization": "Bearer " + replayer.admin_token}
        deadline = time.monotonic() + timeout
        while replayer.http.get(replayer.emu.url + path, headers=headers).status_code != status:
            assert time.monotonic() < deadline, f"{path} never answered {status}"
            time.sleep(0.02)
    return wait


_PLACED_WS = "/apis/tenant.kubesphere.io/v1beta1/workspaces/h21b-pl-host"
_PLACED_PROJECT = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/h21b-pl-host/namespaces/h21b-pl-host-p1"

# Steps run just before the named exchange: the waits record_placement.py made between them.
REAL_CHECK_BEFORE = {"placement.json": {
    "create project h21b-pl-host-p1 in h21b-pl-host": _wait_status(_PLACED_WS, 200),
    "GET the template h21b-pl-host after the drop": lambda r: (_wait_status(_PLACED_WS, 404)(r),
                                                               _wait_status(_PLACED_PROJECT, 404)(r)),
    "GET the Workspace h21b-pl-host on the host once back": _wait_status(_PLACED_WS, 200),
}}
