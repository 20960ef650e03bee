"""The route table for everything that is not /api or /apis. A route is a small
function registered with a path template::

    from emulator.routes.router import kapi

    @kapi("GET", "/kapis/iam.kubesphere.io/v1beta1/users/{name}")
    def get_user(ctx):
        user = ctx.view().get(USER, ctx.params["name"])
        if user is None:
            raise ctx.lister_not_found(USER, ctx.params["name"])  # -> 404 text
        return public(user)           # dict/list -> 200 JSON

A handler returns a Response, or JSON-able data (200), and raises
errors.ApiError (or context.text_error) to answer with plain text. Like
go-restful: a path that matches no template is 404 ("404: Page Not Found",
after the v4 generic kapis handler had its chance), a known path with another
method is 405, a kapis route answers 406 when the client does not accept JSON,
and a route declared with consumes=[...] answers 415 for other content types.
"""

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from .. import errors
from ..messages import Response, json_response


@dataclass
class Route:
    method: str
    template: str
    parts: Tuple[str, ...]
    handler: Callable
    consumes: Optional[Tuple[str, ...]]

    def match(self, parts):
        if len(parts) != len(self.parts):
            return None
        params = {}
        for want, got in zip(self.parts, parts):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params

    @property
    def literal_count(self):
        return sum(1 for p in self.parts if not p.startswith("{"))


class RouteTable:
    def __init__(self):
        self.routes = []

    def add(self, method, template, handler, consumes=None):
        parts = tuple(template.strip("/").split("/"))
        self.routes.append(Route(method.upper(), template, parts, handler,
                                 tuple(consumes) if consumes else None))
        # Literal segments win over parameters, like go-restful's router.
        self.routes.sort(key=lambda r: -r.literal_count)

    def find(self, method, path):
        """(route, params), or (None, 404|405)."""
        parts = tuple(path.strip("/").split("/"))
        method = "GET" if method == "HEAD" else method
        path_known = False
        for route in self.routes:
            params = route.match(parts)
            if params is None:
                continue
            path_known = True
            if route.method == method:
                return route, params
        return None, (405 if path_known else 404)


ROUTES = RouteTable()


def kapi(method, template, consumes=None):
    """Register a handler for METHOD template (also used for /oauth, /version...)."""
    def register(handler):
        ROUTES.add(method, template, handler, consumes)
        return handler
    return register


def accepts_json(accept_header):
    if not accept_header:
        return True
    for item in accept_header.split(","):
        media = item.split(";", 1)[0].strip().lower()
        if media in ("*/*", "application/*", "application/json", ""):
            return True
    return False


def serve(ctx, fallback=None):
    """Run the matching route. fallback(ctx) may answer paths no route knows."""
    route, found = ROUTES.find(ctx.req.method, ctx.path)
    if route is None:
        if found == 404 and fallback is not None:
            answer = fallback(ctx)
            if answer is not None:
                return answer
        if found == 405:
            return errors.router_text(405, errors.METHOD_NOT_ALLOWED)
        return errors.router_text(404, errors.PAGE_NOT_FOUND)
    if ctx.path.startswith("/kapis/") and not accepts_json(ctx.req.header("accept")):
        return errors.router_text(406, errors.NOT_ACCEPTABLE)
    if route.consumes and ctx.req.content_type not in route.consumes:
        return errors.router_text(415, errors.UNSUPPORTED_MEDIA_TYPE)
    ctx.params = found
    return run_handler(route.handler, ctx)


def run_handler(handler, ctx):
    try:
        result = handler(ctx)
    except errors.ApiError as exc:
        return exc.to_text()
    return as_response(result)


def as_response(result):
    if isinstance(result, Response):
        return result
    return json_response(result)
