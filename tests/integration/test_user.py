"""ks_user through real ansible-playbook runs against the emulator."""
import json

import bcrypt

from ks_ansible import Ansible, api_requests, create_regular_user, unique
from real_server import RealServer, needs_not_ready_member

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"
APIS_USERS = "/apis/iam.kubesphere.io/v1beta1/users"
GRBS = "/apis/iam.kubesphere.io/v1beta1/globalrolebindings"


def admin_get(emulator, path):
    status, body = emulator.call("GET", path, token=emulator.login())
    assert status == 200, body
    return body


def test_lifecycle_with_check_mode_and_diff(ansible, emulator, no_writes):
    name = unique("lc")
    play = dict(extra_vars={"user_name": name}, diff=True)

    with no_writes():
        run = ansible.playbook("user_lifecycle.yml", "--tags", "create", check=True, **play).assert_ok()
    predicted = run.result("Create")
    assert predicted["changed"] and predicted["user"]["metadata"]["name"] == name
    assert predicted["user"]["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == "platform-regular"
    assert "password" not in predicted["user"]["spec"]
    assert emulator.call("GET", USERS + "/" + name, token=emulator.login())[0] == 404

    run = ansible.playbook("user_lifecycle.yml", "--tags", "create", **play).assert_ok()
    created = run.result("Create")
    assert created["changed"] and not run.result("Create again")["changed"]
    assert created["user"]["status"]["state"] == "Active"        # wait: true
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"] == {"email": name + "@example.com", "description": "created by the lifecycle test",
                                        "password": "********"}
    assert "Initial-Passw0rd" not in run.output
    assert emulator.login(name, "Initial-Passw0rd")              # Active, so it can log in at once
    binding, = admin_get(emulator, GRBS + "?labelSelector=iam.kubesphere.io/user-ref=" + name)["items"]
    assert binding["roleRef"]["name"] == "platform-regular"      # least privilege by default

    emulator.reset_counters()
    ansible.playbook("user_lifecycle.yml", "--tags", "create", **play).assert_ok()
    # A no-change run reads the user once per task and writes nothing.
    assert api_requests(emulator) == {"GET %s/%s" % (USERS, name): 2}

    with no_writes():
        run = ansible.playbook("user_lifecycle.yml", check=True, **play).assert_ok()
    assert not run.result("Create")["changed"]
    update = run.result("Update")
    assert update["changed"] and update["user"]["status"]["state"] == "Disabled"
    assert update["diff"]["before"]["global_role"] == "platform-regular"
    assert update["diff"]["after"]["global_role"] == "platform-self-provisioner"
    assert run.result("Remove")["changed"]

    run = ansible.playbook("user_lifecycle.yml", "--tags", "update,absent", **play).assert_ok()
    update = run.result("Update")
    assert update["changed"] and not run.result("Update again")["changed"]
    assert update["diff"]["before"] == {"email": name + "@example.com", "enabled": True, "display_name": None,
                                        "lang": None, "global_role": "platform-regular", "password": "********"}
    assert update["diff"]["after"] == {"email": name + "-new@example.com", "enabled": False,
                                       "display_name": "Lifecycle User", "lang": "zh",
                                       "global_role": "platform-self-provisioner", "password": "******** (changed)"}
    assert "Changed-Passw0rd" not in run.output and "$2" not in json.dumps(update["user"])
    assert run.result("Remove")["changed"] and not run.result("Remove again")["changed"]
    if isinstance(emulator, RealServer):         # no member that is not Ready holds the removed user there
        assert emulator.call("GET", APIS_USERS + "/" + name, token=emulator.login())[0] == 404
        return
    # member2 is not Ready, so the removed user stays, being deleted, as does its old binding: the module must
    # not be fooled by it.
    stored = admin_get(emulator, APIS_USERS + "/" + name)
    assert bcrypt.checkpw(b"Changed-Passw0rd", stored["spec"]["password"].encode())
    assert stored["status"]["state"] == "Disabled" and stored["spec"]["lang"] == "zh"
    assert stored["metadata"]["deletionTimestamp"]
    bindings = admin_get(emulator, GRBS + "?labelSelector=iam.kubesphere.io/user-ref=" + name)["items"]
    live = [b["roleRef"]["name"] for b in bindings if not b["metadata"].get("deletionTimestamp")]
    assert live == ["platform-self-provisioner"] and len(bindings) == 2


def test_bad_input_fails_before_any_request(ansible, emulator):
    emulator.reset_counters()
    run = ansible.playbook("user_bad_input.yml").assert_ok()
    messages = dict((r["task"], r["result"]["msg"]) for r in run.records if r["status"] == "ignored")
    assert len(messages) == 5
    assert "is 5 characters long (8 to 64 are allowed)" in messages["Too short"]
    assert "lacks an upper-case letter, a digit" in messages["No upper-case letter or digit"]
    assert "'not-an-email' is not a valid e-mail address" in messages["Bad email"]
    assert "not a valid DNS-1123 label" in messages["Bad name"]
    assert "global_role 'Platform Admin' is not a valid name" in messages["Bad role"]
    assert emulator.counters()["total"] == 0


def test_enable_hash_compare_and_wait_until_gone(fresh_emulator, tmp_path):
    server = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(server, tmp_path)
    name = unique("more")
    run = ansible.playbook("user_more.yml", extra_vars={"user_name": name}).assert_ok()
    assert run.result("Create disabled")["user"]["status"]["state"] == "Disabled"
    enable = run.result("Enable")
    assert enable["changed"] and enable["user"]["status"]["state"] == "Active"
    assert not run.result("Enable again")["changed"]       # update_password: always, compared with the hash
    removed = run.result("Remove and wait")
    assert removed["changed"] and removed["user"] is None


def test_wait_for_removal_names_the_not_ready_member(ansible, emulator):
    needs_not_ready_member(emulator)
    name = unique("stuck")
    run = ansible.playbook("user_more.yml", extra_vars={"user_name": name, "remove_timeout": 2})
    assert run.rc != 0
    msg = run.result("Remove and wait")["msg"]
    assert msg.startswith("Timed out after 2s waiting for user %s to be deleted" % name)
    assert "member2 is not" in msg and "Traceback" not in run.output
    # Wanting the user back while it is still being deleted is a clear failure, not an update of a dying object.
    again = ansible.adhoc("kubesphere.core.ks_user", "name=%s email=%s@example.com" % (name, name))
    assert again.rc != 0 and "user %s is being deleted" % name in again.output and "wait=true" in again.output


def test_platform_regular_user_gets_a_clear_403(ansible, emulator):
    name, target = unique("regular"), unique("target")
    regular = create_regular_user(emulator, name)
    run = ansible.playbook("user_as_regular.yml", extra_vars={"target": target}, env=regular)
    assert run.rc != 0 and "Traceback" not in run.output
    failed = run.result("Create a user without the right to")
    assert failed["status"] == 403
    assert failed["msg"].startswith("user %s: " % target) and "403" in failed["msg"]
    assert "forbidden" in failed["msg"].lower()
