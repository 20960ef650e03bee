"""Login, refresh, the on-disk token cache (also under 20 concurrent processes) and 401 handling."""
import base64
import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client import ks_auth
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereAuthError
from stub_server import CLIENT_SECRET, PASSWORD, FakeOAuth, Reply, login_worker, status_reply

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


def cache_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".json"))


def read_cache(ks):
    (name,) = cache_files(ks.cache_dir)
    with open(os.path.join(ks.cache_dir, name)) as handle:
        return os.path.join(ks.cache_dir, name), json.load(handle)


def write_cache(path, entry):
    with open(path, "w") as handle:
        json.dump(entry, handle)


# --- the cache ---------------------------------------------------------------------------------

def test_cache_reused_across_clients_one_login(ks):
    ks.stub.on("GET", USERS, Reply(200, {"items": [], "totalItems": 0}))
    first = ks.client()
    first.get(USERS)
    second = ks.client()
    second.get(USERS)
    assert ks.stub.oauth.password_grants == 1
    assert ks.stub.count("POST", "/oauth/token") == 1
    assert first.stats["logins"] == 1 and second.stats["logins"] == 0
    assert second.token == first.token


def test_cache_file_content_modes_and_name(ks):
    client = ks.client()
    token = client.login()
    path, entry = read_cache(ks)
    assert stat.S_IMODE(os.stat(ks.cache_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lock = path[:-len(".json")] + ".lock"
    assert stat.S_IMODE(os.stat(lock).st_mode) == 0o600
    assert entry["access_token"] == token and entry["refresh_token"].startswith("refresh-")
    assert abs(entry["expires_at"] - (time.time() + 7200)) < 60
    raw = open(path).read()
    assert PASSWORD not in raw and CLIENT_SECRET not in raw
    # one file per (host, username, client_id), named by a sha256
    assert len(os.path.basename(path)) == 64 + len(".json")
    ks.stub.oauth.users["bob"] = "Bob-Passw0rd!"
    ks.client(ks_username="bob", ks_password="Bob-Passw0rd!").login()
    assert len(cache_files(ks.cache_dir)) == 2


def test_default_directory_under_xdg_cache_home(ks, tmp_path):
    ks.client(token_cache=True).login()
    directory = tmp_path / "xdg-cache" / "kubesphere.core" / "tokens"
    assert len(cache_files(str(directory))) == 1
    for path in (directory, directory.parent):
        assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o700
    ks.client(token_cache="yes").login()
    assert ks.stub.oauth.password_grants == 1


def test_custom_directory(ks, tmp_path):
    custom = tmp_path / "somewhere" / "else"
    client = ks.client(token_cache=str(custom))
    client.login()
    assert len(cache_files(str(custom))) == 1
    assert stat.S_IMODE(os.stat(str(custom)).st_mode) == 0o700
    assert not os.path.exists(ks.cache_dir)


@pytest.mark.parametrize("value", [False, "false", "no", "off"])
def test_token_cache_false_keeps_no_token(ks, tmp_path, value):
    ks.client(token_cache=value).login()
    ks.client(token_cache=value).login()
    assert ks.stub.oauth.password_grants == 2
    assert not os.path.exists(ks.cache_dir)
    default = tmp_path / "xdg-cache" / "kubesphere.core" / "tokens"
    # Only the lock that lets parallel tasks wait for one login attempt (see the refusals below).
    assert not default.exists() or [path.suffix for path in default.iterdir()] == [".lock"]


def test_token_cache_false_still_remembers_a_refused_password(ks, tmp_path):
    for _task in range(12):     # twelve tasks, each its own process and client: one refused login
        with pytest.raises(KubeSphereAuthError) as info:
            ks.client(ks_password="wrong-password", token_cache=False).login()
    assert ks.stub.oauth.password_grants == 1 and "not sent" in str(info.value)
    ks.client(token_cache=False).login()        # a corrected password is tried at once
    assert ks.stub.oauth.password_grants == 2
    default = tmp_path / "xdg-cache" / "kubesphere.core" / "tokens"
    (entry,) = [json.loads(path.read_text()) for path in default.glob("*.json")]
    assert sorted(entry) == ["failed_at", "failure", "format", "password_tag"]
    assert "wrong-password" not in json.dumps(entry)


def test_token_cache_false_parallel_wrong_passwords_send_one(ks):
    ks.stub.oauth.delay = 0.1
    answers = _run_processes(ks.options(ks_password="wrong-password", token_cache=False))
    assert ks.stub.count("POST", "/oauth/token") == 1
    assert all(kind == "error" for kind, _text in answers)


def test_token_cache_false_with_an_unwritable_home_warns_only_when_a_login_is_refused(ks, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    ks.client(token_cache=False).login()
    assert ks.warnings == []
    with pytest.raises(KubeSphereAuthError):
        ks.client(ks_password="wrong-password", token_cache=False).login()
    assert len(ks.warnings) == 1 and "could not be remembered" in ks.warnings[0]


def test_atomic_write_via_temp_file_and_replace(ks, monkeypatch):
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((src, dst, stat.S_IMODE(os.stat(src).st_mode)))
        return real_replace(src, dst)

    monkeypatch.setattr(ks_auth.os, "replace", spy)
    ks.client().login()
    path, _entry = read_cache(ks)
    ((src, dst, mode),) = replaced
    assert dst == path and os.path.dirname(src) == ks.cache_dir and src != dst and mode == 0o600
    assert sorted(os.listdir(ks.cache_dir)) == sorted([os.path.basename(path), os.path.basename(path)[:-5] + ".lock"])


def test_failed_write_leaves_old_file_and_no_temp(ks, monkeypatch):
    ks.client().login()
    path, before = read_cache(ks)
    before["expires_at"] = time.time() - 1  # force a renewal and hence a write
    write_cache(path, before)

    def broken_dump(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ks_auth.json, "dump", broken_dump)
    client = ks.client()
    client.login()  # a cache problem is a warning, never fatal
    monkeypatch.undo()
    assert json.load(open(path)) == before
    assert not [name for name in os.listdir(ks.cache_dir) if name.startswith(".tmp-")]
    assert any("token cache" in w and "No space left on device" in w for w in ks.warnings)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"access_token": 42}', "", "\x00\xff"])
def test_corrupt_cache_file_ignored_and_replaced(ks, content):
    ks.client().login()
    path, _entry = read_cache(ks)
    with open(path, "w") as handle:
        handle.write(content)
    client = ks.client()
    token = client.login()
    assert ks.stub.oauth.password_grants == 2
    assert read_cache(ks)[1]["access_token"] == token


def test_unusable_cache_directory_is_a_warning(ks, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    client = ks.client(token_cache=str(blocker / "tokens"))
    assert client.login().startswith("access-")
    assert any("token cache" in w for w in ks.warnings)


# --- refresh -----------------------------------------------------------------------------------

def test_near_expiry_refreshes_without_password_login(ks):
    ks.client().login()
    path, entry = read_cache(ks)
    # issued 1 h 58 min ago, 2 min left: inside the refresh margin (10% of the lifetime)
    entry.update(obtained_at=time.time() - 7080, expires_at=time.time() + 120)
    write_cache(path, entry)
    client = ks.client()
    token = client.login()
    assert token != entry["access_token"]
    assert ks.stub.oauth.password_grants == 1 and ks.stub.oauth.refresh_grants == 1
    assert client.stats == dict(client.stats, logins=0, refreshes=1)
    (refresh_call,) = [c for c in ks.stub.calls("POST", "/oauth/token") if c.form["grant_type"] == "refresh_token"]
    assert refresh_call.form == dict(grant_type="refresh_token", refresh_token=entry["refresh_token"],
                                     client_id="kubesphere", client_secret=CLIENT_SECRET)
    assert refresh_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert read_cache(ks)[1]["access_token"] == token


def test_refresh_failure_falls_back_to_one_password_login(ks):
    ks.client().login()
    path, entry = read_cache(ks)
    entry["expires_at"] = time.time() - 5
    write_cache(path, entry)
    ks.stub.oauth.restart()  # the refresh token is no longer known
    client = ks.client()
    client.login()
    grants = [c.form["grant_type"] for c in ks.stub.calls("POST", "/oauth/token")]
    assert grants == ["password", "refresh_token", "password"]
    assert client.stats["logins"] == 1 and client.stats["refreshes"] == 1


def test_expired_refresh_token_is_not_sent(ks):
    ks.client().login()
    path, entry = read_cache(ks)
    entry.update(expires_at=time.time() - 5, refresh_expires_at=time.time() - 1)
    write_cache(path, entry)
    ks.client().login()
    assert [c.form["grant_type"] for c in ks.stub.calls("POST", "/oauth/token")] == ["password", "password"]


def test_force_login_gets_a_new_token(ks):
    client = ks.client()
    old = client.login()
    new = client.login(force=True)
    assert new != old and ks.stub.oauth.refresh_grants == 1


def test_jwt_expiry_used_when_expires_in_missing():
    def encode(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    def jwt(claims):
        return "%s.%s.sig" % (encode({"alg": "HS256"}), encode(claims))

    entry = ks_auth.make_entry({"access_token": jwt({"exp": 2000000000}),
                                "refresh_token": jwt({"exp": 2000009000})}, now=1000.0)
    assert entry["expires_at"] == 2000000000 and entry["refresh_expires_at"] == 2000009000
    assert ks_auth.make_entry({"access_token": "opaque"}, now=1.0)["expires_at"] is None
    assert ks_auth.is_fresh({"access_token": "opaque", "expires_at": None}, time.time())


# --- 20 processes at once --------------------------------------------------------------------

def _run_processes(options, count=20):
    # forkserver with the client preloaded: 20 children start in well under a second, and no
    # child is forked from this multi-threaded process (the stub server runs in a thread).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["stub_server", "ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client"])
    barrier = context.Barrier(count)
    results = context.Queue()
    workers = [context.Process(target=login_worker, args=(options, barrier, results)) for _index in range(count)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(timeout=30)
    return answers


def test_twenty_processes_one_password_login(ks):
    ks.stub.oauth.delay = 0.2  # a login takes a while (bcrypt), so the others really wait
    answers = _run_processes(ks.options())
    assert ks.stub.oauth.password_grants == 1
    assert ks.stub.count("POST", "/oauth/token") == 1
    assert len(set(answers)) == 1 and answers[0][0] == "ok"


def test_twenty_processes_wrong_password_one_attempt(ks):
    ks.stub.oauth.delay = 0.1
    answers = _run_processes(ks.options(ks_password="wrong-password"))
    assert ks.stub.count("POST", "/oauth/token") == 1  # not 20: KubeSphere locks the account after 10
    assert all(kind == "error" and "Invalid username or password." in text for kind, text in answers)
    assert all("wrong-password" not in text for _kind, text in answers)


# --- 401 on requests ---------------------------------------------------------------------------

def test_401_relogin_once_then_success(ks):
    ks.stub.on("GET", USERS, Reply(200, {"items": [], "totalItems": 0}))
    client = ks.client()
    client.get(USERS)
    ks.stub.oauth.restart()  # ks-apiserver restarted: every token is gone
    assert client.get(USERS) == {"items": [], "totalItems": 0}
    gets = ks.stub.calls("GET", USERS)
    assert len(gets) == 3 and gets[1].bearer != gets[2].bearer
    assert [c.form["grant_type"] for c in ks.stub.calls("POST", "/oauth/token")] == \
        ["password", "refresh_token", "password"]
    assert client.stats["reauths"] == 1
    assert read_cache(ks)[1]["access_token"] == gets[2].bearer
    assert ks.client().get(USERS) is not None  # the next process uses the renewed cache entry
    assert ks.stub.oauth.password_grants == 2


def test_401_uses_a_token_another_process_already_renewed(ks):
    ks.stub.on("GET", USERS, Reply(200, {}))
    client = ks.client()
    client.get(USERS)
    ks.stub.oauth.restart()
    other = ks.client(token_cache=False)
    renewed = other.login()
    path, entry = read_cache(ks)
    entry["access_token"] = renewed
    write_cache(path, entry)
    client.get(USERS)
    assert ks.stub.calls("GET", USERS)[-1].bearer == renewed
    assert ks.stub.oauth.password_grants == 2  # the first login and `other`'s, none by `client`


def test_401_twice_is_an_error_not_a_loop(ks):
    ks.stub.on("GET", USERS, status_reply(401, "Unauthorized", "account is not active"), auth=False)
    client = ks.client()
    with pytest.raises(KubeSphereAuthError) as info:
        client.get(USERS)
    assert ks.stub.count("GET", USERS) == 2
    assert ks.stub.count("POST", "/oauth/token") == 2  # the first login and one renewal
    assert info.value.status == 401 and info.value.message == "account is not active"
    assert "refused again right after a new login" in str(info.value)


def test_given_token_used_as_is_and_rejection_is_clear(ks):
    ks.stub.on("GET", USERS, Reply(200, {}))
    good = ks.client(token_cache=False).login()
    client = ks.client(ks_username=None, ks_password=None, ks_token=good)
    client.get(USERS)
    assert ks.stub.calls("GET", USERS)[-1].bearer == good
    ks.stub.oauth.restart()
    with pytest.raises(KubeSphereAuthError) as info:
        client.get(USERS)
    assert "ks_token given was rejected" in str(info.value)
    assert ks.stub.count("GET", USERS) == 2 and ks.stub.count("POST", "/oauth/token") == 1
    assert not os.path.exists(ks.cache_dir)
    assert good not in str(info.value) and good not in repr(info.value)


def test_given_token_refused_after_a_restart_logs_in_once_with_the_password_at_hand(ks):
    ks.stub.on("GET", USERS, Reply(200, {}))
    given = ks.client().login()                      # what ks_login handed to the role's tasks
    ks.stub.oauth.restart()
    warnings = []
    first = ks.client(ks_token=given)
    first._warn_callback = warnings.append
    first.get(USERS)
    assert ks.stub.oauth.password_grants == 2 and first.stats["reauths"] == 1
    assert "logged in again once" in warnings[0]
    later = ks.client(ks_token=given)                # the next task: the cache has the new token
    later.get(USERS)
    assert ks.stub.oauth.password_grants == 2
    assert given not in repr(later) and ks.stub.calls("GET", USERS)[-1].bearer != given


def test_a_foreign_token_refused_is_an_error_even_with_a_password_at_hand(ks):
    ks.stub.on("GET", USERS, Reply(200, {}))
    client = ks.client(ks_token="not-a-token-of-ours")
    with pytest.raises(KubeSphereAuthError) as info:
        client.get(USERS)
    assert "ks_token given was rejected" in str(info.value)
    assert "unset KUBESPHERE_TOKEN (or remove ks_token) to log in as admin" in str(info.value)
    assert "give a valid token, or ks_username" not in str(info.value)
    assert ks.stub.oauth.password_grants == 0


def test_token_may_be_the_ks_login_result(ks):
    client = ks.client(ks_token={"ks_host": "x", "ks_token": "tok-from-ks_login"})
    assert client.token == "tok-from-ks_login"


# --- failed logins -----------------------------------------------------------------------------

def test_bad_credentials_one_request_and_auth_error(ks):
    client = ks.client(ks_password="not-the-password")
    with pytest.raises(KubeSphereAuthError) as info:
        client.get(USERS)
    err = info.value
    assert ks.stub.count("POST", "/oauth/token") == 1 and ks.stub.count("GET", USERS) == 0
    assert err.status == 400 and err.reason == "invalid_grant" and err.message == "Invalid username or password."
    assert err.url == ks.stub.url + "/oauth/token" and err.method == "POST"
    assert "check ks_username (admin) and ks_password" in str(err)
    assert ks.sleeps == []
    # another task right after: the failure is replayed, the wrong password is not sent again
    with pytest.raises(KubeSphereAuthError) as again:
        ks.client(ks_password="not-the-password").login()
    assert ks.stub.count("POST", "/oauth/token") == 1
    assert "Invalid username or password." in str(again.value) and "not sent" in str(again.value)


def test_refused_login_not_repeated_in_the_same_process(ks):
    client = ks.client(ks_password="not-the-password", token_cache=False)
    for _attempt in range(3):
        with pytest.raises(KubeSphereAuthError) as info:
            client.get(USERS)
        assert info.value.reason == "invalid_grant"
    assert ks.stub.count("POST", "/oauth/token") == 1 and client.stats["logins"] == 1


def test_remembered_failure_expires(ks, monkeypatch):
    with pytest.raises(KubeSphereAuthError):
        ks.client(ks_password="nope-nope").login()
    monkeypatch.setattr(ks_auth, "FAILURE_MEMORY", 0.0)
    ks.client().login()
    assert ks.stub.oauth.password_grants == 2


def test_locked_account_429_not_retried(ks):
    ks.stub.oauth.locked.add("admin")
    client = ks.client()
    with pytest.raises(KubeSphereAuthError) as info:
        client.login()
    assert ks.stub.count("POST", "/oauth/token") == 1 and ks.sleeps == []
    assert info.value.status == 429 and info.value.message == "Rate limit exceeded."
    assert "locked the account" in str(info.value) and "wait" in str(info.value)


@pytest.mark.parametrize("overrides, status, reason", [
    (dict(ks_client_id="nope"), 400, "invalid_client"),
    (dict(ks_client_secret="wrong-secret"), 401, "unauthorized_client"),
])
def test_client_credentials_errors(ks, overrides, status, reason):
    with pytest.raises(KubeSphereAuthError) as info:
        ks.client(token_cache=False, **overrides).login()
    assert (info.value.status, info.value.reason) == (status, reason)
    assert "check ks_client_id" in str(info.value)
    assert ks.stub.count("POST", "/oauth/token") == 1
    assert "wrong-secret" not in str(info.value)


@pytest.mark.parametrize("overrides, missing", [
    (dict(ks_username=None, ks_password=None), "ks_username and ks_password"),
    (dict(ks_password=""), "ks_password"),
    (dict(ks_username=None), "ks_username"),
])
def test_missing_credentials_clear_error_before_any_request(ks, overrides, missing):
    with pytest.raises(KubeSphereAuthError) as info:
        ks.client(**overrides).get(USERS)
    assert "%s not set" % missing in str(info.value)
    assert ks.stub.requests == []


# --- logout ------------------------------------------------------------------------------------

def test_logout_revokes_and_forgets(ks):
    client = ks.client()
    token = client.login()
    assert client.logout() == {"message": "success"}
    (call,) = ks.stub.calls("GET", "/oauth/logout")
    assert call.bearer == token
    assert cache_files(ks.cache_dir) == []
    assert not ks.stub.oauth.valid(token)
    client.login()
    assert ks.stub.oauth.password_grants == 2


def test_logout_without_token_sends_nothing(ks):
    assert ks.client().logout() is None
    assert ks.stub.requests == []


def test_stub_oauth_defaults_match_recording():
    oauth = FakeOAuth(users={"a": "b"})
    assert set(oauth.issue().body) == {"access_token", "token_type", "refresh_token", "expires_in"}


@pytest.mark.parametrize("written", ["HTTPS://KS.Example.COM", "https://ks.example.com:443", "https://ks.example.com/"])
def test_one_cache_entry_per_host_however_its_url_is_written(tmp_path, written):
    same = ks_auth.TokenCache(str(tmp_path), "https://ks.example.com", "admin", "kubesphere")
    assert ks_auth.TokenCache(str(tmp_path), written, "admin", "kubesphere").path == same.path


@pytest.mark.parametrize("other", ["http://ks.example.com", "https://ks.example.com:8443", "https://ks2.example.com"])
def test_other_hosts_ports_and_schemes_keep_their_own_entry(tmp_path, other):
    one = ks_auth.TokenCache(str(tmp_path), "https://ks.example.com", "admin", "kubesphere")
    assert ks_auth.TokenCache(str(tmp_path), other, "admin", "kubesphere").path != one.path
