"""galaxy.yml's allow-list is exactly the tracked files that ship: a new module, role file or playbook
must be listed (`make manifest`), or it would be missing from the tarball."""
import importlib.util
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("build_collection", ROOT / "tools" / "build_collection.py")
build_collection = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_collection)

in_git = subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not in_git, reason="the allow-list is made from what git tracks")
def test_the_allow_list_is_current():
    assert build_collection.stale(str(ROOT)) == "", "galaxy.yml's allow-list is stale: run `make manifest`"


@pytest.mark.parametrize("name, ships", [
    ("README.md", True), ("plugins/modules/ks_user.py", True), ("roles/tenant/tasks/main.yml", True),
    ("tests/sanity/ignore-2.19.txt", True), ("changelogs/changelog.yaml", True), ("docs/awx/x.yml", True),
    ("changelogs/fragments/x.yml", False), ("changelogs/.plugin-cache.yaml", False), ("tests/unit/x.py", False),
    ("emulator/app.py", False), ("tools/bench.py", False), ("Makefile", False), ("README.md.orig", False),
    ("playbooks/.secret.yml", False), ("requirements-dev.txt", False), ("galaxy.yml", False),
])
def test_what_ships(name, ships):
    assert build_collection.shipped(name) is ships
