#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_role
short_description: Manage custom KubeSphere roles built from role templates, at any scope
version_added: 0.2.0
description:
  - Creates, updates and deletes a custom role at one of KubeSphere's scopes, built from RoleTemplates by name
    (list them with M(kubesphere.core.ks_info) O(kubesphere.core.ks_info#module:kind=roletemplate)).
  - V(global) is a GlobalRole (platform role, usable as M(kubesphere.core.ks_user)'s
    O(kubesphere.core.ks_user#module:global_role)); V(cluster) an iam ClusterRole on one cluster; V(workspace) a
    WorkspaceRole of one workspace (labelled with it, so it can be bound); V(project) a Role in one project. Bind
    workspace and project roles with the O(kubesphere.core.ks_workspace#module:members) and
    O(kubesphere.core.ks_project#module:members) options, by the role's name.
  - Template names are checked before any write (KubeSphere silently drops names it does not know); an unknown
    name fails and lists the closest names of that scope.
  - B(Narrowing.) KubeSphere's aggregation controller only ever adds rules, so removing a template from the list
    would leave its permissions in place. Whenever O(templates) changes, this module writes the role's C(rules)
    as exactly the rules of the declared templates (and their Rego override, if one has it), in place; the role
    keeps its name and its bindings, and really loses what the removed templates granted.
  - Only the options given are managed. A role is compared on its template names, display name and description.
  - Deleting a role does not delete its bindings in KubeSphere, so O(state=absent) refuses to delete a role that is
    still bound, naming the bindings and who they bind, unless O(remove_bindings=true). KubeSphere keeps a deleted
    GlobalRole or WorkspaceRole until every member cluster is Ready.
# The options are kubesphere.core.items.role, shared word for word with ks_tenancy's roles items.
extends_documentation_fragment:
  - kubesphere.core.items.role
  - kubesphere.core.connection
  - kubesphere.core.attributes
  - kubesphere.core.protection
  - kubesphere.core.references
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: A platform auditor who can see users and workspaces
  kubesphere.core.ks_role:
    name: auditor
    scope: global
    alias_name: Auditor
    templates: [global-view-users, global-view-workspaces, global-view-roles]

- name: A release manager in the payments workspace (sees projects and members, manages nothing)
  kubesphere.core.ks_role:
    name: payments-release-manager
    scope: workspace
    workspace: payments
    templates: [workspace-view-projects, workspace-view-members]

- name: Deploy but not delete secrets, in one project
  kubesphere.core.ks_role:
    name: deployer
    scope: project
    project: payments-web
    templates: [namespace-manage-app-workloads, namespace-view-configmaps, namespace-view-secrets]

- name: Bind it like a built-in role
  kubesphere.core.ks_project:
    name: payments-web
    workspace: payments
    members:
      - {user: bob, role: deployer}

- name: Delete the role and the bindings that still use it
  kubesphere.core.ks_role:
    name: deployer
    scope: project
    project: payments-web
    state: absent
    remove_bindings: true
"""

RETURN = r"""
role:
  description: The role as KubeSphere returned it (in check mode, as it would be).
  returned: when O(state=present), and on delete without O(wait)
  type: dict
  sample:
    kind: WorkspaceRole
    metadata:
      name: payments-release-manager
      labels: {kubesphere.io/workspace: payments}
    aggregationRoleTemplates:
      templateNames: [workspace-view-members, workspace-view-projects]
removed_bindings:
  description: The names of the bindings deleted with the role (O(remove_bindings=true)).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [bob-deployer]
bound_to:
  description: On a refused delete, the subjects the role is still bound to.
  returned: on failure, when the role is still bound
  type: list
  elements: str
  sample: [User bob]
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, references_options, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role import ROLE_OPTIONS, RoleResource


def main():
    module = KubeSphereModule(argument_spec=dict(ROLE_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, RoleResource)


if __name__ == "__main__":
    main()
