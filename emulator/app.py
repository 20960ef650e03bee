"""The application: wires the layers together and answers one request.

HTTP -> counters/log -> [forbid_writes] -> authentication -> cluster dispatch
-> authorization -> /api|/apis generic handler, or the route table (kapis,
oauth, version...) with the v4 generic kapis handler as fallback -> store.
Controllers run beside it.
"""

import sys
import threading
import traceback

import json

from . import admin, dispatch, errors, loader, profiles, seed
from .apiserver import ApiServer
from .auth.authenticate import Authenticator
from .auth.lockout import LockoutTracker
from .auth.passwords import PasswordLogin
from .auth.tokens import TokenService
from .authz import request_info
from .authz.authorizer import Authorizer, forbidden_response, is_open_path
from .context import RequestContext
from .controllers.runtime import ControllerManager
from .counters import WRITE_METHODS, Counters, is_write
from .faults import Faults
from .messages import Response, dump_json
from .k8s import handler as kube_handler
from .members import Members
from .routes import router
from .routes.generic import serve_generic
from .store import Store


class App:
    host = "host"

    def __init__(self, settings):
        loader.load_features()
        self.settings = settings
        self.profile = profiles.get(settings.ks_version)
        settings.git_version = settings.git_version or self.profile.git_version
        settings.git_commit = settings.git_commit or self.profile.git_commit
        self.store = Store()
        self.api = ApiServer(self.store, settings)
        self.tokens = TokenService(settings)
        self.lockout = LockoutTracker(settings)
        self.logins = PasswordLogin(self)
        self.authenticator = Authenticator(self)
        self.authorizer = Authorizer(self)
        self.api.authorizer = self.authorizer
        self.counters = Counters(settings.log_size)
        self.faults = Faults()
        try:
            self.faults.configure(settings.faults or {}, replace=True)
        except ValueError as exc:
            raise SystemExit(f"--faults: {exc}")
        self.api.faults = self.faults
        self._cluster_lock = threading.Lock()
        seed.seed(self)
        self.members = Members(self)       # clusters a test may join (emulator/members.py)
        self.members.setup()
        self.store.settle()
        self.controllers = ControllerManager(self)

    def start(self):
        self.controllers.start()

    def stop(self):
        self.controllers.stop()

    def ensure_cluster(self, name):
        """Create a cluster's storage (with its default namespaces) on first use."""
        with self._cluster_lock:
            if not self.store.has_cluster(name):
                self.store.add_cluster(name)
                seed.seed_namespaces(self, name)
                self.store.settle(name)

    # ---- request pipeline ------------------------------------------------------

    def handle(self, request):
        if request.path == "/_emulator" or request.path.startswith("/_emulator/"):
            return admin.handle(self, request)
        try:
            response = self._serve(request)
        except Exception:   # a bug in the emulator: answer like a crashed handler would
            traceback.print_exc(file=sys.stderr)
            response = errors.plain_text(500, "emulator internal error")
        self.counters.record(request, response)
        if request.method == "HEAD":
            response = Response(response.status, b"", response.content_type, response.headers)
        return response

    def _serve(self, request):
        if self.settings.forbid_writes and is_write(request):
            self.counters.forbidden_write()
            return errors.plain_text(500, "emulator: write request refused (forbid_writes is set)")
        try:
            user = self.authenticator.authenticate(request)
        except errors.ApiError as exc:
            return exc.to_status()
        profile = self.profile
        if profile.refuses(request.path):
            return _refused(request.path, profile)
        target = dispatch.resolve(self, request.path)
        if isinstance(target, Response):
            return target
        cluster, path = target
        external = path
        if profile is not profiles.V41:
            path = profile.to_internal(path)
            if request.method in WRITE_METHODS:
                request.body = profile.body_in(request.body)
        response = self._route(request, user, cluster, path)
        return self._outbound(response, external)

    def _outbound(self, response, path):
        """The answer as this line writes it: its apiVersions, its list envelope."""
        profile, total_key = self.profile, self.settings.list_total_key
        if (profile is profiles.V41 and total_key == "totalItems") or not (response.content_type or "").startswith(
                "application/json") or not path.startswith(("/kapis/", "/apis/")):
            return response
        try:
            data = json.loads(response.body)
        except ValueError:
            return response
        data = profile.body_out(data, path) if profile is not profiles.V41 else data
        if total_key != "totalItems" and path.startswith("/kapis/") and isinstance(data, dict) and "totalItems" in data:
            data = {(total_key if key == "totalItems" else key): value for key, value in data.items()}
        return Response(response.status, dump_json(data) + "\n", response.content_type, response.headers)

    def _route(self, request, user, cluster, path):
        ctx = RequestContext(self, request, user, cluster, path)
        if not is_open_path(path, self.profile):
            ctx.info = request_info.parse(request.method, path, request.query)
            if not self.authorizer.allowed(user, ctx.info):
                return forbidden_response(user, ctx.info)
        if path in ("/api", "/apis") or path.startswith(("/api/", "/apis/")):
            return kube_handler.handle(ctx)
        return router.serve(ctx, fallback=serve_generic)


def _refused(path, profile):
    """A path of another line: go-restful's 404 under /kapis, Go's mux text elsewhere (3.x: under /apis too)."""
    if path.startswith("/kapis/"):
        return errors.router_text(404, errors.PAGE_NOT_FOUND)
    if path.startswith("/apis/") and not profile.refused_apis_text:
        return errors.status_response(404, "NotFound", "the server could not find the requested resource")
    return errors.router_text(404, errors.KUBE_PAGE_NOT_FOUND)
