"""The few error body shapes the real server produces, and an exception that
carries a Kubernetes-style failure until a layer decides how to render it.

* Kubernetes ``Status`` JSON: /api, /apis, authentication (401), authorization (403).
* The multi-cluster dispatcher's ``{"ErrStatus": {...}}`` (no kind/apiVersion).
* OAuth ``{"error", "error_description"}`` on /oauth/token.
* Plain text with a trailing newline: most kapis handler errors; router misses
  (``404: Page Not Found``) have no newline.
"""

from .messages import Response, TEXT_TYPE, json_response, text_response

_OMIT = object()

PAGE_NOT_FOUND = "404: Page Not Found"
KUBE_PAGE_NOT_FOUND = "404 page not found\n"
METHOD_NOT_ALLOWED = "405: Method Not Allowed"
UNSUPPORTED_MEDIA_TYPE = "415: Unsupported Media Type"
NOT_ACCEPTABLE = "406: Not Acceptable\n\nAvailable representations: application/json"


class ApiError(Exception):
    """A Kubernetes-style failure (code, reason, message, optional details)."""

    def __init__(self, code, reason, message, details=_OMIT):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def to_status(self):
        return status_response(self.code, self.reason, self.message, self.details)

    def to_text(self, code=None):
        """How kapis handlers report it: the message as plain text."""
        return plain_text(code or self.code, self.message)


def status_body(code, reason, message, details=_OMIT):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details is not _OMIT and details is not None:
        body["details"] = details
    body["code"] = code
    return body


def status_response(code, reason, message, details=_OMIT):
    return json_response(status_body(code, reason, message, details), code)


def success_status(details):
    """What kube-apiserver answers for a DELETE that removed the object at once."""
    return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success", "details": details})


def err_status_response(code, reason, message):
    """The multi-cluster dispatcher writes the Status struct wrapped, without a kind."""
    return json_response({"ErrStatus": {"metadata": {}, "status": "Failure", "message": message,
                                        "reason": reason, "code": code}}, code)


def oauth_error_response(code, error, description):
    return json_response({"error": error, "error_description": description}, code)


def plain_text(code, message, newline=True):
    """Go's http.Error: the text plus a newline."""
    return text_response(code, message + ("\n" if newline else ""))


def router_text(code, message):
    """go-restful's own answers have no trailing newline."""
    return Response(code, message, TEXT_TYPE)


# ---- constructors for the common Kubernetes failures -------------------------

def _details(kind, name=None, by_kind=False):
    details = {}
    if name is not None:
        details["name"] = name
    if kind.group:
        details["group"] = kind.group
    details["kind"] = kind.kind if by_kind else kind.plural
    return details


def qualified(kind, by_kind=False):
    """users.iam.kubesphere.io (what kube-apiserver says) or User.iam.kubesphere.io
    (what the controller-runtime cache and CRD schema validation say)."""
    base = kind.kind if by_kind else kind.plural
    return f"{base}.{kind.group}" if kind.group else base


def not_found(kind, name, by_kind=False, lower_kind=False):
    """lower_kind: the informer listers' text on 3.x ('user.iam...' where 4.x says 'User.iam...');
    the caller asks its app's profile (RequestContext.lister_not_found)."""
    qualified_kind = qualified(kind, by_kind)
    if by_kind and lower_kind:
        kind_part, _dot, group = qualified_kind.partition(".")
        qualified_kind = kind_part.lower() + _dot + group
    return ApiError(404, "NotFound", f'{qualified_kind} "{name}" not found',
                    _details(kind, name))


def already_exists(kind, name):
    return ApiError(409, "AlreadyExists", f'{qualified(kind)} "{name}" already exists',
                    _details(kind, name))


def conflict(kind, name, detail=None):
    detail = detail or ("the object has been modified; please apply your changes "
                        "to the latest version and try again")
    return ApiError(409, "Conflict",
                    f'Operation cannot be fulfilled on {qualified(kind)} "{name}": {detail}',
                    _details(kind, name))


def invalid(kind, name, causes, by_kind=True):
    """causes: (field, value_repr, detail, reason) tuples; value_repr None means
    a 'Required value' style cause without 'Invalid value: ...'."""
    parts, cause_list = [], []
    for field, value, detail, reason in causes:
        text = detail if value is None else f"Invalid value: {value}: {detail}"
        parts.append(f"{field}: {text}")
        cause_list.append({"reason": reason, "message": text, "field": field})
    joined = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details = _details(kind, name, by_kind=by_kind)
    details["causes"] = cause_list
    return ApiError(422, "Invalid", f'{qualified(kind, by_kind)} "{name}" is invalid: {joined}',
                    details)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def webhook_denied(webhook, message):
    return ApiError(403, "Forbidden",
                    f'admission webhook "{webhook}" denied the request: {message}')


def forbidden(kind, name, message):
    prefix = f'{qualified(kind)} "{name}"' if name else qualified(kind)
    return ApiError(403, "Forbidden", f"{prefix} is forbidden: {message}", _details(kind, name))


def method_not_supported(kind):
    return ApiError(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                    {"group": kind.group, "kind": kind.plural} if kind.group else {"kind": kind.plural})


def unsupported_media_type(accepted):
    return ApiError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: "
                    + ", ".join(accepted))


def unauthorized(message, prefix=""):
    """prefix: the profile's unauthorized_prefix ("Unauthorized: " on 3.x)."""
    return ApiError(401, "Unauthorized", prefix + message)


def internal_error(message):
    return ApiError(500, "InternalError", message)
