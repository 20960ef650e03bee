"""Run the emulator as a subprocess for tests::

    from emulator.testing import EmulatorProcess

    with EmulatorProcess(members=["member1"], bcrypt_cost=4) as emu:
        token = emu.login()                       # admin's access token
        requests.get(emu.url + "/kapis/version", headers={"Authorization": "Bearer " + token})
        emu.counters()["writes"]

Only the standard library is used here (the emulator package may not depend on
requests).
"""

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# The child runs the very package this module is part of (an installed copy, or a checkout's emulator/ that
# a test run imported first), so the emulator a test drives is the one it imported.
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_FLAGS = {  # option name -> command-line flag
    "token_ttl": "--token-ttl", "token_inactivity_timeout": "--token-inactivity-timeout",
    "lockout_max": "--lockout-max", "lockout_window": "--lockout-window",
    "controller_delay_ms": "--controller-delay-ms", "informer_lag_ms": "--informer-lag-ms",
    "admin_password": "--admin-password", "bcrypt_cost": "--bcrypt-cost", "jwt_secret": "--jwt-secret",
    "git_version": "--git-version", "config": "--config", "extension_job_ms": "--extension-job-ms",
    "password_hash_ms": "--password-hash-ms",
    "ks_version": "--ks-version", "list_total_key": "--list-total-key", "cluster_join_ms": "--cluster-join-ms",
    "builtin_roles_delay_ms": "--builtin-roles-delay-ms",
}


class EmulatorError(RuntimeError):
    pass


def _names(value):
    """Cluster names from a list or a comma-separated string."""
    if isinstance(value, str):
        return [n.strip() for n in value.split(",") if n.strip()]
    return list(value or ())


class EmulatorProcess:
    """EmulatorProcess(members=(), not_ready=() (lists or "a,b" strings), token_ttl=None, lockout_max=None,
    lockout_window=None, controller_delay_ms=None, informer_lag_ms=None,
    admin_password=None, bcrypt_cost=None, jwt_secret=None, git_version=None, extension_job_ms=None,
    password_hash_ms=None, ks_version=None ("4.1" or "3.4"), joinable=() (clusters a test may join; their
    kubeconfigs: member_kubeconfig(name)), cluster_join_ms=None, list_total_key=None ("total_count": the 4.2
    envelope), config=None, extra_args=(), startup_timeout=60 (a loaded machine is slow to start it),
    tls=False, tls_names=() (names of the generated certificate), tls_expired=False,
    faults=None (a dict of emulator/faults.py settings, on from the start))

    With tls, url is https:// and ca_path the generated CA file (the harness's own calls do not
    verify it, so that an expired or mismatched certificate can still be driven)."""

    def __init__(self, members=(), not_ready=(), extra_args=(), startup_timeout=60.0, tls=False, tls_names=(),
                 tls_expired=False, faults=None, joinable=(), **options):
        unknown = set(options) - set(_FLAGS)
        if unknown:
            raise TypeError(f"unknown emulator option(s): {', '.join(sorted(unknown))}")
        self.members = _names(members)
        self.not_ready = _names(not_ready)
        self.joinable = _names(joinable)
        self.tls = bool(tls or tls_names or tls_expired)
        self.tls_names = _names(tls_names)
        self.tls_expired = tls_expired
        self.faults_at_start = faults
        self.ca_path = None
        self._ssl = ssl._create_unverified_context() if self.tls else None  # pylint: disable=protected-access
        self.options = options
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.admin_password = options.get("admin_password") or "P@88w0rd"
        self.port = None
        self.process = None
        self._log = None
        self._workdir = None

    # ---- lifecycle -------------------------------------------------------------

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def command(self, port=0, port_file=None):
        args = [sys.executable, "-m", "emulator", "--port", str(port)]
        if port_file:
            args += ["--port-file", port_file]
        if self.members:
            args += ["--members", ",".join(self.members)]
        if self.not_ready:
            args += ["--not-ready", ",".join(self.not_ready)]
        if self.joinable:
            args += ["--joinable", ",".join(self.joinable)]
        for name, value in self.options.items():
            if value is not None:
                args += [_FLAGS[name], str(value)]
        if self.tls:
            args += ["--tls", "--tls-dir", os.path.join(self._workdir or ".", "tls")]
            if self.tls_names:
                args += ["--tls-names", ",".join(self.tls_names)]
            if self.tls_expired:
                args.append("--tls-expired")
        if self.faults_at_start:
            args += ["--faults", json.dumps(self.faults_at_start)]
        return args + self.extra_args

    def start(self, port=0):
        if self.process is not None:
            raise EmulatorError("already running")
        workdir = self._workdir = tempfile.mkdtemp(prefix="ks-emulator-")
        port_file = os.path.join(workdir, "port")
        self._log = open(os.path.join(workdir, "emulator.log"), "w+b")
        env = dict(os.environ)
        env["PYTHONPATH"] = _PACKAGE_PARENT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.process = subprocess.Popen(self.command(port, port_file), stdout=subprocess.DEVNULL,
                                        stderr=self._log, env=env, cwd=workdir)
        if self.tls:
            self.ca_path = os.path.join(workdir, "tls", "ca.crt")
        try:
            self._wait_until_serving(port_file, time.monotonic() + self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_serving(self, port_file, deadline):
        while not os.path.exists(port_file):
            self._check_alive(deadline)
            time.sleep(0.02)
        with open(port_file) as handle:
            self.port = int(handle.read().strip())
        while True:
            self._check_alive(deadline)
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2, context=self._ssl) as response:
                    if response.status == 200:
                        self.reset_counters()       # the readiness probe is not the test's traffic
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)

    def _check_alive(self, deadline):
        if self.process.poll() is not None:
            raise EmulatorError(f"emulator exited with {self.process.returncode}:\n{self.stderr()}")
        if time.monotonic() > deadline:
            raise EmulatorError("emulator did not start in time:\n" + self.stderr())

    def stop(self):
        """SIGTERM, then SIGKILL if it does not exit within 5 s."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log:
            self._log.close()
            self._log = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def restart(self):
        """A real process restart on the same port: tokens and every object that
        was not seeded are lost."""
        port = self.port
        self.stop()
        self.start(port=port)
        return self

    def stderr(self):
        if not self._log:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    # ---- talking to it -----------------------------------------------------------

    def call(self, method, path, body=None, token=None, headers=None):
        """(status, parsed JSON or text) of one request, without raising on HTTP errors."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if token:
            headers["Authorization"] = "Bearer " + token
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30, context=self._ssl) as response:
                status, raw, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, raw, ctype = error.code, error.read(), error.headers.get("Content-Type", "")
        text = raw.decode("utf-8", "replace")
        return status, (json.loads(text) if ctype.startswith("application/json") and text else text)

    def _admin(self, method, path, body=None):
        status, answer = self.call(method, "/_emulator/" + path, body)
        if status != 200:
            raise EmulatorError(f"{method} /_emulator/{path}: {status} {answer}")
        return answer

    def counters(self):
        return self._admin("GET", "counters")

    def reset_counters(self):
        return self._admin("POST", "counters/reset")

    def log(self, n=100):
        return self._admin("GET", f"log?n={n}")["entries"]

    def configure(self, **settings):
        """Change runtime settings: token_ttl, token_inactivity_timeout, lockout_max,
        lockout_window, controller_delay_ms, informer_lag_ms, forbid_writes."""
        return self._admin("POST", "config", settings)

    def faults(self):
        """{"config": the faults on, "injected": {what: count}, "requests_seen": n}."""
        return self._admin("GET", "faults")

    def set_faults(self, replace=True, **faults):
        """Turn faults on (replace=True: only these; set_faults() turns them all off)."""
        return self._admin("PUT" if replace else "POST", "faults", faults)

    def restart_tokens(self):
        """Drop every issued token (as a ks-apiserver restart does), keep objects."""
        return self._admin("POST", "restart")

    def member_kubeconfig(self, member):
        """The kubeconfig (YAML text) of a joinable member ("host": the host cluster's own)."""
        status, answer = self.call("GET", f"/_emulator/members/{member}/kubeconfig")
        if status != 200:
            raise EmulatorError(f"kubeconfig of {member}: {status} {answer}")
        return answer

    def rotate_member_credential(self, member, revoke_others=False):
        """A kubeconfig with a new token for the same member (the old ones stay valid unless revoked)."""
        return self._admin("POST", f"members/{member}/credentials", {"revoke_others": revoke_others})["kubeconfig"]

    def joinable_members(self):
        """[{"id", "joined_as", "kube_system_uid", "server", "ks_core_revision"}] of the joinable members and host."""
        return self._admin("GET", "members")["members"]

    def login(self, username="admin", password=None):
        """Password grant; returns the access token."""
        form = urllib.parse.urlencode({"grant_type": "password", "username": username,
                                       "password": password or self.admin_password,
                                       "client_id": "kubesphere", "client_secret": "kubesphere"}).encode()
        status, answer = self.call("POST", "/oauth/token", form,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            raise EmulatorError(f"login as {username} failed: {status} {answer}")
        return answer["access_token"]
