"""Two emulators in one process keep to themselves: an App holds everything its profile and its
controllers decide, so a 4.1 and a 3.4 app side by side (as a test suite that starts both would have
them) each answer as their own line, whichever was created last."""

import base64
import time

import pytest

from emulator.app import App
from emulator.kinds.iam import USER
from emulator.messages import Request
from emulator.settings import Settings

ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:P@88w0rd").decode()}
BAD_TOKEN = {"Authorization": "Bearer not-a-token"}
# The same missing workspace template, as each line spells its path.
MISSING_TEMPLATE = {"4.1": "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/nosuch",
                    "3.4": "/kapis/tenant.kubesphere.io/v1alpha2/workspaces/nosuch"}


def _app(version, **settings):
    return App(Settings(ks_version=version, bcrypt_cost=4, controller_delay_ms=0, informer_lag_ms=0, **settings))


@pytest.fixture
def apps():
    """A 4.1 app, then a 3.4 one, then a second 4.1: each created after the one before it was set up."""
    made = [_app("4.1"), _app("3.4"), _app("4.1")]
    yield made
    for app in made:
        app.stop()


def _ask(app, path, headers):
    answer = app.handle(Request("GET", path, headers))
    return answer.status, answer.body.decode() if isinstance(answer.body, bytes) else answer.body


def test_each_app_words_its_401_as_its_own_line(apps):
    first41, app34, second41 = apps
    for app in (first41, second41, app34, first41):
        status, body = _ask(app, "/kapis/version", BAD_TOKEN)
        assert status == 401
        prefixed = '"message":"Unauthorized: token contains' in body
        assert prefixed == (app is app34), (app.profile.name, body)


def test_each_app_words_its_lister_404_as_its_own_line(apps):
    first41, app34, second41 = apps
    for app in (app34, first41, second41, app34):
        version = app.profile.name
        status, body = _ask(app, MISSING_TEMPLATE[version], ADMIN)
        assert status == 404
        kind = "workspacetemplate" if version == "3.4" else "WorkspaceTemplate"
        assert body == f'{kind}.tenant.kubesphere.io "nosuch" not found\n', (version, body)


def _hashed_after(app, name, started):
    """Seconds from `started` until the user controller of `app` hashed the user's password."""
    deadline = started + 20
    while time.monotonic() < deadline:
        spec = app.store.get(app.host, USER, name)["spec"]
        if spec["password"].startswith("$2"):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{name}'s password was never hashed")


def test_controllers_remember_per_app():
    """The user controller remembers when it first saw a plain password (password_hash_ms counts from
    then). A second app's controller, seeing the same user with the same password a second later, counts
    from its own first sight: it hashes no earlier than its own delay. (Were that memory shared, the
    second app would count from the first app's sighting and hash about a second early.)"""
    slow, quick = _app("4.1", password_hash_ms=60000), _app("3.4", password_hash_ms=2500)
    user = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User", "metadata": {"name": "twin"},
            "spec": {"email": "twin@example.com", "password": "Twin-Pass-1"}}
    try:
        slow.start()
        quick.start()
        slow.api.create(slow.host, USER, user, admit=False)
        time.sleep(1.0)
        created = time.monotonic()
        quick.api.create(quick.host, USER, user, admit=False)
        assert _hashed_after(quick, "twin", created) >= 2.4
        assert not slow.store.get(slow.host, USER, "twin")["spec"]["password"].startswith("$2")
    finally:
        slow.stop()
        quick.stop()
