"""The fault matrix: the onboarding flow (playbooks/faults_onboarding.yml) run by ansible-playbook against
an emulator with one fault on, seeded so that a failure replays. Each row proves the fault happened (the
emulator's counters), that the play converged with every object made once, what it cost in logins, and
what the user was told (one warning per kind of retried request, not one per request).

Set KS_FAULT_MATRIX=/path/file.jsonl to record each row (injected, logins, seconds) for the notes."""
import json
import os
import re
import time

import pytest

from ks_ansible import Ansible, admin_call, unique

IAM = "/kapis/iam.kubesphere.io/v1beta1"
CREATES = {"/kapis/iam.kubesphere.io/v1beta1/users": 2,
           "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates": 1}

# Seeds: the fates of the writes are fixed by the seed (see emulator/faults.py), and these were chosen so
# that creates and member additions are hit; reads under a share of 5xx/429 get retries=5 so that the
# chance of one read failing six times in a row is negligible.
WRITES = ["POST", "PUT", "PATCH", "DELETE"]
ROWS = {
    "latency": dict(faults={"latency_ms": 30, "jitter_ms": 30, "seed": 4}, injected="latency",
                    warnings=[], logins=1),
    "5xx share": dict(faults={"status_rate": 0.2, "statuses": [502, 503, 504], "seed": 1}, injected="POST status_502",
                      warnings=["it had been created, so it was not sent again",
                                "The answer to a write of a workspace member was lost (HTTP 50"], logins=1, retries=5),
    "429 with Retry-After": dict(faults={"status_rate": 0.1, "statuses": [429], "seed": 1}, injected="POST status_429",
                                 # the server did not act: sent again after the wait, with nothing to read
                                 warnings=["Retried POST users on", "after HTTP 429 (too many requests, Retry-After 1 s)"],
                                 logins=1, retries=5),
    "reset before processing": dict(faults={"reset_before_rate": 0.3, "methods": WRITES, "paths": ["/kapis/"],
                                            "seed": 5}, injected="POST reset_before",
                                    warnings=["a read showed it had not been created, so it was sent again",
                                              "The answer to a write of a workspace member was lost (the connection "
                                              "was lost); a read showed it had not been applied"], logins=1),
    "reset after processing": dict(faults={"reset_after_rate": 0.35, "methods": WRITES, "paths": ["/kapis/"],
                                           "seed": 7}, injected="POST reset_after",
                                   warnings=["it had been created, so it was not sent again",
                                             "The answer to a write of a project member was lost (the connection was "
                                             "lost)"], logins=1),
    "restart mid-play": dict(faults={"restart_after": 8}, injected="restarts",
                             warnings=["KubeSphere refused the access token (it restarted, or the token was revoked); "
                                       "logged in again once"], logins=2),
    "read-after-write lag": dict(faults={"lag_ms": 1500}, injected="stale_reads", warnings=[], logins=1),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_onboarding_converges_under_the_fault(row, fresh_emulator, tmp_path):
    spec = ROWS[row]
    emulator = fresh_emulator(controller_delay_ms=10, informer_lag_ms=10)
    emulator.set_faults(**spec["faults"])
    emulator.reset_counters()
    names = dict(workspace_name=unique("fws"), project_name=unique("fweb"), lead_name=unique("flead"),
                 newcomer_name=unique("fdev"))
    started = time.monotonic()
    env = {"KUBESPHERE_RETRIES": str(spec["retries"])} if spec.get("retries") else None
    run = Ansible(emulator, tmp_path).playbook("faults_onboarding.yml", extra_vars=names, env=env)
    seconds = time.monotonic() - started
    injected = emulator.faults()["injected"]
    emulator.set_faults()       # off: the checks below read the truth
    logins = emulator.counters()["logins"]["password_ok"]     # before the checks' own logins
    run.assert_ok()
    assert injected.get(spec["injected"], 0) > 0, "the fault never happened: %s" % injected

    # Every object made once: no create was answered twice with success, none refused as a duplicate.
    made = {}
    for entry in emulator.log(1000):
        if entry["method"] == "POST" and entry["path"] in CREATES:
            made.setdefault(entry["path"], []).append(entry["status"])
    made[IAM + "/namespaces"] = [e["status"] for e in emulator.log(1000) if e["method"] == "POST"
                                 and e["path"].endswith("/workspaces/%s/namespaces" % names["workspace_name"])]
    for path, count in dict(CREATES, **{IAM + "/namespaces": 1}).items():
        assert [s for s in made[path] if s < 300] == [200] * count and not [s for s in made[path] if s in (400, 409)], \
            (path, made[path])

    # Converged, nothing half-made: the manager and the member are there, the project is in the workspace.
    status, members = admin_call(emulator, "GET", "%s/workspaces/%s/workspacemembers" % (IAM, names["workspace_name"]))
    roles = dict((m["metadata"]["name"], m["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"])
                 for m in members["items"])
    assert roles == {names["lead_name"]: names["workspace_name"] + "-admin",
                     names["newcomer_name"]: names["workspace_name"] + "-regular"}, roles
    status, project = admin_call(emulator, "GET", "/api/v1/namespaces/" + names["project_name"])
    assert status == 200 and project["metadata"]["labels"]["kubesphere.io/workspace"] == names["workspace_name"]

    assert logins == spec["logins"], logins
    warnings = [line for line in run.output.splitlines() if line.startswith("[WARNING]")]
    for text in spec["warnings"]:
        assert any(text in line for line in warnings), (text, warnings)
    if not spec["warnings"]:
        assert not [w for w in warnings if "Retried" in w or "was lost" in w], warnings
    assert len(warnings) == len(set(warnings)), "a warning repeated: %s" % warnings
    retried = [w for w in warnings if w.startswith("[WARNING]: Retried ")]
    kinds = [re.sub(r" on \S+ after ", " | ", w.split(", with backoff")[0]) for w in retried]
    assert len(kinds) == len(set(kinds)), "more than one warning per kind of retried request: %s" % retried
    _record(row, spec, injected, logins, seconds, warnings)


def _record(row, spec, injected, logins, seconds, warnings):
    path = os.environ.get("KS_FAULT_MATRIX")
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps(dict(row=row, faults=spec["faults"], injected=injected, logins=logins,
                                         seconds=round(seconds, 1), warnings=warnings)) + "\n")
