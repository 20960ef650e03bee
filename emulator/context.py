"""Everything a handler needs to answer one request."""

from . import errors, gojson
from .authz.request_info import resource_info


def text_error(code, message):
    """A kapis handler failure reported as plain text (Go's http.Error)."""
    return errors.ApiError(code, "", message)


class RequestContext:
    def __init__(self, app, request, user, cluster, path):
        self.app = app
        self.req = request
        self.user = user
        self.cluster = cluster          # the target cluster after /clusters/{c} dispatch
        self.path = path                # the path with any cluster prefix removed
        self.params = {}                # path template values of the matched route
        self.info = None                # authz.request_info.RequestInfo (None on open paths)

    @property
    def api(self):
        return self.app.api

    @property
    def settings(self):
        return self.app.settings

    @property
    def on_host(self):
        return self.cluster == self.app.host

    def lister_not_found(self, kind, name):
        """The informer lister's 404 ('User.iam... not found'), worded as this app's line words it."""
        return errors.not_found(kind, name, by_kind=True, lower_kind=self.app.profile.lister_kind_lower)

    def view(self, cached=True):
        """kapis handlers read through the (lagging) informer cache by default."""
        return self.app.api.cached_view(self.cluster) if cached else self.app.api.view(self.cluster)

    def arg(self, name, default=None):
        return self.req.arg(name, default)

    def json_body(self, go_type=None, expect=None):
        """The JSON body as go-restful's ReadEntity decodes it; failures are
        400 plain text. `expect` (dict or list) checks the top-level type and
        reports it with `go_type` like encoding/json does."""
        content_type = self.req.content_type
        if not (content_type == "application/json" or content_type.endswith("+json")):
            raise text_error(400, "[ServiceError:400] Unable to unmarshal content of type:"
                             + (self.req.header("content-type") or ""))
        try:
            body = gojson.loads(self.req.body)
        except gojson.GoJSONError as exc:
            raise text_error(400, str(exc)) from None
        if expect is not None and not isinstance(body, expect):
            raise text_error(400, str(gojson.type_mismatch(body, go_type or "object")))
        return body

    def allowed(self, verb, resource, group="", name="", subresource="", namespace="", kubernetes=False):
        """Would the authorizer let this user do that? (for handler-level checks)"""
        info = resource_info(verb, group, resource, name, subresource, namespace, kubernetes)
        return self.app.authorizer.allowed(self.user, info)

    def granted_globally(self, verb, resource, group=""):
        """Does one of the user's GlobalRoles grant it by its rules? A handler that filters what it
        lists asks this, not allowed(): the overrides that let everyone reach it must not count."""
        return self.app.authorizer.allowed(self.user, resource_info(verb, group, resource), overrides=False)
