"""ks_tenancy's items are documented from the fragment the single modules take (kubesphere.core.items), and
that documentation must say exactly what the items are validated with: the same option names, types,
defaults, choices and suboptions as each kind's spec. validate-modules does this for the single modules; it
cannot for the items (their spec is applied per item, not in ks_tenancy's argument_spec), so this does."""
import importlib.util
import pathlib
import re

import pytest
import yaml

from ansible_collections.kubesphere.core.plugins.doc_fragments.items import ModuleDocFragment
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_tenancy import KINDS

ROOT = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("build_doc_fragments", ROOT / "tools" / "build_doc_fragments.py")
build_doc_fragments = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_doc_fragments)

TENANCY = yaml.safe_load(ModuleDocFragment.TENANCY)["options"]
SINGLE = {"users": "USER", "workspaces": "WORKSPACE", "projects": "PROJECT", "roles": "ROLE", "app_repos": "APP_REPO"}


def mismatches(docs, spec, path=""):
    """Every difference between documented options and an argument spec, as 'path: what'."""
    found = []
    for name in sorted(set(docs) | set(spec)):
        where = path + name
        if name not in docs:
            found.append("%s: in the spec, not documented" % where)
            continue
        if name not in spec:
            found.append("%s: documented, not in the spec" % where)
            continue
        doc, arg = docs[name], spec[name]
        for key, fallback in (("type", "str"), ("required", False), ("default", None), ("choices", None),
                              ("elements", None)):
            if doc.get(key, fallback) != arg.get(key, fallback):
                found.append("%s: %s documented %r, spec %r" % (where, key, doc.get(key, fallback), arg.get(key, fallback)))
        found.extend(mismatches(doc.get("suboptions") or {}, arg.get("options") or {}, where + "."))
    return found


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.option)
def test_the_items_are_documented_as_they_are_validated(kind):
    documented = TENANCY[kind.option]["suboptions"]
    assert mismatches(documented, kind.options) == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.option)
def test_an_item_takes_the_text_of_its_module(kind):
    single = yaml.safe_load(getattr(ModuleDocFragment, SINGLE[kind.option]))["options"]
    # In an item, a reference to the item's own option names it in the item: O(users[].password).
    text = re.sub(r"O\(%s\[\]\." % kind.option, "O(", ModuleDocFragment.TENANCY)
    items = dict(yaml.safe_load(text)["options"][kind.option]["suboptions"])
    if kind.option == "app_repos":      # KubeSphere protects no repo: neither the module nor the item has it
        assert "allow_protected" not in items
    else:
        items.pop("allow_protected")   # the module's comes from kubesphere.core.protection
    for option in single.values():     # ks_tenancy came with 0.2.0: its page says no "added in 0.2.0"
        if option.get("version_added") == build_doc_fragments.TENANCY_ADDED:
            del option["version_added"]
    assert items == single


def test_a_difference_is_found():
    spec = {"name": {"type": "str", "required": True}, "wait": {"type": "bool", "default": False},
            "members": {"type": "list", "elements": "dict", "options": {"user": {"type": "str"}}}}
    docs = {"name": {"type": "str"}, "wait": {"type": "bool", "default": True},
            "members": {"type": "list", "elements": "dict", "suboptions": {"role": {"type": "str"}}}}
    assert mismatches(docs, spec) == [
        "members.role: documented, not in the spec", "members.user: in the spec, not documented",
        "name: required documented False, spec True", "wait: default documented True, spec False"]


def test_the_fragment_is_what_its_source_writes():
    written = (ROOT / "plugins" / "doc_fragments" / "items.py").read_text()
    assert written == build_doc_fragments.render(), "run `make fragments` (tools/build_doc_fragments.py)"


ROLE_ITEMS = yaml.safe_load((ROOT / "roles" / "tenant" / "meta" / "argument_specs.yml").read_text())


def names_and_types(docs, spec, path=""):
    """The differences in option names and types (the role's item docs are short: no defaults repeated)."""
    found = []
    for name in sorted(set(docs) | set(spec)):
        if name not in docs or name not in spec:
            found.append("%s%s: %s" % (path, name, "not documented" if name not in docs else "not in the spec"))
        elif docs[name].get("type", "str") != spec[name].get("type", "str"):
            found.append("%s%s: type %s, spec %s" % (path, name, docs[name].get("type"), spec[name].get("type")))
    return found


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.option)
def test_the_tenant_role_documents_the_items_it_passes_on(kind):
    documented = ROLE_ITEMS["argument_specs"]["main"]["options"]["ks_" + kind.option]["options"]
    assert names_and_types(documented, kind.options) == []
