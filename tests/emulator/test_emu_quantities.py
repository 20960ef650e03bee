"""Quantities come back in kube-apiserver's canonical form (resource.Quantity: a typed decode keeps the
caller's spelling only when it is already canonical): project ResourceQuotas and LimitRanges, and the
workspace quota written through the tenant API (ks-apiserver decodes it into the typed object). A CRD
written through /apis is stored as sent. The recordings only hold canonical spellings, so this follows
apimachinery's quantity.go."""

import pytest

from emu_helpers import unique

from emulator.quantity import canonical

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"


@pytest.mark.parametrize("given, stored", [
    ("1000m", "1"), ("1", "1"), ("0.5", "500m"), ("1500m", "1500m"), ("2000", "2k"), ("100m", "100m"),
    ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"), ("0.5Gi", "512Mi"), ("131072Ki", "128Mi"), ("1.5Ki", "1536"),
    ("1023Ki", "1023Ki"), ("1e3", "1e3"), ("0", "0"), (10, "10"), (0.25, "250m"),
])
def test_canonical_form(given, stored):
    assert canonical(given) == stored


def test_stored_quantities_are_canonical(admin):
    ws, ns = unique("qty-ws"), unique("qty-ns")
    assert admin.post(TENANT + "/workspacetemplates", json={
        "metadata": {"name": ws}, "spec": {"template": {"spec": {"manager": "admin"}},
                                           "placement": {"clusters": [{"name": "host"}]}}}).status_code == 200
    quota = admin.post(f"{TENANT}/workspaces/{ws}/resourcequotas", json={
        "apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota", "metadata": {"name": ws},
        "spec": {"quota": {"hard": {"limits.cpu": "2000m", "limits.memory": "4096Mi"}}}})
    assert quota.status_code == 200, quota.text
    assert quota.json()["spec"]["quota"]["hard"] == {"limits.cpu": "2", "limits.memory": "4Gi"}

    assert admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}).status_code == 201
    made = admin.post(f"/api/v1/namespaces/{ns}/resourcequotas", json={
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": ns},
        "spec": {"hard": {"requests.cpu": "1000m", "pods": "10"}}})
    assert made.status_code == 201 and made.json()["spec"]["hard"] == {"requests.cpu": "1", "pods": "10"}
    patched = admin.patch(f"/api/v1/namespaces/{ns}/resourcequotas/{ns}", {"spec": {"hard": {"pods": "20000m"}}})
    assert patched.json()["spec"]["hard"] == {"requests.cpu": "1", "pods": "20"}
    limits = admin.post(f"/api/v1/namespaces/{ns}/limitranges", json={
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": ns},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "0.5", "memory": "1024Mi"},
                             "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}})
    assert limits.status_code == 201, limits.text
    assert limits.json()["spec"]["limits"] == [{"type": "Container", "default": {"cpu": "500m", "memory": "1Gi"},
                                                "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]


def test_limit_range_container_defaults_as_kube_apiserver_fills_them(admin):
    """SetDefaults_LimitRangeItem: default from max, defaultRequest from default, then from min."""
    ns = unique("lr-ns")
    assert admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                  "metadata": {"name": ns}}).status_code == 201
    made = admin.post(f"/api/v1/namespaces/{ns}/limitranges", json={
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": ns},
        "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"},
                             "default": {"memory": "1Gi"}},
                            {"type": "Pod", "max": {"cpu": "4"}}]}})
    assert made.status_code == 201, made.text
    assert made.json()["spec"]["limits"] == [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"},
         "default": {"memory": "1Gi", "cpu": "2"}, "defaultRequest": {"memory": "1Gi", "cpu": "2"}},
        {"type": "Pod", "max": {"cpu": "4"}}]
