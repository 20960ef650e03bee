"""A member cluster's life in the emulator as the real v4.1.3 controller runs it (cluster-lifecycle.json):
validation answers, the write sequence up to Ready, the member reachable under /clusters/{name}, the
effects of the join in the member and on users, and the unjoin's effects (placements emptied, granted
clusters removed, annotations gone, ks-core left), including the host Cluster nothing protects."""

import json
import time

import pytest

from emu_clusters import (APIS, KAPIS, TENANT, admin_client, b64, cluster_body, conditions, get, join, ready, start,
                          unjoin)
from emu_helpers import wait_for

VALIDATE = KAPIS + "/clusters/validation"


@pytest.fixture(scope="module")
def emu():
    process = start(joinable=("edge1", "edge2", "edge3"), cluster_join_ms=300)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(emu):
    return admin_client(emu)


def placement(admin, workspace):
    """The template's placement, read through /apis (kapis reads lag behind like the informer cache)."""
    answer = admin.get(f"/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/{workspace}")
    return answer.json()["spec"]["placement"] if answer.status_code == 200 else None


def validate(emu, admin, name, kubeconfig, connection_type="direct"):
    body = cluster_body(name, kubeconfig)
    body["spec"]["connection"]["type"] = connection_type
    return admin.post(VALIDATE, json=body)


def test_validation_answers_like_the_real_server(emu, admin):
    member = emu.member_kubeconfig("edge1")
    ok = validate(emu, admin, "v1", member)
    assert (ok.status_code, ok.text, ok.headers.get("Content-Type")) == (200, "", None)
    host = validate(emu, admin, "v2", emu.member_kubeconfig("host"))
    assert (host.status_code, host.text) == (
        400, "cluster v2 already exists (host), MUST not import the same cluster twice\n")
    unreachable = member.replace(emu.url + "/_emulator/members/edge1/kube", "https://127.0.0.1:1")
    assert validate(emu, admin, "v3", unreachable).text == (
        'Get "https://127.0.0.1:1/api/v1/namespaces/kube-system?timeout=10s": '
        "dial tcp 127.0.0.1:1: connect: connection refused\n")
    wrong_token = member.replace("token: emu-", "token: wrong-")
    assert validate(emu, admin, "v4", wrong_token).text == "Unauthorized\n"
    assert validate(emu, admin, "v5", "this is not a kubeconfig\n").text.startswith(
        "couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct")
    proxy = validate(emu, admin, "v6", member, connection_type="proxy")
    assert proxy.text == "cluster connection type MUST be direct\n"
    empty = cluster_body("v7", "")
    assert admin.post(VALIDATE, json=empty).text == "cluster kubeconfig MUST NOT be empty\n"
    not_base64 = cluster_body("v8", "")
    not_base64["spec"]["connection"]["kubeconfig"] = "%%% not base64 %%%"
    assert admin.post(VALIDATE, json=not_base64).text == "illegal base64 data at input byte 0\n"


def test_validation_refuses_a_member_another_host_manages(emu, admin):
    kubeconfig = emu.member_kubeconfig("edge3")
    token = kubeconfig.split("token: ")[1].strip()
    namespace = f"{emu.url}/_emulator/members/edge3/kube/api/v1/namespaces/kubesphere-system"

    def annotate(value):
        answer = admin.session.patch(namespace, data=json.dumps(
            {"metadata": {"annotations": {"cluster.kubesphere.io/host-cluster": value}}}),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/merge-patch+json"})
        assert answer.status_code == 200, answer.text
    annotate("other-host")
    try:
        answer = validate(emu, admin, "managed", kubeconfig)
        assert (answer.status_code, answer.text) == (400, "current cluster is managed by another host cluster "
                                                          "'other-host'\n")
    finally:
        annotate(None)
    assert validate(emu, admin, "managed", kubeconfig).status_code == 200
    # The member's own API wants the member's token.
    assert admin.session.get(namespace, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_join_runs_the_recorded_write_sequence(emu, admin):
    kubeconfig = emu.member_kubeconfig("edge1")
    created = admin.post(f"{APIS}/clusters", json=cluster_body("seq", kubeconfig, labels={
        "cluster.kubesphere.io/group": "production"}))
    assert created.status_code == 201 and "status" not in created.json()
    assert admin.post(f"{APIS}/clusters", json=cluster_body("seq", kubeconfig)).status_code == 409
    seen, start_at = [], time.monotonic()
    while not ready(admin, "seq"):
        cluster = get(admin, "seq").json()
        state = (tuple(cluster["metadata"].get("finalizers") or ()), "status" in cluster,
                 (cluster.get("status") or {}).get("uid") is not None,
                 tuple(f'{c["type"]}={c["status"]}' for c in (cluster.get("status") or {}).get("conditions") or []))
        if not seen or seen[-1] != state:
            seen.append(state)
        assert time.monotonic() - start_at < 10, seen
        time.sleep(0.005)
    cluster = get(admin, "seq").json()
    finalized = [s for s in seen if s[0] == ("finalizer.cluster.kubesphere.io",)]
    assert finalized and all(s[1] for s in finalized)                      # status {} with the finalizer
    assert any(s[2] and not s[3] for s in seen)                            # the uid before any condition
    assert [c["type"] for c in cluster["status"]["conditions"]] == ["KSCoreReady", "Ready"]
    assert cluster["status"]["conditions"][0]["message"] == "KS Core is available now"
    assert cluster["status"]["conditions"][1]["message"] == "Cluster is available now"
    assert cluster["status"]["kubeSphereVersion"] == "v4.1.3" and cluster["status"]["kubernetesVersion"]
    members = {m["id"]: m for m in emu.joinable_members()}
    assert cluster["status"]["uid"] == members["edge1"]["kube_system_uid"] and members["edge1"]["joined_as"] == "seq"
    assert cluster["spec"]["connection"]["kubernetesAPIEndpoint"] == members["edge1"]["server"]
    assert cluster["metadata"]["annotations"]["kubesphere.io/config-hash"] == "cbf29ce484222325"
    # A first install's ks-apiserver answers a little after KSCoreReady: Ready was False meanwhile.
    assert ("KSCoreReady=True", "Ready=False") in [s[3] for s in seen], seen
    unjoin(admin, "seq")


def test_joined_member_is_served_and_known(emu, admin):
    join(emu, admin, "served", "edge2")
    assert admin.get("/clusters/served/version").status_code == 200
    namespace = admin.get("/clusters/served/api/v1/namespaces/kubesphere-system").json()
    assert {k: v for k, v in namespace["metadata"]["annotations"].items() if k.startswith("cluster.")} == {
        "cluster.kubesphere.io/name": "served", "cluster.kubesphere.io/host-cluster": "host"}
    binding = admin.get("/clusters/served/apis/iam.kubesphere.io/v1beta1/clusterrolebindings/admin-cluster-admin")
    assert binding.status_code == 200 and binding.json()["roleRef"]["name"] == "cluster-admin"
    wait_for(lambda: "served" in admin.get("/kapis/iam.kubesphere.io/v1beta1/users/admin").json()["metadata"][
        "annotations"].get("iam.kubesphere.io/granted-clusters", "").split(","), message="granted")
    assert "kubesphere.io/initialized" in get(admin, "served").json()["metadata"]["annotations"]
    again = validate(emu, admin, "served2", emu.member_kubeconfig("edge2"))
    assert again.text == "cluster served2 already exists (served), MUST not import the same cluster twice\n"
    listed = admin.get("/kapis/resources.kubesphere.io/v1alpha3/clusters",
                       params={"labelSelector": "kubesphere.io/managed!=true"}).json()
    assert [c["metadata"]["name"] for c in listed["items"]] == ["served"]
    assert "kubeconfig" not in listed["items"][0]["spec"]["connection"]
    unjoin(admin, "served")


def test_unjoin_empties_placements_and_grants_and_leaves_ks_core(emu, admin):
    join(emu, admin, "gone", "edge1")
    for name, clusters in (("ws-both", ["host", "gone"]), ("ws-only", ["gone"])):
        answer = admin.post(TENANT + "/workspacetemplates", json={
            "metadata": {"name": name}, "spec": {"template": {"spec": {"manager": "admin"}},
                                                 "placement": {"clusters": [{"name": c} for c in clusters]}}})
        assert answer.status_code == 200, answer.text
    wait_for(lambda: admin.get("/clusters/gone/apis/tenant.kubesphere.io/v1beta1/workspaces/ws-only").status_code
             == 200, message="workspace in the member")
    project = admin.post("/clusters/gone" + TENANT + "/workspaces/ws-only/namespaces",
                         json={"metadata": {"name": "gone-proj", "labels": {"kubesphere.io/managed": "true"}}})
    assert project.status_code == 200, project.text
    kubeconfig = emu.member_kubeconfig("edge1")
    token = kubeconfig.split("token: ")[1].strip()
    member_api = f"{emu.url}/_emulator/members/edge1/kube"
    unjoin(admin, "gone")
    placements = {name: placement(admin, name) for name in ("ws-both", "ws-only")}
    assert placements == {"ws-both": {"clusters": [{"name": "host"}]}, "ws-only": {}}
    granted = admin.get("/kapis/iam.kubesphere.io/v1beta1/users/admin").json()["metadata"]["annotations"]
    assert "gone" not in granted.get("iam.kubesphere.io/granted-clusters", "").split(",")
    assert admin.get("/clusters/gone/version").json() == {"ErrStatus": {
        "metadata": {}, "status": "Failure", "message": "cluster gone not exists", "reason": "BadRequest", "code": 400}}
    headers = {"Authorization": "Bearer " + token}
    left = admin.session.get(member_api + "/api/v1/namespaces/kubesphere-system", headers=headers).json()
    assert not any(k.startswith("cluster.kubesphere.io/") for k in left["metadata"].get("annotations") or {})
    releases = admin.session.get(member_api + "/api/v1/namespaces/kubesphere-system/secrets",
                                 params={"labelSelector": "owner=helm"}, headers=headers).json()["items"]
    assert releases and all(s["metadata"]["name"].startswith("sh.helm.release.v1.ks-core.v") for s in releases)
    assert admin.session.get(member_api + "/apis/tenant.kubesphere.io/v1beta1/workspaces/ws-only",
                             headers=headers).status_code == 404        # removed while the Cluster still answered
    assert admin.session.get(member_api + "/api/v1/namespaces/gone-proj", headers=headers).status_code == 200
    assert validate(emu, admin, "gone", kubeconfig).status_code == 200
    for name in ("ws-both", "ws-only"):
        admin.delete(f"{TENANT}/workspacetemplates/{name}", json={})


def test_a_workspace_left_in_an_unjoined_member_does_not_hold_up_its_template_deletion(emu, admin):
    # A busy controller may not have removed the member's Workspace before the unjoin finished; the host no
    # longer reaches that member, so what is left there cannot keep the template's deletion waiting.
    join(emu, admin, "left", "edge3")
    answer = admin.post(TENANT + "/workspacetemplates", json={
        "metadata": {"name": "ws-left"}, "spec": {"template": {"spec": {"manager": "admin"}},
                                                  "placement": {"clusters": [{"name": "host"}]}}})
    assert answer.status_code == 200, answer.text
    unjoin(admin, "left")
    member_api = f"{emu.url}/_emulator/members/edge3/kube/apis/tenant.kubesphere.io/v1beta1/workspaces"
    headers = {"Authorization": "Bearer " + emu.member_kubeconfig("edge3").split("token: ")[1].strip()}
    held = {"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace",
            "metadata": {"name": "ws-left", "finalizers": ["example.com/held"]}, "spec": {"manager": "admin"}}
    assert admin.session.post(member_api, json=held, headers=headers).status_code == 201
    assert admin.session.delete(member_api + "/ws-left", headers=headers).status_code == 200
    assert admin.delete(f"{TENANT}/workspacetemplates/ws-left", json={}).status_code == 200
    wait_for(lambda: placement(admin, "ws-left") is None, timeout=5, message="ws-left deleted")


def test_unreachable_or_unauthorized_kubeconfig_is_not_ready(emu, admin):
    unreachable = emu.member_kubeconfig("edge3").replace(emu.url + "/_emulator/members/edge3/kube",
                                                         "https://127.0.0.1:1")
    assert admin.post(f"{APIS}/clusters", json=cluster_body("dead", unreachable)).status_code == 201
    wait_for(lambda: conditions(get(admin, "dead").json()).get("Ready") == "False", message="Ready False")
    ready_condition = [c for c in get(admin, "dead").json()["status"]["conditions"] if c["type"] == "Ready"][0]
    assert ready_condition["message"] == ('failed to get cluster client for dead: Get "https://127.0.0.1:1/version'
                                          '?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused')
    assert admin.get("/clusters/dead/version").status_code == 503
    unjoin(admin, "dead")


def test_revoked_credential_turns_a_joined_cluster_not_ready(emu, admin):
    join(emu, admin, "revoked", "edge3")
    emu.rotate_member_credential("edge3", revoke_others=True)
    wait_for(lambda: conditions(get(admin, "revoked").json()).get("Ready") == "False", timeout=6,
             message="Ready False after the revocation")
    message = [c for c in get(admin, "revoked").json()["status"]["conditions"] if c["type"] == "Ready"][0]["message"]
    assert message == "failed to get kube-system namespace for revoked: Unauthorized"
    unjoin(admin, "revoked")


def test_config_change_reinstalls_ks_core(emu, admin):
    join(emu, admin, "configured", "edge2")
    answer = admin.patch(f"{APIS}/clusters/configured", {"spec": {"config": b64('c25Probe: "1"\n')}})
    assert answer.status_code == 200
    wait_for(lambda: get(admin, "configured").json()["metadata"]["annotations"]["kubesphere.io/config-hash"]
             == "7aea403d3f5d31b4", timeout=5, message="new config hash (FNV-64a of the values, as recorded)")
    assert ready(admin, "configured")
    unjoin(admin, "configured")


def test_deleting_the_host_cluster_empties_its_placements(emu, admin):
    """Nothing refuses it (recorded: a dry-run DELETE of host is 200): the module must."""
    answer = admin.post(TENANT + "/workspacetemplates", json={
        "metadata": {"name": "ws-on-host"},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    assert answer.status_code == 200
    dry = admin.delete(f"{APIS}/clusters/host", params={"dryRun": "All"})
    assert dry.status_code == 200
    assert admin.delete(f"{APIS}/clusters/host").status_code == 200
    wait_for(lambda: placement(admin, "ws-on-host") == {}, message="host left the placement")
    wait_for(lambda: ready(admin, "host"), message="the host Cluster made again")
    admin.delete(f"{TENANT}/workspacetemplates/ws-on-host", json={})


def test_validation_and_dry_runs_are_not_writes(emu, admin):
    """Check mode validates a join and may dry-run: the write guard (forbid_writes) lets those through."""
    emu.configure(forbid_writes=True)
    try:
        emu.reset_counters()
        assert validate(emu, admin, "guarded", emu.member_kubeconfig("edge2")).status_code == 200
        assert admin.delete(f"{APIS}/clusters/host", params={"dryRun": "All"}).status_code == 200
        assert admin.post(f"{APIS}/clusters", json=cluster_body("guarded", emu.member_kubeconfig("edge2"))
                          ).status_code == 500
        counters = emu.counters()
        assert (counters["writes"], counters["forbidden_writes"]) == (1, 1)
    finally:
        emu.configure(forbid_writes=False)
    assert get(admin, "guarded").status_code == 404
