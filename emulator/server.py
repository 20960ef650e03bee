"""The HTTP server (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive)."""

import os
import signal
import socket
import ssl
import struct
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .faults import gateway_body
from .messages import Request, Response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ks-emulator"
    sys_version = ""
    # One buffered write per response, no Nagle: otherwise keep-alive clients
    # wait ~40 ms per request for a delayed ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass          # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self):
        body = self._read_body()
        request = Request(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        app = self.server.app
        action = app.faults.decide(request.method, request.path)
        if action is None:      # no fault on: exactly the normal path
            return self._send(app.handle(request))
        if action.delay:
            time.sleep(action.delay)
        if not action.after:
            if action.reset:
                return self._reset()
            if action.status:
                return self._send(_gateway_answer(action))
        response = app.handle(request)
        if app.faults.restart_due():
            app.tokens.drop_all()
        if action.reset:
            return self._reset()
        return self._send(_gateway_answer(action) if action.status else response)

    def _reset(self):
        """Abort the connection (RST, no answer), as a crashing backend or a dropped proxy does."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, response):
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format, *args):   # quiet: /_emulator/log has the requests
        pass


def _gateway_answer(action):
    headers = [("Retry-After", str(action.retry_after))] if action.retry_after is not None else []
    return Response(action.status, gateway_body(action.status), "text/html", headers)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    handshake_timeout = 10.0

    def __init__(self, app, host, port, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        # The handshake runs in the connection's own thread, so a stalled client blocks nobody.
        request.settimeout(self.handshake_timeout)
        try:
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None      # the client refused the certificate, or spoke plain HTTP
        secure.settimeout(None)
        try:
            return super().finish_request(secure, client_address)
        finally:
            try:
                secure.close()
            except OSError:
                pass


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(fd, "w") as handle:
        handle.write(str(port))
    os.replace(temporary, path)


def run(app, settings):
    """Serve until SIGTERM or SIGINT, then stop cleanly."""
    context = None
    if settings.tls:
        from .tls import server_context
        context = server_context(settings)
    server = EmulatorServer(app, settings.host, settings.port, context)
    port = server.server_address[1]
    settings.port = port
    app.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if settings.port_file:
        write_port_file(settings.port_file, port)
    scheme = "https" if settings.tls else "http"
    print(f"KubeSphere emulator listening on {scheme}://{settings.host}:{port}", flush=True)
    if settings.tls_ca_path:
        print(f"CA certificate: {settings.tls_ca_path}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        app.stop()
    return 0
