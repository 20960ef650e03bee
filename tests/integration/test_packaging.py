"""Issue 6: the collection as users get it: a galaxy tarball, installed elsewhere, run by FQCN;
and the execution environment definition that AWX users build from."""
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Nothing generated on a developer's machine may ship.
FORBIDDEN_PARTS = {".venv", ".build", ".pytest_cache", ".ansible", ".cache", "__pycache__", "output", ".git"}

PLAY = """
- name: Use the installed collection by its full name
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Log in
      kubesphere.core.ks_login:
      register: ks_auth
      no_log: true
    - name: Read the version
      kubesphere.core.ks_api:
        ks_host: "{{ ks_auth.ks_host }}"
        ks_token: "{{ ks_auth.ks_token }}"
        path: /version
      register: ks_version
    - name: Show it
      ansible.builtin.debug:
        msg: "served by {{ ks_version.json.gitVersion }}"
"""


def run(cmd, cwd, env=None, timeout=300):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, "%s failed (rc=%s):\n%s\n%s" % (
        cmd, proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:])
    return proc


# A user's team file with a password, untracked in the checkout (the README says to keep it elsewhere;
# export_tenancy.yml's walkthrough writes tenancy.yml wherever the user stands).
UNTRACKED = ("team.yml", "tenancy.yml", "playbooks/vars/my-team.yml")
# What a plain `ansible-galaxy collection build .` keeps out (galaxy.yml build_ignore): root entries only.
# It cannot keep out an untracked file inside a directory that ships (playbooks/vars/); make package can.
UNTRACKED_AT_ROOT = ("team.yml", "tenancy.yml")
# Made at run time: this test file ships in the tarball, so the password must not be spelled in it.
PLANTED_PASSWORD = "Untracked-%s" % os.getpid()
# The collection itself, whichever way it is built (galaxy.yml ships as MANIFEST.json).
CONTENT = ("MANIFEST.json", "README.md", "LICENSE", "meta/runtime.yml", "plugins/modules/ks_api.py",
           "plugins/module_utils/ks_client.py", "plugins/inventory/ks_clusters.py", "roles/tenant/tasks/main.yml",
           "playbooks/onboard_team.yml")


@pytest.fixture(scope="module")
def planted():
    """The untracked team files, planted for the module's builds and removed after them."""
    paths = [ROOT / name for name in UNTRACKED if not (ROOT / name).exists()]
    for path in paths:
        path.write_text("ks_users: [{name: eve, password: %s}]\n" % PLANTED_PASSWORD)
    yield
    for path in paths:
        path.unlink()


def built(out):
    found = list(out.glob("kubesphere-core-*.tar.gz"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory, planted):
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, ROOT / "tools" / "build_collection.py", "--output-path", out], cwd=ROOT)
    return built(out)


def contents(tarball, leaving_out=()):
    """The names in the tarball, and the bytes of its files (but those left out)."""
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        shipped = b"".join(tar.extractfile(m).read() for m in tar.getmembers()
                           if m.isfile() and m.name not in leaving_out)
    return names, shipped


def test_plain_galaxy_build_ships_the_collection_but_no_team_file_at_the_root(tmp_path, planted):
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path, "."], cwd=ROOT)
    names, shipped = contents(built(tmp_path), leaving_out=set(UNTRACKED) - set(UNTRACKED_AT_ROOT))
    assert not names & set(UNTRACKED_AT_ROOT), "untracked files shipped: %s" % (names & set(UNTRACKED_AT_ROOT))
    assert PLANTED_PASSWORD.encode() not in shipped
    missing = [name for name in CONTENT if name not in names]
    assert not missing, "the collection is missing from the tarball: %s" % missing
    leaked = [n for n in names if FORBIDDEN_PARTS & set(Path(n).parts)]
    assert not leaked, "the tarball ships generated files: %s" % leaked[:20]


def test_tarball_ships_only_tracked_files(tarball):
    names, shipped = contents(tarball)
    assert not names & set(UNTRACKED), "untracked files shipped: %s" % (names & set(UNTRACKED))
    assert PLANTED_PASSWORD.encode() not in shipped


def test_tarball_ships_no_generated_files(tarball):
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    leaked = [n for n in names if FORBIDDEN_PARTS & set(Path(n).parts) or n.endswith((".pyc", ".tar.gz"))]
    assert not leaked, "the tarball ships generated files: %s" % leaked[:20]
    for needed in ("MANIFEST.json", "plugins/modules/ks_api.py", "roles/tenant/tasks/main.yml",
                   "meta/execution-environment.yml", "meta/requirements.txt", "requirements.txt",
                   "bindep.txt", "docs/awx/kubesphere_credential_type.yml", "emulator/__main__.py"):
        assert needed in names, "%s is missing from the tarball" % needed


def test_installed_tarball_runs_by_fqcn(tarball, emulator, tmp_path):
    collections = tmp_path / "collections"
    (tmp_path / "play.yml").write_text(PLAY)
    (tmp_path / "ansible.cfg").write_text("[defaults]\ninterpreter_python = auto_silent\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "KUBESPHERE_"))}
    env["ANSIBLE_CONFIG"] = str(tmp_path / "ansible.cfg")
    # --force: ansible-galaxy skips a collection it sees installed anywhere it looks (the checkout's link).
    run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", collections, tarball], cwd=tmp_path, env=env)
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections),
               ANSIBLE_NOCOLOR="1", PATH=str(BIN) + os.pathsep + env.get("PATH", ""),
               KUBESPHERE_HOST=emulator.url, KUBESPHERE_USERNAME="admin",
               KUBESPHERE_PASSWORD=emulator.admin_password, KUBESPHERE_TOKEN_CACHE=str(tmp_path / "tokens"))
    # The only kubesphere.core ansible can see is the one just installed.
    listing = run([BIN / "ansible-galaxy", "collection", "list", "kubesphere.core", "--format", "json"],
                  cwd=tmp_path, env=env)
    assert list(json.loads(listing.stdout)) == [str(collections / "ansible_collections")]
    played = run([BIN / "ansible-playbook", "play.yml"], cwd=tmp_path, env=env)
    assert "served by v4.1" in played.stdout, played.stdout
    assert "ok=3" in played.stdout and "failed=0" in played.stdout
    # Its docs render from the installed copy too.
    doc = run([BIN / "ansible-doc", "kubesphere.core.ks_api"], cwd=tmp_path, env=env)
    assert str(collections) in doc.stdout
    # ansible-builder's introspection (what an EE build runs on each collection) finds our requirements
    # through the installed copy's meta/execution-environment.yml.
    intro = run([BIN / "ansible-builder", "introspect", "--sanitize", collections], cwd=tmp_path, env=env)
    assert "requests>=2.25" in intro.stdout and "ca-certificates" in intro.stdout, intro.stdout


def test_execution_environment_context_is_created(tmp_path):
    context = tmp_path / "context"
    run([BIN / "ansible-builder", "create", "-f", ROOT / "meta" / "execution-environment.yml",
         "--context", context], cwd=tmp_path)
    assert "requests>=2.25" in (context / "_build" / "requirements.txt").read_text()
    assert "ca-certificates" in (context / "_build" / "bindep.txt").read_text()
    assert (context / "Containerfile").exists() or (context / "Dockerfile").exists()
