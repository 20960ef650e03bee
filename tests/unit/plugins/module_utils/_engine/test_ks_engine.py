"""The converge loop and patch builders, against an in-memory resource (no HTTP)."""
import copy

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    MASK, Field, Resource, ValidationError, WaitTimeout, converge, json_patch, merge_patch, wait_for)


class Thing(Resource):
    kind = "Thing"
    result_key = "thing"
    fields = dict(
        description=Field(("metadata", "annotations", "kubesphere.io/description")),
        labels=Field(("metadata", "labels"), kind="map"),
        clusters=Field(("spec", "placement", "clusters"), kind="set",
                       to_api=lambda names: [{"name": n} for n in sorted(names)],
                       from_api=lambda refs: [r["name"] for r in refs]),
        secret=Field(("spec", "password"), secret=True),
    )

    def __init__(self, store, params, check_mode=False):
        super().__init__(client=None, params=params, check_mode=check_mode)
        self.store = store
        self.writes = []

    def validate(self, state):
        return None if self.params["name"].islower() else "name must be lower case"

    def read(self):
        return copy.deepcopy(self.store.get(self.params["name"]))

    def new_object(self):
        return {"metadata": {"name": self.params["name"]}}

    def create(self, body):
        self.writes.append("create")
        self.store[self.params["name"]] = dict(body, status="created")
        return copy.deepcopy(self.store[self.params["name"]])

    def update(self, current, body, changed):
        self.writes.append(("update", sorted(changed)))
        self.store[self.params["name"]] = body
        return copy.deepcopy(body)

    def delete(self, current):
        self.writes.append("delete")
        del self.store[self.params["name"]]


def params(**kw):
    base = dict(name="t1", description=None, labels=None, clusters=None, secret=None)
    base.update(kw)
    return base


def test_create_then_no_change_then_update_then_delete():
    store = {}
    res = Thing(store, params(description="d", labels={"a": "1"}, clusters=["m1", "host"]))
    out = converge(res, "present")
    assert out.changed and res.writes == ["create"]
    assert store["t1"]["spec"]["placement"]["clusters"] == [{"name": "host"}, {"name": "m1"}]
    assert out.before == {} and out.after["clusters"] == ["host", "m1"]

    res = Thing(store, params(description="d", labels={"a": "1"}, clusters=["host", "m1"]))
    assert not converge(res, "present").changed and res.writes == []

    store["t1"]["metadata"]["labels"]["server-owned"] = "x"
    res = Thing(store, params(labels={"a": "2"}))
    out = converge(res, "present")
    assert out.changed and res.writes == [("update", ["labels"])]
    # Map fields merge: keys the user did not name stay.
    assert store["t1"]["metadata"]["labels"] == {"a": "2", "server-owned": "x"}
    assert out.before["labels"]["a"] == "1" and out.after["labels"]["a"] == "2"

    res = Thing(store, params())
    out = converge(res, "absent")
    assert out.changed and "t1" not in store
    assert not converge(Thing(store, params()), "absent").changed


def test_check_mode_predicts_without_writing():
    store = {}
    res = Thing(store, params(description="d"), check_mode=True)
    out = converge(res, "present")
    assert out.changed and res.writes == [] and store == {}
    assert out.obj["metadata"]["annotations"]["kubesphere.io/description"] == "d"

    store["t1"] = {"metadata": {"name": "t1"}}
    res = Thing(store, params(description="new"), check_mode=True)
    out = converge(res, "present")
    assert out.changed and res.writes == [] and "annotations" not in store["t1"]["metadata"]
    res = Thing(store, params(), check_mode=True)
    assert converge(res, "absent").changed and "t1" in store


def test_secrets_are_never_compared_and_masked():
    store = {"t1": {"metadata": {"name": "t1"}, "spec": {"password": "hash"}}}
    res = Thing(store, params(secret="other"))
    out = converge(res, "present")
    assert not out.changed
    assert out.before["secret"] == MASK


def test_validation_runs_before_any_read():
    res = Thing(None, params(name="BAD"))  # a read would fail on the None store
    with pytest.raises(ValidationError, match="lower case"):
        converge(res, "present")


@pytest.mark.parametrize("timeout", [0, -1])
def test_every_resource_refuses_a_wait_timeout_that_is_not_positive(timeout):
    # Thing's own validate knows nothing of wait_timeout: the rule is the engine's, for every kind.
    res = Thing(None, params(wait=True, wait_timeout=timeout))
    with pytest.raises(ValidationError, match="wait_timeout must be a positive number of seconds"):
        converge(res, "present")


def test_json_patch_adds_missing_parents_once():
    current = {"metadata": {"name": "t1"}, "spec": {}}
    res = Thing({}, params(description="d", labels={"b": "2", "a": "1"}))
    body = copy.deepcopy(current)
    for opt in ("description", "labels"):
        res.fields[opt].set(body, res.fields[opt].merged(res.desired()[opt], None))
    ops = json_patch(res, ["description", "labels"], current, body)
    assert ops == [
        {"op": "add", "path": "/metadata/annotations", "value": {}},
        {"op": "add", "path": "/metadata/annotations/kubesphere.io~1description", "value": "d"},
        {"op": "add", "path": "/metadata/labels", "value": {}},
        {"op": "add", "path": "/metadata/labels/a", "value": "1"},
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
    ]


def test_merge_patch_holds_only_changed_fields():
    res = Thing({}, params(description="d", labels={"a": "1"}))
    body = {"metadata": {"name": "t1", "annotations": {"kubesphere.io/description": "d"}, "labels": {"a": "1", "z": "9"}}}
    assert merge_patch(res, ["labels"], body) == {"metadata": {"labels": {"a": "1"}}}


def test_wait_for_times_out_with_last_state():
    with pytest.raises(WaitTimeout, match=r"Timed out after 0.3s waiting for thing: state is Pending"):
        wait_for(lambda: None, 0.3, "thing", describe=lambda _: "state is Pending", first_sleep=0.05)
    assert wait_for(lambda: "done", 1, "thing") == "done"


def test_map_field_keeps_the_labels_a_create_body_already_has():
    class Labelled(Thing):
        def new_object(self):
            return {"metadata": {"name": self.params["name"], "labels": {"owner": "module"}}}

    store = {}
    res = Labelled(store, dict(name="t", labels={"team": "a"}), check_mode=True)
    outcome = converge(res, "present")
    assert outcome.obj["metadata"]["labels"] == {"owner": "module", "team": "a"}
    assert outcome.after["labels"] == {"team": "a"}      # the diff shows only the keys the task manages


class SlowThing(Thing):
    def wait_gone(self):
        wait_for(lambda: self.read() is None, 0.05, "thing to go", first_sleep=0.01)

    def delete(self, current):
        self.writes.append("delete")   # accepted, but the object lingers (a finalizer)


def test_a_wait_that_times_out_after_a_write_reports_changed():
    store = {"t1": {"metadata": {"name": "t1"}}}
    with pytest.raises(WaitTimeout) as caught:
        converge(SlowThing(store, params()), "absent", wait=True)
    assert caught.value.changed is True
    store["t1"]["metadata"]["deletionTimestamp"] = "2026-11-22T00:00:00Z"   # already being deleted: no write
    with pytest.raises(WaitTimeout) as caught:
        converge(SlowThing(store, params()), "absent", wait=True)
    assert caught.value.changed is False


class LostAnswer(Exception):
    """A write error whose request may have been applied (what the client marks uncertain)."""

    def __init__(self, status=None):
        super().__init__("connection lost before the answer")
        self.uncertain, self.status, self.message = True, status, "lost"


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.uncertain, self.status, self.message = False, status, message


class RecoveryClient(object):
    def __init__(self, retries=3):
        self.retries, self.pauses, self.reports = retries, [], []

    def pause_before_retry(self, attempt, err=None):
        self.pauses.append(attempt)
        return attempt < self.retries

    def report_once(self, key, message):
        if key not in [k for k, _m in self.reports]:
            self.reports.append((key, message))


class FlakyThing(Thing):
    """Fails its writes as scripted: 'lost-after' applies then loses the answer, 'lost-before' loses it unapplied."""

    def __init__(self, store, params, script):
        super().__init__(store, params)
        self._client = RecoveryClient()
        self.script = list(script)

    def create(self, body):
        fate = self.script.pop(0) if self.script else "ok"
        if fate == "lost-before":
            self.writes.append("create-lost")
            raise LostAnswer(503)
        if fate == "duplicate":
            self.writes.append("create-refused")
            raise Refused(409, "already exists")
        result = super().create(body)
        if fate == "lost-after":
            raise LostAnswer()
        return result

    def update(self, current, body, changed):
        fate = self.script.pop(0) if self.script else "ok"
        if fate == "lost-before":
            self.writes.append("update-lost")
            raise LostAnswer(502)
        result = super().update(current, body, changed)
        if fate == "lost-after":
            raise LostAnswer()
        return result


def test_a_create_whose_answer_was_lost_is_read_not_sent_again():
    store = {}
    res = FlakyThing(store, params(description="d"), ["lost-after"])
    out = converge(res, "present")
    assert out.changed and res.writes == ["create"] and store["t1"]["status"] == "created"
    assert res.client.pauses == [] and len(res.client.reports) == 1
    assert "it had been created, so it was not sent again" in res.client.reports[0][1]


def test_a_create_that_did_not_happen_is_sent_again_after_a_read():
    store = {}
    res = FlakyThing(store, params(description="d"), ["lost-before", "lost-before"])
    converge(res, "present")
    assert res.writes == ["create-lost", "create-lost", "create"] and res.client.pauses == [0, 1]
    assert "a read showed it had not been created, so it was sent again" in res.client.reports[0][1]


def test_a_duplicate_after_our_own_lost_create_means_it_went_through():
    store = {}
    res = FlakyThing(store, params(description="d"), ["lost-before", "duplicate"])
    reads = iter([None, None, {"metadata": {"name": "t1"}, "status": "created"}])
    res.read = lambda: next(reads)          # the first reads lag behind the create
    out = converge(res, "present")
    assert out.obj["status"] == "created" and res.writes == ["create-lost", "create-refused"]


def test_a_duplicate_without_a_lost_create_is_an_error_and_retries_are_bounded():
    with pytest.raises(Refused):
        converge(FlakyThing({}, params(), ["duplicate"]), "present")
    res = FlakyThing({}, params(), ["lost-before"] * 10)
    with pytest.raises(LostAnswer):
        converge(res, "present")
    assert res.writes == ["create-lost"] * 4 and res.client.pauses == [0, 1, 2, 3]


def test_an_update_whose_answer_was_lost_is_checked_by_a_read():
    store = {"t1": {"metadata": {"name": "t1", "annotations": {"kubesphere.io/description": "old"}}}}
    res = FlakyThing(store, params(description="new"), ["lost-after"])
    assert converge(res, "present").changed and res.writes == [("update", ["description"])]
    res = FlakyThing(store, params(description="newer"), ["lost-before"])
    converge(res, "present")
    assert res.writes == ["update-lost", ("update", ["description"])]
    assert store["t1"]["metadata"]["annotations"]["kubesphere.io/description"] == "newer"
