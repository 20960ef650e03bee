"""The kapis user routes, the user controller and global role bindings."""

import time

import bcrypt

from emu_helpers import APIS_USERS, USERS, Client, create_user, unique, wait_active, wait_for

GRBS = "/apis/iam.kubesphere.io/v1beta1/globalrolebindings"


def bindings(admin, name):
    return admin.get(GRBS, params={"labelSelector": f"iam.kubesphere.io/user-ref={name}"}).json()["items"]


def test_create_hash_activate_and_bind(admin):
    name = unique("emu-user")
    created = create_user(admin, name, password="Plain-Pass-1")
    assert "kind" not in created and created["status"] == {} and "password" not in created["spec"]
    wait_active(admin, name)
    stored = admin.get(f"{APIS_USERS}/{name}").json()
    assert bcrypt.checkpw(b"Plain-Pass-1", stored["spec"]["password"].encode())
    assert "iam.kubesphere.io/last-password-change-time" in stored["metadata"]["annotations"]
    assert stored["metadata"]["finalizers"] == ["finalizers.kubesphere.io/users"]
    shown = admin.get(f"{USERS}/{name}").json()
    assert shown["kind"] == "User" and "password" not in shown["spec"]
    binding, = bindings(admin, name)
    assert binding["metadata"]["name"] == f"{name}-platform-regular"
    assert binding["metadata"]["labels"]["iam.kubesphere.io/role-ref"] == "platform-regular"


def test_create_validation_errors(admin):
    def create(name, **spec):
        body = {"metadata": {"name": name}, "spec": {"email": f"{name}@example.com", **spec}}
        answer = admin.post(USERS, json=body)
        return answer.status_code, answer.text
    name = unique("emu-val")
    assert create(name, password="short1A") == (422, f'User.iam.kubesphere.io "{name}" is invalid: spec.password: '
                                                     'Invalid value: "short1A": spec.password in body should be at '
                                                     'least 8 chars long\n')
    assert create(name, password="alllowercase1")[0] == 422
    assert create(name, password="$2a$10$" + "x" * 53)[0] == 200           # a bcrypt hash is accepted
    assert create(name)[1] == f'users.iam.kubesphere.io "{name}" already exists\n'
    assert create(unique("emu-val"), email="not-an-email")[0] == 403
    status, text = create(unique("emu-val"), email=f"{name}@example.com")
    assert status == 403 and "already exists" in text
    assert create("Upper-Case")[0] == 422
    bad_role_user = {"metadata": {"name": unique("emu-val"), "annotations": {"iam.kubesphere.io/globalrole": "nope"}},
                     "spec": {"email": "x@y.io"}}
    bad_role = admin.post(USERS, json=bad_role_user)
    assert bad_role.status_code == 404 and bad_role.text == 'GlobalRole.iam.kubesphere.io "nope" not found\n'
    assert admin.post(USERS, data="{", headers={"Content-Type": "application/json"}).text == "unexpected EOF\n"
    assert admin.post(USERS, data="{}").text == "[ServiceError:400] Unable to unmarshal content of type:\n"


def test_update_replaces_and_keeps_password(admin):
    name = unique("emu-put")
    create_user(admin, name, metadata={"labels": {"keep": "no"}})
    wait_active(admin, name)
    current = admin.get(f"{APIS_USERS}/{name}").json()
    minimal = {"metadata": {"name": name, "resourceVersion": current["metadata"]["resourceVersion"],
                            "annotations": {"iam.kubesphere.io/globalrole": "platform-self-provisioner"}},
               "spec": {"email": f"{name}@example.com"}}
    answer = admin.put(f"{USERS}/{name}", json=minimal)
    assert answer.status_code == 200, answer.text
    assert "labels" not in answer.json()["metadata"]
    assert admin.get(f"{APIS_USERS}/{name}").json()["spec"]["password"] == current["spec"]["password"]
    stale = admin.put(f"{USERS}/{name}", json=minimal)
    assert stale.status_code == 409 and stale.text.startswith("Operation cannot be fulfilled")
    del minimal["metadata"]["resourceVersion"]
    assert admin.put(f"{USERS}/{name}", json=minimal).status_code == 422
    mismatch = dict(minimal, metadata={"name": "other"})
    assert admin.put(f"{USERS}/{name}", json=mismatch).status_code == 400
    # member2 is not Ready in the session emulator: the old binding stays, being deleted
    live = [b for b in bindings(admin, name) if not b["metadata"].get("deletionTimestamp")]
    assert [b["roleRef"]["name"] for b in live] == ["platform-self-provisioner"]
    assert admin.patch(f"{USERS}/{name}", {}).status_code == 405


def test_password_changes(emulator, admin):
    name = unique("emu-pw")
    create_user(admin, name, password="First-Pass-1")
    wait_active(admin, name)
    assert admin.put(f"{USERS}/{name}/password", json={"password": "Second-Pass-2"}).json() == {"message": "success"}
    assert admin.put(f"{USERS}/{name}/password", json={"password": "weak"}).status_code == 422
    wrong = admin.put(f"{USERS}/{name}/password", json={"currentPassword": "x", "password": "Third-Pass-3"})
    assert (wrong.status_code, wrong.text) == (400, "incorrect old password\n")

    def hashed_and_cached():
        stored = admin.get(f"{APIS_USERS}/{name}").json()
        password = stored["spec"]["password"]
        # The password route checks currentPassword against ks-apiserver's cache, not the store.
        cached = admin.get(f"{USERS}/{name}").json()["metadata"]["resourceVersion"]
        return (password.startswith("$2") and bcrypt.checkpw(b"Second-Pass-2", password.encode())
                and cached == stored["metadata"]["resourceVersion"])
    wait_for(hashed_and_cached, message="the new password hashed, and the cache holding that copy")
    own = Client(emulator.url, emulator.login(name, "Second-Pass-2"))
    assert own.put(f"{USERS}/{name}/password", json={"password": "Third-Pass-3"}).status_code == 400
    change = {"currentPassword": "Second-Pass-2", "password": "Third-Pass-3"}
    assert own.put(f"{USERS}/{name}/password", json=change).status_code == 200
    assert own.put(f"{USERS}/admin/password", json={"password": "Hacked-Pass-1"}).status_code == 403
    assert own.get(f"{USERS}/{name}").status_code == 200, "the token survives the change"


def test_list_users_with_filters(admin):
    prefix = unique("emu-list")
    for suffix in ("a", "b", "c"):
        create_user(admin, f"{prefix}-{suffix}", role="platform-self-provisioner" if suffix == "b" else "platform-regular",
                    metadata={"labels": {"batch": prefix}})

    def listed(**params):
        answer = admin.get(USERS, params=params).json()
        return [u["metadata"]["name"] for u in answer["items"]], answer["totalItems"]
    wait_for(lambda: listed(name=prefix)[1] == 3, message="users in the cache")
    assert listed(name=prefix, sortBy="name", ascending="true")[0] == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
    assert listed(labelSelector=f"batch={prefix}", limit=2, page=2, sortBy="name") == ([f"{prefix}-a"], 3)
    wait_for(lambda: f"{prefix}-b" in listed(globalrole="platform-self-provisioner")[0], message="binding")
    assert f"{prefix}-a" not in listed(globalrole="platform-self-provisioner")[0]


def test_deletion_waits_for_not_ready_members(admin):
    name = unique("emu-del")
    create_user(admin, name)
    wait_active(admin, name)
    wait_for(lambda: admin.get(f"{USERS}/{name}").ok, message="user in the cache")
    assert admin.delete(f"{USERS}/{name}").json() == {"message": "success"}
    stored = admin.get(f"{APIS_USERS}/{name}").json()
    assert stored["metadata"]["deletionTimestamp"]
    time.sleep(0.2)
    assert admin.get(f"{APIS_USERS}/{name}").status_code == 200, "member2 is not Ready: deletion waits"


def test_deletion_completes_without_members(fresh_emulator):
    emu = fresh_emulator(controller_delay_ms=5, informer_lag_ms=0)
    admin = Client(emu.url, emu.login())
    create_user(admin, "goner")
    wait_active(admin, "goner")
    assert admin.delete(f"{USERS}/goner").status_code == 200
    wait_for(lambda: admin.get(f"{APIS_USERS}/goner").status_code == 404, message="the user to go")
    # the user's bindings are deleted with it, and each goes once its own finalizer does (a controller later)
    wait_for(lambda: bindings(admin, "goner") == [], message="the bindings to go")
    assert admin.delete(f"{USERS}/goner").text == 'User.iam.kubesphere.io "goner" not found\n'
