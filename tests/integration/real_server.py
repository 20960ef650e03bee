"""The integration tests against a real KubeSphere instead of the emulator (opt-in: KS_REAL_HOST).

With KS_REAL_HOST=http://127.0.0.1:9090 (the URL of a real ks-apiserver, for example the ones
../shared/realks builds), the `emulator` and `fresh_emulator` fixtures hand out a RealServer instead
of starting an emulator. It puts a small proxy of ours in front of the server, which gives the tests
what they read from the emulator's control endpoints and that a proxy can honestly provide:

* request counters in the emulator's shape, and the write guard (forbid_writes), so that check-mode
  tests prove against the real server that nothing is written;
* a record of every object the run created, deleted again when the run ends (with the leftovers a
  real server keeps without a garbage collector: a workspace's roles, a user's role bindings);
* a safety net for a shared server: a wrong password for the admin account is never sent on (ten of
  them lock admin out); the test that tried is reported as skipped.

Whatever needs the emulator itself (fault injection, token lifetimes, controller timings, TLS
options, member clusters the server has not joined, another KubeSphere line) skips with the reason.
Without KS_REAL_HOST nothing here is used."""

import http.client
import json
import os
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64decode
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# POSTs that change nothing on the real server either (the join's validation): not writes for the guard.
from emulator.counters import READ_ONLY_POSTS
from real_kube_controllers import KubeControllerStandIn

REAL_HOST = os.environ.get("KS_REAL_HOST", "").rstrip("/")
REAL_USERNAME = os.environ.get("KS_REAL_USERNAME", "admin")
REAL_PASSWORD = os.environ.get("KS_REAL_PASSWORD", "P@88w0rd")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
APP_STORE = "/kapis/application.kubesphere.io/v2"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection",
              "te", "trailer", "upgrade"}
# Emulator options that only change how fast the emulator's controllers act: a real server has its own pace.
PACE_OPTIONS = {"bcrypt_cost", "controller_delay_ms", "informer_lag_ms", "startup_timeout", "builtin_roles_delay_ms"}
CURRENT = None            # the worker's RealServer, for the report hook in conftest.py


def _is_write(method, path):
    return (method in WRITE_METHODS and not path.startswith("/oauth/")
            and not (method == "POST" and path.split("?")[0] in READ_ONLY_POSTS))


def enabled():
    return bool(REAL_HOST)


def needs_emulator(what):
    """Skip the running test: what it needs only the emulator has."""
    pytest.skip(f"needs the emulator ({what}); KS_REAL_HOST names a real server")


def needs_installable_extension(emu, name):
    """Skip the running test on a real server without the extension in its catalog. The realks kit syncs no
    extension repository (it reaches no network) and runs no Helm executor pods, so nothing installs there."""
    if not isinstance(emu, RealServer):
        return
    status, _answer = emu.call("GET", f"/apis/kubesphere.io/v1alpha1/extensions/{name}", token=emu.login())
    if status != 200:
        pytest.skip(f"needs extension {name} in the server's catalog, and a server that can install it "
                    f"(GET extensions/{name}: {status})")


def _app_store_name(path, answer, body):
    """The name of what an App Store POST created: its answers are not the object ({"repo_id"}, an upload's
    {"appName"}, {"message": "success"} for a release, whose name is in the request). None for actions and
    for a new version of an app (its app is recorded already)."""
    if path.endswith("/repos"):
        return answer.get("repo_id")
    if path.endswith("/apps"):
        return answer.get("appName")
    if path.endswith("/applications"):
        try:
            return (json.loads(body or b"{}").get("metadata") or {}).get("name")
        except ValueError:
            return None
    if path.endswith("/categories"):
        return (answer.get("metadata") or {}).get("name")
    return None


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, server):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.real = server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):      # quiet
        pass

    def _serve(self):
        real = self.server.real
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _sep, query = self.path.partition("?")
        # An App Store dry run (POST ?validate=true) checks and saves nothing: no write, as the emulator counts it.
        dry_run = path.startswith(APP_STORE) and "validate=true" in query.lower()
        refused = None if dry_run else real.refusal(self.command, path, self.headers, body)
        if refused:
            status, ctype, answer, headers = refused
        else:
            status, ctype, answer, headers = real.forward(self.command, self.path, self.headers, body)
        real.record(self.command, path, self.headers, body, status, answer, dry_run=dry_run)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class RealServer:
    """What the tests use of EmulatorProcess, backed by a real KubeSphere behind our proxy."""

    def __init__(self, upstream=REAL_HOST, username=REAL_USERNAME, password=REAL_PASSWORD):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.admin_username, self.admin_password = username, password
        self.version = self._detect()
        self.line = None
        self.ca_path = None
        self.members = []
        self._tokens = {}
        self._lock = threading.Lock()
        self.created = []                       # (collection path, name), in order
        self.forbid_writes = False
        self.reset_counters()
        self.test_state = {"missing_clusters": set(), "refused_admin_logins": 0, "members_touched": set()}
        self._controllers = {}                  # member -> whether its ks-controller-manager runs
        self._proxy = _Proxy(self)
        self.port = self._proxy.server_address[1]
        threading.Thread(target=self._proxy.serve_forever, daemon=True).start()
        self._kube_controllers = KubeControllerStandIn(self.forward, username, password,
                                                       "v1alpha2" if self.major == "3" else "v1beta1")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def major(self):
        return self.version.lstrip("v").split(".")[0]

    def _detect(self):
        for path in ("/kapis/version", "/version"):        # 3.x opens the first, 4.x the second
            try:
                status, _ctype, body, _h = self.forward("GET", path, {}, b"")
            except OSError as exc:
                pytest.skip(f"no KubeSphere answers at {self.upstream.geturl()}: {exc}")
            if status == 200:
                return json.loads(body).get("gitVersion", "")
        pytest.skip(f"{self.upstream.geturl()} does not answer like KubeSphere (no /kapis/version, no /version)")
        return ""

    # ---- the proxy ---------------------------------------------------------------

    def _connection(self):
        if self.upstream.scheme == "https":
            context = ssl.create_default_context(cafile=os.environ.get("KS_REAL_CA") or None)
            return http.client.HTTPSConnection(self.upstream.netloc, timeout=120, context=context)
        return http.client.HTTPConnection(self.upstream.netloc, timeout=120)

    def forward(self, method, path_and_query, headers, body):
        connection = self._connection()
        try:
            sent = {k: v for k, v in dict(headers).items() if k.lower() not in HOP_BY_HOP}
            connection.request(method, path_and_query, body=body or None, headers=sent)
            response = connection.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-type"}]
            return response.status, response.getheader("Content-Type", ""), answer, kept
        finally:
            connection.close()

    def refusal(self, method, path, headers, body):
        """An answer of ours instead of the server's: the write guard, and never a wrong admin password."""
        if self.forbid_writes and _is_write(method, path):
            with self._lock:
                self._forbidden += 1
            return 500, "text/plain", b"real-server harness: write request refused (forbid_writes is set)", []
        if self._wrong_admin_password(method, path, headers, body):
            with self._lock:
                self.test_state["refused_admin_logins"] += 1
            answer = {"error": "invalid_grant",
                      "error_description": "real-server harness: a wrong password for the admin was not sent"}
            return 400, "application/json", json.dumps(answer).encode(), []
        return None

    def _wrong_admin_password(self, method, path, headers, body):
        auth = headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                user, _sep, password = b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return False
            if user == self.admin_username and password != self.admin_password:
                return True
        if method == "POST" and path == "/oauth/token":
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
            return (form.get("grant_type") == "password" and form.get("username") == self.admin_username
                    and form.get("password") != self.admin_password)
        return False

    def record(self, method, path, headers, body, status, answer, dry_run=False):
        with self._lock:
            self._counts["total"] += 1
            self._requests[f"{method} {path}"] += 1
            self._by_method[method] += 1
            self._by_status[str(status)] += 1
            if _is_write(method, path) and not dry_run:
                self._writes += 1
            if path == "/oauth/token" and method == "POST":
                grant = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("grant_type", [""])[0]
                kind = "refresh" if grant == "refresh_token" else "password"
                self._logins[f"{kind}_{'ok' if status == 200 else 'failed'}"] += 1
            if (headers.get("Authorization") or "").startswith("Basic "):
                self._logins["basic" if status != 401 else "basic_failed"] += 1
            self._entries.append({"time": time.time(), "method": method, "path": path, "status": status})
        if not dry_run:
            self._learn(method, path, status, answer, body)

    def _learn(self, method, path, status, answer, body=b""):
        if path.startswith("/clusters/") and not path.startswith("/clusters/host/"):
            self.test_state["members_touched"].add(path.split("/")[2])
        if status == 400 and b"not exists" in answer and b"ErrStatus" in answer:
            message = json.loads(answer)["ErrStatus"].get("message", "")
            self.test_state["missing_clusters"].add(message.split()[1] if message.startswith("cluster ") else "?")
        if method != "POST" or status not in (200, 201) or path.startswith("/oauth/"):
            return
        try:
            created = json.loads(answer)
        except ValueError:
            return
        name = (created.get("metadata") or {}).get("name") if isinstance(created, dict) else None
        if path.startswith(APP_STORE) and isinstance(created, dict):
            name = _app_store_name(path, created, body)
        if name:
            with self._lock:
                self.created.append((path, name))

    # ---- what the tests call -------------------------------------------------------

    def call(self, method, path, body=None, token=None, headers=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if token:
            headers["Authorization"] = "Bearer " + token
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, raw, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, raw, ctype = error.code, error.read(), error.headers.get("Content-Type", "")
        text = raw.decode("utf-8", "replace")
        return status, (json.loads(text) if ctype.startswith("application/json") and text else text)

    def login(self, username=None, password=None):
        """An access token, one login per user and password for the whole run (a real server counts them)."""
        username = username or self.admin_username
        password = password or (self.admin_password if username == self.admin_username else None)
        key = (username, password)
        if key not in self._tokens:
            form = urllib.parse.urlencode({"grant_type": "password", "username": username, "password": password,
                                           "client_id": "kubesphere", "client_secret": "kubesphere"}).encode()
            status, answer = self.call("POST", "/oauth/token", form,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
            if status != 200:
                raise AssertionError(f"login as {username} failed: {status} {answer}")
            self._tokens[key] = answer["access_token"]
        return self._tokens[key]

    def counters(self):
        with self._lock:
            return {"total": self._counts["total"], "requests": dict(self._requests), "by_method": dict(self._by_method),
                    "by_status": dict(self._by_status), "writes": self._writes, "forbidden_writes": self._forbidden,
                    "logins": dict(self._logins)}

    def reset_counters(self):
        with self._lock:
            self._counts, self._requests, self._by_method, self._by_status = Counter(), Counter(), Counter(), Counter()
            self._writes = self._forbidden = 0
            self._logins = Counter({k: 0 for k in ("password_ok", "password_failed", "refresh_ok", "refresh_failed",
                                                   "basic", "basic_failed")})
            self._entries = []

    def configure(self, **settings):
        other = sorted(set(settings) - {"forbid_writes"})
        if other:
            needs_emulator("runtime setting " + ", ".join(other))
        self.forbid_writes = bool(settings.get("forbid_writes"))

    def log(self, n=100):
        needs_emulator("the request log")

    def faults(self):
        needs_emulator("fault injection")

    def set_faults(self, replace=True, **faults):
        needs_emulator("fault injection")

    def restart_tokens(self):
        needs_emulator("a restart that drops every token")

    def restart(self):
        needs_emulator("a server restart")

    def start(self, port=0):
        return self

    def stop(self):
        """Nothing: the run's objects go in cleanup(), at the end of the session."""

    def begin_test(self):
        self.test_state = {"missing_clusters": set(), "refused_admin_logins": 0, "members_touched": set()}
        self.forbid_writes = False

    # ---- the run's objects ------------------------------------------------------------

    def cleanup(self):
        """Delete what the run created, newest first, with what a server without a garbage collector keeps."""
        self.forbid_writes = False
        token = self.login()
        iam = "/apis/iam.kubesphere.io/" + ("v1alpha2" if self.major == "3" else "v1beta1")
        for collection, name in reversed(self.created):
            if collection.startswith(APP_STORE):
                self._delete_app_store_object(token, collection, name)
                continue
            self.call("DELETE", f"{collection}/{name}", {}, token=token)
            if collection.endswith(("/workspacetemplates", "/tenant.kubesphere.io/v1alpha2/workspaces")):
                self._delete_labelled(token, iam, ("workspaceroles", "workspacerolebindings"),
                                      "kubesphere.io/workspace=" + name)
            elif collection.endswith("/users"):
                self._delete_labelled(token, iam, ("globalrolebindings",), "iam.kubesphere.io/user-ref=" + name)
            elif collection.endswith("/namespaces"):
                self._finish_namespace(token, collection, name)
        self.created = []
        self._kube_controllers.stop()
        self._proxy.shutdown()

    def finish_namespace(self, collection, name):
        """Delete a namespace the way a kit without kube-controller-manager needs (see _finish_namespace)."""
        self._finish_namespace(self.login(), collection, name)

    def _delete_app_store_object(self, token, collection, name):
        """A repo, app or release made through the App Store API. An app's versions go first (no garbage
        collector here); a Helm release's executor Jobs, which never run on a kit without pods, would keep it
        deleting forever, so they are deleted with it."""
        def delete_app(apps, app):
            status, listed = self.call("GET", f"{apps}/{app}/versions", token=token)
            for item in (listed.get("items") or []) if status == 200 and isinstance(listed, dict) else []:
                self.call("DELETE", f"{apps}/{app}/versions/{item['metadata']['name']}", token=token)
            self.call("DELETE", f"{apps}/{app}", token=token)

        if collection.endswith("/apps"):
            delete_app(collection, name)
            return
        if collection.endswith("/repos"):       # its synced apps, which the repo owns
            selector = urllib.parse.quote("application.kubesphere.io/repo-name=" + name)
            status, listed = self.call("GET", f"{APP_STORE}/apps?labelSelector={selector}", token=token)
            for item in (listed.get("items") or []) if status == 200 and isinstance(listed, dict) else []:
                delete_app(f"{APP_STORE}/apps", item["metadata"]["name"])
        self.call("DELETE", f"{collection}/{name}", token=token)
        if collection.endswith("/applications") and "/namespaces/" in collection:
            namespace = collection.split("/namespaces/", 1)[1].split("/", 1)[0]
            selector = urllib.parse.quote("application.kubesphere.io/app-release-name=" + name)
            jobs = f"/apis/batch/v1/namespaces/{namespace}/jobs"
            status, listed = self.call("GET", f"{jobs}?labelSelector={selector}", token=token)
            for item in (listed.get("items") or []) if status == 200 and isinstance(listed, dict) else []:
                self.call("DELETE", f"{jobs}/{item['metadata']['name']}", {"propagationPolicy": "Background"},
                          token=token)

    def _finish_namespace(self, token, collection, name):
        """What Kubernetes' namespace controller does, which a kit without kube-controller-manager lacks: the
        namespace's content goes, then its spec finalizer, so that no Terminating project outlives the run."""
        prefix = re.match(r"^/clusters/[^/]+", collection).group(0) if collection.startswith("/clusters/") else ""
        iam = "/apis/iam.kubesphere.io/" + ("v1alpha2" if self.major == "3" else "v1beta1")
        for group in (iam, "/apis/rbac.authorization.k8s.io/v1", "/api/v1"):
            plurals = (("resourcequotas", "limitranges", "secrets", "configmaps", "serviceaccounts")
                       if group == "/api/v1" else ("rolebindings", "roles"))
            for plural in plurals:
                base = f"{prefix}{group}/namespaces/{name}/{plural}"
                status, listed = self.call("GET", base, token=token)
                for item in (listed.get("items") or []) if status == 200 and isinstance(listed, dict) else []:
                    self.call("DELETE", f"{base}/{item['metadata']['name']}", token=token)
        path = f"{prefix}/api/v1/namespaces/{name}"
        # A project made through its workspace's path outlives the workspace (orphaned): delete it directly too.
        self.call("DELETE", path, token=token)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status, current = self.call("GET", path, token=token)
            if status != 200 or not isinstance(current, dict):
                return
            if current["metadata"].get("deletionTimestamp"):
                current["spec"]["finalizers"] = []
                self.call("PUT", path + "/finalize", current, token=token)
            time.sleep(0.5)

    def _delete_labelled(self, token, iam, plurals, selector):
        for plural in plurals:
            status, listed = self.call("GET", f"{iam}/{plural}?labelSelector={urllib.parse.quote(selector)}",
                                       token=token)
            for item in (listed.get("items") or []) if status == 200 and isinstance(listed, dict) else []:
                self.call("DELETE", f"{iam}/{plural}/{item['metadata']['name']}", token=token)

    # ---- which tests it can serve --------------------------------------------------------

    def unjoined_members_named(self, text):
        """The member clusters a failure's text names (member1, member2, as the session emulator has them) that
        this server has not joined: our modules refuse an unknown cluster before any request reaches it."""
        named = set(re.findall(r"\bmember\d+\b", text or ""))
        if not named:
            return []
        status, listed = self.call("GET", "/apis/cluster.kubesphere.io/v1alpha1/clusters", token=self.login())
        joined = {c["metadata"]["name"] for c in (listed or {}).get("items") or []} if status == 200 else set()
        return sorted(named - joined)

    def members_without_controllers(self, names):
        """Those of the members named whose own ks-controller-manager does not run (the realks member runs
        none): their projects never get the built-in roles a member needs. Told by kube-system, which that
        controller gives admin, operator and viewer roles on every running cluster."""
        missing = []
        for name in sorted(names):
            if name not in self._controllers:
                status, listed = self.call("GET", f"/clusters/{name}/apis/iam.kubesphere.io/v1beta1/namespaces/"
                                                  "kube-system/roles", token=self.login())
                self._controllers[name] = status != 200 or bool((listed or {}).get("items"))
            if not self._controllers[name]:
                missing.append(name)
        return missing

    def check_options(self, options):
        """Skip unless this server can stand for an emulator started with these options."""
        self.reset_counters()                   # what stands for a fresh emulator counts from zero
        wanted = str(options.get("ks_version") or "4.1")
        if wanted.split(".", maxsplit=1)[0] != self.major:
            pytest.skip(f"written for KubeSphere {wanted}; KS_REAL_HOST is {self.version}")
        emulator_only = sorted(set(options) - PACE_OPTIONS - {"ks_version", "members", "not_ready"})
        emulator_only = [k for k in emulator_only if options[k] not in (None, False, (), [])]
        if emulator_only:
            needs_emulator("option " + ", ".join(emulator_only))
        for name in _names(options.get("not_ready")):
            needs_emulator(f"a member cluster {name} that is not ready")
        return self


def needs_not_ready_member(emu, name="member2"):
    """Skip on a real server: the test relies on the session emulator's member that is joined but not Ready."""
    if isinstance(emu, RealServer):
        pytest.skip(f"needs {name}, a joined member cluster that is not Ready (the session emulator has one)")


def _names(value):
    if isinstance(value, str):
        return [n for n in value.split(",") if n]
    return list(value or ())


def server():
    """The worker's RealServer, made on first use."""
    global CURRENT
    if CURRENT is None:
        CURRENT = RealServer()
    return CURRENT
