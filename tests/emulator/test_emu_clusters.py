"""Cluster objects and the kapis cluster list, as the ks_clusters inventory reads them: shapes like
the recorded v4.1.3 list (kubeconfig stripped, the proxy token still there), conditions of a member
that is down, labels and providers from the config, and paging over many members."""

import yaml

from emu_helpers import Client, unique, wait_for
from emulator.testing import EmulatorProcess

LIST = "/kapis/resources.kubesphere.io/v1alpha3/clusters"


def conditions(cluster):
    return {c["type"]: c["status"] for c in cluster["status"]["conditions"]}


def test_list_strips_kubeconfig_and_reports_readiness(admin):
    body = admin.get(LIST, params={"sortBy": "name", "ascending": "true"}).json()
    assert set(body) == {"items", "totalItems"}
    by_name = {c["metadata"]["name"]: c for c in body["items"]}
    assert list(by_name) == ["host", "member1", "member2"]
    assert all("kubeconfig" not in c["spec"]["connection"] for c in body["items"])
    assert "cluster-role.kubesphere.io/host" in by_name["host"]["metadata"]["labels"]
    assert conditions(by_name["member1"])["Ready"] == "True"
    assert conditions(by_name["member2"]) == {"Initialized": "True", "KSCoreReady": "False", "Ready": "False",
                                              "Schedulable": "False"}
    assert by_name["member2"]["status"]["kubeSphereVersion"] and by_name["member2"]["status"]["nodeCount"] == 3


def test_every_authenticated_user_may_list_clusters(emulator):
    assert emulator.call("GET", LIST)[0] == 403           # anonymous may not
    token = emulator.login()
    name = unique("clusters-reader")
    status, answer = emulator.call("POST", "/kapis/iam.kubesphere.io/v1beta1/users", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": name + "@example.com", "password": "Reader-Pass-1"}}, token=token)
    assert status == 200, answer
    tokens = []

    def logged_in():
        try:
            tokens.append(emulator.login(name, "Reader-Pass-1"))
        except Exception:  # pylint: disable=broad-exception-caught  # not Active yet
            return False
        return True
    wait_for(logged_in, message="the new user can log in")
    status, body = emulator.call("GET", LIST, token=tokens[-1])
    assert status == 200 and body["totalItems"] == 3


def test_many_members_with_labels_providers_and_paging(tmp_path):
    clusters = [{"name": "edge-%03d" % i, "ready": i % 10 != 0, "provider": ("aws", "gcp")[i % 2],
                 "connection": ("direct", "proxy")[i % 2], "labels": {"env": ("prod", "dev")[i % 2]}}
                for i in range(1, 121)]
    config = tmp_path / "many.yaml"
    config.write_text(yaml.safe_dump({"clusters": clusters}))
    with EmulatorProcess(config=str(config), bcrypt_cost=4) as emu:
        admin = Client(emu.url, emu.login())
        seen = []
        for page in (1, 2, 3):
            body = admin.get(LIST, params={"limit": 50, "page": page, "sortBy": "name", "ascending": "true"}).json()
            assert body["totalItems"] == 121
            seen += body["items"]
        assert [c["metadata"]["name"] for c in seen] == sorted(["host"] + [c["name"] for c in clusters])
        edge10 = [c for c in seen if c["metadata"]["name"] == "edge-010"][0]
        assert conditions(edge10)["Ready"] == "False" and edge10["spec"]["provider"] == "aws"
        edge11 = [c for c in seen if c["metadata"]["name"] == "edge-011"][0]
        assert conditions(edge11)["Ready"] == "True" and edge11["spec"]["provider"] == "gcp"
        # As on the real server, the list strips kubeconfigs but not a proxy member's token.
        assert edge11["spec"]["connection"]["type"] == "proxy" and "token" in edge11["spec"]["connection"]
        dev = admin.get(LIST, params={"labelSelector": "env=dev"}).json()
        assert dev["totalItems"] == 60
        assert admin.get("/clusters/edge-010/version").status_code == 503
        assert admin.get("/clusters/edge-011/version").status_code == 200
