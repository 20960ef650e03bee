"""Decide whether a user may make a request.

Sources of permission, any of which allows:
1. ``rules`` of every GlobalRole bound to the user (GlobalRoleBindings with a
   User subject, or a Group subject such as system:authenticated);
2. Python rules attached to a role name with ``@role_override("role")`` (the
   real server expresses these in Rego, e.g. "a user may read their own user");
3. authorizers added with ``register_authorizer`` (workspace and project roles
   come in this way). An authorizer is ``fn(app, user, info) -> bool``::

       @register_authorizer
       def workspace_roles(app, user, info):
           return info.workspace == "demo" and user.name == "alice"
"""

from .. import errors
from ..kinds.iam import GLOBAL_ROLE, GLOBAL_ROLE_BINDING
from ..store import register_index
from .rules import rule_allows

_OVERRIDES = {}
_AUTHORIZERS = []

# Paths ks-apiserver never authorizes.
_OPEN_PREFIXES = ("/oauth/", "/dist/")
_OPEN_PATHS = {"/.well-known/openid-configuration", "/version", "/metrics", "/livez", "/healthz",
               "/openapi/v2", "/openapi/v3"}


def _subjects(binding):
    return [f"{s.get('kind')}:{s.get('name')}" for s in binding.get("subjects") or [] if isinstance(s, dict)]


register_index("subject", _subjects)


def role_override(role_name):
    def register(fn):
        _OVERRIDES.setdefault(role_name, []).append(fn)
        return fn
    return register


def register_authorizer(fn):
    _AUTHORIZERS.append(fn)
    return fn


def is_open_path(path, profile=None):
    """profile (emulator/profiles.py): the line decides which version endpoint is open."""
    return path in (profile.open_paths if profile else _OPEN_PATHS) or path.startswith(_OPEN_PREFIXES)


class Authorizer:
    def __init__(self, app):
        self.app = app

    def global_roles(self, user):
        """Names of the GlobalRoles bound to the user or to one of its groups."""
        view = self.app.api.view(self.app.host)
        names = []
        for subject in [f"User:{user.name}"] + [f"Group:{group}" for group in user.groups]:
            for binding in view.list(GLOBAL_ROLE_BINDING, index=("subject", subject), copy=False):
                role = (binding.get("roleRef") or {}).get("name")
                if role and role not in names:
                    names.append(role)
        return names

    def allowed(self, user, info, overrides=True):
        """overrides=False: only the rules of the user's GlobalRoles count."""
        view = self.app.api.view(self.app.host)
        for role_name in self.global_roles(user):
            role = view.get(GLOBAL_ROLE, role_name)
            if role and any(rule_allows(rule, info) for rule in role.get("rules") or []):
                return True
            if overrides and any(fn(user, info) for fn in _OVERRIDES.get(role_name, ())):
                return True
        return overrides and any(fn(self.app, user, info) for fn in _AUTHORIZERS)


def forbidden_response(user, info):
    """The 403 Status kube's authorization filter writes."""
    if not info.is_resource:
        return errors.status_response(
            403, "Forbidden", f'forbidden: User "{user.name}" cannot {info.method} path "{info.path}"', {})
    resource = info.resource + ("/" + info.subresource if info.subresource else "")
    qualified = f"{info.resource}.{info.api_group}" if info.api_group else info.resource
    prefix = f'{qualified} "{info.name}"' if info.name else qualified
    scope = f'in the namespace "{info.namespace}"' if info.namespace else "at the cluster scope"
    message = (f'{prefix} is forbidden: User "{user.name}" cannot {info.verb} resource "{resource}" '
               f'in API group "{info.api_group}" {scope}')
    details = {}
    if info.name:
        details["name"] = info.name
    if info.api_group:
        details["group"] = info.api_group
    details["kind"] = info.resource
    return errors.status_response(403, "Forbidden", message, details)
