"""The one waiter: polls back off and stop at the time bound with the words of what was awaited; retries
repeat only what the caller calls 'not yet', within the time bound, and raise the server's error after it."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine import ks_waiter
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_failures import WaitTimeout


@pytest.fixture
def clock(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(ks_waiter.time, "monotonic", lambda: now[0])

    def sleep(seconds):
        now[0] += seconds
    return now, sleep


def test_wait_for_returns_what_the_predicate_found(clock):
    answers = iter([None, None, {"ready": True}])
    assert ks_waiter.wait_for(lambda: next(answers), 10, "x", sleep=clock[1]) == {"ready": True}


def test_wait_for_times_out_naming_what_and_the_last_state(clock):
    now, sleep = clock
    with pytest.raises(WaitTimeout) as caught:
        ks_waiter.wait_for(lambda: None, 5, "workspace w to be initialised", describe=lambda last: "no finalizer",
                           sleep=sleep)
    assert str(caught.value) == "Timed out after 5s waiting for workspace w to be initialised: no finalizer"
    assert now[0] == pytest.approx(5)


def test_wait_for_backs_off_to_its_ceiling(clock):
    now = clock[0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds
    with pytest.raises(WaitTimeout):
        ks_waiter.wait_for(lambda: None, 30, "x", first_sleep=0.1, max_sleep=2.0, sleep=sleep)
    assert slept[0] == pytest.approx(0.1) and slept[1] == pytest.approx(0.15)
    assert max(slept) == pytest.approx(2.0)


def _not_found():
    return KubeSphereError('role "viewer" not found', status=404)


def test_retry_while_repeats_only_not_yet(clock):
    calls = []

    def send():
        calls.append(1)
        if len(calls) < 3:
            raise _not_found()
        return "made"
    assert ks_waiter.retry_while(send, lambda err: err.not_found, 5, sleep=clock[1]) == "made"
    assert len(calls) == 3


def test_retry_while_raises_other_errors_at_once(clock):
    calls = []

    def send():
        calls.append(1)
        raise KubeSphereError("forbidden", status=403)
    with pytest.raises(KubeSphereError) as caught:
        ks_waiter.retry_while(send, lambda err: err.not_found, 5, sleep=clock[1])
    assert caught.value.status == 403 and len(calls) == 1


def test_retry_while_gives_the_servers_error_after_the_bound(clock):
    now, sleep = clock

    def send():
        raise _not_found()
    with pytest.raises(KubeSphereError) as caught:
        ks_waiter.retry_while(send, lambda err: err.not_found, 2, sleep=sleep)
    assert caught.value.status == 404 and "viewer" in str(caught.value)
    assert now[0] == pytest.approx(2)
