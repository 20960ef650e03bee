"""kube-apiserver refuses a create/update body whose apiVersion names a version the resource is
not served at (create.go/update.go: 400 BadRequest "the API version in the data (...) does not
match the expected API version (...)"). The emulator only compared the group, so a body with a
wrong version, which a real server refuses, was accepted."""

from emu_helpers import unique


def test_a_body_with_an_unserved_version_is_a_400(admin):
    name = unique("emu-ver")
    wrong = admin.post("/api/v1/namespaces", json={"apiVersion": "v2", "kind": "Namespace",
                                                   "metadata": {"name": name}})
    assert wrong.status_code == 400 and wrong.json()["reason"] == "BadRequest"
    assert wrong.json()["message"] == ("the API version in the data (v2) does not match the expected "
                                       "API version (v1)")
    plan = {"apiVersion": "kubesphere.io/v1", "kind": "InstallPlan", "metadata": {"name": name},
            "spec": {"extension": {"name": name, "version": "1.0.0"}, "enabled": True}}
    wrong = admin.post("/apis/kubesphere.io/v1alpha1/installplans", json=plan)
    assert wrong.status_code == 400 and wrong.json()["reason"] == "BadRequest"
    assert "does not match the expected API version (kubesphere.io/v1alpha1)" in wrong.json()["message"]
    assert admin.get("/apis/kubesphere.io/v1alpha1/installplans/" + name).status_code == 404
    right = admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                   "metadata": {"name": name}})
    assert right.status_code == 201
