"""What every App Store handler shares: reading the JSON body as go-restful's ReadEntity does
(a failure is reported through requestDone, so as 500 text), typed answers, the success answer."""

from .. import errors
from ..context import text_error
from ..objects import go_ordered

BASE = "/kapis/application.kubesphere.io/v2"
SUCCESS = {"message": "success"}


def body(ctx):
    """The JSON object sent; a body that does not decode is a 500 (requestDone)."""
    try:
        return ctx.json_body(go_type="v2.Object", expect=dict)
    except errors.ApiError as exc:
        raise text_error(500, exc.message) from None


# The status fields Go always writes (no omitempty), by kind: a status never written still shows them.
_STATUS_ALWAYS = {"Repo": {"lastUpdateTime": None}, "Application": {"updateTime": None}, "ApplicationVersion": {},
                  "ApplicationRelease": {"state": "", "lastUpdate": None}, "Category": {"total": 0}}


def typed(obj):
    """An object as a typed client answers it (kind, apiVersion, metadata order, no managedFields)."""
    obj = go_ordered(obj)
    obj["metadata"].pop("managedFields", None)
    always = _STATUS_ALWAYS.get(obj.get("kind"))
    if always is not None:
        status = obj.setdefault("status", {})
        for key, value in always.items():
            status.setdefault(key, value)
    return obj


def routes(template, workspace=False, namespace=False):
    """The path templates a handler is registered under (register.go's funcInfo flags)."""
    found = [BASE + template]
    if workspace:
        found.append(BASE + "/workspaces/{workspace}" + template)
    if namespace:
        found.append(BASE + "/namespaces/{namespace}" + template)
    return found


def internal(exc):
    """requestDone: NotFound stays 404, anything else becomes 500; both plain text."""
    return text_error(404 if exc.code == 404 else 500, exc.message)
