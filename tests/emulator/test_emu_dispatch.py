"""Multi-cluster dispatch and the cluster listings."""

from emu_helpers import Client, create_user, unique, wait_active, wait_for

NAMESPACES = "/api/v1/namespaces"


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def test_each_cluster_has_its_own_objects(admin):
    name = unique("emu-member-ns")
    assert admin.post("/clusters/member1" + NAMESPACES, json=namespace(name)).status_code == 201
    assert admin.get(f"/clusters/member1{NAMESPACES}/{name}").status_code == 200
    assert admin.get(f"/api/clusters/member1/v1/namespaces/{name}").status_code == 200
    assert admin.get(f"{NAMESPACES}/{name}").status_code == 404
    assert admin.get(f"/clusters/host{NAMESPACES}/kube-system").status_code == 200
    names = [n["metadata"]["name"] for n in admin.get("/clusters/member1" + NAMESPACES).json()["items"]]
    assert {"default", "kube-system", "kubesphere-system", name} <= set(names)


def test_unknown_and_not_ready_clusters(anonymous, admin):
    unknown = anonymous.get("/clusters/nope" + NAMESPACES)
    assert unknown.status_code == 400
    assert unknown.json() == {"ErrStatus": {"metadata": {}, "status": "Failure", "message": "cluster nope not exists",
                                            "reason": "BadRequest", "code": 400}}
    for path in ("/clusters/member2" + NAMESPACES, "/kapis/clusters/member2/tenant.kubesphere.io/v1beta1/namespaces",
                 "/api/clusters/member2/v1/namespaces", "/clusters/member2/version"):
        answer = anonymous.get(path)
        assert answer.status_code == 503, path
        assert answer.json()["ErrStatus"]["message"] == "cluster member2 is not ready"
    bad_token = Client(anonymous.url, "garbage").get("/clusters/nope" + NAMESPACES)
    assert bad_token.status_code == 401, "authentication comes before dispatch"


def test_member_version_and_host_only_kinds(admin):
    version = admin.get("/clusters/member1/version").json()
    assert version["gitVersion"] == "v4.1.3" and version["kubernetes"]["gitVersion"]
    assert admin.get("/clusters/member1/apis/iam.kubesphere.io/v1beta1/users").status_code == 404
    assert admin.get("/clusters/member1/kapis/iam.kubesphere.io/v1beta1/globalroles").status_code == 404


def test_cluster_listings(emulator, admin):
    listed = admin.get("/kapis/resources.kubesphere.io/v1alpha3/clusters?sortBy=name&ascending=true").json()
    assert [c["metadata"]["name"] for c in listed["items"]] == ["host", "member1", "member2"]
    assert all("kubeconfig" not in c["spec"]["connection"] for c in listed["items"])
    host = listed["items"][0]
    assert "cluster-role.kubesphere.io/host" in host["metadata"]["labels"]
    ready = {c["metadata"]["name"]: [x["status"] for x in c["status"]["conditions"] if x["type"] == "Ready"][0]
             for c in listed["items"]}
    assert ready == {"host": "True", "member1": "True", "member2": "False"}
    raw = admin.get("/apis/cluster.kubesphere.io/v1alpha1/clusters").json()
    assert all(c["spec"]["connection"]["kubeconfig"] for c in raw["items"])
    regular_name = unique("emu-regular")
    create_user(admin, regular_name)
    wait_active(admin, regular_name)
    regular = Client(emulator.url, emulator.login(regular_name, "Test-Pass-123"))
    assert regular.get("/kapis/resources.kubesphere.io/v1alpha3/clusters").status_code == 200
    assert regular.get("/apis/cluster.kubesphere.io/v1alpha1/clusters").status_code == 403
    assert regular.get("/kapis/tenant.kubesphere.io/v1beta1/clusters").json()["totalItems"] == 0
    assert admin.get("/kapis/tenant.kubesphere.io/v1beta1/clusters").json()["totalItems"] == 3


def test_clusters_created_through_the_api_are_not_ready(fresh_emulator):
    emu = fresh_emulator()
    admin = Client(emu.url, emu.login())
    cluster = {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster", "metadata": {"name": "late"},
               "spec": {"provider": "x", "connection": {"type": "proxy"}}}
    assert admin.post("/apis/cluster.kubesphere.io/v1alpha1/clusters", json=cluster).status_code == 201
    assert admin.get("/clusters/late" + NAMESPACES).status_code == 503
    status = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    assert admin.patch("/apis/cluster.kubesphere.io/v1alpha1/clusters/late", status).status_code == 200
    assert admin.get("/clusters/late" + NAMESPACES).status_code == 200
    # (the answer is a Status, or the Cluster itself once the controller has given it its finalizer)
    assert admin.delete("/apis/cluster.kubesphere.io/v1alpha1/clusters/late").status_code == 200
    wait_for(lambda: admin.get("/clusters/late" + NAMESPACES).status_code == 400,
             message="no route to a deleted cluster")
