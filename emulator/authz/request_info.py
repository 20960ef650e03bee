"""Request attributes as ks-apiserver's RequestInfoFactory derives them
(verb, API group, resource, subresource, name, namespace, workspace)."""

from dataclasses import dataclass

_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


@dataclass
class RequestInfo:
    path: str
    method: str
    verb: str
    is_resource: bool = False
    kubernetes_request: bool = False   # /api or /apis (proxied to kube-apiserver)
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    workspace: str = ""


def parse(method, path, query=None):
    method = "GET" if method == "HEAD" else method
    parts = [p for p in path.strip("/").split("/") if p]
    info = RequestInfo(path=path, method=method, verb=method.lower())
    if not parts or parts[0] not in ("api", "apis", "kapis", "kapi"):
        return info
    prefix, rest = parts[0], parts[1:]
    if prefix == "api":
        if len(rest) < 2:
            return info
        info.api_version, rest = rest[0], rest[1:]
    else:
        if len(rest) < 3:
            return info
        info.api_group, info.api_version, rest = rest[0], rest[1], rest[2:]
    info.is_resource = True
    info.kubernetes_request = prefix in ("api", "apis")
    if not info.kubernetes_request and rest[0] == "workspaces" and len(rest) > 1:
        info.workspace = rest[1]
        if len(rest) > 2:
            rest = rest[2:]
    if rest[0] == "namespaces" and len(rest) > 1:
        info.namespace = rest[1]
        if len(rest) > 2:
            rest = rest[2:]
    info.resource = rest[0]
    info.name = rest[1] if len(rest) > 1 else ""
    info.subresource = rest[2] if len(rest) > 2 else ""
    if method == "GET":
        watch = bool(query and (query.get("watch") or [""])[0] in ("true", "1"))
        info.verb = "watch" if watch else ("get" if info.name else "list")
    elif method == "DELETE":
        info.verb = "delete" if info.name else "deletecollection"
    else:
        info.verb = _VERBS.get(method, method.lower())
    return info


def resource_info(verb, group, resource, name="", subresource="", namespace="", kubernetes=False):
    """Attributes for asking the authorizer a question no request asked directly."""
    method = {"get": "GET", "list": "GET", "create": "POST", "update": "PUT", "patch": "PATCH",
              "delete": "DELETE"}.get(verb, verb.upper())
    return RequestInfo(path="", method=method, verb=verb, is_resource=True, kubernetes_request=kubernetes,
                       api_group=group, resource=resource, subresource=subresource, name=name,
                       namespace=namespace)
