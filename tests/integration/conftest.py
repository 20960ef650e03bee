"""Fixtures for integration runs: an Ansible runner bound to the emulator, with write guards."""
import contextlib

import pytest

from ks_ansible import Ansible


@pytest.fixture
def ansible(emulator, tmp_path):
    emulator.reset_counters()
    return Ansible(emulator, tmp_path)


@pytest.fixture
def no_writes(emulator):
    """Inside this context any write request to the emulator is refused (500) and the test fails."""

    @contextlib.contextmanager
    def guard():
        emulator.reset_counters()
        emulator.configure(forbid_writes=True)
        try:
            yield
        finally:
            emulator.configure(forbid_writes=False)
        counters = emulator.counters()
        assert counters.get("writes", 0) == 0 and counters.get("forbidden_writes", 0) == 0, (
            "check mode sent write requests: %s" % counters)

    return guard
