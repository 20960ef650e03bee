"""Review: secrets never leak, check mode predicts the real run and sends no write, failures are clean."""
import json
import re

import pytest

from ks_ansible import ROOT, Ansible, admin_call, cached_tokens, unique
from real_server import needs_installable_extension

SECRETS_NEVER_SHOWN = ("Review-Pa55word",)


@pytest.mark.parametrize("via", ["extra_var", "environment"])
def test_roles_work_with_a_token_instead_of_a_password(ansible, emulator, via):
    # ks_login echoes the token it was given; Ansible masks every no_log input in a result, so the
    # roles used to hand "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" to every later task (HTTP 401).
    token = emulator.login()
    user = unique("tokrole")
    extra = {"review_user": user}
    env = {"KUBESPHERE_USERNAME": "", "KUBESPHERE_PASSWORD": ""}
    if via == "extra_var":
        extra["ks_token"] = token
    else:
        env["KUBESPHERE_TOKEN"] = token
    run = ansible.playbook("roles_with_a_token.yml", "-vvv", extra_vars=extra, env=env, diff=True)
    run.assert_ok()
    assert run.result("Report what changed")["tenant_changes"] == ["create user " + user]
    assert admin_call(emulator, "GET", "/kapis/iam.kubesphere.io/v1beta1/users/" + user)[0] == 200
    output = run.output.replace(token, "<token given>") if via == "environment" else run.output
    for secret in SECRETS_NEVER_SHOWN:
        assert secret not in output
    # The token goes in as an extra var (shown by -vvv as the user's own input) but never comes back
    # out of a task: the login tasks are no_log.
    assert output.count(token) <= (1 if via == "extra_var" else 0), output[-3000:]


def _changed(run):
    return dict((r["task"], bool(r["result"].get("changed"))) for r in run.records
                if r["task"] != "Gathering Facts")


def _secrets(ansible, emulator, user):
    """The admin password, every cached token, the user's passwords and its stored bcrypt hash."""
    found = {emulator.admin_password, "Review-Pa55word", "Review-Pa55word2"} | cached_tokens(ansible.token_cache)
    status, raw = admin_call(emulator, "GET", "/apis/iam.kubesphere.io/v1beta1/users/" + user)
    if status == 200 and (raw.get("spec") or {}).get("password"):
        found.add(raw["spec"]["password"])
    return found


def test_check_mode_predicts_every_step_sends_no_write_and_leaks_nothing(fresh_emulator, tmp_path):
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10, extension_job_ms=50)
    ansible = Ansible(emu, tmp_path)
    prefix = unique("rvc")
    user = prefix + "-u"
    outputs = []
    for step in ("create", "update", "remove"):
        emu.reset_counters()
        emu.configure(forbid_writes=True)
        try:
            plan = ansible.playbook("check_mode_steps.yml", "-vvv", "--tags", step, check=True, diff=True,
                                    extra_vars={"prefix": prefix})
        finally:
            emu.configure(forbid_writes=False)
        plan.assert_ok()
        counters = emu.counters()
        assert counters["writes"] == 0 and counters.get("forbidden_writes", 0) == 0, (step, counters)
        real = ansible.playbook("check_mode_steps.yml", "-vvv", "--tags", step, diff=True,
                                extra_vars={"prefix": prefix}).assert_ok()
        assert _changed(plan) == _changed(real), step
        assert all(_changed(real).values()), (step, _changed(real))
        emu.reset_counters()
        emu.configure(forbid_writes=True)
        try:
            again = ansible.playbook("check_mode_steps.yml", "-vvv", "--tags", step, check=True, diff=True,
                                     extra_vars={"prefix": prefix}).assert_ok()
        finally:
            emu.configure(forbid_writes=False)
        assert not any(_changed(again).values()), (step, _changed(again))
        assert emu.counters()["writes"] == 0
        # (That a real run again changes nothing is each module's own lifecycle test.)
        outputs.append(plan.output + real.output + again.output + json.dumps(plan.records + real.records))
        if step == "update":
            secrets = _secrets(ansible, emu, user)
    assert len(secrets) >= 5, secrets
    for secret in secrets:
        for output in outputs:
            assert secret not in output
    assert not any(re.search(r"\$2[aby]\$\d\d\$", output) for output in outputs)


def test_server_failures_are_clean_and_say_changed_after_a_write(ansible, emulator):
    prefix = unique("rvf")
    regular, password = prefix + "-reg", "Regular-Pa55word"
    body = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": regular, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
            "spec": {"email": regular + "@example.com", "password": password}}
    assert admin_call(emulator, "POST", "/kapis/iam.kubesphere.io/v1beta1/users", body)[0] == 200
    run = ansible.playbook("server_failures.yml", extra_vars={"prefix": prefix, "regular": regular,
                                                              "regular_password": password}).assert_ok()
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output
    expected = {"401 ks_user": 401, "401 ks_workspace": 401, "401 ks_project": 401, "401 ks_extension": 401,
                "401 ks_info": 401, "401 ks_api": 401, "403 ks_workspace as a regular user": 403,
                "403 ks_user as a regular user": 403, "404 ks_api": 404, "409 ks_api": 409}
    for task, status in expected.items():
        result = run.result(task)
        assert result.get("status") == status, (task, result)   # failed_when: false keeps the failure's result
        assert result.get("server_message") or result.get("json") or result.get("content"), (task, result)
        assert str(status) in result["msg"], (task, result)
    # A member role that does not exist is refused before the object is made (no half-made object).
    for task, path in (("A member role that does not exist, for a new workspace",
                        "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/%s-ws" % prefix),
                       ("A member role that does not exist, for a new project",
                        "/api/v1/namespaces/%s-pr" % prefix)):
        assert admin_call(emulator, "GET", path)[0] == 404, path
        assert "role no-such-role does not exist" in run.result(task)["msg"], run.result(task)
        assert run.result(task)["changed"] is False, (task, run.result(task))
    assert password not in run.output


def test_ks_api_never_shows_a_user_password_or_its_hash(ansible, emulator):
    user = unique("apisec")
    plan = ansible.playbook("api_secrets.yml", "-vvv", check=True, diff=True,
                            extra_vars={"api_user": user}).assert_ok()
    run = ansible.playbook("api_secrets.yml", "-vvv", diff=True, extra_vars={"api_user": user}).assert_ok()
    status, raw = admin_call(emulator, "GET", "/apis/iam.kubesphere.io/v1beta1/users/" + user)
    stored = raw["spec"]["password"]
    assert status == 200 and stored.startswith("$2")
    for output in (plan.output, run.output, json.dumps(plan.records), json.dumps(run.records)):
        for secret in ("Api-Pa55word", stored):
            assert secret not in output
    # Everything else of the answer is still there.
    assert run.result("Read the user raw")["json"]["spec"]["email"] == user + "@example.com"


@pytest.mark.parametrize("module,args", [
    ("kubesphere.core.ks_user", {"name": "{p}-u", "email": "{p}-u@example.com", "password": "Review-Pa55word"}),
    ("kubesphere.core.ks_workspace", {"name": "{p}-ws", "manager": "admin"}),
    ("kubesphere.core.ks_project", {"name": "{p}-pr", "workspace": "{p}-ws",
                                    "assume_present": {"workspaces": ["{p}-ws"]}}),
    ("kubesphere.core.ks_extension", {"name": "metrics-server", "version": "0.7.2"}),
    ("kubesphere.core.ks_api", {"path": "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", "method": "POST",
                                "body": {"metadata": {"name": "{p}-ws"}}}),
])
def test_a_500_on_a_write_is_a_clean_failure(ansible, emulator, module, args):
    if module.endswith("ks_extension"):
        needs_installable_extension(emulator, args["name"])
    prefix = unique("rv5")
    emulator.configure(forbid_writes=True)
    try:
        run = ansible.adhoc(module, json.dumps(args).replace("{p}", prefix),
                            env={"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"})
    finally:
        emulator.configure(forbid_writes=False)
    assert run.rc != 0
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output
    result = run.records[0]["result"]
    assert result["status"] == 500 and "forbid_writes" in result["server_message"], result
    assert "500" in result["msg"] and not result.get("changed"), result
    assert "Review-Pa55word" not in run.output


def test_tenant_role_plan_matches_every_step_and_leaks_nothing(fresh_emulator, tmp_path):
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    onboard = ROOT / "playbooks" / "onboard_team.yml"

    def changes(run):
        msg = run.result("Report what changed")["msg"]
        return [] if isinstance(msg, str) else sorted(msg)

    users = [{"name": "alice", "email": "alice@example.com", "password": "Alice-Pa55word", "update_password": "always"},
             {"name": "bob", "email": "bob@example.com", "password": "Bob-Pa55word"}]
    steps = [
        {"ks_users": users,
         "ks_workspaces": [{"name": "ta", "manager": "alice", "members": [{"user": "bob", "role": "regular"}]}],
         "ks_projects": [{"name": "ta-web", "workspace": "ta", "members": [{"user": "bob", "role": "viewer"}]}]},
        {"ks_users": [dict(users[0], password="Alice-Pa55word2", email="alice2@example.com"), users[1]],
         "ks_workspaces": [{"name": "ta", "members": [{"user": "bob", "role": "admin"}]}],
         "ks_projects": [{"name": "ta-web", "workspace": "ta", "labels": {"tier": "gold"}}]},
        {"ks_users": [{"name": "alice", "state": "absent"}, {"name": "bob", "state": "absent"}],
         "ks_workspaces": [{"name": "ta", "state": "absent"}],
         "ks_projects": [{"name": "ta-web", "workspace": "ta", "state": "absent"}]},
    ]
    for wanted in steps:
        runs = []
        for check in (True, False, True):
            emu.reset_counters()
            emu.configure(forbid_writes=check)
            try:
                runs.append(ansible.playbook(onboard, "-vvv", extra_vars=wanted, check=check, diff=True).assert_ok())
            finally:
                emu.configure(forbid_writes=False)
            if check:
                assert emu.counters()["writes"] == 0 and emu.counters().get("forbidden_writes", 0) == 0
        plan, real, again = runs
        assert changes(plan) == changes(real) and changes(real), (changes(plan), changes(real))
        assert changes(again) == []
        for run in runs:
            for secret in ("Alice-Pa55word", "Bob-Pa55word", "$2a$", "$2b$", emu.admin_password):
                assert secret not in run.output


@pytest.mark.parametrize("module", ["kubesphere.core.ks_api", "kubesphere.core.ks_login"])
def test_a_password_in_ks_host_is_refused_and_never_shown(ansible, emulator, module):
    host = emulator.url.replace("http://", "http://admin:Url-Pa55word@")
    run = ansible.adhoc(module, json.dumps({"ks_host": host, "path": "/version"} if module.endswith("api")
                                           else {"ks_host": host}), "-vvv", env={"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"})
    assert run.rc != 0
    result = run.records[0]["result"]
    assert "must not contain credentials" in result["msg"]
    # The module's result (its invocation echoes ks_host) is masked; ansible itself may still print the
    # task's own arguments in its error line, which no module can change.
    assert "Url-Pa55word" not in json.dumps(result)
    assert result["invocation"]["module_args"]["ks_host"] == host.replace("Url-Pa55word", "********")


def test_an_adhoc_failure_shows_no_password_given_by_environment_or_vault_but_an_inline_one(ansible, emulator, tmp_path):
    password = emulator.admin_password
    vars_file = tmp_path / "vault.yml"          # what `ansible-vault encrypt` would protect; plain for the test
    vars_file.write_text("ks_admin_password: %s\n" % json.dumps(password))
    callback = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}
    by_env = ansible.adhoc("kubesphere.core.ks_api", "path=/kapis/no.such.group/v1/things", env=callback)
    by_var = ansible.adhoc("kubesphere.core.ks_api", "path=/kapis/no.such.group/v1/things "
                           "ks_password={{ ks_admin_password }}", "-e", "@%s" % vars_file,
                           env=dict(callback, KUBESPHERE_PASSWORD=""))
    for run in (by_env, by_var):
        assert run.rc != 0 and run.records[0]["result"]["status"] == 404, run.output[-2000:]
        assert password not in run.output
    # ansible-core itself prints an ad-hoc task's own arguments when it fails (its "Origin:" block), also with
    # ANSIBLE_NO_LOG=true; no module setting reaches it. Hence the connection guide and docs: never inline.
    # (It shortens them to 120 characters: an argument written first is always shown.)
    inline = ansible.adhoc("kubesphere.core.ks_api", "ks_password=%s path=/kapis/no.such.group/v1/things" % password,
                           env=dict(callback, KUBESPHERE_PASSWORD="", ANSIBLE_NO_LOG="true"))
    assert inline.rc != 0 and "Origin: <adhoc" in inline.output and password in inline.output
    guide = (ROOT / "docs" / "docsite" / "rst" / "guide_connection.rst").read_text()
    fragment = (ROOT / "plugins" / "doc_fragments" / "connection.py").read_text()
    assert "never inline" in guide and "never inline" in fragment
