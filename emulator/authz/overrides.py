"""What the built-in "authenticated" GlobalRole grants beyond its rules (in the
real server, its iam.kubesphere.io/rego-override annotation)."""

from .authorizer import role_override

_READ = ("get", "list", "watch")


@role_override("authenticated")
def own_user(user, info):
    """Everyone may read and update their own user (and its subresources)."""
    return info.is_resource and info.resource == "users" and info.name == user.name


@role_override("authenticated")
def own_memberships(user, info):
    return (info.resource in ("clustermembers", "workspacemembers", "namespacemembers")
            and info.name == user.name and info.verb in _READ)


@role_override("authenticated")
def api_discovery(user, info):
    return not info.is_resource and info.path in ("/api", "/api/v1") and info.method == "GET"


@role_override("authenticated")
def tenant_reads(user, info):
    """kapis reads in tenant.kubesphere.io are filtered by the handlers instead."""
    return (info.is_resource and info.api_group == "tenant.kubesphere.io"
            and not info.kubernetes_request and info.verb in _READ)
