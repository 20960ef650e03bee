"""Replay the real-server recordings against the emulator and compare.

An exchange must either match, or be listed in not_implemented.txt (as
"file.json: exchange name"); a listed exchange that now matches fails too, so
the list only shrinks."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from .compare import compare
from .replay import FILES, RECORDINGS, exchanges, replay_file
from .replay_v3 import FILES_V3, RECORDINGS_V3, exchanges_v3

LIST_FILE = os.path.join(os.path.dirname(__file__), "not_implemented.txt")
LIST_FILE_V3 = os.path.join(os.path.dirname(__file__), "not_implemented_v3.txt")
SUMMARY = {}
PARALLEL_REPLAYS = 6


def _listed(list_file=LIST_FILE):
    entries = set()
    with open(list_file, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.add(line)
    return entries


# Outside CI a checkout without the recordings skips; in CI (CI=true) it must fail, not pass silently.
pytestmark = pytest.mark.skipif(not os.path.isdir(RECORDINGS) and not os.environ.get("CI"),
                                reason=f"recordings not found in {RECORDINGS}")


@pytest.fixture(scope="module")
def replays():
    """Every file replayed at once (each against its own emulator): the replays
    mostly wait out recorded pauses, so running them side by side saves time."""
    # Not all at once: on two busy cores 19 replays starved each other, and the recorded
    # "right after" reads started losing the race against the emulator's 45 ms controllers.
    with ThreadPoolExecutor(max_workers=min(len(FILES), PARALLEL_REPLAYS)) as pool:
        futures = {name: pool.submit(replay_file, name) for name in FILES}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("file_name", FILES)
def test_replay(replays, file_name):
    _check(file_name, replays[file_name], _listed(), "not_implemented.txt", file_name)


@pytest.fixture(scope="module")
def replays_v3():
    """The v3.4 set, against the emulator's 3.4 profile; side by side like the v4.1 set."""
    from .replay_v3 import FILES_V3, replay_file_v3
    with ThreadPoolExecutor(max_workers=min(len(FILES_V3), PARALLEL_REPLAYS)) as pool:
        futures = {name: pool.submit(replay_file_v3, name) for name in FILES_V3}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.skipif(not os.path.isdir(RECORDINGS_V3) and not os.environ.get("CI"),
                    reason=f"v3.4 recordings not found in {RECORDINGS_V3}")
@pytest.mark.parametrize("file_name", FILES_V3)
def test_replay_v3(replays_v3, file_name):
    _check(file_name, replays_v3[file_name], _listed(LIST_FILE_V3), "not_implemented_v3.txt", "v3.4/" + file_name)


def _check(file_name, results, listed, list_name, summary_key):
    problems, matching = [], 0
    for name, recorded, answer in results:
        entry = f"{file_name}: {name}"
        diffs = compare(recorded, answer.status, answer.content_type, answer.text, answer.location)
        if not diffs:
            matching += 1
            if entry in listed:
                problems.append(f"{entry}\n    now matches: remove it from {list_name}")
        elif entry not in listed:
            problems.append(f"{entry}\n    " + "\n    ".join(diffs))
    SUMMARY[summary_key] = (matching, len(results))
    assert not problems, f"{len(problems)} exchange(s) of {file_name}:\n" + "\n".join(problems)


def test_list_names_real_exchanges():
    known = {f"{f}: {e['name']}" for f in FILES for e in exchanges(f)}
    stale = sorted(_listed() - known)
    assert not stale, "not_implemented.txt names exchanges that do not exist:\n" + "\n".join(stale)


def test_v3_list_names_real_exchanges():
    known = {f"{f}: {e['name']}" for f in FILES_V3 for e in exchanges_v3(f)}
    stale = sorted(_listed(LIST_FILE_V3) - known)
    assert not stale, "not_implemented_v3.txt names exchanges that do not exist:\n" + "\n".join(stale)
