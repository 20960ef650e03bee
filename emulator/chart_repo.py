"""A tiny Helm chart repository on loopback, for tests, recordings and demos of the App Store.

KubeSphere fetches ``<url>/index.yaml`` before it saves a repository and again on every sync, then
records each chart version's download URL; this serves both from memory::

    with ChartRepo() as repo:
        repo.publish("stable", [("hello", "0.1.0"), ("hello", "0.2.0")])
        url = repo.url("stable")          # http://127.0.0.1:PORT/stable

Charts are built deterministically (fixed mtimes, gzip without a timestamp), so a chart's digest
is the same on every run. Nothing here is imported by the emulator itself.
"""

import hashlib
import io
import tarfile
import threading
import gzip
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MTIME = 1700000000
DESCRIPTION = "A tiny test chart"
CONFIGMAP_TEMPLATE = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"
                      "data:\n  message: {{ .Values.message | quote }}\n")


def build_chart(name, version, description=DESCRIPTION, values="message: hello\n", templates=None):
    """A packaged chart (.tgz bytes): Chart.yaml, values.yaml and one ConfigMap template."""
    files = {
        "Chart.yaml": (f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"{version}\"\n"
                       f"description: {description}\nhome: https://example.invalid/{name}\n"
                       "maintainers:\n- name: tester\n  email: tester@example.invalid\n"),
        "values.yaml": values,
    }
    for template_name, text in (templates or {"configmap.yaml": CONFIGMAP_TEMPLATE}).items():
        files["templates/" + template_name] = text
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{path}")
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as archive:
        archive.write(raw.getvalue())
    return packed.getvalue()


def index_yaml(entries):
    """index.yaml for [(name, version, digest, created, url)] (url relative or absolute)."""
    lines, seen = ["apiVersion: v1", "entries:"], []
    by_name = {}
    for name, version, digest, created, url in entries:
        if name not in by_name:
            seen.append(name)
        by_name.setdefault(name, []).append((version, digest, created, url))
    for name in seen:
        lines.append(f"  {name}:")
        for version, digest, created, url in by_name[name]:
            lines += ["  - apiVersion: v2", f"    name: {name}", f"    version: {version}",
                      f"    appVersion: \"{version}\"", f"    description: {DESCRIPTION}",
                      f"    home: https://example.invalid/{name}", f"    created: \"{created}\"",
                      f"    digest: {digest}", "    urls:", f"    - {url}"]
    if not by_name:
        lines[-1] = "entries: {}"
    lines.append("generated: \"2026-12-01T00:00:00Z\"")
    return "\n".join(lines) + "\n"


class ChartRepo:
    """Serves repositories from memory on 127.0.0.1 (port 0: a free port)."""

    def __init__(self, port=0):
        self.files = {}
        self.requests = []          # paths asked for, in order
        repo = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):       # noqa: N802 (http.server's naming)
                repo.requests.append(self.path)
                data = repo.files.get(self.path)
                if data is None:
                    self.send_error(404, "File not found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def url(self, repo):
        return f"{self.base}/{repo}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def publish(self, repo, charts):
        """Serve charts [(name, version)] under /repo with their index; returns {(name, version): tgz}."""
        for path in [p for p in self.files if p.startswith(f"/{repo}/")]:
            del self.files[path]
        built, entries = {}, []
        for day, (name, version) in enumerate(charts, start=1):
            data = build_chart(name, version)
            built[(name, version)] = data
            file_name = f"{name}-{version}.tgz"
            self.files[f"/{repo}/{file_name}"] = data
            entries.append((name, version, hashlib.sha256(data).hexdigest(),
                            "2026-11-%02dT00:00:00Z" % day, file_name))
        self.files[f"/{repo}/index.yaml"] = index_yaml(entries).encode()
        return built

    def drop_index(self, repo):
        """Make <url>/index.yaml answer 404 (the charts stay)."""
        self.files.pop(f"/{repo}/index.yaml", None)
