"""The HTTP server (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive)."""

import os
import signal
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .messages import Request


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
        response = self.server.app.handle(request)
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


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app, host, port):
        self.app = app
        super().__init__((host, port), _Handler)


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(fd, "w") as handle:
        handle.write(str(port))
    os.replace(temporary, path)


def run(app, settings):
    """Serve until SIGTERM or SIGINT, then stop cleanly."""
    server = EmulatorServer(app, settings.host, settings.port)
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
    print(f"KubeSphere emulator listening on http://{settings.host}:{port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        app.stop()
    return 0
