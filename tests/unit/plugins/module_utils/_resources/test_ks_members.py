"""The membership converger, against a fake client (no HTTP)."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine import ks_waiter
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import WaitTimeout
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import (
    Members, members_error, workspace_role_name)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_fnv import fnv1a64_hex as fnv64a_hex


class FakeClient:
    def __init__(self, members, missing_roles=0):
        self.members = dict(members)
        self.calls = []
        self.missing_roles = missing_roles      # how many reads (GETs of the role) before the built-in roles exist

    def get(self, path, cluster=None, missing_ok=False):
        self.calls.append(("GET", path))
        if self.missing_roles:
            self.missing_roles -= 1
            return None
        return {"metadata": {"name": path.rsplit("/", 1)[1]}}

    def list_all(self, path, cluster=None):
        self.calls.append(("LIST", path))
        return [{"metadata": {"name": u, "annotations": {"iam.kubesphere.io/workspacerole": r}}}
                for u, r in self.members.items()]

    def post(self, path, body, cluster=None):
        self.calls.append(("POST", path, body))
        if self.missing_roles:
            raise KubeSphereError('WorkspaceRole.iam.kubesphere.io "ws-regular" not found', method="POST",
                                  url=path, status=404, reason="NotFound")
        return body

    def put(self, path, body, cluster=None):
        self.calls.append(("PUT", path, body))

    def delete(self, path, cluster=None, missing_ok=False):
        self.calls.append(("DELETE", path))


def test_fnv64a_known_values():
    assert fnv64a_hex("") == "cbf29ce484222325"
    assert fnv64a_hex("a") == "af63dc4c8601ec8c"


def test_short_roles_map_to_full_names_with_the_63_character_rule():
    assert workspace_role_name("ws", "regular") == "ws-regular"
    assert workspace_role_name("ws", "custom-role") == "custom-role"
    long_ws = "w" * 60
    assert workspace_role_name(long_ws, "regular") == "regular." + fnv64a_hex(long_ws)
    assert workspace_role_name("w" * 55, "admin") == "w" * 55 + "-admin"        # exactly 61: kept


def test_one_post_for_adds_put_for_changes_delete_only_with_purge():
    client = FakeClient({"admin": "ws-admin", "bob": "ws-viewer", "old": "ws-viewer"})
    members = Members(client, "workspace", "ws", protected=["admin"])
    wanted = [{"user": "bob", "role": "regular"}, {"user": "carol", "role": "viewer"}, {"user": "dan", "role": "admin"}]
    outcome = members.converge(wanted)
    assert outcome.changed
    writes = [c for c in client.calls if c[0] != "LIST"]
    assert writes == [("POST", members.path, [{"username": "carol", "roleRef": "ws-viewer"},
                                              {"username": "dan", "roleRef": "ws-admin"}]),
                      ("PUT", members.path + "/bob", {"username": "bob", "roleRef": "ws-regular"})]
    client.calls = []
    members.converge(wanted, purge=True)
    assert ("DELETE", members.path + "/old") in client.calls
    assert ("DELETE", members.path + "/admin") not in client.calls      # the manager is never removed


def test_check_mode_predicts_and_writes_nothing():
    client = FakeClient({"admin": "ws-admin"})
    outcome = Members(client, "workspace", "ws", check_mode=True).converge([{"user": "bob", "role": "viewer"}],
                                                                           purge=True)
    assert outcome.changed and outcome.after == [{"user": "bob", "role": "ws-viewer"}]
    assert outcome.before == [{"user": "admin", "role": "ws-admin"}]
    assert [c[0] for c in client.calls] == ["LIST"]


def test_no_change_reads_once():
    client = FakeClient({"bob": "ws-viewer"})
    outcome = Members(client, "workspace", "ws").converge([{"user": "bob", "role": "viewer"}])
    assert not outcome.changed and client.calls == [("LIST", "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws/"
                                                             "workspacemembers")]


def test_a_new_parent_waits_for_the_built_in_roles_it_binds_then_posts_once(monkeypatch):
    monkeypatch.setattr(ks_waiter.time, "sleep", lambda s: None)
    client = FakeClient({}, missing_roles=2)
    Members(client, "workspace", "ws", fresh=True).converge(
        [{"user": "bob", "role": "regular"}, {"user": "carol", "role": "regular"}], current={})
    role = "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws/workspaceroles/ws-regular"
    assert [c[:2] for c in client.calls] == [("GET", role)] * 3 + [("POST", client_path("ws"))]


def client_path(ws):
    return "/kapis/iam.kubesphere.io/v1beta1/workspaces/%s/workspacemembers" % ws


def test_an_existing_parent_posts_at_once_and_on_role_not_found_waits_and_says_it_again(monkeypatch):
    # Another task made the parent a moment ago: the 404 means the server did nothing, so once the role
    # can be read the same POST is sent again (once).
    monkeypatch.setattr(ks_waiter.time, "sleep", lambda s: None)
    client = FakeClient({}, missing_roles=1)
    Members(client, "project", "web").converge([{"user": "bob", "role": "viewer"}], current={})
    assert [c[0] for c in client.calls] == ["POST", "GET", "GET", "POST"]
    assert client.calls[1][1] == "/kapis/iam.kubesphere.io/v1beta1/namespaces/web/roles/viewer"


def test_the_wait_for_a_role_is_bounded_by_time_and_then_nothing_is_sent(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(ks_waiter.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ks_waiter.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    client = FakeClient({}, missing_roles=10 ** 6)
    with pytest.raises(WaitTimeout) as failure:
        Members(client, "workspace", "ws", fresh=True, role_wait=7).converge(
            [{"user": "bob", "role": "regular"}], current={})
    assert clock[0] == pytest.approx(7)
    assert "built-in role ws-regular" in str(failure.value) and "controllers" in str(failure.value)
    assert [c[0] for c in client.calls if c[0] != "GET"] == []
    assert len(client.calls) < 40


def test_role_not_found_for_a_custom_role_fails_at_once():
    client = FakeClient({}, missing_roles=1)
    with pytest.raises(KubeSphereError):
        Members(client, "workspace", "ws").converge([{"user": "bob", "role": "auditors"}], current={})
    assert [c[0] for c in client.calls] == ["POST"]


def test_members_input_checks():
    assert members_error([{"user": "bob"}]) == "members[0] needs both user and role"
    assert "twice" in members_error([{"user": "bob", "role": "viewer"}, {"user": "bob", "role": "admin"}])
    assert "members[0].role" in members_error([{"user": "bob", "role": "Bad Role"}])
    assert members_error([{"user": "bob", "role": "viewer"}]) is None


class FakeRefs:
    def __init__(self, users=(), roles=()):
        self.users, self.roles, self.asked = set(users), set(roles), []

    def user_exists(self, name):
        self.asked.append(("user", name))
        return name in self.users

    def workspace_exists(self, name):
        return True

    def role_exists(self, scope, name, workspace=None, namespace=None, cluster=None):
        self.asked.append(("role", scope, name, workspace or namespace))
        return name in self.roles


def test_references_error_checks_built_in_roles_without_a_request_and_others_by_one_read():
    refs = FakeRefs(users=["bob", "carol"], roles=["custom"])
    members = Members(None, "workspace", "ws")
    wanted = [{"user": "bob", "role": "viewer"}, {"user": "carol", "role": "ws-admin"},
              {"user": "bob2", "role": "custom"}, {"user": "carol", "role": "owner"}]
    problem = members.references_error(refs, wanted, {})
    assert problem == ("members[2].user: user bob2 does not exist; members[3].role: workspace role owner does "
                       "not exist in workspace ws (the built-in roles are admin, regular, self-provisioner, "
                       "viewer; any other name must be a role made there first)")
    assert ("role", "workspace", "custom", "ws") in refs.asked
    assert not any(a[0] == "role" and a[2] in ("viewer", "ws-admin") for a in refs.asked)
    # Members already bound with that role are not looked up again.
    refs.asked = []
    assert members.references_error(refs, [{"user": "ghost", "role": "viewer"}], {"ghost": "ws-viewer"}) is None
    assert refs.asked == []
    project = Members(None, "project", "p1")
    assert "project role regular does not exist" in project.references_error(
        FakeRefs(users=["bob"]), [{"user": "bob", "role": "regular"}], {})


def test_a_user_called_metadata_is_a_member_like_any_other():
    client = FakeClient({"metadata": "ws-viewer"})
    out = Members(client, "workspace", "ws").converge([{"user": "metadata", "role": "admin"}])
    assert out.changed and out.before == [{"user": "metadata", "role": "ws-viewer"}]
    assert [c[:2] for c in client.calls if c[0] == "PUT"] == [("PUT", Members(None, "workspace", "ws").path + "/metadata")]
