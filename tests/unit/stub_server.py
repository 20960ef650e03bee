# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""A tiny scriptable HTTP server for the client's unit tests (not the project's emulator).

    stub = StubServer().start()
    stub.on("GET", "/kapis/x", Reply(503), Reply(200, {"a": 1}))   # replies in turn, the last repeats
    stub.on("GET", re.compile(r"^/kapis/y/.*"), handler)           # handler(request) -> Reply
    stub.oauth = FakeOAuth(users={"admin": "pw"})                   # /oauth/token and /oauth/logout
    stub.requests                                                   # every request, recorded in order

Routes added later win. A route registered with auth=True first checks the bearer token
against stub.oauth and answers 401 (Kubernetes Status, as KubeSphere does) when it is unknown.
Runs on 127.0.0.1, port 0, in a daemon thread.
"""

import json
import socket
import ssl
import threading
import time
import uuid

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Credentials the client tests use (kept here, not in conftest.py: several conftest modules exist
# in one pytest run and `from conftest import ...` would pick whichever was loaded last).
PASSWORD = "S3cret-Passw0rd!"
CLIENT_SECRET = "Client-Secr3t-xyz"


class Reply(object):
    """One scripted answer. body: dict/list -> JSON; str -> sent as is (text/plain unless content_type
    says otherwise, like KubeSphere's kapis errors); None -> empty."""

    def __init__(self, status=200, body=None, headers=None, delay=0.0, content_type=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.delay = delay
        self.content_type = content_type

    def encode(self):
        if self.body is None:
            return b"", self.content_type or "application/json"
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode("utf-8"), self.content_type or "application/json"
        if isinstance(self.body, bytes):
            return self.body, self.content_type or "application/octet-stream"
        return str(self.body).encode("utf-8"), self.content_type or "text/plain; charset=utf-8"


def status_reply(code, reason, message):
    """A Kubernetes Status error, the shape of /apis errors and of KubeSphere's 401/403."""
    return Reply(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": message, "reason": reason, "code": code})


class Request(object):
    """A recorded request."""

    def __init__(self, method, raw_path, headers, body):
        parts = urlsplit(raw_path)
        self.method = method
        self.raw_path = raw_path
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = dict((key.lower(), value) for key, value in headers.items())
        self.body = body.decode("utf-8", "replace")
        self.form = {}
        self.json = None
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            self.form = dict((key, values[-1]) for key, values in parse_qs(self.body, keep_blank_values=True).items())
        elif self.body:
            try:
                self.json = json.loads(self.body)
            except ValueError:
                self.json = None

    @property
    def bearer(self):
        value = self.headers.get("authorization", "")
        return value[7:] if value.startswith("Bearer ") else None

    def __repr__(self):
        return "<Request %s %s>" % (self.method, self.raw_path)


class FakeOAuth(object):
    """KubeSphere's /oauth/token and /oauth/logout, with the real error bodies (ks-recordings/oauth.json)."""

    def __init__(self, users=None, client_id="kubesphere", client_secret="kubesphere", expires_in=7200,
                 delay=0.0, locked=()):
        self.users = dict(users or {})
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.delay = delay
        self.locked = set(locked)
        self.access = set()
        self.refresh = set()
        self.password_grants = 0
        self.refresh_grants = 0
        self._lock = threading.Lock()

    def issue(self):
        access = "access-" + uuid.uuid4().hex
        refresh = "refresh-" + uuid.uuid4().hex
        self.access.add(access)
        self.refresh.add(refresh)
        body = {"access_token": access, "token_type": "Bearer", "refresh_token": refresh}
        if self.expires_in:
            body["expires_in"] = self.expires_in
        return Reply(200, body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def restart(self):
        """Like a ks-apiserver restart: every token is forgotten."""
        with self._lock:
            self.access.clear()
            self.refresh.clear()

    def token(self, request):
        if self.delay:
            time.sleep(self.delay)
        form = request.form
        with self._lock:
            if form.get("grant_type") == "password":
                self.password_grants += 1
            elif form.get("grant_type") == "refresh_token":
                self.refresh_grants += 1
            if form.get("client_id") != self.client_id:
                return Reply(400, {"error": "invalid_client",
                                   "error_description": "The provided client_id is invalid or does not exist."})
            if form.get("client_secret") != self.client_secret:
                return Reply(401, {"error": "unauthorized_client", "error_description": "Invalid client credential."})
            if form.get("grant_type") == "password":
                user = form.get("username")
                if user in self.locked:
                    return Reply(429, {"error": "invalid_grant", "error_description": "Rate limit exceeded."})
                if user not in self.users or self.users[user] != form.get("password"):
                    return Reply(400, {"error": "invalid_grant", "error_description": "Invalid username or password."})
                return self.issue()
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh:
                    return Reply(400, {"error": "invalid_grant",
                                       "error_description": "The refresh token is invalid or expired."})
                return self.issue()
            return Reply(400, {"error": "unsupported_grant_type",
                               "error_description": "The provided grant_type is not supported."})

    def logout(self, request):
        with self._lock:
            self.access.discard(request.bearer)
        return Reply(200, {"message": "success"})

    def valid(self, token):
        with self._lock:
            return token in self.access


class _Route(object):
    def __init__(self, method, path, replies, auth):
        self.method = method
        self.path = path
        self.replies = list(replies)
        self.auth = auth
        self.hits = 0

    def matches(self, method, path):
        if self.method not in ("*", method):
            return False
        if hasattr(self.path, "match"):
            return bool(self.path.match(path))
        return self.path == path

    def answer(self, request):
        index = min(self.hits, len(self.replies) - 1)
        self.hits += 1
        reply = self.replies[index]
        return reply(request) if callable(reply) else reply


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client hanging up early is not news
        pass


class StubServer(object):
    def __init__(self, tls=None):
        """tls: None for plain HTTP, or (certfile, keyfile) to serve HTTPS."""
        self.tls = tls
        self.requests = []
        self.oauth = None
        self._routes = []
        self._lock = threading.RLock()
        self._server = None
        self._thread = None

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self._server.server_address[1])

    def start(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def setup(self):
                BaseHTTPRequestHandler.setup(self)
                # Headers and body go out in two writes: without this, Nagle plus delayed ACK
                # add 40 ms to every keep-alive request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, self.headers, body)
                reply = stub.dispatch(request)
                if reply.delay:
                    time.sleep(reply.delay)
                payload, content_type = reply.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def on(self, method, path, *replies, **kwargs):
        """Script a route. replies: Reply objects or callables(request) -> Reply, used in turn."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        route = _Route(method, path, replies, kwargs.get("auth", True))
        with self._lock:
            self._routes.insert(0, route)
        return route

    def dispatch(self, request):
        with self._lock:
            self.requests.append(request)
            routes = list(self._routes)
        if self.oauth is not None:
            if request.method == "POST" and request.path == "/oauth/token":
                return self.oauth.token(request)
            if request.method == "GET" and request.path == "/oauth/logout":
                return self.oauth.logout(request)
        for route in routes:
            if route.matches(request.method, request.path):
                if route.auth and self.oauth is not None and not self.oauth.valid(request.bearer):
                    return status_reply(401, "Unauthorized", "token not found in cache")
                with self._lock:
                    return route.answer(request)
        return Reply(404, "404: Page Not Found")

    def calls(self, method=None, path=None):
        with self._lock:
            recorded = list(self.requests)
        return [r for r in recorded if (method is None or r.method == method) and (path is None or r.path == path)]

    def count(self, method=None, path=None):
        return len(self.calls(method, path))


def closed_port():
    """A local port with nothing listening on it (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def self_signed_certificate(directory):
    """Write a self-signed certificate for 127.0.0.1 (also usable as its own CA bundle); return (cert, key)."""
    import datetime
    import ipaddress
    import os
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"kubesphere-stub")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(str(directory), "stub-cert.pem")
    key_path = os.path.join(str(directory), "stub-key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


def login_worker(options, barrier, results):
    """Run in a child process: build a client, wait for the others, log in, report the token or error."""
    from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereClient, KubeSphereError
    client = KubeSphereClient(options)
    barrier.wait(timeout=60)
    try:
        results.put(("ok", client.login()))
    except KubeSphereError as err:
        results.put(("error", str(err)))
