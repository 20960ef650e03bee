"""present on an object still being deleted (deleted a moment ago): never reported as present."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import ResourceFailure, converge

from test_ks_engine import Thing, params


class Vanishing(Thing):
    """Its object carries a deletionTimestamp; wait_gone lets the deletion finish."""

    def wait_gone(self):
        self.writes.append("wait_gone")
        del self.store[self.params["name"]]
        return True


def terminating_store():
    return {"t1": {"metadata": {"name": "t1", "deletionTimestamp": "2026-11-22T16:00:00Z",
                                "annotations": {"kubesphere.io/description": "d"}}}}


def test_present_without_wait_fails_instead_of_reporting_a_dying_object():
    res = Vanishing(terminating_store(), params(description="d"))
    with pytest.raises(ResourceFailure, match="Thing t1 is being deleted .*run with wait=true"):
        converge(res, "present")
    assert res.writes == []


def test_present_with_wait_waits_until_gone_then_creates():
    store = terminating_store()
    res = Vanishing(store, params(description="d"))
    out = converge(res, "present", wait=True)
    assert out.changed and res.writes == ["wait_gone", "create"]
    assert "deletionTimestamp" not in store["t1"]["metadata"]
    assert out.before == {}


def test_check_mode_with_wait_predicts_the_create_and_sends_nothing():
    res = Vanishing(terminating_store(), params(description="d"), check_mode=True)
    out = converge(res, "present", wait=True)
    assert out.changed and res.writes == [] and out.before == {}
