"""The generic Kubernetes handler under /api and /apis."""

import time

from emu_helpers import APIS_USERS, unique, wait_for

NAMESPACES = "/api/v1/namespaces"


def namespace(name, labels=None):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}


def test_create_get_list_and_conflicts(admin):
    prefix = unique("emu-k8s")
    for index in range(3):
        created = admin.post(NAMESPACES, json=namespace(f"{prefix}-{index}", {"batch": prefix, "i": str(index)}))
        assert created.status_code == 201
    body = created.json()
    assert body["status"] == {"phase": "Active"} and body["spec"] == {"finalizers": ["kubernetes"]}
    assert body["metadata"]["labels"]["kubernetes.io/metadata.name"] == f"{prefix}-2"
    duplicate = admin.post(NAMESPACES, json=namespace(f"{prefix}-0"))
    assert duplicate.status_code == 409 and duplicate.json()["reason"] == "AlreadyExists"
    listed = admin.get(NAMESPACES, params={"labelSelector": f"batch={prefix},i notin (1)"}).json()
    assert listed["kind"] == "NamespaceList" and "kind" not in listed["items"][0]
    assert [n["metadata"]["name"] for n in listed["items"]] == [f"{prefix}-0", f"{prefix}-2"]
    first = admin.get(NAMESPACES, params={"labelSelector": f"batch={prefix}", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["metadata"]["remainingItemCount"] == 1
    rest = admin.get(NAMESPACES, params={"labelSelector": f"batch={prefix}", "limit": 2,
                                         "continue": first["metadata"]["continue"]}).json()
    assert [n["metadata"]["name"] for n in rest["items"]] == [f"{prefix}-2"]
    missing = admin.get(f"{NAMESPACES}/{prefix}-9").json()
    assert missing["reason"] == "NotFound" and missing["details"] == {"name": f"{prefix}-9", "kind": "namespaces"}
    bad = admin.post(NAMESPACES, json=namespace("Bad_Name"))
    assert bad.status_code == 422 and bad.json()["reason"] == "Invalid"


def test_patches(admin):
    name = unique("emu-patch")
    admin.post(NAMESPACES, json=namespace(name, {"a": "1"}))
    merged = admin.patch(f"{NAMESPACES}/{name}", {"metadata": {"labels": {"a": None, "b": "2"}}})
    assert merged.status_code == 200 and "a" not in merged.json()["metadata"]["labels"]
    patched = admin.patch(f"{NAMESPACES}/{name}", [{"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}],
                          content_type="application/json-patch+json")
    assert patched.json()["metadata"]["annotations"] == {"x": "y"}
    strategic = admin.patch(f"{NAMESPACES}/{name}", {"metadata": {"labels": {"c": "3"}}},
                            content_type="application/strategic-merge-patch+json")
    assert strategic.status_code == 200
    plain = admin.patch(f"{NAMESPACES}/{name}", {}, content_type="application/json")
    assert plain.status_code == 415 and plain.json()["reason"] == "UnsupportedMediaType"
    custom = admin.patch(f"{APIS_USERS}/admin", {}, content_type="application/strategic-merge-patch+json")
    assert custom.status_code == 415, "strategic merge patch is refused on custom resources"


def test_custom_resource_updates_need_a_resource_version(admin):
    user = admin.get(f"{APIS_USERS}/admin").json()
    del user["metadata"]["resourceVersion"]
    missing = admin.put(f"{APIS_USERS}/admin", json=user).json()
    assert missing["code"] == 422 and "must be specified for an update" in missing["message"]
    user["metadata"]["resourceVersion"] = "1"
    assert admin.put(f"{APIS_USERS}/admin", json=user).json()["reason"] == "Conflict"
    name = unique("emu-ns-put")
    created = admin.post(NAMESPACES, json=namespace(name)).json()
    del created["metadata"]["resourceVersion"]
    assert admin.put(f"{NAMESPACES}/{name}", json=created).status_code == 200, "namespaces need no version"


def test_namespaced_objects_and_namespace_deletion(admin):
    name = unique("emu-life")
    admin.post(NAMESPACES, json=namespace(name))
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}}
    assert admin.post(f"{NAMESPACES}/{name}/configmaps", json=configmap).status_code == 201
    assert admin.post(f"{NAMESPACES}/{unique('nope')}/configmaps", json=configmap).status_code == 404
    assert admin.get(f"/api/v1/configmaps?fieldSelector=metadata.namespace%3D{name}").json()["items"][0]["data"] == \
        {"k": "v"}
    deleted = admin.delete(f"{NAMESPACES}/{name}").json()
    assert deleted["status"]["phase"] == "Terminating" and deleted["metadata"]["deletionTimestamp"]
    wait_for(lambda: admin.get(f"{NAMESPACES}/{name}").status_code == 404, message="namespace to go")


def test_finalizers_hold_custom_objects(admin):
    name = unique("emu-fin")
    body = namespace(name)
    body["metadata"]["finalizers"] = ["example.io/hold"]
    admin.post(NAMESPACES, json=body)
    admin.delete(f"{NAMESPACES}/{name}")
    time.sleep(0.1)
    held = admin.get(f"{NAMESPACES}/{name}").json()
    assert held["metadata"]["deletionTimestamp"] and held["status"]["phase"] == "Terminating"
    admin.patch(f"{NAMESPACES}/{name}", {"metadata": {"finalizers": None}})
    wait_for(lambda: admin.get(f"{NAMESPACES}/{name}").status_code == 404, message="namespace to go")


def test_router_misses_and_discovery(admin):
    unknown = admin.get("/apis/tenant.kubesphere.io/v1beta1/nosuchthings")
    assert (unknown.status_code, unknown.text) == (404, "404 page not found\n")
    assert admin.post(f"{APIS_USERS}/admin", json={}).json()["message"].startswith(
        "the object provided is unrecognized (must be of type User): Object 'Kind' is missing in '{}'")
    groups = {g["name"] for g in admin.get("/apis").json()["groups"]}
    assert {"iam.kubesphere.io", "cluster.kubesphere.io"} <= groups
    resources = admin.get("/apis/iam.kubesphere.io/v1beta1").json()["resources"]
    assert "users" in [r["name"] for r in resources]
    assert admin.get("/api").json()["versions"] == ["v1"]
