"""Replay a recording file, exchange by exchange and in order, against a fresh
emulator. The recordings hold placeholders instead of credentials; they are
mapped to real ones here (see Replayer._authorization), and the
resourceVersions and uids of update bodies are taken from the emulator's
objects, since the recorded ones belong to the real server."""

import base64
import json
import os
import re
import threading
import time
from datetime import datetime
from urllib.parse import parse_qs

import requests

from emulator.auth.tokens import mint_jwt
from emulator.testing import EmulatorProcess

RECORDINGS = os.environ["KS_RECORDINGS"]  # set by tests/conftest.py
FILES = ("version.json", "oauth.json", "users.json", "errors.json", "clusters.json",
         "extensions.json", "installplans.json", "installplan-lifecycle.json")
JWT_SECRET = "fidelity-replay-secret"
ADMIN_PASSWORD = "P@88w0rd"
MAX_GAP = 0.3       # seconds: the recorded pauses, capped

# Controllers react after 45 ms: slower than the recorded "right after" reads (8-16 ms),
# well within the recorded "after it happened" pauses (over 100 ms).
EMULATOR_OPTIONS = dict(bcrypt_cost=4, controller_delay_ms=45, informer_lag_ms=5, jwt_secret=JWT_SECRET)


# A read recorded sooner than that after the exchange before it ("right after" a write) must see what the
# real server showed: the state before its controllers acted. On a loaded machine the replay's next request
# can come later than 45 ms, so the emulator's controllers are held across such runs of exchanges.
RIGHT_AFTER = EMULATOR_OPTIONS["controller_delay_ms"] / 1000.0


def replay_exchanges(replayer, items, before, send):
    """Replay items in order with their recorded pauses (capped); [(name, recorded response, Answer)]."""
    results, held = [], False
    for index, exchange in enumerate(items):
        if index:
            time.sleep(min(max(_at(exchange) - _at(items[index - 1]), 0.0), MAX_GAP))
        hook = before.get(exchange["name"])
        if hook is not None and held:
            held = _hold(replayer, False)      # a hook waits for what a controller does
        if hook is not None:
            hook(replayer)
        quick_next = index + 1 < len(items) and _at(items[index + 1]) - _at(exchange) < RIGHT_AFTER
        if quick_next and not held:
            held = _hold(replayer, True)
        results.append((exchange["name"], exchange["response"], send(exchange)))
        if held and not quick_next:
            held = _hold(replayer, False)
    if held:
        _hold(replayer, False)
    return results


def _hold(replayer, held):
    replayer.emu.configure(controllers_held=held)
    return held


# Recordings this project made (re-recorded with tests/fidelity/record_*.py) live in the repository;
# the first batches come from the shared folder that KS_RECORDINGS names.
OWN_RECORDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recordings")


def recording_path(file_name):
    own = os.path.join(OWN_RECORDINGS, file_name)
    return own if os.path.exists(own) else os.path.join(RECORDINGS, file_name)


def load(file_name):
    with open(recording_path(file_name), encoding="utf-8") as handle:
        return json.load(handle)


def exchanges(file_name):
    return [e for e in load(file_name) if "request" in e]


def _at(entry):
    return datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()


class Answer:
    def __init__(self, response):
        self.status = response.status_code
        self.content_type = response.headers.get("Content-Type", "")
        self.text = response.text
        self.location = response.headers.get("Location")


class Replayer:
    def __init__(self, emulator):
        self.emu = emulator
        self.http = requests.Session()
        self.passwords = {"admin": ADMIN_PASSWORD}
        self.issued = []            # (username, access, refresh) from replayed /oauth/token answers
        self.logins = {}            # placeholder or user -> (access, refresh) made by the harness
        self.refresh_owner = {}
        self.admin_token = self._login("admin")[0]

    # ---- credentials -------------------------------------------------------------

    def _login(self, username):
        form = {"grant_type": "password", "username": username, "password": self.passwords[username],
                "client_id": "kubesphere", "client_secret": "kubesphere"}
        answer = self.http.post(self.emu.url + "/oauth/token", data=form)
        answer.raise_for_status()
        body = answer.json()
        return body["access_token"], body["refresh_token"]

    def _cached_login(self, key, username):
        if key not in self.logins:
            self.logins[key] = self._login(username)
        return self.logins[key]

    def _user_token(self, path):
        users = [u for u, _a, _r in self.issued if u != "admin"]
        if users:
            return [a for u, a, _r in self.issued if u != "admin"][-1]
        match = re.search(r"/users/([^/?]+)", path)
        return self._cached_login(match.group(1), match.group(1))[0]

    def _jwt(self, kind):
        now = int(time.time())
        claims = {"iss": "kubesphere", "sub": "admin", "username": "admin", "token_type": "access_token",
                  "iat": now - 3600, "exp": now + 3600}
        if kind == "expired":
            claims["exp"] = now - 200
            return mint_jwt(JWT_SECRET, claims)
        return mint_jwt("not-the-server-key" if kind == "wrong key" else JWT_SECRET, claims)

    def _placeholder(self, name, path):
        fixed = {
            "token": lambda: self.admin_token,
            "access_token": lambda: self.issued[0][1],
            "refresh_token": lambda: self.issued[0][2],
            "access_token_2": lambda: self.issued[1][1],
            "refresh_token_2": lambda: self.issued[1][2],
            "user_access_token": lambda: self._user_token(path),
            "access_token_logout": lambda: self._cached_login("logout", "admin")[0],
            "refresh_token_logout": lambda: self._cached_login("logout", "admin")[1],
            "access_token_logout2": lambda: self._cached_login("logout2", "admin")[0],
            "jwt signed with wrong key": lambda: self._jwt("wrong key"),
            "expired jwt": lambda: self._jwt("expired"),
            "valid jwt never issued": lambda: self._jwt("never issued"),
        }
        if name in fixed:
            return fixed[name]()
        match = re.fullmatch(r"(\S+) access_token", name)
        if match:
            return self._cached_login(match.group(1), match.group(1))[0]
        raise KeyError(f"unknown placeholder <{name}>")

    def _substitute(self, text, path):
        return re.sub(r"<([^<>]+)>", lambda m: self._placeholder(m.group(1), path), text)

    def _authorization(self, value, path):
        match = re.fullmatch(r"Basic <base64 ([^:]+):(.*)>", value)
        if match:
            user, password = match.groups()
            if password == "password":
                password = self.passwords[user]
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return self._substitute(value, path)

    # ---- bodies ------------------------------------------------------------------

    def _current(self, path):
        api_path = re.sub(r"^(/clusters/[^/]+)?/kapis/", "/apis/", path.split("?")[0])
        # A project through its workspace is the Namespace.
        api_path = re.sub(r"^/apis/tenant\.kubesphere\.io/v1beta1/workspaces/[^/]+/namespaces/", "/api/v1/namespaces/",
                          api_path)
        # A workspace quota through its workspace is the quota.kubesphere.io object.
        api_path = re.sub(r"^/apis/tenant\.kubesphere\.io/v1beta1/workspaces/[^/]+/resourcequotas/",
                          "/apis/quota.kubesphere.io/v1alpha2/resourcequotas/", api_path)
        if api_path.endswith("/password"):
            return None
        answer = self.http.get(self.emu.url + api_path, headers={"Authorization": "Bearer " + self.admin_token})
        return answer.json() if answer.status_code == 200 else None

    def _body(self, exchange):
        request = exchange["request"]
        body = request["body"]
        if body is None:
            return None
        if isinstance(body, str):
            return self._substitute(body, request["path"]).encode()
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if request["method"] == "PUT" and isinstance(metadata, dict) and (
                "resourceVersion" in metadata or "uid" in metadata):
            body = json.loads(json.dumps(body))
            current = self._current(request["path"])
            if current is not None:
                if "uid" in metadata:
                    body["metadata"]["uid"] = current["metadata"]["uid"]
                if "resourceVersion" in metadata:
                    # 409 through /apis; the kapis report the same conflict as 500 text.
                    stale = exchange["response"]["status"] == 409 or "has been modified" in str(
                        exchange["response"]["body"])
                    body["metadata"]["resourceVersion"] = "1" if stale else current["metadata"]["resourceVersion"]
        return json.dumps(body).encode()

    # ---- replay ------------------------------------------------------------------

    def send(self, exchange):
        request = exchange["request"]
        headers = {}
        for name, value in request["headers"].items():
            headers[name] = self._authorization(value, request["path"]) if name == "Authorization" else value
        data = self._body(exchange)
        response = self.http.request(request["method"], self.emu.url + request["path"], data=data,
                                     headers=headers, allow_redirects=False)
        self._learn(request, data, response)
        return Answer(response)

    def _learn(self, request, data, response):
        """Track passwords and issued tokens, as the recorder knew them."""
        if response.status_code not in (200, 201):
            return
        path = request["path"].split("?")[0]
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs((data or b"").decode()).items()}
            body = response.json()
            username = form.get("username") or self.refresh_owner.get(form.get("refresh_token"), "admin")
            username = "admin" if username == "admin@kubesphere.io" else username
            self.issued.append((username, body["access_token"], body["refresh_token"]))
            self.refresh_owner[body["refresh_token"]] = username
            return
        body = request["body"]
        if not isinstance(body, dict):
            return
        if request["method"] == "POST" and path.endswith("/users") and (body.get("spec") or {}).get("password"):
            self.passwords[body["metadata"]["name"]] = body["spec"]["password"]
        match = re.search(r"/users/([^/]+)/password$", path)
        if request["method"] == "PUT" and match and body.get("password"):
            self.passwords[match.group(1)] = body["password"]


def setup_errors(replayer):
    """The actors of errors.json: rec-user1 (platform-regular) and rec-user3."""
    admin = {"Authorization": "Bearer " + replayer.admin_token}
    for name, role in (("rec-user1", "platform-regular"), ("rec-user3", None)):
        password = f"Rec-{name[-5:].capitalize()}-Pass1"
        annotations = {"iam.kubesphere.io/globalrole": role} if role else {}
        body = {"metadata": {"name": name, "annotations": annotations},
                "spec": {"email": f"{name}@example.com", "password": password}}
        replayer.http.post(replayer.emu.url + "/kapis/iam.kubesphere.io/v1beta1/users", json=body,
                           headers=admin).raise_for_status()
        replayer.passwords[name] = password
    _wait_active(replayer, ["rec-user1", "rec-user3"])


def _wait_active(replayer, names, timeout=5.0):
    deadline = time.monotonic() + timeout
    admin = {"Authorization": "Bearer " + replayer.admin_token}
    for name in names:
        while True:
            answer = replayer.http.get(f"{replayer.emu.url}/apis/iam.kubesphere.io/v1beta1/users/{name}",
                                       headers=admin)
            if answer.ok and (answer.json().get("status") or {}).get("state") == "Active":
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"user {name} did not become Active")
            time.sleep(0.02)


def _apply(replayer, kind_path, obj):
    admin = {"Authorization": "Bearer " + replayer.admin_token}
    replayer.http.post(replayer.emu.url + kind_path, json=obj, headers=admin).raise_for_status()


def setup_extensions(replayer, manifests=None):
    """The Extension/ExtensionVersion objects applied with kubectl before the recording
    (ext-objects.yaml), then wait for the Extension controller to fill in their status."""
    import yaml
    if manifests is None:
        with open(os.path.join(RECORDINGS, "ext-objects.yaml"), encoding="utf-8") as handle:
            manifests = [m for m in yaml.safe_load_all(handle) if m]
    for manifest in manifests:
        _apply(replayer, "/apis/kubesphere.io/v1alpha1/%ss" % manifest["kind"].lower(), manifest)
    admin = {"Authorization": "Bearer " + replayer.admin_token}
    deadline = time.monotonic() + 5
    for name in [m["metadata"]["name"] for m in manifests if m["kind"] == "Extension"]:
        while not (replayer.http.get(f"{replayer.emu.url}/apis/kubesphere.io/v1alpha1/extensions/{name}",
                                     headers=admin).json().get("status") or {}).get("versions"):
            if time.monotonic() > deadline:
                raise AssertionError(f"extension {name} got no status")
            time.sleep(0.02)


def setup_lifecycle(replayer):
    """Extension life-ext with versions 1.0.0 and 1.1.0 (see the recording's setup note)."""
    def version(v):
        return {"apiVersion": "kubesphere.io/v1alpha1", "kind": "ExtensionVersion",
                "metadata": {"name": f"life-ext-{v}", "labels": {"kubesphere.io/extension-ref": "life-ext"}},
                "spec": {"version": v, "installationMode": "HostOnly", "namespace": "extension-life-ext",
                         "chartDataRef": {"namespace": "kubesphere-system", "name": "life-ext-charts",
                                          "key": f"life-ext-{v}.tgz"}}}
    setup_extensions(replayer, [
        {"apiVersion": "kubesphere.io/v1alpha1", "kind": "Extension",
         "metadata": {"name": "life-ext", "labels": {"kubesphere.io/category": "observability"}},
         "spec": {"displayName": {"en": "Life Ext"}, "description": {"en": "InstallPlan lifecycle test extension"}}},
        version("1.0.0"), version("1.1.0")])


SETUP = {"errors.json": setup_errors, "extensions.json": setup_extensions, "installplans.json": setup_extensions,
         "installplan-lifecycle.json": setup_lifecycle}


def _helm_job_fails(version):
    """What the recorder did by hand (marking a Helm Job Failed), as the emulator's knob on the version."""
    def mark(replayer):
        admin = {"Authorization": "Bearer " + replayer.admin_token, "Content-Type": "application/merge-patch+json"}
        body = {"metadata": {"annotations": {"emulator.kubesphere.io/helm-job-fails": "true"}}}
        replayer.http.patch(f"{replayer.emu.url}/apis/kubesphere.io/v1alpha1/extensionversions/{version}",
                            data=json.dumps(body), headers=admin).raise_for_status()
    return mark


# The tenancy files and their setups live in tenancy_setup.py.
from .tenancy_setup import TENANCY_BEFORE, TENANCY_FILES, TENANCY_SETUP  # noqa: E402
from .second_batch_setup import SECOND_BATCH_FILES, SECOND_BATCH_OPTIONS, SECOND_BATCH_SETUP  # noqa: E402
FILES += TENANCY_FILES + SECOND_BATCH_FILES
SETUP.update(TENANCY_SETUP)
SETUP.update(SECOND_BATCH_SETUP)

# Steps done by hand during a recording, run just before the named exchange.
BEFORE = {"installplan-lifecycle.json": {
    "PATCH merge spec.config (message: will-fail) -> upgrade Job to be failed by hand": _helm_job_fails("life-ext-1.1.0"),
    "POST create InstallPlan life-ext again (to fail the install)": _helm_job_fails("life-ext-1.0.0")}}
# Per-file emulator options. The lifecycle's Helm jobs were finished by hand within seconds;
# 700 ms jobs keep the same order of events under the replay's capped pauses.
BEFORE.update(TENANCY_BEFORE)
FILE_OPTIONS = {"installplan-lifecycle.json": dict(extension_job_ms=700)}
FILE_OPTIONS.update(SECOND_BATCH_OPTIONS)


# The files replay side by side, but 18 emulators starting at once on 2 busy cores outran
# the 20 s start-up timeout: a few start at a time, and each may take a minute.
_STARTING = threading.Semaphore(4)

from .identity_setup import IDENTITY_BEFORE, IDENTITY_FILES, IDENTITY_OPTIONS, IDENTITY_SETUP  # noqa: E402
FILES += IDENTITY_FILES
SETUP.update(IDENTITY_SETUP)
BEFORE.update(IDENTITY_BEFORE)
FILE_OPTIONS.update(IDENTITY_OPTIONS)

from .appstore_setup import APPSTORE_BEFORE, APPSTORE_FILES, APPSTORE_OPTIONS, APPSTORE_SETUP  # noqa: E402
FILES += APPSTORE_FILES
SETUP.update(APPSTORE_SETUP)
BEFORE.update(APPSTORE_BEFORE)
FILE_OPTIONS.update(APPSTORE_OPTIONS)


def replay_file(file_name):
    """[(exchange name, recorded response, Answer)] for every exchange of the file."""
    results = []
    emulator = EmulatorProcess(startup_timeout=60, **EMULATOR_OPTIONS, **FILE_OPTIONS.get(file_name, {}))
    with _STARTING:
        emulator.start()
    try:
        replayer = Replayer(emulator)
        if file_name in SETUP:
            SETUP[file_name](replayer)
        results = replay_exchanges(replayer, exchanges(file_name), BEFORE.get(file_name, {}), replayer.send)
    finally:
        emulator.stop()
    return results


from .real_checks_setup import REAL_CHECK_BEFORE, REAL_CHECK_FILES, REAL_CHECK_SETUP  # noqa: E402
FILES += REAL_CHECK_FILES
SETUP.update(REAL_CHECK_SETUP)
BEFORE.update(REAL_CHECK_BEFORE)

from .cluster_setup import CLUSTER_BEFORE, CLUSTER_FILES, CLUSTER_OPTIONS, CLUSTER_SETUP  # noqa: E402
FILES += CLUSTER_FILES
SETUP.update(CLUSTER_SETUP)
BEFORE.update(CLUSTER_BEFORE)
FILE_OPTIONS.update(CLUSTER_OPTIONS)
