"""Fixtures for the emulator's own tests."""

import pytest

from emu_helpers import Client


@pytest.fixture(scope="session")
def admin(emulator):
    """A client logged in as admin on the session emulator."""
    return Client(emulator.url, emulator.login())


@pytest.fixture(scope="session")
def anonymous(emulator):
    return Client(emulator.url)
