"""version_added says when each module, plugin, role and option first ships: what release 0.1.0 shipped
(released_0.1.0.yml) says 0.1.0, everything since says the version galaxy.yml will release next."""
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml
from ansible.module_utils.compat.version import LooseVersion

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = pathlib.Path(sys.executable).parent
RELEASED = yaml.safe_load((pathlib.Path(__file__).parent / "released_0.1.0.yml").read_text())
NEXT = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
LAST = max(yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())["releases"], key=LooseVersion)
OURS = "kubesphere.core"


def ansible_doc(kind, names):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    out = subprocess.run([str(BIN / "ansible-doc"), "--json", "-t", kind] + ["%s.%s" % (OURS, n) for n in names],
                         capture_output=True, text=True, env=env, check=True).stdout
    return dict((name.split(".")[-1], data["doc"]) for name, data in json.loads(out).items())


def plugins():
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("ks_*.py"))
    found = [("module", name, doc) for name, doc in ansible_doc("module", modules).items()]
    found += [("inventory", name, doc) for name, doc in ansible_doc("inventory", ["ks_clusters"]).items()]
    for role in sorted(p.name for p in (ROOT / "roles").iterdir()):
        spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
        found.append(("role", role, spec["argument_specs"]["main"]))
    return found


PLUGINS = plugins()


def walk(options, prefix=""):
    for name, option in sorted((options or {}).items()):
        yield prefix + name, option
        yield from walk(option.get("suboptions") or option.get("options"), prefix + name + ".")


def test_the_next_release_follows_the_last():
    assert LooseVersion(NEXT) > LooseVersion(LAST), "galaxy.yml's version must be the next release after %s" % LAST


@pytest.mark.parametrize("kind, name, doc", PLUGINS, ids=lambda v: v if isinstance(v, str) else "")
def test_version_added(kind, name, doc):
    released = RELEASED[kind].get(name)
    expected = LAST if released is not None else NEXT
    assert str(doc.get("version_added")) == expected, "%s %s: version_added must be %s" % (kind, name, expected)
    wrong, new = [], set()
    for path, option in walk(doc.get("options")):
        if option.get("version_added_collection", OURS) != OURS:
            continue                                   # ansible-core's own options (inventory caching)
        said = option.get("version_added")
        said = str(said) if said is not None else None
        inherited = any(path.startswith(parent + ".") for parent in new)
        if released is None or path in released:
            ok = said in (None, expected)              # as old as its plugin
        else:
            ok = said == NEXT or (inherited and said is None)
            if said == NEXT:
                new.add(path)
        if not ok:
            wrong.append("%s (says %s)" % (path, said))
    assert not wrong, "%s %s: options with the wrong version_added (new ones say %s): %s" % (kind, name, NEXT, wrong)
