"""Every module runs through its action plugin (plans across tasks, in-process execution): a module added
without one would silently lose both."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[4]


def test_every_module_has_an_action_plugin_of_its_name():
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py"))
    actions = sorted(p.stem for p in (ROOT / "plugins" / "action").glob("*.py"))
    assert modules == actions
    for name in actions:
        assert "class ActionModule(KubeSphereAction)" in (ROOT / "plugins" / "action" / (name + ".py")).read_text()
