"""ks_tenancy's progress lines: none for a short run, then one per interval, with counts per kind (ks_progress)."""

import threading

from ansible_collections.kubesphere.core.plugins.module_utils._bulk import ks_progress
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_progress import Progress


class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_short_run_says_nothing_and_a_long_one_a_line_per_interval():
    clock, told = Clock(), []
    progress = Progress(["users", "workspaces"], clock=clock, first=5, every=15, tell=told.append)
    progress.set("users", "read", 40)
    progress.steps(3)
    progress.step_done()
    assert told == []
    clock.now += 5
    progress.add("users", "written")
    assert told == ["ks_tenancy: 1 of 3 steps done (users 40 read, 0 planned, 1 written; "
                    "workspaces 0 read, 0 planned, 0 written)"]
    clock.now += 14
    progress.step_done()
    assert len(told) == 1
    clock.now += 1
    progress.step_done()
    assert len(told) == 2 and told[1].startswith("ks_tenancy: 3 of 3 steps done")


def test_check_mode_says_to_write_and_listeners_come_and_go(monkeypatch):
    monkeypatch.setenv(ks_progress.INTERVAL_ENV, "0")
    told = []
    stop = ks_progress.listen(told.append)
    try:
        progress = Progress(["users"], check_mode=True)
        progress.add("users", "written")
    finally:
        stop()
    Progress(["users"]).add("users", "written")
    assert told == ["ks_tenancy: 0 of 0 steps done (users 0 read, 0 planned, 1 to write)"]


def test_lines_never_go_back_when_threads_finish_steps_together():
    told = []

    def tell(text):
        if not told and not getattr(tell, "other", None):
            # a second worker finishes its step while the first line is still being told
            tell.other = threading.Thread(target=progress.step_done)
            tell.other.start()
            tell.other.join(0.3)
        told.append(text)

    progress = Progress(["users"], first=0, every=0, tell=tell)
    progress.steps(2)
    progress.step_done()
    tell.other.join()
    assert [line.split(" steps")[0] for line in told] == ["ks_tenancy: 1 of 2", "ks_tenancy: 2 of 2"]
