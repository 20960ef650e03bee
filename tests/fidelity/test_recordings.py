"""Replay the real-server recordings against the emulator and compare.

An exchange must either match, or be listed in not_implemented.txt (as
"file.json: exchange name"); a listed exchange that now matches fails too, so
the list only shrinks."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from .compare import compare
from .replay import FILES, RECORDINGS, exchanges, replay_file

LIST_FILE = os.path.join(os.path.dirname(__file__), "not_implemented.txt")
SUMMARY = {}
PARALLEL_REPLAYS = 6


def _listed():
    entries = set()
    with open(LIST_FILE, encoding="utf-8") as handle:
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
    listed = _listed()
    problems, matching = [], 0
    results = replays[file_name]
    for name, recorded, answer in results:
        entry = f"{file_name}: {name}"
        diffs = compare(recorded, answer.status, answer.content_type, answer.text, answer.location)
        if not diffs:
            matching += 1
            if entry in listed:
                problems.append(f"{entry}\n    now matches: remove it from not_implemented.txt")
        elif entry not in listed:
            problems.append(f"{entry}\n    " + "\n    ".join(diffs))
    SUMMARY[file_name] = (matching, len(results))
    assert not problems, f"{len(problems)} exchange(s) of {file_name}:\n" + "\n".join(problems)


def test_list_names_real_exchanges():
    known = {f"{f}: {e['name']}" for f in FILES for e in exchanges(f)}
    stale = sorted(_listed() - known)
    assert not stale, "not_implemented.txt names exchanges that do not exist:\n" + "\n".join(stale)
