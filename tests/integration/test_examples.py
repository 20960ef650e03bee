"""Issue 6: every play in playbooks/examples/ runs as written, and converges (a second run changes nothing)."""
from ks_ansible import Ansible, ROOT
from real_server import needs_installable_extension

EXAMPLES = ROOT / "playbooks" / "examples"
CREATE = ["login_once.yml", "create_user.yml", "workspace_with_members.yml", "project_with_members.yml",
          "install_extension.yml"]


def test_examples_run_as_written(fresh_emulator, tmp_path):
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    needs_installable_extension(emu, "metrics-server")
    ansible = Ansible(emu, tmp_path)
    # ansible-playbook takes several playbooks: one process for the whole sequence.
    plays = [str(EXAMPLES / name) for name in CREATE]
    first = ansible.playbook(plays[0], *plays[1:]).assert_ok()
    assert first.result("Create dana")["changed"] is True
    assert first.result("Install metrics-server")["changed"] is True
    again = ansible.playbook(plays[0], *plays[1:]).assert_ok()
    assert again.changed_tasks() == []

    writes = emu.counters()["writes"]
    plan = ansible.playbook(str(EXAMPLES / "review_changes.yml")).assert_ok()
    assert plan.result("Change dana's display name (planned, not applied)")["changed"] is True
    assert "Dana Example" in plan.output and emu.counters()["writes"] == writes

    vault = ["--vault-password-file", str(ROOT / "playbooks" / "vars" / "demo_vault_password")]
    identity = ansible.playbook(str(EXAMPLES / "identity_providers.yml"), *vault).assert_ok()
    assert len(identity.changed_tasks()) == 3 and "Demo-Bind-Passw0rd" not in identity.output
    assert ansible.playbook(str(EXAMPLES / "identity_providers.yml"), *vault).assert_ok().changed_tasks() == []

    gone = ansible.playbook(str(EXAMPLES / "offboard.yml")).assert_ok()
    assert len(gone.changed_tasks()) == 4
    assert ansible.playbook(str(EXAMPLES / "offboard.yml")).assert_ok().changed_tasks() == []
