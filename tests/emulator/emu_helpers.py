"""Helpers for the emulator's own tests (imported as a top-level module:
pytest puts tests/emulator on sys.path)."""

import json
import time
import uuid

import requests

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"
APIS_USERS = "/apis/iam.kubesphere.io/v1beta1/users"


class Client:
    """A requests session bound to an emulator URL and, optionally, a token."""

    def __init__(self, url, token=None):
        self.url = url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = "Bearer " + token

    def request(self, method, path, **kwargs):
        return self.session.request(method, self.url + path, allow_redirects=False, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, body, content_type="application/merge-patch+json", **kwargs):
        return self.request("PATCH", path, data=json.dumps(body), headers={"Content-Type": content_type}, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def token_for(emulator, username="admin", password=None):
    return emulator.login(username, password)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def wait_for(predicate, timeout=5.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


def create_user(client, name, password="Test-Pass-123", role="platform-regular", **extra):
    annotations = {"iam.kubesphere.io/globalrole": role} if role else {}
    body = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": name, "annotations": annotations, **extra.pop("metadata", {})},
            "spec": {"email": f"{name}@example.com", "password": password, **extra.pop("spec", {})}}
    response = client.post(USERS, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def wait_active(client, name):
    """Until the user is Active in storage and ks-apiserver's cache holds that copy:
    the kapis user routes read the cache (an update keeps the cached password)."""
    def active():
        stored, cached = client.get(f"{APIS_USERS}/{name}"), client.get(f"{USERS}/{name}")
        if not (stored.ok and cached.ok):
            return False
        stored, cached = stored.json(), cached.json()
        return ((stored.get("status") or {}).get("state") == "Active"
                and cached["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"])
    wait_for(active, message=f"user {name} Active, in storage and in the cache")
