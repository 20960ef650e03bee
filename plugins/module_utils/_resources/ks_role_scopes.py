# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The four scopes of a KubeSphere role, described once: what the role is called, where it is written
(/apis), where ks-apiserver serves it (/kapis, inside its workspace or project), its RoleTemplates' scope
and its bindings. ks_role, ks_info, the references, the export and ks_tenancy all read this table."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    APIS_IAM,
    KAPIS_IAM,
    WORKSPACE_LABEL,
)


class Scope(object):
    """Where a role of one scope lives, what it is called, and where its bindings are."""

    def __init__(self, kind, plural, template_scope, bindings, binding_selector=None, parent=None):
        self.kind = kind
        self.plural = plural
        self.template_scope = template_scope       # the RoleTemplates' iam.kubesphere.io/scope
        self.bindings = bindings                    # binding plural
        self.binding_selector = binding_selector    # label narrowing the binding list (workspace)
        self.parent = parent                        # "workspace" or "project": the kapis path goes through it

    def kapis_collection(self, workspace=None, project=None):
        """Where ks-apiserver lists the scope's roles (the workspace's or project's, for those scopes); the
        arguments may be format fields such as "{workspace}"."""
        if self.parent == "workspace":
            return "%s/workspaces/%s/%s" % (KAPIS_IAM, workspace, self.plural)
        if self.parent == "project":
            return "%s/namespaces/%s/%s" % (KAPIS_IAM, project, self.plural)
        return "%s/%s" % (KAPIS_IAM, self.plural)


SCOPES = {
    "global": Scope("GlobalRole", "globalroles", "global", "globalrolebindings"),
    "cluster": Scope("ClusterRole", "clusterroles", "cluster", "clusterrolebindings"),
    "workspace": Scope("WorkspaceRole", "workspaceroles", "workspace", "workspacerolebindings", WORKSPACE_LABEL,
                       parent="workspace"),
    "project": Scope("Role", "roles", "namespace", "rolebindings", parent="project"),
}
SCOPE_NAMES = tuple(SCOPES)


def scope_collection(scope, plural, project=None):
    """Where roles (or, given their plural, bindings) of a scope are written: the CRDs under /apis."""
    if scope == "project":
        return "%s/namespaces/%s/%s" % (APIS_IAM, project, plural)
    return "%s/%s" % (APIS_IAM, plural)
