"""kapis reads lag behind writes (informer caches); /apis reads do not."""

import time

from emu_helpers import APIS_USERS, USERS, Client, create_user


def test_kapis_reads_lag_behind_writes(fresh_emulator):
    emu = fresh_emulator(informer_lag_ms=300, controller_delay_ms=5)
    admin = Client(emu.url, emu.login())
    create_user(admin, "laggy")
    missing = admin.get(USERS + "/laggy")
    assert missing.status_code == 404
    assert missing.text == 'User.iam.kubesphere.io "laggy" not found\n'
    assert admin.get(APIS_USERS + "/laggy").status_code == 200
    assert "laggy" not in [u["metadata"]["name"] for u in admin.get(USERS).json()["items"]]
    assert admin.delete(USERS + "/laggy").status_code == 404, "a DELETE right after the POST misses too"
    time.sleep(0.35)
    assert admin.get(USERS + "/laggy").status_code == 200


def test_lag_can_be_switched_off(fresh_emulator):
    emu = fresh_emulator(informer_lag_ms=300)
    admin = Client(emu.url, emu.login())
    emu.configure(informer_lag_ms=0)
    create_user(admin, "eager")
    assert admin.get(USERS + "/eager").status_code == 200
