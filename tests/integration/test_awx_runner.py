"""Issues 6 and 13: the onboarding play run the way AWX runs a job (ansible-runner transmit | worker |
process), over HTTPS with the emulator's private CA given in the credential's CA field, in a private data
directory holding only what AWX would put there (the credential type's injected environment and file, extra
vars, the project, the inventory), with nothing else configured."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CREDENTIAL_TYPE = ROOT / "docs" / "awx" / "kubesphere_credential_type.yml"
TEAM = {
    "ks_users": [{"name": "erin", "email": "erin@example.com", "password": "Erin-Pa55word"},
                 {"name": "frank", "email": "frank@example.com", "password": "Frank-Pa55word"}],
    "ks_workspaces": [{"name": "team-beta", "manager": "erin", "clusters": ["host", "member1"],
                       "members": [{"user": "frank", "role": "regular"}]}],
    "ks_projects": [{"name": "beta-api", "workspace": "team-beta", "members": [{"user": "frank", "role": "operator"}]},
                    {"name": "beta-jobs", "workspace": "team-beta", "cluster": "member1"}],
}


def inject(credential_type, inputs, files_dir):
    """What AWX does with a credential of this type: write each file injector to a private file and
    render the env injectors, with tower.filename.<name> naming those files."""
    env_t = jinja2.Environment(undefined=jinja2.StrictUndefined)
    filenames = {}
    for key, template in credential_type["injectors"].get("file", {}).items():
        name = key.split(".", 1)[1]
        path = files_dir / ("credential_" + name)
        path.write_text(env_t.from_string(template).render(**inputs))
        path.chmod(0o600)
        filenames[name] = str(path)
    context = dict(inputs, tower={"filename": filenames})
    return {k: env_t.from_string(v).render(**context) for k, v in credential_type["injectors"]["env"].items()}


def private_data_dir(tmp_path, emulator, extravars):
    pdd = tmp_path / "job"
    (pdd / "env").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    project = pdd / "project"
    # The project: what a project sync checks out: the playbook, its vars, and a collections
    # requirement resolved into the playbook-adjacent collections/ directory (as AWX's sync does).
    shutil.copytree(ROOT / "playbooks", project, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", dist, ROOT],
                   check=True, capture_output=True)
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", project / "collections",
                    next(dist.glob("*.tar.gz"))], check=True, capture_output=True, env=clean_env(), cwd=str(tmp_path))
    assert (project / "collections" / "ansible_collections" / "kubesphere" / "core" / "MANIFEST.json").exists()
    ctype = yaml.safe_load(CREDENTIAL_TYPE.read_text())
    # The emulator serves HTTPS with a private CA: the job verifies it through the credential's CA field.
    inputs = {"host": emulator.url, "username": "admin", "password": emulator.admin_password, "token": "",
              "validate_certs": True, "ca_cert": Path(emulator.ca_path).read_text()}
    envvars = inject(ctype, inputs, pdd / "env")
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (pdd / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    return pdd, envvars


def clean_env():
    """The worker's environment: nothing of ours (no ANSIBLE_*, no KUBESPHERE_*, no ansible.cfg)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "KUBESPHERE_"))}
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def run_job(pdd, tmp_path, ident):
    """transmit | worker | process, as AWX's receptor pipeline does; returns (status, rc, events, stdout)."""
    runner = str(BIN / "ansible-runner")
    worker_dir = tmp_path / ("worker-" + ident)
    transmit = subprocess.Popen([runner, "transmit", str(pdd), "-p", "onboard_team.yml", "--ident", ident],
                                stdout=subprocess.PIPE, env=clean_env(), cwd=str(tmp_path))
    worker = subprocess.Popen([runner, "worker", "--private-data-dir", str(worker_dir)], stdin=transmit.stdout,
                              stdout=subprocess.PIPE, env=clean_env(), cwd=str(tmp_path))
    transmit.stdout.close()
    process = subprocess.run([runner, "process", str(pdd), "--ident", ident], stdin=worker.stdout,
                             capture_output=True, text=True, env=clean_env(), cwd=str(tmp_path), timeout=300,
                             check=False)
    worker.stdout.close()
    assert worker.wait(timeout=60) == 0 and transmit.wait(timeout=60) == 0, process.stderr
    artifacts = pdd / "artifacts" / ident
    status = (artifacts / "status").read_text().strip()
    rc = int((artifacts / "rc").read_text().strip())
    files = sorted((artifacts / "job_events").glob("*.json"), key=lambda p: int(p.name.split("-", 1)[0]))
    events = [json.loads(p.read_text()) for p in files]
    stdout = "".join(e.get("stdout", "") for e in events)
    return status, rc, events, stdout


def stats(events):
    found = [e for e in events if e["event"] == "playbook_on_stats"]
    assert len(found) == 1
    return found[0]["event_data"]


@pytest.fixture
def own_emulator(fresh_emulator):
    return fresh_emulator(members=["member1"], controller_delay_ms=10, informer_lag_ms=10, tls=True)


def test_onboarding_job_through_ansible_runner(own_emulator, tmp_path):
    pdd, envvars = private_data_dir(tmp_path, own_emulator, TEAM)
    assert own_emulator.url.startswith("https://")
    assert Path(envvars["KUBESPHERE_CA_PATH"]).read_text() == Path(own_emulator.ca_path).read_text()
    assert envvars["KUBESPHERE_CA_PATH"] != own_emulator.ca_path     # AWX's own copy of the CA field

    status, rc, events, stdout = run_job(pdd, tmp_path, "first")
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    done = stats(events)
    assert done["failures"] == {} and done["changed"].get("localhost", 0) > 0
    # The tenant role is one ks_tenancy task: one event, which changed.
    converged = [e for e in events if e["event"] == "runner_on_ok"
                 and e["event_data"]["task"] == "Converge users, workspaces, projects and their members"]
    assert len(converged) == 1 and converged[0]["event_data"]["res"]["changed"]
    report = [e for e in events if e["event"] == "runner_on_ok" and e["event_data"]["task"] == "Report what changed"]
    assert sorted(report[0]["event_data"]["res"]["msg"]) == sorted(
        ["create user erin", "create user frank", "create workspace team-beta", "create project beta-api",
         "create project beta-jobs"])
    assert own_emulator.counters()["logins"]["password_ok"] == 1

    # Secrets never reach the job's output or events (what AWX stores and shows; runner's own
    # artifacts/<ident>/command records the environment, as it does for every credential).
    artifacts = pdd / "artifacts" / "first"
    everything = (artifacts / "stdout").read_text() + "".join(
        p.read_text() for p in (artifacts / "job_events").glob("*.json"))
    for secret in ("Erin-Pa55word", "Frank-Pa55word", own_emulator.admin_password):
        assert secret not in everything

    # The same job again: successful, nothing changed.
    status, rc, events, stdout = run_job(pdd, tmp_path, "second")
    assert (status, rc) == ("successful", 0), stdout[-6000:]
    assert stats(events)["changed"] == {}, stdout[-4000:]
    assert "Nothing to change" in stdout
