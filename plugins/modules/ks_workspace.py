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
options:
  name:
    description: The workspace name, a DNS-1123 label.
    type: str
    required: true
  state:
    description: Whether the workspace should exist.
    type: str
    default: present
    choices: [present, absent]
  manager:
    description:
      - The user who manages the workspace. When creating without it, the connecting user (O(ks_username)) is used.
      - Changing it on an existing workspace makes the new manager a workspace admin; the previous manager keeps
        their membership.
    type: str
  alias_name:
    description: The display name (annotation C(kubesphere.io/alias-name)).
    type: str
  description:
    description: The description (annotation C(kubesphere.io/description)).
    type: str
  clusters:
    description:
      - The clusters the workspace is placed on, by name. Compared without order.
      - When creating without it, the workspace is placed on the host cluster.
    type: list
    elements: str
  labels:
    description: Labels to set on the workspace. Labels not named here are left alone.
    type: dict
  members:
    description:
      - Members and their workspace role. Members not listed are left alone unless O(purge_members=true).
      - A user has one role per workspace; listing a member with another role changes it.
    type: list
    elements: dict
    suboptions:
      user:
        description: The user name.
        type: str
        required: true
      role:
        description:
          - V(admin), V(regular), V(self-provisioner) or V(viewer) (the built-in roles, named C({workspace}-{role})
            or, when that would pass 63 characters, C({role}.{hash})), or the full name of another WorkspaceRole.
        type: str
        required: true
  purge_members:
    description: Remove members not listed in O(members). The workspace manager is never removed.
    type: bool
    default: false
  quota:
    description:
      - The workspace's hard limits, resource name to quantity (for example C(limits.cpu), C(requests.memory),
        C(pods)), in the workspace quota KubeSphere keeps for it (a C(quota.kubesphere.io) ResourceQuota named
        after the workspace, as the console creates it). It caps the sum over all the workspace's projects.
      - Quantities are validated and compared by value (V(1000m) equals V(1), V(1Gi) equals V(1024Mi)).
      - Resource names are checked before any write as Kubernetes checks a ResourceQuota's, so that a misspelt
        one such as C(limits.cpus), which KubeSphere would store and never enforce, fails the task.
      - Resources not named are left alone unless O(purge_quota=true).
    type: dict
  purge_quota:
    description:
      - Remove the resources not named in O(quota) from it. With an empty O(quota), the quota object is deleted.
    type: bool
    default: false
  network_isolation:
    description:
      - Whether the workspace's projects are network-isolated from other workspaces, set as the KubeSphere console
        sets it (annotation C(kubesphere.io/network-isolate) V(enabled) or V(disabled), on the template every
        placed cluster's Workspace is built from). Not managed when omitted.
      - B(What it does not do by itself.) KubeSphere v4.1 core only stores it; the NetworkPolicies that enforce it
        come from the network extension. Without that extension installed, no traffic is blocked.
    type: bool
  delete_projects:
    description:
      - With O(state=absent), delete the workspace's projects too (propagation policy C(Background)). By default
        they are kept and only unbound from the workspace, as KubeSphere does.
    type: bool
    default: false
  wait:
    description:
      - On create, wait until KubeSphere has initialised the workspace (its roles and the manager's binding).
      - On delete, wait until the workspace is gone.
      - With O(state=present), a workspace still being deleted is waited out and created again;
        without O(wait) that is an error, never reported as present.
    type: bool
    default: false
  wait_timeout:
    description: How long to wait, in seconds.
    type: float
    default: 300
extends_documentation_fragment:
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
from ansible_collections.kubesphere.core.plugins.module_utils.ks_workspace import WORKSPACE_OPTIONS, WorkspaceResource


def main():
    module = KubeSphereModule(argument_spec=dict(WORKSPACE_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, WorkspaceResource)


if __name__ == "__main__":
    main()
