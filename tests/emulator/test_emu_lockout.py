"""Login lock-out: counting failures (password grant and HTTP Basic), 429, and recovery."""

import base64

from emu_helpers import APIS_USERS, USERS, Client, create_user, wait_active, wait_for

FORM = {"client_id": "kubesphere", "client_secret": "kubesphere", "grant_type": "password"}


def login(client, username, password):
    return client.post("/oauth/token", data=dict(FORM, username=username, password=password))


def test_lock_out_and_recovery(fresh_emulator):
    emu = fresh_emulator(lockout_max=3, lockout_window=1.5, controller_delay_ms=5)
    admin = Client(emu.url, emu.login())
    create_user(admin, "locky", password="Locky-Pass-1")
    wait_active(admin, "locky")
    client = Client(emu.url)
    token = login(client, "locky", "Locky-Pass-1").json()["access_token"]

    assert login(client, "locky", "").status_code == 400               # 1: empty password counts
    basic = "Basic " + base64.b64encode(b"locky:wrong").decode()
    failed_basic = client.get(USERS + "/locky", headers={"Authorization": basic})
    assert failed_basic.status_code == 401 and failed_basic.json()["message"] == "incorrect password"   # 2
    assert login(client, "locky", "Wrong-Pass-1").status_code == 400   # 3: the limit is reached
    locked = login(client, "locky", "Wrong-Pass-1")
    assert locked.status_code == 429
    assert locked.json() == {"error": "invalid_grant", "error_description": "Rate limit exceeded."}
    assert login(client, "locky", "Locky-Pass-1").status_code == 429    # even the right password
    user = admin.get(APIS_USERS + "/locky").json()        # /apis: no informer lag
    assert user["status"]["state"] == "AuthLimitExceeded"
    assert user["status"]["reason"] == "Failed login attempts exceed 3 in last 1.5s"
    assert Client(emu.url, token).get("/oauth/userinfo").status_code == 200, "issued tokens keep working"

    def four_records():
        found = admin.get(USERS + "/locky/loginrecords").json()
        return found if found["totalItems"] == 4 else None

    records = wait_for(four_records, message="4 login records in the cache")
    assert sorted(r["spec"]["type"] for r in records["items"]) == ["Password", "Token", "Token", "Token"]

    wait_for(lambda: admin.get(APIS_USERS + "/locky").json()["status"]["state"] == "Active", timeout=4,
             message="the lock to expire")
    assert login(client, "locky", "Locky-Pass-1").status_code == 200
    logins = emu.counters()["logins"]
    assert logins["password_failed"] == 4 and logins["basic_failed"] == 1


def test_unknown_users_are_not_locked(fresh_emulator):
    emu = fresh_emulator(lockout_max=2)
    client = Client(emu.url)
    for _attempt in range(4):
        assert login(client, "nobody", "Whatever-1").status_code == 400


def test_disabled_user(emulator, admin):
    create_user(admin, "emu-disabled", password="Disabled-Pass-1")
    wait_active(admin, "emu-disabled")
    token = emulator.login("emu-disabled", "Disabled-Pass-1")
    user = admin.get(APIS_USERS + "/emu-disabled").json()   # the login just changed it: read past the cache
    user["status"] = {"state": "Disabled"}
    answer = admin.put(USERS + "/emu-disabled", json=user)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"]["state"] == "Disabled"
    refused = login(Client(emulator.url), "emu-disabled", "Disabled-Pass-1")
    assert refused.status_code == 400 and refused.json()["error_description"] == "Account suspended."
    answer = Client(emulator.url, token).get("/oauth/userinfo")
    assert answer.status_code == 401 and answer.json()["message"] == "account is not active"
