"""Issue 2: ks_login, ks_api, the token cache and the client, through real ansible runs."""
import json
import time

import pytest

from ks_ansible import cached_tokens


def logins(emulator):
    return emulator.counters()["logins"]


def test_login_chains_into_module_defaults(ansible, emulator):
    run = ansible.playbook("login_chain.yml").assert_ok()
    assert run.result("List users")["status"] == 200
    # One password login: ks_login's; the later tasks used its token.
    assert logins(emulator)["password_ok"] == 1


def test_ks_api_every_method(ansible):
    run = ansible.playbook("api_crud.yml").assert_ok()
    assert run.result("Create a user")["changed"] is True
    assert run.result("Read the user")["changed"] is False
    failed = run.result("An unknown cluster")
    assert failed["status"] == 400 and failed["url"].endswith("/clusters/nope/api/v1/namespaces")


def test_check_mode_sends_no_write(ansible, emulator, no_writes):
    with no_writes():
        run = ansible.playbook("api_writes.yml", check=True).assert_ok()
    assert run.result("Create a user")["request"]["body"]["metadata"]["name"] == "never-made"


def test_write_guard_is_not_vacuous(ansible, no_writes):
    # The same play without --check sends writes; the guard refuses them and fails the test.
    with pytest.raises(AssertionError, match="check mode sent write requests"):
        with no_writes():
            ansible.playbook("api_writes.yml")


def test_twenty_tasks_one_login(ansible, emulator):
    ansible.playbook("many_tasks.yml").assert_ok()
    counters = emulator.counters()
    assert counters["logins"]["password_ok"] == 1
    assert counters["by_method"]["GET"] >= 20


def test_five_forks_one_login(ansible, emulator):
    ansible.playbook("many_tasks.yml", "--forks", "5", inventory=ansible_inventory(),
                     extra_vars={"target": "clusters", "task_count": 4}).assert_ok()
    assert logins(emulator)["password_ok"] == 1


def test_expired_token_is_refreshed_not_relogged(ansible, emulator):
    emulator.configure(token_ttl=3)
    try:
        ansible.playbook("many_tasks.yml", extra_vars={"task_count": 1}).assert_ok()
        time.sleep(3.5)
        emulator.reset_counters()
        ansible.playbook("many_tasks.yml", extra_vars={"task_count": 3}).assert_ok()
    finally:
        emulator.configure(token_ttl=7200)
    counters = logins(emulator)
    assert counters["password_ok"] == 0, counters
    # At least one refresh; a loaded machine may need a second once the new 3-second token runs low.
    assert counters["refresh_ok"] >= 1, counters


def test_restarted_server_costs_one_relogin(ansible, emulator):
    ansible.playbook("many_tasks.yml", extra_vars={"task_count": 1}).assert_ok()
    emulator.restart_tokens()
    emulator.reset_counters()
    ansible.playbook("many_tasks.yml", extra_vars={"task_count": 5}).assert_ok()
    assert logins(emulator)["password_ok"] == 1


def test_wrong_password_one_attempt_clear_failure(ansible, emulator):
    run = ansible.playbook("many_tasks.yml", env={"KUBESPHERE_PASSWORD": "Wr0ngPassword"})
    assert run.rc != 0
    failure = [r for r in run.records if r["status"] == "failed"][0]["result"]
    assert "Invalid username or password" in json.dumps(failure)
    assert logins(emulator)["password_failed"] == 1


def test_wrong_password_across_forks_one_attempt(ansible, emulator):
    run = ansible.playbook("many_tasks.yml", "--forks", "5", inventory=ansible_inventory(),
                           extra_vars={"target": "clusters", "task_count": 2},
                           env={"KUBESPHERE_PASSWORD": "Wr0ngPassword"})
    assert run.rc != 0
    assert logins(emulator)["password_failed"] == 1


def test_no_secret_in_verbose_output(ansible, emulator):
    run = ansible.playbook("login_chain.yml", "-vvv").assert_ok()
    run2 = ansible.playbook("many_tasks.yml", "-vvv", extra_vars={"task_count": 2}).assert_ok()
    output = run.output + run2.output
    secrets = {getattr(emulator, "admin_password", "P@88w0rd")} | cached_tokens(ansible.token_cache)
    assert len(secrets) >= 3, "expected the password and cached tokens to look for: %s" % len(secrets)
    for secret in secrets:
        assert secret not in output


def test_adhoc_ks_api(ansible):
    run = ansible.adhoc("kubesphere.core.ks_api", "path=/kapis/iam.kubesphere.io/v1beta1/users")
    run.assert_ok()
    assert '"admin"' in run.stdout


def test_adhoc_ks_api_check_mode_returns_the_full_url_and_sends_nothing(ansible, emulator, no_writes):
    args = {"method": "POST", "path": "/api/v1/namespaces", "cluster": "member1", "query": {"dryRun": "All"},
            "body": {"metadata": {"name": "never-sent"}}}
    with no_writes():
        run = ansible.adhoc("kubesphere.core.ks_api", json.dumps(args), "--check",
                            env={"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}).assert_ok()
    result = run.records[0]["result"]
    assert result["url"] == emulator.url + "/clusters/member1/api/v1/namespaces?dryRun=All", result
    assert result["changed"] and result["request"]["method"] == "POST" and "not sent" in result["msg"]


def ansible_inventory():
    from ks_ansible import PLAYBOOKS
    return PLAYBOOKS / "forks.ini"


def test_adhoc_without_credentials_reads_open_paths(ansible, emulator):
    run = ansible.adhoc("kubesphere.core.ks_api", "path=/version",
                        env={"KUBESPHERE_USERNAME": "", "KUBESPHERE_PASSWORD": ""})
    run.assert_ok()
    assert '"gitVersion"' in run.stdout
    assert logins(emulator)["password_ok"] == 0
