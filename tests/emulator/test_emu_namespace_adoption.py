"""A namespace made outside KubeSphere, brought into a workspace by labels, as
isolation-and-labels.json recorded it on v4.1.3: kubesphere.io/managed alone
does nothing; with kubesphere.io/workspace as well the three project roles and
the cascading-deletion finalizer appear, no creator binding is made (there is no
creator annotation), and the workspace's namespace GET finds it."""

import time

from emu_helpers import unique, wait_for

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
NAMESPACES = "/clusters/host/api/v1/namespaces"


def roles(admin, ns):
    items = admin.get(f"/clusters/host/apis/iam.kubesphere.io/v1beta1/namespaces/{ns}/roles").json()["items"]
    return sorted(r["metadata"]["name"] for r in items)


def test_plain_namespace_becomes_a_project_only_with_the_workspace_label(admin):
    ws, ns = unique("adopt-ws"), unique("adopt-ns")
    assert admin.post(TENANT + "/workspacetemplates", json={
        "metadata": {"name": ws}, "spec": {"template": {"spec": {"manager": "admin"}},
                                           "placement": {"clusters": [{"name": "host"}]}}}).status_code == 200
    created = admin.post(NAMESPACES, json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    assert created.status_code == 201
    assert created.json()["metadata"]["labels"] == {"kubernetes.io/metadata.name": ns}
    # Once the kapis cache has it: 404 in lower case, as for a namespace of another workspace.
    wait_for(lambda: admin.get(f"{TENANT}/workspaces/{ws}/namespaces/{ns}").text.startswith(f'namespace "{ns}"'),
             message="the kapis cache to see the namespace")

    assert admin.patch(f"{NAMESPACES}/{ns}", {"metadata": {"labels": {"kubesphere.io/managed": "true"}}}).status_code == 200
    time.sleep(0.3)                     # the recording waited 6 s; the emulator's controller acts in ~10 ms
    assert roles(admin, ns) == []
    assert "finalizers" not in admin.get(f"{NAMESPACES}/{ns}").json()["metadata"]

    assert admin.patch(f"{NAMESPACES}/{ns}", {"metadata": {"labels": {"kubesphere.io/workspace": ws}}}).status_code == 200
    wait_for(lambda: roles(admin, ns) == ["admin", "operator", "viewer"], message="project roles")
    metadata = admin.get(f"{NAMESPACES}/{ns}").json()["metadata"]
    assert metadata["finalizers"] == ["kubesphere.io/cascading-deletion"]
    bindings = admin.get(f"/clusters/host/apis/iam.kubesphere.io/v1beta1/namespaces/{ns}/rolebindings").json()
    assert bindings["items"] == []
    assert admin.get(f"{TENANT}/workspaces/{ws}/namespaces/{ns}").status_code == 200
