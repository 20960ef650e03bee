"""Fixtures for integration runs: an Ansible runner bound to the emulator, with write guards."""

import pytest

from ks_ansible import Ansible, write_guard


@pytest.fixture
def ansible(emulator, tmp_path):
    emulator.reset_counters()
    return Ansible(emulator, tmp_path)


@pytest.fixture
def no_writes(emulator):
    """Inside this context any write request to the emulator is refused (500) and the test fails."""

    return lambda: write_guard(emulator)
