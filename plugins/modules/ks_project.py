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
options:
  name:
    description: The project (namespace) name, a DNS-1123 label.
    type: str
    required: true
  workspace:
    description: The workspace the project belongs to. Required with O(state=present).
    type: str
  cluster:
    description: The cluster the project lives on. V(host) or omitted means the host cluster.
    type: str
  state:
    description: Whether the project should exist.
    type: str
    default: present
    choices: [present, absent]
  alias_name:
    description: The display name (annotation C(kubesphere.io/alias-name)).
    type: str
  description:
    description: The description (annotation C(kubesphere.io/description)).
    type: str
  labels:
    description: Labels to set on the namespace. Labels not named here are left alone.
    type: dict
  adopt:
    description:
      - Bring an existing namespace that belongs to no workspace into O(workspace), as the console's
        "assign to workspace" does; its content is kept.
      - The namespace gets the labels C(kubesphere.io/workspace) and C(kubesphere.io/managed=true) (KubeSphere then
        creates the project roles, so members can be added in the same task) and the label
        C(app.kubernetes.io/managed-by=kubesphere.core).
      - A namespace of another workspace is never moved, and Kubernetes' and KubeSphere's own namespaces
        (C(kube-*), C(kubesphere-*), C(default)) are never adopted.
      - Without it such a namespace is an error that says how to adopt it.
    type: bool
    default: false
  members:
    description:
      - Members and their project role. Members not listed are left alone unless O(purge_members=true).
    type: list
    elements: dict
    suboptions:
      user:
        description: The user name.
        type: str
        required: true
      role:
        description: V(admin), V(operator), V(viewer), or the name of a custom project role.
        type: str
        required: true
  purge_members:
    description: Remove members not listed in O(members).
    type: bool
    default: false
  quota:
    description:
      - The project's hard limits, resource name to quantity (for example C(limits.cpu), C(requests.memory),
        C(pods), C(count/deployments.apps)), in the ResourceQuota named after the project, as the console creates it.
      - Quantities are validated and compared by value (V(1000m) equals V(1), V(1Gi) equals V(1024Mi)).
      - Resource names are checked before any write as Kubernetes checks them (it refuses a misspelt one such
        as C(limits.cpus) or C(cpuu) with HTTP 422).
      - Resources not named are left alone unless O(purge_quota=true).
      - A quota larger than the workspace's quota is accepted by KubeSphere and reported as a warning; the
        workspace quota still caps what the project's pods may use.
    type: dict
  purge_quota:
    description:
      - Remove the resources not named in O(quota) from it. With an empty O(quota), the ResourceQuota is deleted.
    type: bool
    default: false
  default_limits:
    description:
      - The default container requests and limits of the project (what the console calls its default container
        quotas), that is the C(defaultRequest) and C(default) of the C(Container) item of the project's LimitRange. The
        console edits the project's first LimitRange, so that one is used; without one, a LimitRange named after
        the project is created.
      - Only the resources named are managed; quantities are compared by value. A request above its limit, or a
        resource a container cannot request (Kubernetes knows C(cpu), C(memory), C(ephemeral-storage),
        C(hugepages-<size>) and extended resources such as C(example.com/gpu)), fails before any write.
    type: dict
    suboptions:
      requests:
        description: Default requests, resource name to quantity, for example V(cpu) V(100m) and V(memory) V(128Mi).
        type: dict
      limits:
        description: Default limits, resource name to quantity, for example V(cpu) V(500m) and V(memory) V(512Mi).
        type: dict
  network_isolation:
    description:
      - Whether the project is network-isolated, set as the KubeSphere console sets it (annotation
        C(kubesphere.io/network-isolate) V(enabled) or V(disabled), by a merge patch). Not managed when omitted.
      - B(What it does not do by itself.) KubeSphere v4.1 core only stores it; the NetworkPolicies that enforce it
        come from the network extension. Without that extension installed, no traffic is blocked.
    type: bool
  wait:
    description:
      - On delete, wait until the namespace is gone.
      - With O(state=present), a project still being deleted (Terminating) is waited out and created again;
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
from ansible_collections.kubesphere.core.plugins.module_utils.ks_project import PROJECT_OPTIONS, ProjectResource


def main():
    module = KubeSphereModule(argument_spec=dict(PROJECT_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, ProjectResource)


if __name__ == "__main__":
    main()
