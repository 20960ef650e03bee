"""Run real ansible-playbook / ansible commands against the emulator and read their results."""
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PLAYBOOKS = HERE / "playbooks"


class Run:
    """One finished ansible run: rc, output, and the per-task records from the ks_results callback."""

    def __init__(self, proc, records):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = records

    @property
    def output(self):
        return self.stdout + self.stderr

    def task(self, name, host="localhost"):
        """The one record of the task called name (on host)."""
        found = [r for r in self.records if r["task"] == name and r["host"] == host]
        assert len(found) == 1, "expected one result for task %r on %s, found %d:\n%s" % (
            name, host, len(found), self.output[-4000:])
        return found[0]

    def result(self, name, host="localhost"):
        return self.task(name, host)["result"]

    def changed_tasks(self):
        return [r["task"] for r in self.records if r["result"].get("changed")]

    def assert_ok(self):
        assert self.rc == 0, "ansible failed (rc=%s):\n%s" % (self.rc, self.output[-6000:])
        return self


def ansible_env(emulator, token_cache, results_file, extra=None):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="ks_results",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        KS_RESULTS_FILE=str(results_file),
        KUBESPHERE_HOST=emulator.url,
        KUBESPHERE_USERNAME="admin",
        KUBESPHERE_PASSWORD=getattr(emulator, "admin_password", "P@88w0rd"),
        KUBESPHERE_TOKEN_CACHE=str(token_cache),
        PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
    )
    for key in ("KUBESPHERE_TOKEN",):
        env.pop(key, None)
    env.update(extra or {})
    return env


def _run(cmd, env, results_file, timeout):
    if results_file.exists():
        results_file.unlink()
    proc = subprocess.run(cmd, env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=timeout, check=False)
    records = json.loads(results_file.read_text()) if results_file.exists() else []
    return Run(proc, records)


class Ansible:
    """Bound to one emulator and one token cache directory (one per test)."""

    def __init__(self, emulator, tmp_path):
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.token_cache = tmp_path / "tokens"
        self.results_file = tmp_path / "results.json"

    def env(self, extra=None):
        return ansible_env(self.emulator, self.token_cache, self.results_file, extra)

    def playbook(self, playbook, *args, extra_vars=None, env=None, check=False, diff=False,
                 inventory=None, timeout=300):
        path = Path(playbook)
        if not path.is_absolute():
            path = PLAYBOOKS / path
        cmd = [str(BIN / "ansible-playbook"), str(path)]
        if inventory:
            cmd += ["-i", str(inventory)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        cmd += list(args)
        return _run(cmd, self.env(env), self.results_file, timeout)

    def adhoc(self, module, module_args, *args, env=None, timeout=120):
        cmd = [str(BIN / "ansible"), "localhost", "-m", module, "-a", module_args] + list(args)
        return _run(cmd, self.env(env), self.results_file, timeout)


def doc_block(path, after, language):
    """The first code block of `language` after the text `after` in a Markdown or reStructuredText file of the
    repository (README.md, docs/docsite/rst/*.rst), as a reader copies it."""
    text = (ROOT / path).read_text()
    assert after in text, "%s no longer says %r" % (path, after)
    section = text.split(after, 1)[1]
    if path.endswith(".md"):
        return section.split("```%s\n" % language, 1)[1].split("```", 1)[0]
    head, body = section.split(".. code-block:: %s\n\n" % language, 1)
    lines = []
    for line in body.split("\n"):
        if line and not line.startswith("   "):
            break
        lines.append(line[3:])
    return "\n".join(lines).strip("\n") + "\n"


def run_readme_block(block):
    """A README shell block as a newcomer runs it from the checkout (the venv's python and tools first on the
    PATH, the collection found in the working tree, no token from the caller's environment); the recaps'
    changed counts, one per ansible-playbook run, and the finished process. Fails on a non-zero exit."""
    assert block.startswith("python tools/with_emulator.py -- sh -c '"), block[:80]
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1")
    env.pop("KUBESPHERE_TOKEN", None)
    run = subprocess.run(block.replace("python ", sys.executable + " ", 1), shell=True, cwd=str(ROOT), env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return [int(n) for n in re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)", run.stdout)], run


def cached_tokens(token_cache):
    """Every token string in the token cache's files (the locks aside): what no output may show."""
    found = set()
    for cached in token_cache.rglob("*"):
        if cached.is_file() and cached.suffix != ".lock":
            try:
                data = json.loads(cached.read_text())
            except ValueError:
                continue
            found.update(v for k, v in data.items() if "token" in k and isinstance(v, str))
    return found


def unique(prefix):
    """A fresh object name, so tests sharing one emulator never collide."""
    import uuid
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def api_requests(emulator):
    """The requests the emulator counted, without logins."""
    return dict((k, v) for k, v in emulator.counters()["requests"].items() if "/oauth/" not in k)


def admin_call(emulator, method, path, body=None):
    """One request as admin, straight to the emulator (test setup and checks)."""
    return emulator.call(method, path, body, token=emulator.login())


@contextlib.contextmanager
def write_guard(emulator):
    """Inside it the emulator refuses every write (500), and leaving it fails the test if any was attempted."""
    emulator.reset_counters()
    emulator.configure(forbid_writes=True)
    try:
        yield
    finally:
        emulator.configure(forbid_writes=False)
    counters = emulator.counters()
    assert counters.get("writes", 0) == 0 and counters.get("forbidden_writes", 0) == 0, (
        "check mode sent write requests: %s" % counters)


REGULAR_PASSWORD = "Regular-Passw0rd"


def create_regular_user(emulator, name):
    """A platform-regular user, waited until Active (a login before that is refused); returns its env."""
    token = emulator.login()
    users = "/kapis/iam.kubesphere.io/v1beta1/users"
    status, body = emulator.call("POST", users, {
        "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": name + "@example.com", "password": REGULAR_PASSWORD}}, token=token)
    assert status == 200, body
    deadline = time.monotonic() + 5
    while "Active" not in str(emulator.call("GET", users + "/" + name, token=token)[1]):
        assert time.monotonic() < deadline, "user %s never became Active" % name
        time.sleep(0.05)
    return {"KUBESPHERE_USERNAME": name, "KUBESPHERE_PASSWORD": REGULAR_PASSWORD}


def create_users(emulator, *names):
    """Plain users (no password) for tests that make them members; an existing one is kept."""
    token = emulator.login()
    for name in names:
        status, body = emulator.call("POST", "/kapis/iam.kubesphere.io/v1beta1/users", {
            "metadata": {"name": name}, "spec": {"email": name + "@example.com"}}, token=token)
        assert status == 200 or "already exists" in str(body), body
