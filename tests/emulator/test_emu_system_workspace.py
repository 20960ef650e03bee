"""KubeSphere's own workspace, seeded as the installer leaves it (v4.1.3's chart: the
WorkspaceTemplate labelled kubesphere.io/protected-resource, placed on every cluster, and the
system namespaces labelled into it by the post-patch-system-ns job; 3.4's ks-installer: the
same workspace without the protection label, and namespaces with only the workspace label)."""

import pytest

from emu_helpers import Client

V4_SYSTEM = ["default", "kube-node-lease", "kube-public", "kube-system", "kubesphere-controls-system",
             "kubesphere-system"]


def _system_namespaces(client, path):
    return sorted(n["metadata"]["name"] for n in client.get(path).json()["items"]
                  if (n["metadata"].get("labels") or {}).get("kubesphere.io/workspace") == "system-workspace")


def test_v4_has_a_protected_system_workspace_holding_the_system_namespaces(admin):
    template = admin.get("/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/system-workspace").json()
    assert template["metadata"]["labels"] == {"kubesphere.io/protected-resource": "true"}
    assert template["metadata"]["annotations"]["kubesphere.io/creator"] == "admin"
    assert template["spec"] == {"template": {"metadata": {}, "spec": {"manager": "admin"}},
                                "placement": {"clusterSelector": {}}}
    # Placed on every ready cluster, with its roles, as any workspace.
    for cluster in ("host", "member1"):
        workspace = admin.get(f"/clusters/{cluster}/apis/tenant.kubesphere.io/v1beta1/workspaces/system-workspace")
        assert workspace.status_code == 200, cluster
        assert "labels" not in workspace.json()["metadata"]
    roles = admin.get("/kapis/iam.kubesphere.io/v1beta1/workspaces/system-workspace/workspaceroles").json()["items"]
    assert sorted(r["metadata"]["name"] for r in roles) == [
        "system-workspace-admin", "system-workspace-regular", "system-workspace-self-provisioner",
        "system-workspace-viewer"]

    for cluster in ("host", "member1"):
        assert _system_namespaces(admin, f"/clusters/{cluster}/api/v1/namespaces") == V4_SYSTEM
    kube_system = admin.get("/api/v1/namespaces/kube-system").json()["metadata"]["labels"]
    assert kube_system["kubesphere.io/managed"] == "true"
    assert kube_system["kubesphere.io/protected-resource"] == "true"
    listed = admin.get("/kapis/tenant.kubesphere.io/v1beta1/workspaces/system-workspace/namespaces").json()
    assert sorted(n["metadata"]["name"] for n in listed["items"]) == V4_SYSTEM

    # The protection webhook refuses their deletion (kapis: 400 text, /api: 403).
    refused = admin.request("DELETE", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/system-workspace",
                            json={})
    assert refused.status_code == 400 and "protector.kubesphere.io" in refused.text
    assert admin.delete("/api/v1/namespaces/kube-system").status_code == 403


@pytest.fixture
def v34(fresh_emulator):
    emu = fresh_emulator(ks_version="3.4")
    return Client(emu.url, emu.login())


def test_v34_system_workspace_is_the_installers_one(v34):
    template = v34.get("/kapis/tenant.kubesphere.io/v1alpha2/workspaces/system-workspace").json()
    assert "labels" not in template["metadata"]
    assert template["spec"]["template"]["spec"] == {"manager": "admin", "networkIsolation": False}
    assert template["spec"]["placement"] == {"clusterSelector": {}}
    assert _system_namespaces(v34, "/api/v1/namespaces") == sorted(
        V4_SYSTEM + ["kube-federation-system", "kubesphere-monitoring-federated", "kubesphere-monitoring-system"])
    labels = v34.get("/api/v1/namespaces/kube-system").json()["metadata"]["labels"]
    assert "kubesphere.io/managed" not in labels and "kubesphere.io/protected-resource" not in labels
