#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_workspace
short_description: Manage KubeSphere workspaces, their placement and their members
version_added: 0.1.0
description:
  - Creates, updates and deletes a KubeSphere workspace (C(tenant.kubesphere.io/v1beta1) WorkspaceTemplate), the
    clusters it is placed on, and who is a member with which workspace role.
  - Only the options given are managed; everything else on the workspace is left as it is. The workspace is read
    first (KubeSphere answers 400, not 409, to a duplicate create); updates are JSON Patch operations for the
    changed fields only.
  - Changing O(manager) of an existing workspace also makes the new manager a workspace admin through the members
    API, because KubeSphere v4 does not rebind the admin role when the manager changes.
  - Deleting a workspace keeps its projects (they are unbound from it) unless O(delete_projects=true). KubeSphere
    keeps a workspace in deletion while any cluster it is placed on is not Ready.
# The options are kubesphere.core.items.workspace, shared word for word with ks_tenancy's workspaces items.
extends_documentation_fragment:
  - kubesphere.core.items.workspace
  - kubesphere.core.connection
  - kubesphere.core.attributes
  - kubesphere.core.protection
  - kubesphere.core.references
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: A workspace for the payments team on the host and member1
  kubesphere.core.ks_workspace:
    name: payments
    manager: alice
    alias_name: Payments
    description: The payments team
    clusters: [host, member1]
    labels:
      team: payments
    members:
      - {user: bob, role: regular}
      - {user: carol, role: viewer}

- name: Cap the workspace and isolate it (the network extension enforces isolation)
  kubesphere.core.ks_workspace:
    name: payments
    quota:
      limits.cpu: 16
      limits.memory: 32Gi
      requests.cpu: 8
    network_isolation: true

- name: Exactly these members (others are removed, never the manager)
  kubesphere.core.ks_workspace:
    name: payments
    members:
      - {user: bob, role: admin}
    purge_members: true

- name: Remove the workspace and its projects, and wait until it is gone
  kubesphere.core.ks_workspace:
    name: payments
    state: absent
    delete_projects: true
    wait: true
    wait_timeout: 120
"""

RETURN = r"""
workspace:
  description: The WorkspaceTemplate as KubeSphere returned it (in check mode, as it would be).
  returned: when O(state=present), and on delete without O(wait)
  type: dict
  sample:
    metadata:
      name: payments
      annotations: {kubesphere.io/alias-name: Payments}
    spec:
      template: {spec: {manager: alice}}
      placement: {clusters: [{name: host}]}
quota:
  description: The workspace quota object after the run (in check mode, as it would be; null when there is none).
  returned: when O(quota) is given
  type: dict
  sample: {metadata: {name: payments}, spec: {quota: {hard: {limits.cpu: "16"}}}}
members:
  description: The members after the run, as C(user) and full C(role) names, when O(members) was given.
  returned: when O(members) is given or O(purge_members=true)
  type: list
  elements: dict
  sample: [{user: alice, role: payments-admin}, {user: bob, role: payments-regular}]
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, references_options, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WORKSPACE_OPTIONS, WorkspaceResource


def main():
    module = KubeSphereModule(argument_spec=dict(WORKSPACE_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, WorkspaceResource)


if __name__ == "__main__":
    main()
