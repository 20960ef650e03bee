"""The application: wires the layers together and answers one request.

HTTP -> counters/log -> [forbid_writes] -> authentication -> cluster dispatch
-> authorization -> /api|/apis generic handler, or the route table (kapis,
oauth, version...) with the v4 generic kapis handler as fallback -> store.
Controllers run beside it.
"""

import sys
import threading
import traceback

from . import admin, dispatch, errors, loader, seed
from .apiserver import ApiServer
from .auth.authenticate import Authenticator
from .auth.lockout import LockoutTracker
from .auth.passwords import PasswordLogin
from .auth.tokens import TokenService
from .authz import request_info
from .authz.authorizer import Authorizer, forbidden_response, is_open_path
from .context import RequestContext
from .controllers.runtime import ControllerManager
from .counters import WRITE_METHODS, Counters
from .faults import Faults
from .messages import Response
from .k8s import handler as kube_handler
from .routes import router
from .routes.generic import serve_generic
from .store import Store


class App:
    host = "host"

    def __init__(self, settings):
        loader.load_features()
        self.settings = settings
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
        if (self.settings.forbid_writes and request.method in WRITE_METHODS
                and not request.path.startswith("/oauth/")):
            self.counters.forbidden_write()
            return errors.plain_text(500, "emulator: write request refused (forbid_writes is set)")
        try:
            user = self.authenticator.authenticate(request)
        except errors.ApiError as exc:
            return exc.to_status()
        target = dispatch.resolve(self, request.path)
        if isinstance(target, Response):
            return target
        cluster, path = target
        ctx = RequestContext(self, request, user, cluster, path)
        if not is_open_path(path):
            ctx.info = request_info.parse(request.method, path, request.query)
            if not self.authorizer.allowed(user, ctx.info):
                return forbidden_response(user, ctx.info)
        if path in ("/api", "/apis") or path.startswith(("/api/", "/apis/")):
            return kube_handler.handle(ctx)
        return router.serve(ctx, fallback=serve_generic)
