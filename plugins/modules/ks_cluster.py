#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_cluster
short_description: Join, update and unjoin KubeSphere member clusters
version_added: 0.2.0
description:
  - Joins a Kubernetes cluster to KubeSphere 4 as a member (C(cluster.kubesphere.io/v1alpha1) Cluster), keeps its
    description, group, visibility, KubeSphere cluster labels, the workspaces that may use it and the values of
    its ks-core, and unjoins it.
  - A join first asks KubeSphere's own validation, as the console does (the cluster answers, is not already a
    member under any name, is not managed by another host); its refusal fails the task with KubeSphere's words
    before anything is written, in C(--check) too. KubeSphere then installs ks-core into the member with Helm and
    sets the condition C(Ready), which O(wait=true) waits for.
  - The kubeconfig is compared as the cluster its current context reaches and the credentials it holds, not as
    text, so the same kubeconfig under other names changes nothing. A new credential for the same cluster is sent
    through KubeSphere's kubeconfig API, which refuses a kubeconfig of another cluster (C(--check) asks the
    validation to predict that). The kubeconfig is never shown, in results, diffs or logs.
  - The connection is C(direct) (the host reaches the member's kube-apiserver); C(proxy) connections need the
    tower extension, which KubeSphere 4.1's core does not have.
  - O(state=absent) unjoins the cluster. KubeSphere takes it out of every workspace's placement, removes the
    workspaces' copies from the member, and leaves ks-core and the projects in the member. The host cluster is
    refused (it is protected), and so is a cluster that workspaces or projects still use (the task names them)
    unless O(allow_in_use=true).
  - Needs KubeSphere 4.x; 3.x joins members through kubefed and its own agent.
options:
  name:
    description: The cluster's name in KubeSphere (a DNS-1123 label), also how requests reach it (C(/clusters/<name>)).
    type: str
    required: true
  state:
    description:
      - V(present) joins the cluster or brings it to the given options; V(absent) unjoins it.
    type: str
    default: present
    choices: [present, absent]
  kubeconfig:
    description:
      - The member's kubeconfig (cluster-admin on the member), as its content or as the path of a file where the
        module runs (the controller, for a play on localhost). KubeSphere uses its current context.
      - Required to join. Later, a kubeconfig with another credential for the same cluster replaces the stored one;
        a kubeconfig of another cluster is refused.
      - Never shown, in results, diffs or logs (diffs show C(********), or C(******** (changed))).
    type: str
  description:
    description: The cluster's description (annotation C(kubesphere.io/description)).
    type: str
  provider:
    description: Where the cluster runs, as free text (C(spec.provider)); a join without it sets V(kubesphere).
    type: str
  group:
    description:
      - The cluster's group, what the console calls its tag (label C(cluster.kubesphere.io/group)); the console
        offers V(production), V(development), V(testing) and V(demo), any label value is kept.
    type: str
  visibility:
    description:
      - V(public) lets any workspace manager place a workspace on the cluster; V(private) (KubeSphere's default)
        only those allowed to (label C(cluster.kubesphere.io/visibility)).
    type: str
    choices: [public, private]
  labels:
    description:
      - KubeSphere cluster labels (Cluster settings > Labels), as key and value. Each pair is a Label object of
        KubeSphere, made when missing and bound to the cluster; a key given with another value is rebound to the
        Label of the new value. No Label is ever deleted (other clusters may carry it).
      - Labels the cluster has and the task does not name are kept, unless O(purge_labels=true).
    type: dict
  purge_labels:
    description: Unbind the cluster labels not in O(labels).
    type: bool
    default: false
  workspaces:
    description:
      - The workspaces that may use the cluster (the cluster is in their placement), added through KubeSphere's
        grant requests. Each must exist (or be named in O(assume_present)). C(system-workspace), placed on every
        cluster, is never counted.
      - Workspaces placed on the cluster and not named are kept, unless O(purge_workspaces=true).
    type: list
    elements: str
  purge_workspaces:
    description:
      - Take the cluster from the workspaces not in O(workspaces). Refused while those workspaces still have
        projects in the cluster, unless O(allow_in_use=true).
    type: bool
    default: false
  config:
    description:
      - Helm values for the member's ks-core (C(spec.config)), compared as values. A change makes KubeSphere
        upgrade ks-core in the member; O(wait=true) waits until it has.
    type: dict
  allow_in_use:
    description:
      - Unjoin a cluster even though workspaces are placed on it or projects of workspaces are in it, and purge
        workspaces whose projects are in it. KubeSphere then takes it from those workspaces; the projects stay in
        the member without KubeSphere.
    type: bool
    default: false
  wait:
    description:
      - Wait until the cluster is C(Ready) (and, for a member, ks-core installed with the current O(config)), or
        gone for O(state=absent). A run that changes nothing waits too when the cluster is not C(Ready).
      - KubeSphere may report C(Ready=False) for a few seconds while the member's ks-apiserver starts; the wait
        goes on until O(wait_timeout) and then fails with the last conditions.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait. A join takes from about ten seconds to a few minutes.
    type: float
    default: 300
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
  - kubesphere.core.protection
  - kubesphere.core.references
notes:
  - The kubeconfig file is read by the module, where the task runs; for a play on localhost that is the controller.
seealso:
  - module: kubesphere.core.ks_info
  - plugin: kubesphere.core.ks_clusters
    plugin_type: inventory
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Join edge-1 and wait until KubeSphere says Ready
  kubesphere.core.ks_cluster:
    name: edge-1
    kubeconfig: ~/.kube/edge-1.yaml
    description: Edge cluster in the first data centre
    group: production
    labels:
      region: eu-west
    workspaces: [payments]
    wait: true
    wait_timeout: 600

- name: Exactly these labels and workspaces
  kubesphere.core.ks_cluster:
    name: edge-1
    labels: {region: eu-west, tier: gold}
    purge_labels: true
    workspaces: [payments, search]
    purge_workspaces: true

- name: A new credential for the same cluster (sent through the kubeconfig API)
  kubesphere.core.ks_cluster:
    name: edge-1
    kubeconfig: "{{ lookup('ansible.builtin.file', 'edge-1-rotated.yaml') }}"
    wait: true

- name: Unjoin it, though workspaces still use it
  kubesphere.core.ks_cluster:
    name: edge-1
    state: absent
    allow_in_use: true
    wait: true
"""

RETURN = r"""
cluster:
  description:
    - The Cluster as KubeSphere returned it, without its kubeconfig (after a wait, as last read; in check mode, as
      it would be sent). Null once unjoined and waited for.
  returned: always
  type: dict
  sample:
    apiVersion: cluster.kubesphere.io/v1alpha1
    kind: Cluster
    metadata:
      name: edge-1
      labels: {cluster.kubesphere.io/group: production}
    spec:
      provider: kubesphere
      connection: {type: direct, kubernetesAPIEndpoint: "https://10.0.0.5:6443"}
    status:
      kubernetesVersion: v1.30.4
      kubeSphereVersion: v4.1.3
      conditions:
        - {type: Ready, status: "True", message: Cluster is available now}
labels:
  description: The cluster's KubeSphere cluster labels after the run, key to value.
  returned: when O(labels) is given or O(purge_labels=true)
  type: dict
  sample: {region: eu-west, tier: gold}
workspaces:
  description: The workspaces placed on the cluster after the run (C(system-workspace) left out).
  returned: when O(workspaces) is given or O(purge_workspaces=true)
  type: list
  elements: str
  sample: [payments, search]
conditions:
  description: On a wait that ran out, the cluster's last conditions (type, status, message).
  returned: failure
  type: list
  elements: dict
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import (
    CLUSTER_OPTIONS,
    ClusterResource,
    cluster_secrets,
)


def main():
    module = KubeSphereModule(argument_spec=CLUSTER_OPTIONS, secrets=cluster_secrets, supports_check_mode=True)
    run_resource(module, ClusterResource)


if __name__ == "__main__":
    main()
