"""Authorization: KubeSphere RBAC over GlobalRoles (and, through
register_authorizer, workspace and project roles)."""
