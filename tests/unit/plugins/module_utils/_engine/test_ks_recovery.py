"""The one recovery of a write whose answer was lost (ks_recovery), and its users beside the engine: members,
quotas and default limits, against fake servers that apply a write and then lose its answer, or lose it
unapplied (no HTTP)."""
import copy

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_recovery import (
    LANDED, NOT_LANDED, UNKNOWN, write_recovering)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import Members
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import (
    DefaultLimits, ProjectQuota, WorkspaceQuota)


def lost(status=None):
    err = KubeSphereError("connection lost before the answer", method="POST", url="/x", status=status)
    err.uncertain = True
    return err


class Client(object):
    """pause_before_retry and report_once as the real client has them (the budget: `retries` pauses)."""

    def __init__(self, retries=3):
        self.retries, self.pauses, self.reports = retries, [], []

    def pause_before_retry(self, attempt, err=None):
        self.pauses.append(attempt)
        return attempt < self.retries

    def report_once(self, key, message):
        if key not in [k for k, _m in self.reports]:
            self.reports.append((key, message))


def _raise(err):
    raise err


# The helper itself ------------------------------------------------------------------------

def test_a_write_that_answers_is_sent_once_and_nothing_is_read():
    client, reads = Client(), []
    assert write_recovering(client, "thing", lambda: "answer", lambda: reads.append(1)) == "answer"
    assert reads == [] and client.pauses == [] and client.reports == []


def test_a_lost_write_that_landed_is_read_back_not_sent_again():
    client, sends = Client(), []

    def send():
        sends.append(1)
        raise lost()
    out = write_recovering(client, "thing", send, lambda: (LANDED, "as read"), "created")
    assert out == "as read" and len(sends) == 1 and client.pauses == []
    assert "it had been created, so it was not sent again" in client.reports[0][1]
    assert "the connection was lost" in client.reports[0][1]


def test_a_lost_write_that_did_not_land_is_sent_again_after_a_pause():
    client, fates = Client(), [lost(502), lost(), "answer"]

    def send():
        fate = fates.pop(0)
        if isinstance(fate, Exception):
            raise fate
        return fate
    assert write_recovering(client, "thing", send, lambda: (NOT_LANDED, None)) == "answer"
    assert client.pauses == [0, 1]
    assert [message for key, message in client.reports] == [
        "The answer to a write of a thing was lost (HTTP 502 from the server or a proxy); a read showed it had not "
        "been applied, so it was sent again. Later writes of a thing recovered this way are not reported",
        "The answer to a write of a thing was lost (the connection was lost); a read showed it had not been "
        "applied, so it was sent again. Later writes of a thing recovered this way are not reported"]


def test_an_error_that_is_not_uncertain_is_raised_at_once_without_a_read():
    refused = KubeSphereError("forbidden", status=403)
    with pytest.raises(KubeSphereError) as info:
        write_recovering(Client(), "thing", lambda: _raise(refused), lambda: pytest.fail("read"))
    assert info.value is refused


def test_a_read_that_cannot_tell_fails_with_the_write_error():
    err = lost()
    with pytest.raises(KubeSphereError) as info:
        write_recovering(Client(), "thing", lambda: _raise(err), lambda: (UNKNOWN, None))
    assert info.value is err


def test_retries_are_bounded_and_the_error_says_it_gave_up():
    client, sends = Client(retries=2), []

    def send():
        sends.append(1)
        raise lost(503)
    with pytest.raises(KubeSphereError) as info:
        write_recovering(client, "thing", send, lambda: (NOT_LANDED, None))
    assert len(sends) == 3 and client.pauses == [0, 1, 2]
    assert "gave up after 2 retries: HTTP 503: connection lost" in str(info.value)


def test_already_exists_after_our_own_lost_create_is_read_and_never_sent_a_third_time():
    client, fates = Client(), [lost(), KubeSphereError("already exists", status=409)]
    reads = iter([(NOT_LANDED, None), (LANDED, "made by the lost one")])

    def send():
        raise fates.pop(0)
    assert write_recovering(client, "thing", send, lambda: next(reads), "created", create=True) == \
        "made by the lost one"
    duplicate = KubeSphereError("already exists", status=409)
    with pytest.raises(KubeSphereError):        # a duplicate with no lost send of ours first is the user's
        write_recovering(Client(), "thing", lambda: _raise(duplicate), lambda: pytest.fail("read"),
                         create=True)


# Members ----------------------------------------------------------------------------------

class MemberServer(Client):
    """A members API whose writes meet scripted fates: "after" (applied, answer lost), "before" (lost, not
    applied), None (answered)."""

    def __init__(self, members, fates):
        super().__init__()
        self.members, self.fates, self.sent = dict(members), list(fates), []

    def list_all(self, path, cluster=None):
        return [{"metadata": {"name": u, "annotations": {"iam.kubesphere.io/workspacerole": r}}}
                for u, r in self.members.items()]

    def _fate(self, apply):
        fate = self.fates.pop(0) if self.fates else None
        if fate != "before":
            apply()
        if fate:
            raise lost()

    def post(self, path, body, cluster=None):
        self.sent.append(("POST", sorted(m["username"] for m in body)))
        self._fate(lambda: self.members.update((m["username"], m["roleRef"]) for m in body))
        return body

    def put(self, path, body, cluster=None):
        self.sent.append(("PUT", body["username"]))
        self._fate(lambda: self.members.__setitem__(body["username"], body["roleRef"]))
        return body

    def delete(self, path, cluster=None, missing_ok=False):
        self.sent.append(("DELETE", path.rsplit("/", 1)[1]))
        self.members.pop(path.rsplit("/", 1)[1], None)


def test_a_lost_member_add_that_landed_is_not_sent_again():
    server = MemberServer({"boss": "ws-admin"}, ["after"])
    out = Members(server, "workspace", "ws").converge([{"user": "ann", "role": "regular"},
                                                       {"user": "bob", "role": "viewer"}])
    assert out.changed and server.sent == [("POST", ["ann", "bob"])]
    assert server.members == {"boss": "ws-admin", "ann": "ws-regular", "bob": "ws-viewer"}
    assert "workspace member" in server.reports[0][1] and "not sent again" in server.reports[0][1]


def test_a_lost_member_add_that_did_not_land_sends_only_the_members_still_missing():
    server = MemberServer({}, ["before"])
    # bob made it meanwhile (another task): only ann is sent again.
    original = server.list_all

    def list_all(path, cluster=None):
        server.members.setdefault("bob", "ws-viewer")
        return original(path, cluster)
    server.list_all = list_all
    Members(server, "workspace", "ws").converge([{"user": "ann", "role": "regular"}, {"user": "bob", "role": "viewer"}],
                                                current={})
    assert server.sent == [("POST", ["ann", "bob"]), ("POST", ["ann"])]
    assert server.members == {"ann": "ws-regular", "bob": "ws-viewer"} and server.pauses == [0]


def test_a_lost_role_change_is_read_back():
    server = MemberServer({"ann": "ws-viewer"}, ["after"])
    Members(server, "workspace", "ws").converge([{"user": "ann", "role": "admin"}])
    assert server.sent == [("PUT", "ann")] and server.members == {"ann": "ws-admin"}
    server = MemberServer({"ann": "ws-viewer"}, ["before"])
    Members(server, "workspace", "ws").converge([{"user": "ann", "role": "admin"}])
    assert server.sent == [("PUT", "ann"), ("PUT", "ann")] and server.members == {"ann": "ws-admin"}


# Quotas and default limits ----------------------------------------------------------------

class ObjectServer(Client):
    """One object at a path (a quota or a LimitRange list), with resourceVersion conflicts like Kubernetes."""

    def __init__(self, obj, fates, listed=False):
        super().__init__()
        self.obj, self.fates, self.sent, self.listed = copy.deepcopy(obj), list(fates), [], listed

    def get(self, path, cluster=None, missing_ok=False):
        return copy.deepcopy(self.obj)

    def list_all(self, path, cluster=None):
        return [copy.deepcopy(self.obj)] if self.obj else []

    def _fate(self, apply):
        fate = self.fates.pop(0) if self.fates else None
        if fate != "before":
            apply()
        if fate:
            raise lost()
        return copy.deepcopy(self.obj)

    def post(self, path, body, cluster=None):
        self.sent.append("POST")
        if self.obj is not None:
            raise KubeSphereError("already exists", status=409)
        return self._fate(lambda: setattr(self, "obj", dict(copy.deepcopy(body), metadata=dict(
            body["metadata"], resourceVersion="1"))))

    def put(self, path, body, cluster=None):
        self.sent.append("PUT")
        if body["metadata"].get("resourceVersion") != self.obj["metadata"]["resourceVersion"]:
            raise KubeSphereError("the object has been modified", status=409)
        version = str(int(self.obj["metadata"]["resourceVersion"]) + 1)
        return self._fate(lambda: setattr(self, "obj", dict(copy.deepcopy(body), metadata=dict(
            body["metadata"], resourceVersion=version))))


@pytest.mark.parametrize("quota", [ProjectQuota, WorkspaceQuota])
def test_a_lost_quota_create_that_landed_is_read_back(quota):
    server = ObjectServer(None, ["after"])
    out = quota(server, "p1").converge({"limits.cpu": "2"})
    assert out.changed and server.sent == ["POST"] and out.obj["metadata"]["resourceVersion"] == "1"
    assert "quota" in server.reports[0][1] and "not sent again" in server.reports[0][1]


def test_a_lost_quota_create_that_did_not_land_is_sent_again():
    server = ObjectServer(None, ["before"])
    ProjectQuota(server, "p1").converge({"limits.cpu": "2"})
    assert server.sent == ["POST", "POST"] and server.obj["spec"]["hard"] == {"limits.cpu": "2"}


def test_a_lost_quota_update_is_read_back_and_sent_again_from_what_was_read():
    made = {"metadata": {"name": "p1", "resourceVersion": "5"}, "spec": {"hard": {"limits.cpu": "1"}}}
    server = ObjectServer(made, ["after"])
    ProjectQuota(server, "p1").converge({"limits.cpu": "2"})
    assert server.sent == ["PUT"] and server.obj["spec"]["hard"] == {"limits.cpu": "2"}
    server = ObjectServer(made, ["before"])
    reads = []

    def get(path, cluster=None, missing_ok=False):
        if reads:   # after the lost PUT, someone else changed another resource: the PUT again keeps it
            server.obj["spec"]["hard"]["pods"] = "10"
            server.obj["metadata"]["resourceVersion"] = "6"
        reads.append(path)
        return copy.deepcopy(server.obj)
    server.get = get
    ProjectQuota(server, "p1").converge({"limits.cpu": "2"})
    assert server.sent == ["PUT", "PUT"] and server.obj["spec"]["hard"] == {"limits.cpu": "2", "pods": "10"}


def test_lost_default_limits_writes_are_read_back():
    server = ObjectServer(None, ["after"], listed=True)
    out = DefaultLimits(server, "p1").converge({"limits": {"cpu": "500m"}})
    assert out.changed and server.sent == ["POST"]
    assert server.obj["spec"]["limits"][0]["default"] == {"cpu": "500m"}
    server.fates = ["before"]
    DefaultLimits(server, "p1").converge({"limits": {"cpu": "1"}})
    assert server.sent == ["POST", "PUT", "PUT"] and server.obj["spec"]["limits"][0]["default"] == {"cpu": "1"}
    assert server.obj["metadata"]["resourceVersion"] == "2"
