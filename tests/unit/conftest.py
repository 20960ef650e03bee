# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Unit-test setup: make `ansible_collections.kubesphere.core` importable from this checkout,
and provide the stub server and a client factory to the client's tests."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".build", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "kubesphere", "core")

if not os.path.lexists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    try:
        os.symlink(REPO, _LINK)
    except FileExistsError:  # another test run made it at the same moment
        pass
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from stub_server import CLIENT_SECRET, PASSWORD, FakeOAuth, StubServer  # noqa: E402  (needs the path above)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No test reads the developer's KUBESPHERE_* variables or writes to their ~/.cache."""
    for name in list(os.environ):
        if name.startswith("KUBESPHERE_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def stub():
    server = StubServer().start()
    server.oauth = FakeOAuth(users={"admin": PASSWORD}, client_secret=CLIENT_SECRET)
    yield server
    server.stop()


class Harness(object):
    """Builds clients against the stub; records warnings and (instant) backoff sleeps."""

    def __init__(self, stub, tmp_path):
        self.stub = stub
        self.warnings = []
        self.sleeps = []
        self.cache_dir = str(tmp_path / "tokens")

    def options(self, **overrides):
        options = dict(ks_host=self.stub.url, ks_username="admin", ks_password=PASSWORD,
                       ks_client_secret=CLIENT_SECRET, token_cache=self.cache_dir, retries=3,
                       ks_api_version="v4")   # the stub speaks v4; detection has its own tests
        options.update(overrides)
        return options

    def client(self, **overrides):
        from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereClient
        return KubeSphereClient(self.options(**overrides), warn=self.warnings.append, sleep=self.sleeps.append)


@pytest.fixture
def ks(stub, tmp_path):
    return Harness(stub, tmp_path)
