"""Nothing in the repository names a folder of one machine (a developer's home, the team's work folder): a
fresh clone elsewhere, and CI with shared/ beside it, must find everything relative to the checkout."""
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
MACHINE_PATH = re.compile(r"(?:^|[^A-Za-z0-9_.~/])/(?:work|root|home|Users|opt|mnt)/[A-Za-z0-9_.-]")
in_git = subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not in_git, reason="looks at the files git tracks")
def test_no_file_names_a_machine_path():
    names = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    found = []
    for name in filter(None, names.decode().split("\0")):
        path = ROOT / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += ["%s:%d: %s" % (name, n, line.strip()[:120]) for n, line in enumerate(text.splitlines(), 1)
                  if MACHINE_PATH.search(line)]
    assert not found, "machine paths in the repository:\n" + "\n".join(found)


def test_the_pattern_finds_one():
    assert MACHINE_PATH.search('dirs = ["/' + 'work/shared/ks-recordings"]')     # spelt in two, or it is one
    assert not MACHINE_PATH.search("https://example.com/work/x and ~/kubesphere/team.yml and ../shared/x")
