"""ks_user's resource logic where the emulator cannot easily put the server: a stale role annotation,
update conflicts, and a controller without the bcrypt library."""
import copy

import bcrypt
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._resources import ks_user
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Listed, ValidationError, converge
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import UserResource

USER_PATH = "/kapis/iam.kubesphere.io/v1beta1/users/bob"


def user(role="platform-regular", rv="7", password=None):
    obj = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
           "metadata": {"name": "bob", "resourceVersion": rv,
                        "annotations": {"iam.kubesphere.io/globalrole": role}},
           "spec": {"email": "bob@example.com"}, "status": {"state": "Active"}}
    if password:
        obj["spec"]["password"] = password
    return obj


def binding(role, deleting=False):
    meta = {"name": "bob-" + role}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-22T13:50:29Z"
    return {"metadata": meta, "roleRef": {"name": role}}


class FakeClient:
    def __init__(self, obj, bindings=(), conflicts=0):
        self.obj = obj
        self.bindings = list(bindings)
        self.conflicts = conflicts
        self.calls = []

    def get(self, path, cluster=None, query=None, missing_ok=False):
        self.calls.append(("GET", path))
        return copy.deepcopy(self.obj)

    def list_all(self, path, cluster=None, query=None, page_size=500):
        self.calls.append(("LIST", path))
        return copy.deepcopy(self.bindings)

    def put(self, path, body, cluster=None):
        self.calls.append(("PUT", path))
        if self.conflicts:
            self.conflicts -= 1
            self.obj["metadata"]["resourceVersion"] = str(int(self.obj["metadata"]["resourceVersion"]) + 1)
            raise KubeSphereError("the object has been modified", method="PUT", url=path, status=409)
        if path.endswith("/password"):
            return {"message": "success"}
        assert "password" not in body["spec"]
        self.obj = copy.deepcopy(body)
        return copy.deepcopy(body)

    def post(self, path, body, cluster=None, content_type=None):
        self.calls.append(("POST", path, body["metadata"]["name"]))
        return body

    def delete(self, path, cluster=None, body=None, missing_ok=False):
        self.calls.append(("DELETE", path))


def params(**kw):
    base = dict(name="bob", state="present", email=None, password=None, update_password="on_create",
                global_role=None, display_name=None, description=None, lang=None, enabled=None,
                wait=False, wait_timeout=5)
    base.update(kw)
    return base


def test_role_follows_live_bindings_not_a_stale_annotation():
    # The annotation still names the old role while its binding is being deleted: nothing to do.
    client = FakeClient(user("platform-regular"),
                        [binding("platform-regular", deleting=True), binding("platform-self-provisioner")])
    out = converge(UserResource(client, params(global_role="platform-self-provisioner")), "present")
    assert not out.changed and [c[0] for c in client.calls] == ["GET", "LIST"]


def test_role_back_to_the_annotated_one_is_bound_directly():
    # A PUT of an unchanged annotation would not rebind, so the bindings are written instead.
    client = FakeClient(user("platform-regular"),
                        [binding("platform-regular", deleting=True), binding("platform-self-provisioner")])
    out = converge(UserResource(client, params(global_role="platform-regular")), "present")
    assert out.changed
    assert ("POST", ks_user.GLOBAL_ROLE_BINDINGS, "bob-platform-regular") in client.calls
    assert ("DELETE", ks_user.GLOBAL_ROLE_BINDINGS + "/bob-platform-self-provisioner") in client.calls
    assert not [c for c in client.calls if c[0] == "PUT"]


def test_update_rereads_and_retries_on_conflict():
    client = FakeClient(user(), [binding("platform-regular")], conflicts=2)
    out = converge(UserResource(client, params(email="new@example.com")), "present")
    assert out.changed and out.obj["spec"]["email"] == "new@example.com"
    assert [c[0] for c in client.calls] == ["GET", "PUT", "GET", "PUT", "GET", "PUT"]
    # The annotation goes back as stored (the effective-role view is not written).
    assert client.obj["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == "platform-regular"


def test_password_compared_with_the_hash_locally():
    stored = bcrypt.hashpw(b"Same-Passw0rd", bcrypt.gensalt(4)).decode()
    client = FakeClient(user(password=stored))
    res = UserResource(client, params(password="Same-Passw0rd", update_password="always"))
    out = converge(res, "present")
    assert not out.changed and client.calls == [("GET", "/apis/iam.kubesphere.io/v1beta1/users/bob")]
    assert "password" not in res.public(out.obj)["spec"]
    assert out.after["password"] == "********"


def test_without_bcrypt_the_password_is_set_again_with_a_warning(monkeypatch):
    monkeypatch.setattr(ks_user, "HAS_BCRYPT", False)
    warnings = []
    client = FakeClient(user(password=bcrypt.hashpw(b"Same-Passw0rd", bcrypt.gensalt(4)).decode()))
    res = UserResource(client, params(password="Same-Passw0rd", update_password="always"), warn=warnings.append)
    out = converge(res, "present")
    assert out.changed and ("PUT", USER_PATH + "/password") in client.calls
    assert len(warnings) == 1 and "bcrypt" in warnings[0]
    assert out.after["password"] == "******** (changed)"


def test_a_password_refused_as_stale_is_sent_again_and_another_refusal_is_not(monkeypatch):
    # ks-apiserver writes its cached copy of the user: right after another write the API server answers
    # 409 "the object has been modified" and nothing is written, so the same request may go again.
    monkeypatch.setattr(ks_user.time, "sleep", lambda s: None)
    stored = user(password=bcrypt.hashpw(b"Old-Passw0rd", bcrypt.gensalt(4)).decode())
    client = FakeClient(stored, conflicts=2)
    out = converge(UserResource(client, params(password="New-Passw0rd", update_password="always")), "present")
    assert out.changed
    assert [c for c in client.calls if c[0] == "PUT"] == [("PUT", USER_PATH + "/password")] * 3

    class Refusing(FakeClient):
        def put(self, path, body, cluster=None):
            self.calls.append(("PUT", path))
            raise KubeSphereError("incorrect old password", method="PUT", url=path, status=400)

    refusing = Refusing(copy.deepcopy(stored))
    with pytest.raises(KubeSphereError, match="incorrect old password"):
        converge(UserResource(refusing, params(password="New-Passw0rd", update_password="always")), "present")
    assert [c for c in refusing.calls if c[0] == "PUT"] == [("PUT", USER_PATH + "/password")]


class FakeRefs:
    def __init__(self, roles=()):
        self.roles = set(roles)
        self.asked = []

    def role_exists(self, scope, name, **where):
        self.asked.append((scope, name))
        return name in self.roles


def test_a_platform_role_or_the_one_held_is_not_looked_up_a_new_custom_one_is():
    refs = FakeRefs(roles={"auditor"})
    converge(UserResource(FakeClient(user()), params(global_role="platform-admin"), refs=refs), "present")
    held = FakeClient(user("auditor"), [binding("auditor")])
    assert not converge(UserResource(held, params(global_role="auditor"), refs=refs), "present").changed
    assert refs.asked == []
    assert converge(UserResource(FakeClient(user()), params(global_role="auditor"), refs=refs), "present").changed
    assert refs.asked == [("global", "auditor")]


def test_a_global_role_that_does_not_exist_fails_before_any_write():
    client = FakeClient(user())
    with pytest.raises(ValidationError) as err:
        converge(UserResource(client, params(global_role="auditr"), refs=FakeRefs(roles={"auditor"})), "present")
    assert "global_role: global role auditr does not exist" in str(err.value)
    assert "platform-admin, platform-regular, platform-self-provisioner" in str(err.value)
    assert [c[0] for c in client.calls] == ["GET", "LIST"]


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_wait_timeout_that_is_not_positive_is_refused_before_any_request(timeout):
    client = FakeClient(user())
    with pytest.raises(ValidationError) as err:
        converge(UserResource(client, params(wait=True, wait_timeout=timeout)), "present")
    assert "wait_timeout must be a positive number of seconds" in str(err.value) and client.calls == []


def test_a_listed_user_takes_its_stored_password_and_role_bindings_from_the_lists():
    stored = bcrypt.hashpw(b"Same-Passw0rd", bcrypt.gensalt(4)).decode()
    client = FakeClient(None)
    listed = Listed(user("platform-regular"), raw=user("platform-regular", password=stored),
                    global_role_bindings=[binding("platform-regular", deleting=True),
                                          binding("platform-self-provisioner")])
    res = UserResource(client, params(global_role="platform-self-provisioner", password="Same-Passw0rd",
                                      update_password="always"))
    out = converge(res, "present", current=listed)
    assert not out.changed and client.calls == []


def test_a_listed_user_whose_stored_password_was_not_listed_is_read_from_apis():
    client = FakeClient(user(password="$2a$04$" + "x" * 53))
    converge(UserResource(client, params(password="Other-Passw0rd", update_password="always"), check_mode=True),
             "present", current=Listed(user()))
    assert client.calls[0] == ("GET", "/apis/iam.kubesphere.io/v1beta1/users/bob")
