"""The files recorded for issue 21 from the real servers (tests/fidelity/record_v4_gaps.py): each makes
its own objects, so they replay against a fresh emulator; only KubeSphere's own objects, long settled on
the recorded server, are waited for."""

import time

REAL_CHECK_FILES = ("member-get-and-template-patch.json", "custom-role-authz.json", "quota-names.json",
                    "system-workspace.json")


def _system_workspace_settled(replayer, timeout=5.0):
    """The seeded system-workspace's per-cluster Workspace, which its controller makes just after start."""
    headers = {"Authorization": "Bearer " + replayer.admin_token}
    deadline = time.monotonic() + timeout
    path = "/apis/tenant.kubesphere.io/v1beta1/workspaces/system-workspace"
    while replayer.http.get(replayer.emu.url + path, headers=headers).status_code != 200:
        assert time.monotonic() < deadline, "system-workspace got no Workspace"
        time.sleep(0.02)


REAL_CHECK_SETUP = {"system-workspace.json": _system_workspace_settled}
