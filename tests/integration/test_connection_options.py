"""Connection options as a new user types them: a ks_host with a path, the stock OAuth client secret,
and the token cache meeting a wrong, then a corrected, password (real `ansible` runs)."""
import json
import os
import stat

from ks_ansible import api_requests, create_regular_user, unique

CALLBACK = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}


def logins(emulator):
    return emulator.counters()["logins"]


def version(ansible, **env):
    return ansible.adhoc("kubesphere.core.ks_api", "path=/kapis/version", env=dict(CALLBACK, **env))


def test_a_host_with_a_path_is_refused_before_any_request(ansible, emulator):
    emulator.reset_counters()
    run = ansible.adhoc("kubesphere.core.ks_api", "path=/version", env=dict(CALLBACK, KUBESPHERE_HOST=emulator.url + "/console"))
    assert run.rc != 0
    msg = run.records[0]["result"]["msg"]
    assert "must not have a path (/console)" in msg and emulator.url in msg
    assert api_requests(emulator) == {} and logins(emulator)["password_ok"] == 0


def test_the_stock_client_secret_masks_nothing_and_another_one_is_masked(ansible, emulator):
    run = ansible.adhoc("kubesphere.core.ks_api", json.dumps(
        {"path": "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", "ks_client_secret": "kubesphere"}),
        env=CALLBACK).assert_ok()
    assert "tenant.kubesphere.io" in json.dumps(run.records[0]["result"]) and "********" not in run.stdout
    run = ansible.adhoc("kubesphere.core.ks_api", json.dumps(
        {"path": "/kapis/version", "ks_client_secret": "Not-The-Stock-Secret", "token_cache": "false"}), env=CALLBACK)
    assert run.rc != 0 and "Not-The-Stock-Secret" not in run.output


def test_the_token_cache_belongs_to_the_password_that_made_it(ansible, emulator):
    version(ansible).assert_ok()                      # logs in and caches the token
    before = logins(emulator)
    wrong = version(ansible, KUBESPHERE_PASSWORD="Wrong-Pa55word")
    assert wrong.rc != 0                              # the cached token is not a pass for a wrong password
    again = version(ansible, KUBESPHERE_PASSWORD="Wrong-Pa55word")
    assert again.rc != 0 and "not sent" in again.records[0]["result"]["msg"]
    version(ansible).assert_ok()                      # the right password is tried at once, not in 30 s
    after = logins(emulator)
    assert after["password_failed"] - before["password_failed"] == 1     # the same wrong one was sent once
    assert after["password_ok"] - before["password_ok"] == 1             # one fresh login for the right one
    version(ansible).assert_ok()
    assert logins(emulator)["password_ok"] == after["password_ok"]       # and cached again


def test_token_cache_false_keeps_the_memory_of_a_refused_password(ansible, emulator, tmp_path):
    # A throwaway user: twelve refusals would lock it (KubeSphere locks after 10 in 10 minutes).
    user = create_regular_user(emulator, unique("nocache"))
    cache_home = tmp_path / "xdg"          # where token_cache: false keeps the refusals, never a token
    env = dict(user, KUBESPHERE_TOKEN_CACHE="false", XDG_CACHE_HOME=str(cache_home))
    before = logins(emulator)
    wrong = ansible.playbook("many_tasks.yml", extra_vars={"task_count": 12},
                             env=dict(env, KUBESPHERE_PASSWORD="Wrong-Pa55word"))
    assert wrong.rc != 0
    after = logins(emulator)
    assert after["password_failed"] - before["password_failed"] == 1, after
    assert "not sent" in json.dumps(wrong.records)
    right = ansible.playbook("many_tasks.yml", extra_vars={"task_count": 2}, env=env)
    # The corrected password logs in at once (the regular user may not read admin: 403, after its login), and
    # false still keeps no token: each task logged in on its own.
    assert [r["status"] for r in right.records[0]["result"]["results"]] == [403, 403], right.output
    assert logins(emulator)["password_ok"] - after["password_ok"] == 2
    kept = [path.read_text() for path in cache_home.rglob("*.json")]
    assert kept and not [text for text in kept if any("token" in key for key in json.loads(text))]
    assert "Wrong-Pa55word" not in "".join(kept) and "Wrong-Pa55word" not in wrong.output


def test_the_token_cache_knows_a_host_however_its_url_is_written(ansible, emulator):
    port = emulator.url.rsplit(":", 1)[1]
    before = logins(emulator)["password_ok"]
    for host in ("http://127.0.0.1:" + port, "HTTP://127.0.0.1:" + port, "http://LOCALHOST:" + port,
                 "http://localhost:" + port + "/"):
        version(ansible, KUBESPHERE_HOST=host, KUBESPHERE_TOKEN_CACHE=str(ansible.token_cache)).assert_ok()
    # 127.0.0.1 and localhost are two names, two entries; the case of a scheme or name makes no third.
    assert logins(emulator)["password_ok"] - before == 2


def test_an_opened_cache_directory_is_repaired_whole(ansible, emulator):
    other = create_regular_user(emulator, unique("cacheperm"))
    ansible.adhoc("kubesphere.core.ks_info", "kind=workspace").assert_ok()   # admin's entry, lock, the version file
    ansible.adhoc("kubesphere.core.ks_api", "path=/kapis/version", env=other)   # another user's entry and lock
    (ansible.token_cache / "notes.txt").write_text("")   # not the cache's: left as it is
    os.chmod(ansible.token_cache / "notes.txt", 0o644)
    files = [path for path in ansible.token_cache.iterdir() if path.name != "notes.txt"]
    assert len([p for p in files if p.name.endswith(".version.json")]) == 1 and len(files) >= 5, files
    os.chmod(ansible.token_cache, 0o777)
    for path in files:
        os.chmod(path, 0o666)
    version(ansible).assert_ok()
    assert stat.S_IMODE(os.stat(ansible.token_cache).st_mode) == 0o700
    assert dict((p.name, oct(stat.S_IMODE(os.stat(p).st_mode))) for p in files) == dict(
        (p.name, "0o600") for p in files)
    assert stat.S_IMODE(os.stat(ansible.token_cache / "notes.txt").st_mode) == 0o644


def test_a_stale_token_beside_a_password_says_to_unset_it(ansible, emulator):
    before = logins(emulator)["password_ok"]
    run = ansible.adhoc("kubesphere.core.ks_info", "kind=workspace",
                        env=dict(CALLBACK, KUBESPHERE_TOKEN="stale.token.from-an-old-shell", KUBESPHERE_API_VERSION="v4"))
    assert run.rc != 0
    result = run.records[0]["result"]
    assert result["status"] == 401
    # Both were given: the token comes first and the password was not tried; the way out is named.
    assert "unset KUBESPHERE_TOKEN" in result["msg"] and "give a valid token, or ks_username" not in result["msg"]
    assert logins(emulator)["password_ok"] == before
    assert "stale.token.from-an-old-shell" not in run.output
