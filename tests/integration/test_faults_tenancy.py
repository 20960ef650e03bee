"""The fault matrix for the bulk path: one ks_tenancy task over a 100-object tenancy (users, workspaces on
two clusters with members, projects with members) against an emulator with one fault on. Each row proves the
fault happened, that the task converged with every object made once (a fault-free run afterwards changes
nothing), and what it cost in logins."""
import pytest

from ks_ansible import Ansible
from test_tenancy import count, tenancy

WRITES = ["POST", "PUT", "PATCH", "DELETE"]
CREATES = ("/kapis/iam.kubesphere.io/v1beta1/users", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates")
ROWS = {
    "5xx share": dict(faults={"status_rate": 0.1, "statuses": [502, 503, 504], "seed": 1}, logins=1, retries=5),
    "reset after processing": dict(faults={"reset_after_rate": 0.2, "methods": WRITES, "paths": ["/kapis/"],
                                           "seed": 7}, logins=1),
    "restart mid-run": dict(faults={"restart_after": 60}, logins=2),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_ks_tenancy_converges_under_the_fault(row, fresh_emulator, tmp_path):
    spec = ROWS[row]
    emu = fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10)
    ansible = Ansible(emu, tmp_path)
    declared = tenancy("f" + row[:3].replace(" ", ""), users=40, workspaces=10, projects=50)
    emu.set_faults(**spec["faults"])
    emu.reset_counters()
    env = {"KUBESPHERE_RETRIES": str(spec["retries"])} if spec.get("retries") else None
    run = ansible.playbook("tenancy.yml", extra_vars=declared, env=env)
    injected = emu.faults()["injected"]
    emu.set_faults()    # off: the checks below read the truth
    logins = emu.counters()["logins"]["password_ok"]
    log = emu.log(5000)
    run.assert_ok()
    assert sum(injected.values()) > 0, "the fault never happened: %s" % injected
    assert logins <= spec["logins"], logins

    # Every object made once: as many successful creates as declared objects, none refused as a duplicate.
    for path, wanted in zip(CREATES, (declared["t_users"], declared["t_workspaces"])):
        statuses = [e["status"] for e in log if e["method"] == "POST" and e["path"] == path]
        assert len([s for s in statuses if s < 300]) == len(wanted) and not [s for s in statuses if s in (400, 409)], \
            (path, statuses)

    # Converged and nothing half-made: the same declaration again, without the fault, changes nothing.
    again = ansible.playbook("tenancy.yml", extra_vars=declared).assert_ok()
    summary = again.result("Tenancy")
    assert not summary["changed"], [r for r in summary["results"] if r["changed"]]
    assert len(summary["results"]) == count(declared)
