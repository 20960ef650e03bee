"""Grant requests and visibility as v4.1.3 answers them (cluster-lifecycle.json): a grant request adds the cluster to
(or removes it from) workspaces' placements, without looking the cluster up; only a cluster labelled
cluster.kubesphere.io/visibility=public may be used by anyone in a new workspace, others need cluster rights."""

import pytest

from emu_clusters import APIS, KAPIS, TENANT, admin_client, join, start, unjoin
from emu_helpers import Client, wait_for

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


@pytest.fixture(scope="module")
def emu():
    process = start(joinable=("edge1",))
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(emu):
    return admin_client(emu)


def placement(admin, workspace):
    return admin.get(f"/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/{workspace}").json()["spec"]["placement"]


def settled(admin, name):
    """Until the cached read (kapis) shows what is stored (/apis)."""
    wait_for(lambda: admin.get(f"{TENANT}/workspacetemplates/{name}").json()["spec"]["placement"]
             == placement(admin, name), message="the cache has the template")


def workspace(admin, name, clusters):
    body = {"metadata": {"name": name}, "spec": {"template": {"spec": {"manager": "admin"}}}}
    if clusters is not None:
        body["spec"]["placement"] = {"clusters": [{"name": c} for c in clusters]}
    answer = admin.post(TENANT + "/workspacetemplates", json=body)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: admin.get(f"{TENANT}/workspacetemplates/{name}").status_code == 200, message="cached")


def test_grant_requests_edit_placements(emu, admin):
    join(emu, admin, "granted", "edge1")
    workspace(admin, "g-ws", ["host"])
    workspace(admin, "g-ws2", None)
    grants = f"{KAPIS}/clusters/granted/grantrequests"
    answer = admin.post(grants, json=[{"op": "add", "workspace": "g-ws"}, {"op": "add", "workspace": "g-ws2"}])
    assert (answer.status_code, answer.text) == (200, "")
    assert placement(admin, "g-ws") == {"clusters": [{"name": "host"}, {"name": "granted"}]}
    assert placement(admin, "g-ws2") == {"clusters": [{"name": "granted"}]}
    wait_for(lambda: admin.get("/clusters/granted/apis/tenant.kubesphere.io/v1beta1/workspaces/g-ws").status_code
             == 200, message="the Workspace in the member")
    settled(admin, "g-ws")
    assert admin.post(grants, json=[{"op": "add", "workspace": "g-ws"}]).status_code == 200
    assert placement(admin, "g-ws") == {"clusters": [{"name": "host"}, {"name": "granted"}]}     # idempotent
    refusals = {
        "op": admin.post(grants, json=[{"op": "replace", "workspace": "g-ws"}]),
        "workspace": admin.post(grants, json=[{"op": "add", "workspace": "nope"}]),
        "object": admin.post(grants, json={"op": "add", "workspace": "g-ws"}),
    }
    assert {k: (v.status_code, v.text) for k, v in refusals.items()} == {
        "op": (400, "not support operation type\n"),
        "workspace": (400, 'WorkspaceTemplate.tenant.kubesphere.io "nope" not found\n'),
        "object": (400, "json: cannot unmarshal object into Go value of type []v1alpha1.UpdateVisibilityRequest\n")}
    unknown = admin.post(f"{KAPIS}/clusters/nowhere/grantrequests", json=[{"op": "add", "workspace": "g-ws2"}])
    assert unknown.status_code == 200                                     # the cluster is not looked up
    assert placement(admin, "g-ws2") == {"clusters": [{"name": "granted"}, {"name": "nowhere"}]}
    # Each request rewrites the whole list from ks-apiserver's cache, with no resourceVersion: one sent before
    # the cache has the last change undoes it. Wait for the cache between requests.
    settled(admin, "g-ws2")
    assert admin.post(f"{KAPIS}/clusters/nowhere/grantrequests", json=[
        {"op": "remove", "workspace": "g-ws2"}]).status_code == 200
    settled(admin, "g-ws2")
    assert admin.post(grants, json=[{"op": "remove", "workspace": "g-ws2"}]).status_code == 200
    assert placement(admin, "g-ws2") == {}
    unjoin(admin, "granted")
    for name in ("g-ws", "g-ws2"):
        admin.delete(f"{TENANT}/workspacetemplates/{name}", json={})


def test_visibility_public_lets_anyone_place_a_workspace(emu, admin):
    join(emu, admin, "vis", "edge1")
    answer = admin.post(USERS, json={"metadata": {"name": "prov", "annotations": {
        "iam.kubesphere.io/globalrole": "platform-self-provisioner"}},
        "spec": {"email": "prov@example.com", "password": "Prov-Pass-1"}})
    assert answer.status_code == 200
    tokens = []
    wait_for(lambda: _login(emu, tokens), message="prov logs in")
    prov = Client(emu.url, tokens[-1])

    def create(name, cluster):
        return prov.post(TENANT + "/workspacetemplates", json={
            "metadata": {"name": name},
            "spec": {"template": {"spec": {"manager": "prov"}}, "placement": {"clusters": [{"name": cluster}]}}})
    assert admin.patch(f"{APIS}/clusters/vis", {"metadata": {"labels": {
        "cluster.kubesphere.io/visibility": "public"}}}).status_code == 200
    assert create("v-pub", "vis").status_code == 200
    assert admin.patch(f"{APIS}/clusters/vis", {"metadata": {"labels": {
        "cluster.kubesphere.io/visibility": "private"}}}).status_code == 200
    private, host = create("v-priv", "vis"), create("v-host", "host")
    assert (private.status_code, private.text) == (403, 'clusters.cluster.kubesphere.io "vis" is forbidden: '
                                                        "user is not allowed to use the cluster vis\n")
    assert (host.status_code, host.text) == (403, 'clusters.cluster.kubesphere.io "host" is forbidden: '
                                                  "user is not allowed to use the cluster host\n")
    assert admin.post(TENANT + "/workspacetemplates", json={"metadata": {"name": "v-admin"}, "spec": {
        "template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "vis"}]}}}).status_code == 200
    unjoin(admin, "vis")
    assert placement(admin, "v-pub") == {} and placement(admin, "v-admin") == {}


def _login(emu, tokens):
    try:
        tokens.append(emu.login("prov", "Prov-Pass-1"))
    except Exception:  # pylint: disable=broad-exception-caught  # not Active yet
        return False
    return True
