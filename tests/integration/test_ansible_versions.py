"""meta/runtime.yml claims ansible-core 2.16.0 and newer: the oldest (2.16.0) and the newest release (2.21.5,
which needs Python 3.12) each get a venv of their own from the package index, run the sanity tests that read
the documentation and metadata, install the tarball and run a play against the emulator: plan, apply, and a
second run that changes nothing. Everything else runs with the pinned 2.19."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ks_ansible import unique

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLAIMED = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
# (ansible-core, the Python its controller runs on here)
VERSIONS = [("2.16.0", "3.11"), ("2.21.5", "3.12")]
SANITY = ("validate-modules", "ansible-doc", "yamllint", "runtime-metadata")


def run(cmd, cwd, env=None, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, "%s failed (rc=%s):\n%s\n%s" % (
        cmd, proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])
    return proc


def python(version):
    """The interpreter for a controller Python version: pyenv's, or one on PATH (a pyenv shim answers only for
    the versions pyenv has switched on, so it is tried, not trusted)."""
    pattern = "%s.*/bin/python%s" % (version, version)
    roots = [Path(sys.base_prefix).parent, Path.home() / ".pyenv" / "versions"]    # beside the Python we run on
    candidates = [str(p) for root in roots for p in sorted(root.glob(pattern))]
    candidates += [c for c in [shutil.which("python" + version)] if c]
    for candidate in candidates:
        if subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False).returncode == 0:
            return candidate
    raise AssertionError("ansible-core needs Python %s here, and there is none" % version)


def test_the_claim_is_what_is_tested():
    assert CLAIMED == ">=%s" % VERSIONS[0][0], "requires_ansible (%s) and the oldest tested version differ" % CLAIMED


@pytest.fixture(scope="module", params=VERSIONS, ids=lambda v: "ansible-core-" + v[0])
def core(request, tmp_path_factory):
    version, py = request.param
    venv = tmp_path_factory.mktemp("core-" + version) / "venv"
    run([python(py), "-m", "venv", venv], cwd=venv.parent)
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", "ansible-core==%s" % version, "requests"],
        cwd=venv.parent)
    return version, py, venv / "bin"


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, ROOT / "tools" / "build_collection.py", "--output-path", out], cwd=ROOT)
    return next(out.glob("kubesphere-core-*.tar.gz"))


def test_sanity(core, tmp_path):
    version, py, bin_dir = core
    tree = tmp_path / "ansible_collections" / "kubesphere" / "core"
    tracked = run(["git", "ls-files", "-z"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if os.path.lexists(ROOT / name):
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name, follow_symlinks=False)
    # ansible-test reads the ignore file named after its own version. The collection's only ignores are the
    # GPLv3-header check of its Apache-licensed modules, the same for every ansible-core.
    ignores = tree / "tests" / "sanity" / ("ignore-%s.txt" % ".".join(version.split(".")[:2]))
    if not ignores.exists():
        shutil.copy2(ROOT / "tests" / "sanity" / "ignore-2.19.txt", ignores)
    run(["git", "init", "-q"], cwd=tree)
    run(["git", "add", "-A"], cwd=tree)
    run([sys.executable, ROOT / "tools" / "ansible_test_pip_standin.py"], cwd=tree)
    env = dict(os.environ, PATH=str(bin_dir) + os.pathsep + os.environ["PATH"])
    test_args = [arg for name in SANITY for arg in ("--test", name)]
    run([bin_dir / "ansible-test", "sanity", "--venv", "--python", py, "--color", "no"] + test_args, cwd=tree, env=env)


PLAY = """
- name: Smoke
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A user, a workspace and a project, by the tenant role
      ansible.builtin.include_role:
        name: kubesphere.core.tenant
      vars:
        ks_users: [{name: %(user)s, email: %(user)s@example.com, password: Smoke-Pa55word}]
        ks_workspaces: [{name: %(ws)s, manager: %(user)s, clusters: [host], quota: {limits.cpu: 2}}]
        ks_projects: [{name: %(project)s, workspace: %(ws)s, members: [{user: %(user)s, role: operator}]}]
    - name: The project's labels, by its module
      kubesphere.core.ks_project:
        name: %(project)s
        workspace: %(ws)s
        labels: {smoke: "yes"}
        assume_present: {workspaces: [%(ws)s], users: [%(user)s]}
    - name: The workspace's projects
      kubesphere.core.ks_info:
        kind: project
        workspace: %(ws)s
      register: found
    - name: Listed (none yet under --check)
      ansible.builtin.assert:
        that: ansible_check_mode or found.resources | map(attribute='metadata.name') | list == ['%(project)s']
"""


def test_a_play(core, tarball, emulator, tmp_path):
    version, _py, bin_dir = core
    collections = tmp_path / "collections"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "KUBESPHERE_"))}
    env.update(PATH=str(bin_dir) + os.pathsep + env["PATH"], ANSIBLE_COLLECTIONS_PATH=str(collections),
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=str(bin_dir / "python"),
               KUBESPHERE_HOST=emulator.url, KUBESPHERE_USERNAME="admin",
               KUBESPHERE_PASSWORD=emulator.admin_password, KUBESPHERE_TOKEN_CACHE=str(tmp_path / "tokens"))
    run([bin_dir / "ansible-galaxy", "collection", "install", "-p", collections, tarball], cwd=tmp_path, env=env)
    names = dict(user=unique("smoke"), ws=unique("smoke-ws"), project=unique("smoke-p"))
    (tmp_path / "play.yml").write_text(PLAY % names)
    changed = []
    for check in (True, False, False):
        played = run([bin_dir / "ansible-playbook", "play.yml"] + (["--check"] if check else []), cwd=tmp_path, env=env)
        recap = played.stdout.split("PLAY RECAP", 1)[1]
        assert "failed=0" in recap, played.stdout[-4000:]
        changed.append(int(recap.split("changed=", 1)[1].split()[0]))
    assert changed[0] > 0 and changed[1] > 0 and changed[2] == 0, changed
    version_line = run([bin_dir / "ansible", "--version"], cwd=tmp_path, env=env).stdout.splitlines()[0]
    assert "core %s" % version in version_line, version_line
