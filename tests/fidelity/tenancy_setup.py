"""What the tenancy recordings found on the server before they started: the
workspaces, projects and users each file uses, made through the emulator's
API like the recorder made them. replay.py adds these files and setups."""

import time

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"
SETTLE = 0.3        # seconds for the controllers to create roles and bindings

TENANCY_FILES = ("workspaces.json", "workspace-members.json", "workspace-deletion.json", "projects.json",
                 "project-members.json")


def _post(replayer, path, body):
    answer = replayer.http.post(replayer.emu.url + path, json=body,
                                headers={"Authorization": "Bearer " + replayer.admin_token})
    assert answer.status_code == 200, (path, answer.status_code, answer.text)
    return answer.json()


def _workspace(replayer, name, manager="admin"):
    _post(replayer, TENANT + "/workspacetemplates",
          {"metadata": {"name": name},
           "spec": {"template": {"spec": {"manager": manager}}, "placement": {"clusters": [{"name": "host"}]}}})


def _project(replayer, workspace, name, managed=True):
    labels = {"kubesphere.io/managed": "true"} if managed else {}
    _post(replayer, f"{TENANT}/workspaces/{workspace}/namespaces",
          {"metadata": {"name": name, "labels": labels, "annotations": {"kubesphere.io/creator": "admin"}}})


def _users(replayer, names):
    from .replay import _wait_active
    for name in names:
        password = f"Rec-{name[-5:].capitalize()}-Pass1"
        _post(replayer, IAM + "/users",
              {"metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
               "spec": {"email": f"{name}@example.com", "password": password}})
        replayer.passwords[name] = password
    _wait_active(replayer, names)


def _no_namespace_lifecycle(replayer):
    # The recording server had no namespace lifecycle controller: deleted namespaces stayed Terminating.
    replayer.emu.configure(namespace_deletion_delay_ms=600000)


def setup_errors(replayer):
    """errors.json: its users, then rec-ws1 (rec-user1 made its admin), ws-demo and a project in rec-ws1."""
    from .replay import setup_errors as setup_users
    setup_users(replayer)
    _no_namespace_lifecycle(replayer)
    _workspace(replayer, "rec-ws1")
    _workspace(replayer, "ws-demo")
    time.sleep(SETTLE)
    _post(replayer, IAM + "/workspaces/rec-ws1/workspacemembers", [{"username": "rec-user1", "roleRef": "rec-ws1-admin"}])
    _project(replayer, "rec-ws1", "rec-proj-extra")


def setup_workspaces(replayer):
    _no_namespace_lifecycle(replayer)


def setup_workspace_members(replayer):
    """rec-ws1 (manager admin) with project rec-proj2, ws-demo, and the users the recording invites."""
    _no_namespace_lifecycle(replayer)
    _users(replayer, ["rec-user1", "rec-user3", "rec-lockout"])
    _workspace(replayer, "rec-ws1")
    _workspace(replayer, "ws-demo")
    time.sleep(SETTLE)
    _project(replayer, "rec-ws1", "rec-proj2")
    time.sleep(SETTLE)


def setup_projects(replayer):
    _no_namespace_lifecycle(replayer)
    _workspace(replayer, "rec-ws1")
    _workspace(replayer, "ws-demo")
    time.sleep(SETTLE)


def setup_project_members(replayer):
    """rec-proj1 (managed) and rec-proj-unmanaged in rec-ws1, both created by admin."""
    _no_namespace_lifecycle(replayer)
    _users(replayer, ["rec-user1", "rec-user3"])
    _workspace(replayer, "rec-ws1")
    time.sleep(SETTLE)
    _project(replayer, "rec-ws1", "rec-proj1")
    _project(replayer, "rec-ws1", "rec-proj-unmanaged", managed=False)
    time.sleep(SETTLE)


TENANCY_SETUP = {"errors.json": setup_errors, "workspaces.json": setup_workspaces,
                 "workspace-members.json": setup_workspace_members, "workspace-deletion.json": setup_workspaces,
                 "projects.json": setup_projects, "project-members.json": setup_project_members}


def _wait_gone(path, timeout=3.0):
    """The recorder polled until the object was gone before these exchanges (their names say so)."""
    def wait(replayer):
        headers = {"Authorization": "Bearer " + replayer.admin_token}
        deadline = time.monotonic() + timeout
        while replayer.http.get(replayer.emu.url + path, headers=headers).status_code != 404:
            assert time.monotonic() < deadline, f"{path} is still there"
            time.sleep(0.01)
    return wait


# Steps run just before the named exchange.
TENANCY_BEFORE = {"workspaces.json": {
    "GET rec-ws2 after it disappeared (/apis)": _wait_gone("/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/rec-ws2"),
}}
