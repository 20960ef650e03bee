"""The emulator's workspaces: the template controller (roles, manager binding,
per-cluster Workspaces, the 63-character rule), deletion (blocked by a placed
member that is not Ready, orphaning or cascading to projects) and the kapis
quirks the modules rely on."""

import time

from emu_helpers import unique, wait_for

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
TEMPLATES = TENANT + "/workspacetemplates"
APIS_TENANT = "/apis/tenant.kubesphere.io/v1beta1"
IAM_APIS = "/apis/iam.kubesphere.io/v1beta1"


def create(admin, name, clusters=("host",), manager="admin"):
    response = admin.post(TEMPLATES, json={
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"manager": manager}}, "placement": {"clusters": [{"name": c} for c in clusters]}}})
    assert response.status_code == 200, response.text
    assert "kind" not in response.json()           # kapis create answers carry no kind (recorded)
    # kapis reads go through the informer cache; wait until it has the template and its finalizer.
    wait_for(lambda: "kubesphere.io/cascading-deletion" in admin.get(f"{TEMPLATES}/{name}").text,
             message="template initialised")
    return response.json()


def roles_of(admin, ws):
    items = admin.get(f"{IAM_APIS}/workspaceroles?labelSelector=kubesphere.io/workspace={ws}").json()["items"]
    return sorted(r["metadata"]["name"] for r in items)


def test_controller_creates_roles_binding_and_workspaces(admin):
    ws = unique("ews")
    create(admin, ws, clusters=("host", "member1"))
    wait_for(lambda: len(roles_of(admin, ws)) == 4, message="workspace roles")
    assert roles_of(admin, ws) == [f"{ws}-{r}" for r in ("admin", "regular", "self-provisioner", "viewer")]
    binding = admin.get(f"{IAM_APIS}/workspacerolebindings/{ws}-admin").json()
    assert binding["subjects"][0]["name"] == "admin" and binding["roleRef"]["name"] == ws + "-admin"
    wait_for(lambda: admin.get(f"/clusters/member1{APIS_TENANT}/workspaces/{ws}").status_code == 200,
             message="Workspace on member1")
    # kapis GET .../workspaces/{ws} answers with the per-cluster Workspace kind.
    assert admin.get(f"{TENANT}/workspaces/{ws}").json()["kind"] == "Workspace"


def test_long_names_get_hashed_role_names(admin):
    ws = ("long-" + unique("w") + "-" + "x" * 60)[:62]
    create(admin, ws)
    wait_for(lambda: len(roles_of(admin, ws)) == 4, message="workspace roles")
    names = roles_of(admin, ws)
    assert all(len(n) <= 63 for n in names)
    assert any(n.startswith("regular.") for n in names)


def test_manager_change_rebinds_nothing(admin):
    ws = unique("emg")
    create(admin, ws)
    wait_for(lambda: admin.get(f"{IAM_APIS}/workspacerolebindings/{ws}-admin").ok, message="manager binding")
    response = admin.patch(f"{TEMPLATES}/{ws}", [{"op": "replace", "path": "/spec/template/spec/manager",
                                                  "value": "someone"}], content_type="application/json-patch+json")
    assert response.status_code == 200, response.text
    members = admin.get(f"/kapis/iam.kubesphere.io/v1beta1/workspaces/{ws}/workspacemembers").json()["items"]
    assert [m["metadata"]["name"] for m in members] == ["admin"]


def test_patch_and_delete_quirks(admin):
    ws = unique("eqk")
    create(admin, ws)
    merge = admin.patch(f"{TEMPLATES}/{ws}", {"metadata": {"labels": {"a": "b"}}})
    assert merge.status_code == 500 and "jsonpatch.Patch" in merge.text
    replace = admin.patch(f"{TEMPLATES}/{ws}", [{"op": "replace", "path": "/spec/placement/clusters", "value": []}],
                          content_type="application/json-patch+json")
    assert replace.status_code == 400 and replace.text == "not support operation type\n"
    assert admin.delete(f"{TEMPLATES}/{ws}").status_code == 400                      # no body
    assert admin.post(TEMPLATES, json={"metadata": {"name": ws}, "spec": {}}).status_code == 400   # duplicate
    assert admin.delete(f"{TEMPLATES}/{ws}", json={}).status_code == 200
    wait_for(lambda: admin.get(f"{TEMPLATES}/{ws}").status_code == 404, message="template gone")
    missing = admin.delete(f"{TEMPLATES}/{ws}", json={})
    assert missing.status_code == 400 and missing.text.startswith("failed to get workspace template")


def test_deletion_waits_for_a_placed_member_that_is_not_ready(admin):
    ws = unique("ebl")
    create(admin, ws, clusters=("host", "member2"))
    assert admin.delete(f"{TEMPLATES}/{ws}", json={}).status_code == 200
    time.sleep(0.5)
    stuck = admin.get(f"{APIS_TENANT}/workspacetemplates/{ws}").json()
    assert stuck["metadata"].get("deletionTimestamp") and "kubesphere.io/cascading-deletion" in stuck["metadata"]["finalizers"]


def test_projects_are_orphaned_by_default_and_deleted_with_background(admin):
    kept_ws, gone_ws = unique("eor"), unique("eca")
    for ws in (kept_ws, gone_ws):
        create(admin, ws)
        response = admin.post(f"{TENANT}/workspaces/{ws}/namespaces",
                              json={"metadata": {"name": ws + "-p", "labels": {"kubesphere.io/managed": "true"}}})
        assert response.status_code == 200, response.text
    wait_for(lambda: admin.get(f"{IAM_APIS}/namespaces/{kept_ws}-p/roles").json()["items"], message="project roles")
    assert admin.delete(f"{TEMPLATES}/{kept_ws}", json={}).status_code == 200
    assert admin.delete(f"{TEMPLATES}/{gone_ws}", json={"kind": "DeleteOptions", "apiVersion": "v1",
                                                        "propagationPolicy": "Background"}).status_code == 200

    def orphaned():
        namespace = admin.get(f"/api/v1/namespaces/{kept_ws}-p").json()
        return "kubesphere.io/workspace" not in namespace["metadata"].get("labels", {})
    wait_for(orphaned, message="orphaned project")
    wait_for(lambda: not admin.get(f"{IAM_APIS}/namespaces/{kept_ws}-p/roles").json()["items"], message="roles dropped")
    # Deleted: Terminating first, then gone once the namespace lifecycle finishes.
    wait_for(lambda: admin.get(f"/api/v1/namespaces/{gone_ws}-p").status_code == 404, message="project deleted")
