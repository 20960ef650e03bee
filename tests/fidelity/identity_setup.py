"""What the identity and password recordings (second batch) found on the server before they
started, and the waits their recorder made: replay.py adds these files and setups."""

import time

IDENTITY_FILES = ("identity.json", "user-password.json")


def _second_batch_users(replayer):
    """rec2-user1, the platform-regular actor of both files."""
    from .tenancy_setup import _users
    _users(replayer, ["rec2-user1"])


def _wait_hashed(user, timeout=5.0):
    """The recorder waited for the user controller to hash the new password before these exchanges."""
    def wait(replayer):
        headers = {"Authorization": "Bearer " + replayer.admin_token}
        url = f"{replayer.emu.url}/apis/iam.kubesphere.io/v1beta1/users/{user}"
        deadline = time.monotonic() + timeout
        while not (replayer.http.get(url, headers=headers).json().get("spec") or {}).get(
                "password", "").startswith("$2"):
            assert time.monotonic() < deadline, f"the password of {user} was not hashed"
            time.sleep(0.01)
    return wait


def _log_in_early(user):
    """rec2-pw logged in before its password was changed (its token is used afterwards)."""
    def log_in(replayer):
        from .replay import _wait_active
        _wait_active(replayer, [user])
        replayer._cached_login(user, user)
    return log_in


IDENTITY_SETUP = {"identity.json": _second_batch_users, "user-password.json": _second_batch_users}
IDENTITY_BEFORE = {"user-password.json": {
    "GET rec2-pw (/apis) before any password change": _log_in_early("rec2-pw"),
    "GET rec2-pw (/apis) once the password is hashed": _wait_hashed("rec2-pw"),
    "GET rec2-pw2 (/apis) once the new password is hashed": _wait_hashed("rec2-pw2"),
    "login rec2-pw2 with Rec2-Pw2-Pass3 (after hashing + 0.5 s)": _wait_hashed("rec2-pw2"),
    "GET rec2-pw2 (kapis) before a user PUT": _wait_hashed("rec2-pw2"),
}}
# The recorded server took ~0.14 s from a password PUT to the hash, and logins in between failed; the
# replay holds the hash back longer, so that a loaded machine cannot close the window early.
IDENTITY_OPTIONS = {"user-password.json": dict(password_hash_ms=400)}
