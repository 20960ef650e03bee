"""The emulator's projects and members APIs, with the recorded quirks, and
workspace roles as a source of authorization."""

from emu_helpers import Client, create_user, token_for, unique, wait_active, wait_for

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def workspace_with_project(admin, managed=True):
    ws = unique("emw")
    response = admin.post(TENANT + "/workspacetemplates", json={
        "metadata": {"name": ws},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    assert response.status_code == 200, response.text
    labels = {"kubesphere.io/managed": "true"} if managed else {}
    response = admin.post(f"{TENANT}/workspaces/{ws}/namespaces", json={
        "metadata": {"name": ws + "-p", "labels": labels, "annotations": {"kubesphere.io/creator": "admin"}}})
    assert response.status_code == 200, response.text
    wait_for(lambda: admin.get(f"{IAM}/workspaces/{ws}/workspaceroles").json()["items"], message="workspace roles")
    wait_for(lambda: admin.get(f"{IAM}/namespaces/{ws}-p/namespacemembers").json()["items"], message="creator binding")
    return ws, ws + "-p"


def test_workspace_members_quirks(admin):
    ws, _project = workspace_with_project(admin)
    path = f"{IAM}/workspaces/{ws}/workspacemembers"
    body = [{"username": "ghost-user", "roleRef": ws + "-viewer"}]
    added = admin.post(path, json=body)
    assert added.status_code == 200 and added.json() == body        # echoed; the user need not exist
    assert admin.post(path, json=[{"username": "x", "roleRef": "viewer"}]).status_code == 404   # short name
    assert admin.post(path, json=body[0]).status_code == 400                                     # not an array
    assert admin.get(f"{path}/nobody").text == "member nobody not exist\n"
    assert admin.put(f"{path}/nobody", json={"username": "nobody", "roleRef": ws + "-admin"}).status_code == 400
    assert admin.put(f"{path}/ghost-user", json={"username": "ghost-user", "roleRef": ws + "-admin"}).status_code == 200
    # Lists read through the informer cache: the change shows after a moment.
    stubs = wait_for(lambda: [i for i in admin.get(path).json()["items"] if i["metadata"]["name"] == "ghost-user"
                              and ws + "-admin" in str(i)], message="member listed with the new role")
    assert stubs[0]["metadata"]["annotations"] == {"iam.kubesphere.io/workspacerole": ws + "-admin"}
    assert stubs[0]["spec"] == {"email": ""}
    assert admin.delete(f"{path}/ghost-user").status_code == 200
    assert admin.delete(f"{path}/ghost-user").status_code == 200        # idempotent


def test_project_members_and_unmanaged_projects(admin):
    ws, project = workspace_with_project(admin)
    path = f"{IAM}/namespaces/{project}/namespacemembers"
    assert admin.post(path, json=[{"username": "pm-user", "roleRef": "viewer"}]).status_code == 200
    assert admin.get(f"{path}/pm-user").status_code == 405
    _ws2, unmanaged = workspace_with_project(admin, managed=False)
    refused = admin.post(f"{IAM}/namespaces/{unmanaged}/namespacemembers",
                         json=[{"username": "pm-user", "roleRef": "viewer"}])
    assert refused.status_code == 404 and refused.text == 'Role.iam.kubesphere.io "viewer" not found\n'


def test_project_of_another_workspace_and_terminating_delete(admin):
    ws, project = workspace_with_project(admin)
    assert admin.get(f"{TENANT}/workspaces/other-ws/namespaces/{project}").text == f'namespace "{project}" not found\n'
    assert admin.post(f"{TENANT}/workspaces/{ws}/namespaces", json={"metadata": {"name": project}}).status_code == 400
    assert admin.delete(f"{TENANT}/workspaces/{ws}/namespaces/{project}").status_code == 200
    terminating = admin.get(f"/api/v1/namespaces/{project}").json()
    assert terminating["status"]["phase"] == "Terminating"
    assert admin.delete(f"{TENANT}/workspaces/{ws}/namespaces/{project}").status_code == 200
    wait_for(lambda: admin.get(f"/api/v1/namespaces/{project}").status_code == 404, message="namespace gone")


def test_workspace_admin_may_manage_members_and_projects(admin, emulator):
    ws, project = workspace_with_project(admin)
    name = unique("wsadm")
    create_user(admin, name)
    wait_active(admin, name)
    user = Client(emulator.url, token_for(emulator, name, "Test-Pass-123"))
    path = f"{IAM}/workspaces/{ws}/workspacemembers"
    denied = user.post(path, json=[{"username": "x", "roleRef": ws + "-viewer"}])
    assert denied.status_code == 403
    assert admin.post(path, json=[{"username": name, "roleRef": ws + "-admin"}]).status_code == 200
    assert user.post(path, json=[{"username": "x", "roleRef": ws + "-viewer"}]).status_code == 200
    created = user.post(f"{TENANT}/workspaces/{ws}/namespaces", json={"metadata": {"name": ws + "-q"}})
    assert created.status_code == 200, created.text
    patched = user.patch(f"{TENANT}/workspacetemplates/{ws}", [{"op": "add", "path": "/metadata/labels", "value": {}}],
                         content_type="application/json-patch+json")
    assert patched.status_code == 500 and patched.text == f'workspacetemplates.tenant.kubesphere.io "{ws}" is forbidden: \n'
