"""Shared fixtures: a session-wide KubeSphere emulator and a factory for
emulators with their own options."""

import os
import sys
from pathlib import Path

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_COLLECTIONS = os.path.join(ROOT, ".build", "collections")
if os.path.isdir(_COLLECTIONS) and _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)   # for ansible_collections.kubesphere.core imports

# The emulator is the kubesphere-emulator package that make venv installs (pip install -e ./emulator).
from emulator.testing import EmulatorProcess  # noqa: E402

# The real-server recordings: KS_RECORDINGS, else shared/ks-recordings beside the checkout (as CI lays it out)
# or beside a folder above it (a worktree kept in a subfolder of the team's folder).
_RECORDING_DIRS = [os.path.join(folder, "shared", "ks-recordings")
                   for folder in [os.path.dirname(ROOT)] + [str(p) for p in Path(ROOT).parents[1:]]]
os.environ.setdefault("KS_RECORDINGS", next((d for d in _RECORDING_DIRS if os.path.isdir(d)), _RECORDING_DIRS[0]))

SESSION_OPTIONS = dict(members=["member1", "member2"], not_ready=["member2"], bcrypt_cost=4,
                       controller_delay_ms=10, informer_lag_ms=10)


@pytest.fixture(scope="session")
def emulator():
    """One emulator for the whole run: member1 ready, member2 not ready, fast bcrypt."""
    with EmulatorProcess(**SESSION_OPTIONS) as process:
        yield process


@pytest.fixture
def fresh_emulator():
    """A factory: fresh_emulator(**options) starts an emulator of its own,
    stopped at the end of the test. Options default to bcrypt_cost=4."""
    started = []

    def start(**options):
        options.setdefault("bcrypt_cost", 4)
        process = EmulatorProcess(**options).start()
        started.append(process)
        return process
    yield start
    for process in started:
        process.stop()
