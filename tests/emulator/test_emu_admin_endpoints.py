"""/_emulator/*: counters, log, runtime configuration, forbid_writes, held controllers."""

import time

from emu_helpers import Client, create_user, wait_active

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


def test_counters_and_log(fresh_emulator):
    emu = fresh_emulator()
    admin = Client(emu.url, emu.login())
    emu.reset_counters()
    admin.get(USERS + "?limit=1")
    admin.get(USERS)
    admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c1"}})
    Client(emu.url).post("/oauth/token", data={"grant_type": "password"})
    counters = emu.counters()
    assert counters["requests"] == {f"GET {USERS}": 2, "POST /api/v1/namespaces": 1, "POST /oauth/token": 1}
    assert counters["by_method"] == {"GET": 2, "POST": 2}
    assert counters["total"] == 4 and counters["writes"] == 1 and counters["forbidden_writes"] == 0
    assert counters["by_status"] == {"200": 2, "201": 1, "400": 1}
    assert set(counters["logins"]) >= {"password_ok", "password_failed", "refresh_ok", "refresh_failed", "basic"}
    log = emu.log(2)
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/api/v1/namespaces", 201), ("POST", "/oauth/token", 400)]
    assert emu.reset_counters()["total"] == 0


def test_forbid_writes(fresh_emulator):
    emu = fresh_emulator()
    admin = Client(emu.url, emu.login())
    emu.configure(forbid_writes=True)
    refused = admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": "nope"}})
    assert refused.status_code == 500
    assert admin.get(USERS).status_code == 200
    assert Client(emu.url, emu.login()).get(USERS).status_code == 200, "logins still work"
    assert emu.counters()["forbidden_writes"] == 1
    emu.configure(forbid_writes=False)
    assert admin.get("/api/v1/namespaces/nope").status_code == 404


def test_config_validation(fresh_emulator):
    emu = fresh_emulator()
    status, _body = emu.call("POST", "/_emulator/config", {"no_such_setting": 1})
    assert status == 400
    assert emu.configure(controller_delay_ms=5)["controller_delay_ms"] == 5.0
    status, text = emu.call("GET", "/_emulator/nothing")
    assert status == 404


def test_held_controllers_act_only_once_released(fresh_emulator):
    emu = fresh_emulator(controller_delay_ms=5)
    admin = Client(emu.url, emu.login())
    emu.configure(controllers_held=True)
    create_user(admin, "held-user", password="Plain-Pass-1")
    time.sleep(0.3)                                   # sixty controller delays
    stored = admin.get("/apis/iam.kubesphere.io/v1beta1/users/held-user").json()
    assert stored["spec"]["password"] == "Plain-Pass-1" and stored.get("status", {}).get("state") != "Active"
    emu.configure(controllers_held=False)
    wait_active(admin, "held-user")
