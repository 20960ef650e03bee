"""meta/runtime.yml must list every module in the action group, so module_defaults reach them all."""
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_action_group_lists_exactly_the_modules():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    grouped = runtime["action_groups"]["ks"]
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    assert sorted(grouped) == modules, "meta/runtime.yml action_groups.ks must list exactly: %s" % modules
    assert grouped == sorted(grouped), "keep the action group sorted"


def test_every_module_documents_the_action_group():
    for path in (ROOT / "plugins" / "modules").glob("*.py"):
        text = path.read_text()
        assert "kubesphere.core.attributes" in text, "%s lacks the attributes fragment (action_group)" % path.name
