"""Connection options as a new user types them: a ks_host with a path, the stock OAuth client secret,
and the token cache meeting a wrong, then a corrected, password (real `ansible` runs)."""
import json

from ks_ansible import api_requests

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
