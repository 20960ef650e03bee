"""/_emulator/members: the joinable member clusters (emulator/members.py), outside the KubeSphere API.

GET  /_emulator/members                        {"members": [{"id", "joined_as", "kube_system_uid", "server",
                                                 "ks_core_revision"}]} (joinable members and "host")
GET  /_emulator/members/{id}/kubeconfig        its kubeconfig (YAML text; the newest token)
POST /_emulator/members/{id}/credentials       {"revoke_others": false} -> {"kubeconfig"}: a new token for the
                                               same cluster (a rotated credential)
ANY  /_emulator/members/{id}/kube/...          the member's own Kubernetes API (what its kubeconfig reaches),
                                               for a bearer token of the member; 401 otherwise

Nothing here is counted: a member's own traffic is not the host's."""

import json

from .auth.authenticate import AUTHENTICATED_GROUP, UserInfo
from .errors import plain_text, status_response
from .members import MEMBER_PATH
from .messages import Request, json_response, text_response


def handle(app, request):
    path = request.path.rstrip("/")
    if path == MEMBER_PATH.rstrip("/"):
        if request.method != "GET":
            return plain_text(405, "GET only")
        return json_response({"members": [_view(app, m) for m in app.members.by_id.values()]})
    member_id, _sep, rest = request.path[len(MEMBER_PATH):].partition("/")
    member = app.members.get(member_id)
    if member is None:
        return plain_text(404, f"no joinable member {member_id!r} (start the emulator with --joinable)")
    if rest == "kube" or rest.startswith("kube/"):
        return _kube(app, member, request, "/" + rest[len("kube"):].lstrip("/"))
    route = (request.method, rest.rstrip("/"))
    if route == ("GET", "kubeconfig"):
        return text_response(200, app.members.kubeconfig(member), "application/yaml")
    if route == ("POST", "credentials"):
        try:
            options = json.loads(request.body or b"{}")
        except ValueError:
            return plain_text(400, "the body must be JSON")
        token = app.members.new_credential(member, bool((options or {}).get("revoke_others")))
        return json_response({"kubeconfig": app.members.kubeconfig(member, token)})
    return plain_text(404, f"unknown emulator endpoint {request.method} {request.path}")


def _view(app, member):
    return {"id": member.id, "joined_as": member.joined_as, "kube_system_uid": app.members.kube_system_uid(member),
            "server": app.members.server(member), "ks_core_revision": member.ks_core_revision}


def _kube(app, member, request, inner):
    scheme, _sep, token = (request.header("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or token.strip() not in member.tokens:
        return status_response(401, "Unauthorized", "Unauthorized")
    if not (inner == "/api" or inner == "/apis" or inner.startswith(("/api/", "/apis/"))):
        return plain_text(404, "404 page not found")
    target = inner + ("?" + request.query_string if request.query_string else "")
    inner_request = Request(request.method, target, dict(request._headers),   # pylint: disable=protected-access
                            request.body, request.client_ip)
    # The kubeconfig's user is the member's cluster administrator.
    admin = UserInfo("admin", [AUTHENTICATED_GROUP, "system:masters"], "bearer")
    return app._route(inner_request, admin, member.store_key, inner)   # pylint: disable=protected-access
