"""requirements.txt and bindep.txt live twice: at the root, where ansible-builder's introspection of an
installed collection reads them, and in meta/, beside execution-environment.yml, for `ansible-builder build
-f meta/execution-environment.yml`. Copies, since the tarball's allow-list cannot ship a symlink."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", ["requirements.txt", "bindep.txt"])
def test_meta_holds_the_same_file_as_the_root(name):
    root, meta = ROOT / name, ROOT / "meta" / name
    assert not root.is_symlink() and not meta.is_symlink()
    assert meta.read_text() == root.read_text(), "meta/%s differs from %s: copy the change across" % (name, name)
