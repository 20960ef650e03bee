"""Issue 6: the collection as users get it: a galaxy tarball, installed elsewhere, run by FQCN;
and the execution environment definition that AWX users build from."""
import json
import os
import shutil
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


# Untracked files a user may leave in a checkout, with a password in them: at the root, beside the playbooks,
# inside a role, a scratch role and a scratch module. None may ship, whichever way the tarball is built.
UNTRACKED = ("team.yml", "tenancy.yml", "NOTES.md", "inventory.ini", "playbooks/my-site.yml",
             "playbooks/vars/my-team.yml", "roles/tenant/vars/main.yml", "roles/scratch/tasks/main.yml",
             "plugins/modules/scratch.py", "docs/my-notes.md")
# Made at run time: the password must not be spelled in a file that ships.
PLANTED_PASSWORD = "Untracked-%s" % os.getpid()
# The collection itself, whichever way it is built (galaxy.yml ships as MANIFEST.json).
CONTENT = ("MANIFEST.json", "FILES.json", "README.md", "LICENSE", "CHANGELOG.md", "meta/runtime.yml",
           "meta/execution-environment.yml", "requirements.txt", "bindep.txt",
           "plugins/modules/ks_api.py", "plugins/doc_fragments/connection.py", "plugins/module_utils/_client/ks_client.py",
           "plugins/inventory/ks_clusters.py", "roles/tenant/tasks/main.yml", "roles/tenant/meta/argument_specs.yml",
           "playbooks/onboard_team.yml", "playbooks/examples/create_user.yml", "docs/awx/kubesphere_credential_type.yml",
           "changelogs/changelog.yaml", "tests/sanity/ignore-2.19.txt")
# What is the repository's, not the collection's: the emulator (a package of its own), the development tools,
# the tests that need them, unreleased changelog fragments, and anything generated.
NOT_SHIPPED_ROOTS = {"emulator", "tools", "extensions", "Makefile", "pytest.ini", "requirements-dev.txt",
                     "ansible.cfg", "galaxy.yml", ".ci", ".gitignore", ".ansible-lint"}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A private copy of the checkout (its tracked files as they are now) with the untracked files planted.

    Never the live checkout: the other tests run from it in parallel, and a planted
    roles/tenant/vars/main.yml would become the tenant role's variables under them."""
    copy = tmp_path_factory.mktemp("checkout")
    names = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                           check=True).stdout.decode("utf-8").split("\0")
    for name in filter(None, names):
        source, target = ROOT / name, copy / name
        if not os.path.lexists(source):          # deleted in the working tree, not yet in git
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    run(["git", "init", "-q"], cwd=copy)
    run(["git", "add", "-A"], cwd=copy)
    for name in UNTRACKED:
        path = copy / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("ks_users: [{name: eve, password: %s}]\n" % PLANTED_PASSWORD)
    return copy


def built(out):
    found = list(out.glob("kubesphere-core-*.tar.gz"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory, checkout):
    """What `make package` builds."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, checkout / "tools" / "build_collection.py", "--output-path", out], cwd=checkout)
    return built(out)


@pytest.fixture(scope="module")
def plain_tarball(tmp_path_factory, checkout):
    """What a plain `ansible-galaxy collection build` in the checkout builds."""
    out = tmp_path_factory.mktemp("plain")
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, "."], cwd=checkout)
    return built(out)


def contents(tarball):
    """The names in the tarball, the bytes of its files, and its FILES.json (every file and checksum)."""
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        shipped = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
        files = json.loads(tar.extractfile("FILES.json").read())["files"]
    return names, shipped, files


@pytest.mark.parametrize("which", ["tarball", "plain_tarball"])
def test_only_the_allow_list_ships(which, request):
    names, shipped = contents(request.getfixturevalue(which))[:2]
    planted = sorted(n for n in names if n in UNTRACKED or n.startswith("roles/scratch"))
    assert not planted, "untracked files shipped: %s" % planted
    assert PLANTED_PASSWORD.encode() not in shipped
    missing = [name for name in CONTENT if name not in names]
    assert not missing, "the collection is missing from the tarball: %s" % missing
    repository = sorted(n for n in names if n.split("/")[0] in NOT_SHIPPED_ROOTS)
    assert not repository, "the tarball ships the repository's files: %s" % repository[:20]
    tests = sorted(n for n in names if n.startswith("tests/") and not n.startswith("tests/sanity"))
    assert tests == [], tests
    leaked = [n for n in names if FORBIDDEN_PARTS & set(Path(n).parts) or n.endswith((".pyc", ".tar.gz"))]
    assert not leaked, "the tarball ships generated files: %s" % leaked[:20]


def test_make_package_and_a_plain_galaxy_build_ship_the_same(tarball, plain_tarball):
    names, files = contents(tarball)[::2]
    plain_names, plain_files = contents(plain_tarball)[::2]
    assert names == plain_names
    assert files == plain_files          # every file, with its checksum


def test_a_plain_build_without_distlib_stops_rather_than_ship_everything(tmp_path):
    """galaxy.yml's manifest needs distlib; without it ansible-galaxy must fail, not fall back to the walk."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "distlib.py").write_text("raise ImportError('distlib is not installed here')\n")
    env = dict(os.environ, PYTHONPATH=str(blocker))
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path), "."],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0
    assert 'requires the python "distlib" library' in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert not list(tmp_path.glob("*.tar.gz"))


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
