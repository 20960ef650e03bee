"""The emulator's cost per operation must not grow with what it stores (the benchmark runs a platform of
thousands of objects against it). Counted, not timed: the store counts the objects its lists look at, and
the same operations on a platform four times larger must look at about as many."""

import json
import time

import pytest

from emulator.app import App
from emulator.messages import Request
from emulator.registry import Kind
from emulator.settings import ClusterSpec, Settings
from emulator.store import Store

IAM = "/kapis/iam.kubesphere.io/v1beta1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"


class InProcess:
    """An App driven without HTTP, as the server drives it, with its controllers running."""

    def __init__(self):
        self.app = App(Settings(bcrypt_cost=4, controller_delay_ms=0, informer_lag_ms=0,
                                members=[ClusterSpec(name="member1")]))
        self.app.start()
        form = "grant_type=password&username=admin&password=P%4088w0rd&client_id=kubesphere&client_secret=kubesphere"
        answer = self.app.handle(Request("POST", "/oauth/token",
                                         {"Content-Type": "application/x-www-form-urlencoded"}, form.encode()))
        self.headers = {"Authorization": "Bearer " + json.loads(answer.body)["access_token"],
                        "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        answer = self.app.handle(Request(method, path, self.headers, data))
        assert answer.status < 300, (method, path, answer.status, answer.body[:300])

    def settle(self):
        """Wait until the controllers have nothing queued and the store stops changing."""
        queues = [runner.queue for runners in self.app.controllers.runners.values() for runner in runners]
        last = None
        for _attempt in range(500):
            state = (self.app.store.resource_version(), self.app.store.examined)
            if state == last and not any(queue.pending() for queue in queues):
                return
            last = state
            time.sleep(0.02)
        raise AssertionError("the controllers did not settle")


def tenancy(emu, prefix, users, workspaces, projects):
    """Users; workspaces on two clusters, each user a member of one; projects on both clusters, each with a member."""
    for index in range(users):
        emu.call("POST", IAM + "/users", {
            "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": f"{prefix}u{index}",
                         "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
            "spec": {"email": f"{prefix}u{index}@example.com"}})
    for index in range(workspaces):
        emu.call("POST", TENANT + "/workspacetemplates", {
            "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
            "metadata": {"name": f"{prefix}w{index}"},
            "spec": {"template": {"spec": {"manager": "admin"}},
                     "placement": {"clusters": [{"name": "host"}, {"name": "member1"}]}}})
    emu.settle()
    for index in range(projects):
        cluster = "/clusters/member1" if index % 2 else ""
        emu.call("POST", f"{cluster}{TENANT}/workspaces/{prefix}w{index % workspaces}/namespaces", {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": f"{prefix}p{index}", "labels": {"kubesphere.io/managed": "true"}}})
    emu.settle()
    for index in range(users):
        workspace = f"{prefix}w{index % workspaces}"
        emu.call("POST", f"{IAM}/workspaces/{workspace}/workspacemembers",
                 [{"username": f"{prefix}u{index}", "roleRef": f"{workspace}-regular"}])
    for index in range(projects):
        cluster = "/clusters/member1" if index % 2 else ""
        emu.call("POST", f"{cluster}{IAM}/namespaces/{prefix}p{index}/namespacemembers",
                 [{"username": f"{prefix}u{index % users}", "roleRef": "viewer"}])
    emu.settle()


def probe(emu, prefix):
    """Objects looked at while a small tenancy is made, read back and partly removed, controllers included."""
    before = emu.app.store.examined
    tenancy(emu, prefix, users=5, workspaces=1, projects=4)
    for index in range(5):
        emu.call("GET", f"{IAM}/users/{prefix}u{index}")
    emu.call("GET", f"{IAM}/workspaces/{prefix}w0/workspacemembers")
    emu.call("GET", f"{TENANT}/workspaces/{prefix}w0/namespaces/{prefix}p0")
    emu.call("GET", f"{IAM}/namespaces/{prefix}p0/namespacemembers")
    emu.call("DELETE", f"{IAM}/workspaces/{prefix}w0/workspacemembers/{prefix}u1")
    emu.call("DELETE", f"{TENANT}/workspaces/{prefix}w0/namespaces/{prefix}p0")
    emu.call("DELETE", f"{IAM}/users/{prefix}u4")
    emu.settle()
    return emu.app.store.examined - before


@pytest.fixture(scope="module")
def costs():
    """(stored objects, probe cost) on a platform and on one with four times as many objects."""
    emu = InProcess()
    try:
        tenancy(emu, "a-", users=40, workspaces=4, projects=20)
        small = (emu.app.store.count(), probe(emu, "probe1-"))
        tenancy(emu, "b-", users=160, workspaces=16, projects=80)
        tenancy(emu, "c-", users=160, workspaces=16, projects=80)
        large = (emu.app.store.count(), probe(emu, "probe2-"))
    finally:
        emu.app.stop()
    return small, large


def test_operation_cost_does_not_grow_with_the_platform(costs):
    (small_size, small_cost), (large_size, large_cost) = costs
    assert large_size > 3 * small_size          # the platform did grow
    # A scan of any whole kind per operation would multiply the cost by about 3.5: allow noise, not that.
    assert large_cost <= 1.5 * small_cost, (f"the same operations looked at {small_cost} objects among "
                                            f"{small_size} and {large_cost} among {large_size}")


WIDGET = Kind(group="example.io", version="v1", plural="widgets", kind="Widget", namespaced=True)


def widget(name, namespace="ns", **labels):
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels}}


def test_indexed_lists_look_only_at_candidates_and_answer_as_a_scan_would():
    clock = [100.0]
    store = Store(monotonic=lambda: clock[0])
    for index in range(200):
        store.create("host", WIDGET, widget(f"w{index}", f"ns{index % 10}", team=f"t{index % 20}"))
    before = store.examined
    found = store.list("host", WIDGET, namespace="ns3", labels={"team": "t3"})
    assert [o["metadata"]["name"] for o in found] == [f"w{i}" for i in sorted(range(3, 200, 20), key=str)]
    assert store.examined - before == 10
    scanned = store.list("host", WIDGET, where=lambda o: o["metadata"]["namespace"] == "ns3"
                         and o["metadata"]["labels"].get("team") == "t3")
    assert scanned == found


def test_an_index_still_finds_what_a_lagged_read_sees():
    clock = [100.0]
    store = Store(monotonic=lambda: clock[0])
    store.create("host", WIDGET, widget("a", team="red"))
    store.list("host", WIDGET, labels={"team": "red"})                # the index exists from here on
    clock[0] += 1.0
    store.mutate("host", WIDGET, "a", "ns", lambda o: o["metadata"]["labels"].__setitem__("team", "blue"))
    clock[0] += 0.01
    assert store.list("host", WIDGET, labels={"team": "red"}) == []
    assert [o["metadata"]["labels"]["team"] for o in store.list("host", WIDGET, lag=0.1, labels={"team": "red"})] \
        == ["red"]
    assert len(store.list("host", WIDGET, labels={"team": "blue"})) == 1
    store.delete("host", WIDGET, "a", "ns")
    assert store.list("host", WIDGET, labels={"team": "blue"}) == []
    assert len(store.list("host", WIDGET, lag=0.005, labels={"team": "blue"})) == 1
    assert store.count() == 0
