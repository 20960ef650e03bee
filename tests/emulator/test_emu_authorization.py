"""What a platform-regular user may do (as recorded in errors.json), and the 403 shape."""

import time

import pytest

from emu_helpers import Client, create_user, unique, wait_active, wait_for

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


@pytest.fixture(scope="module")
def regular(emulator, admin):
    name = unique("emu-regular")
    create_user(admin, name, password="Regular-Pass-1")
    wait_active(admin, name)
    client = Client(emulator.url, emulator.login(name, "Regular-Pass-1"))
    client.name = name
    return client


@pytest.mark.parametrize("method, path, status", [
    ("GET", USERS, 200),
    ("GET", USERS + "/admin", 403),
    ("POST", USERS, 403),
    ("POST", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", 403),
    ("POST", "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates", 403),
    ("GET", "/api/v1/namespaces", 403),
    ("GET", "/kapis/resources.kubesphere.io/v1alpha3/clusters", 200),
    ("GET", "/apis/cluster.kubesphere.io/v1alpha1/clusters", 403),
    ("GET", "/version", 200),
    ("GET", "/kapis/version", 403),
    ("GET", "/apis/kubesphere.io/v1alpha1/installplans", 403),
    ("PUT", USERS + "/admin/password", 403),
    ("POST", "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws-demo/workspacemembers", 403),
])
def test_regular_user(regular, method, path, status):
    assert regular.request(method, path, json={}).status_code == status


def test_own_user_is_readable(regular):
    assert regular.get(f"{USERS}/{regular.name}").status_code in (200, 404)   # 404 only while the cache lags
    assert regular.get(f"{USERS}/{regular.name}/loginrecords").status_code == 200


def test_forbidden_bodies(regular, anonymous):
    named = regular.get(USERS + "/admin").json()
    assert named == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                     "message": f'users.iam.kubesphere.io "admin" is forbidden: User "{regular.name}" cannot get '
                                'resource "users" in API group "iam.kubesphere.io" at the cluster scope',
                     "reason": "Forbidden", "details": {"name": "admin", "group": "iam.kubesphere.io", "kind": "users"},
                     "code": 403}
    path = anonymous.get("/kapis/version").json()
    assert path["message"] == 'forbidden: User "system:anonymous" cannot GET path "/kapis/version"'
    assert path["details"] == {}
    scoped = regular.get("/api/v1/namespaces/default").json()
    assert scoped["message"].endswith('in API group "" in the namespace "default"')


def test_regular_users_cannot_raise_their_own_role(regular, admin):
    own = admin.get(f"/apis/iam.kubesphere.io/v1beta1/users/{regular.name}").json()
    patched = regular.patch(f"/apis/iam.kubesphere.io/v1beta1/users/{regular.name}",
                            {"metadata": {"annotations": {"iam.kubesphere.io/globalrole": "platform-admin"}}})
    assert patched.status_code == 200
    assert patched.json()["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == "platform-regular"
    assert own["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == "platform-regular"


def test_regular_user_lists_only_the_workspaces_it_is_a_member_of(regular, admin):
    # errors.json: "LIST workspacetemplates (only own)" answered rec-ws1 alone while ws-demo existed.
    mine, other = unique("emu-mine"), unique("emu-other")
    for name in (mine, other):
        assert admin.post("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", json={
            "metadata": {"name": name}, "spec": {"template": {"spec": {"manager": "admin"}},
                                                 "placement": {"clusters": [{"name": "host"}]}}}).status_code == 200
    # both in ks-apiserver's cache first, or "other not in listed" would hold for the wrong reason
    for name in (mine, other):
        wait_for(lambda name=name: admin.get(f"/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/{name}").ok,
                 message=f"{name} in the cache")
    deadline = time.monotonic() + 5
    while admin.post(f"/kapis/iam.kubesphere.io/v1beta1/workspaces/{mine}/workspacemembers",
                     json=[{"username": regular.name, "roleRef": mine + "-viewer"}]).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    listed = [t["metadata"]["name"] for t in regular.get("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates").json()["items"]]
    assert mine in listed and other not in listed
    answer = regular.get(f"/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/{other}")
    assert answer.status_code == 200, answer.text
