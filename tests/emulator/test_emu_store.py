"""The store's storage rules: versions, generation, finalizers, lagged reads, events."""

import time

import pytest

from emulator.registry import Kind
from emulator.store import AlreadyExists, Conflict, NotFound, Store

WIDGET = Kind(group="example.io", version="v1", plural="widgets", kind="Widget")
CORE = Kind(group="", version="v1", plural="things", kind="Thing", custom=False)


def widget(name, **spec):
    return {"apiVersion": "example.io/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def store():
    return Store()


def test_create_sets_system_metadata(store):
    first = store.create("host", WIDGET, widget("a"))
    second = store.create("host", WIDGET, widget("b"))
    assert first["metadata"]["uid"] != second["metadata"]["uid"]
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert first["metadata"]["generation"] == 1 and first["metadata"]["creationTimestamp"].endswith("Z")
    assert "generation" not in store.create("host", CORE, {"metadata": {"name": "c"}})["metadata"]
    with pytest.raises(AlreadyExists):
        store.create("host", WIDGET, widget("a"))


def test_update_checks_resource_version_and_uid(store):
    created = store.create("host", WIDGET, widget("a", size=1))
    changed = dict(created, spec={"size": 2})
    updated = store.update("host", WIDGET, changed)
    assert updated["metadata"]["generation"] == 2
    with pytest.raises(Conflict):
        store.update("host", WIDGET, changed)                 # stale resourceVersion
    with pytest.raises(Conflict):
        wrong_uid = dict(updated, metadata=dict(updated["metadata"], uid="other"))
        store.update("host", WIDGET, wrong_uid)
    with pytest.raises(NotFound):
        store.update("host", WIDGET, widget("missing"))


def test_generation_only_follows_content_and_noop_keeps_version(store):
    created = store.create("host", WIDGET, widget("a"))
    labelled = store.mutate("host", WIDGET, "a", "", lambda o: o["metadata"].__setitem__("labels", {"x": "y"}))
    assert labelled["metadata"]["generation"] == 1
    same = store.mutate("host", WIDGET, "a", "", lambda o: None)
    assert same["metadata"]["resourceVersion"] == labelled["metadata"]["resourceVersion"]
    assert created["metadata"]["resourceVersion"] != labelled["metadata"]["resourceVersion"]


def test_delete_waits_for_finalizers(store):
    obj = widget("a")
    obj["metadata"]["finalizers"] = ["example.io/keep"]
    store.create("host", WIDGET, obj)
    deleting, removed = store.delete("host", WIDGET, "a")
    assert not removed and deleting["metadata"]["deletionTimestamp"]
    assert deleting["metadata"]["generation"] == 2
    again, removed = store.delete("host", WIDGET, "a")
    assert not removed and again == deleting
    store.mutate("host", WIDGET, "a", "", lambda o: o["metadata"].pop("finalizers"))
    assert store.get("host", WIDGET, "a") is None
    store.create("host", WIDGET, widget("b"))
    _obj, removed = store.delete("host", WIDGET, "b")
    assert removed and store.get("host", WIDGET, "b") is None


def test_lagged_reads_see_the_past(store):
    store.create("host", WIDGET, widget("a", size=1))
    assert store.get("host", WIDGET, "a", lag=0.05) is None
    assert store.list("host", WIDGET, lag=0.05) == []
    time.sleep(0.06)
    store.mutate("host", WIDGET, "a", "", lambda o: o["spec"].__setitem__("size", 2))
    assert store.get("host", WIDGET, "a", lag=0.05)["spec"]["size"] == 1
    assert store.get("host", WIDGET, "a")["spec"]["size"] == 2
    store.delete("host", WIDGET, "a")
    assert store.get("host", WIDGET, "a", lag=0.05)["spec"]["size"] == 1
    time.sleep(0.06)
    assert store.get("host", WIDGET, "a", lag=0.05) is None


def test_clusters_are_separate_and_events_are_published(store):
    events = []
    store.subscribe(lambda e: events.append((e.type, e.cluster, e.obj["metadata"]["name"])))
    store.create("host", WIDGET, widget("a"))
    store.create("member1", WIDGET, widget("a"))
    store.delete("member1", WIDGET, "a")
    assert store.get("host", WIDGET, "a") is not None
    assert store.get("member1", WIDGET, "a") is None
    assert events == [("ADDED", "host", "a"), ("ADDED", "member1", "a"), ("DELETED", "member1", "a")]


def test_returned_objects_are_copies(store):
    created = store.create("host", WIDGET, widget("a", size=1))
    created["spec"]["size"] = 99
    store.get("host", WIDGET, "a")["spec"]["size"] = 98
    assert store.get("host", WIDGET, "a")["spec"]["size"] == 1
