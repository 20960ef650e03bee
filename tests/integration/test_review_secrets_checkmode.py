"""Review: secrets never leak, check mode predicts the real run and sends no write, failures are clean."""
import pytest

from ks_ansible import admin_call, unique

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
    run = ansible.playbook("review_token_roles.yml", "-vvv", extra_vars=extra, env=env, diff=True)
    run.assert_ok()
    assert run.result("Report what changed")["tenant_changes"] == ["user " + user]
    assert admin_call(emulator, "GET", "/kapis/iam.kubesphere.io/v1beta1/users/" + user)[0] == 200
    output = run.output.replace(token, "<token given>") if via == "environment" else run.output
    for secret in SECRETS_NEVER_SHOWN:
        assert secret not in output
    # The token goes in as an extra var (shown by -vvv as the user's own input) but never comes back
    # out of a task: the login tasks are no_log.
    assert output.count(token) <= (1 if via == "extra_var" else 0), output[-3000:]
