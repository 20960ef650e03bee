"""Label/field selectors and JSON merge/JSON patches."""

import pytest

from emulator.patch import PatchError, json_patch, merge_patch
from emulator.selectors import SelectorError, field_filter, label_filter

LABELS = {"app": "web", "tier": "front", "env": "prod"}


@pytest.mark.parametrize("selector, expected", [
    ("", True), ("app=web", True), ("app==web", True), ("app!=web", False), ("app!=db", True),
    ("missing!=x", True), ("app in (web,db)", True), ("app in (db)", False),
    ("app notin (db, cache)", True), ("app notin (web)", False), ("missing notin (x)", True),
    ("tier", True), ("missing", False), ("!missing", True), ("!tier", False),
    ("app=web,tier in (front),!missing", True), ("app=web,env=dev", False),
])
def test_label_selectors(selector, expected):
    assert label_filter(selector)({"metadata": {"labels": LABELS}}) is expected


def test_bad_selectors_are_rejected():
    with pytest.raises(SelectorError):
        label_filter("app in web")
    with pytest.raises(SelectorError):
        field_filter("spec.x=1")


def test_field_selectors():
    obj = {"metadata": {"name": "a", "namespace": "ns"}}
    assert field_filter("metadata.name=a")(obj)
    assert not field_filter("metadata.name!=a")(obj)
    assert field_filter("metadata.namespace=ns,metadata.name=a")(obj)


def test_merge_patch_sets_and_removes():
    doc = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": [1, 2]}}
    patched = merge_patch(doc, {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"x": [3]}})
    assert patched == {"metadata": {"labels": {"b": "2", "c": "3"}}, "spec": {"x": [3]}}
    assert doc["metadata"]["labels"] == {"a": "1", "b": "2"}


def test_json_patch_operations():
    doc = {"metadata": {"annotations": {"a/b": "1"}}, "items": [1, 2]}
    ops = [{"op": "add", "path": "/metadata/annotations/c", "value": "2"},
           {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "9"},
           {"op": "remove", "path": "/items/0"},
           {"op": "add", "path": "/items/-", "value": 3},
           {"op": "copy", "from": "/items", "path": "/copied"},
           {"op": "move", "from": "/copied", "path": "/moved"},
           {"op": "test", "path": "/moved", "value": [2, 3]}]
    assert json_patch(doc, ops) == {"metadata": {"annotations": {"a/b": "9", "c": "2"}},
                                    "items": [2, 3], "moved": [2, 3]}
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "test", "path": "/items", "value": []}])
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "replace", "path": "/nope/x", "value": 1}])
