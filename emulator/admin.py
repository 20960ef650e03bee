"""/_emulator/*: the emulator's own control endpoints (no authentication; not
part of the KubeSphere API, not counted).

GET  /_emulator/counters         request counters (see counters.Counters.snapshot)
POST /_emulator/counters/reset   zero them (and clear the log)
GET  /_emulator/log?n=100        the last n requests: method, path, query, status, time
POST /_emulator/restart          drop every issued token, as a ks-apiserver restart does
GET  /_emulator/faults           the faults on and what was injected: {"config", "injected", "requests_seen"}
POST /_emulator/faults           turn faults on or change them (merged): {"status_rate": 0.2, "seed": 3}
PUT  /_emulator/faults           replace them all ({} turns every fault off); counts are kept
POST /_emulator/faults/reset     zero the injected counts
GET  /_emulator/config           the settings that can change at runtime
GET  /_emulator/members          the joinable members and host (emulator/member_admin.py): their
                                 kubeconfigs, credentials and own Kubernetes API
POST /_emulator/config           change them: {"token_ttl": 5, "informer_lag_ms": 0,
                                  "controller_delay_ms": 10, "forbid_writes": true, ...};
                                 "controllers_held": true makes every controller wait (due work
                                 runs once it is set back to false)
"""

import json

from . import member_admin
from .errors import plain_text
from .messages import json_response


def handle(app, request):
    path = request.path.rstrip("/")
    if path == "/_emulator/members" or path.startswith("/_emulator/members/"):
        return member_admin.handle(app, request)
    route = (request.method, path)
    if route == ("GET", "/_emulator/counters"):
        return json_response(app.counters.snapshot())
    if route == ("POST", "/_emulator/counters/reset"):
        app.counters.reset()
        app.faults.reset_counts()
        return json_response(app.counters.snapshot())
    if route == ("GET", "/_emulator/faults"):
        return json_response(app.faults.view())
    if route in (("POST", "/_emulator/faults"), ("PUT", "/_emulator/faults")):
        try:
            app.faults.configure(json.loads(request.body or b"{}"), replace=request.method == "PUT")
        except ValueError as exc:
            return plain_text(400, str(exc))
        return json_response(app.faults.view())
    if route == ("POST", "/_emulator/faults/reset"):
        app.faults.reset_counts()
        return json_response(app.faults.view())
    if route == ("GET", "/_emulator/log"):
        try:
            limit = int(request.arg("n", "100"))
        except ValueError:
            return plain_text(400, "n must be a number")
        return json_response({"entries": app.counters.log(limit)})
    if route == ("POST", "/_emulator/restart"):
        return json_response({"message": "tokens dropped", "dropped": app.tokens.drop_all()})
    if route == ("GET", "/_emulator/config"):
        return json_response(app.settings.runtime_view())
    if route == ("POST", "/_emulator/config"):
        try:
            changes = json.loads(request.body or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("the body must be a JSON object")
            app.settings.apply_runtime(changes)
        except ValueError as exc:
            return plain_text(400, str(exc))
        return json_response(app.settings.runtime_view())
    return plain_text(404, f"unknown emulator endpoint {request.method} {request.path}")
