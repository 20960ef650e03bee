#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_project
short_description: Manage KubeSphere projects (namespaces in a workspace) and their members
version_added: 0.1.0
description:
  - Creates, updates and deletes a KubeSphere project, a namespace that belongs to a workspace on one cluster, and
    who is a member of it with which project role.
  - A project is always created with the label C(kubesphere.io/managed=true); without it KubeSphere creates no
    project roles and members cannot be added.
  - A project of the same name in another workspace is an error that names both workspaces; projects are never
    moved between workspaces.
  - A namespace of that name that belongs to no workspace (made with C(kubectl), for example) is an error too,
    unless O(adopt=true) brings it into O(workspace).
  - Deletion is asynchronous; with O(wait=true) the module waits until the namespace is gone.
# The options are kubesphere.core.items.project, shared word for word with ks_tenancy's projects items.
extends_documentation_fragment:
  - kubesphere.core.items.project
  - kubesphere.core.connection
  - kubesphere.core.attributes
  - kubesphere.core.protection
  - kubesphere.core.references
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: The payments API project, on the host cluster
  kubesphere.core.ks_project:
    name: payments-api
    workspace: payments
    alias_name: Payments API
    members:
      - {user: bob, role: operator}
      - {user: carol, role: viewer}

- name: Quota and default container limits (500m is the same as 0.5 on the next run)
  kubesphere.core.ks_project:
    name: payments-api
    workspace: payments
    quota:
      limits.cpu: 4
      limits.memory: 8Gi
      pods: 50
    default_limits:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {cpu: 500m, memory: 512Mi}
    network_isolation: true

- name: A project on member1
  kubesphere.core.ks_project:
    name: payments-batch
    workspace: payments
    cluster: member1

- name: Bring a namespace made with kubectl into the payments workspace
  kubesphere.core.ks_project:
    name: legacy-reports
    workspace: payments
    adopt: true
    members:
      - {user: bob, role: admin}

- name: Remove it and wait until the namespace is gone
  kubesphere.core.ks_project:
    name: payments-batch
    cluster: member1
    state: absent
    wait: true
"""

RETURN = r"""
project:
  description: The Namespace as KubeSphere returned it (in check mode, as it would be).
  returned: when O(state=present), and on delete without O(wait)
  type: dict
  sample:
    metadata:
      name: payments-api
      labels: {kubesphere.io/workspace: payments, kubesphere.io/managed: "true"}
quota:
  description: The project's ResourceQuota after the run (in check mode, as it would be; null when there is none).
  returned: when O(quota) is given
  type: dict
  sample: {metadata: {name: payments-api}, spec: {hard: {limits.cpu: "4", pods: "50"}}}
default_limits:
  description: The project's LimitRange after the run (in check mode, as it would be).
  returned: when O(default_limits) is given
  type: dict
  sample: {spec: {limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}}]}}
members:
  description: The members after the run, as C(user) and C(role).
  returned: when O(members) is given or O(purge_members=true)
  type: list
  elements: dict
  sample: [{user: admin, role: admin}, {user: bob, role: operator}]
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, references_options, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import PROJECT_OPTIONS, ProjectResource


def main():
    module = KubeSphereModule(argument_spec=dict(PROJECT_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, ProjectResource)


if __name__ == "__main__":
    main()
