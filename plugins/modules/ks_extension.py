#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_extension
short_description: Install, configure, upgrade, place, disable and remove KubeSphere extensions
version_added: 0.1.0
description:
  - Manages a KubeSphere 4 extension through its InstallPlan (C(kubesphere.io/v1alpha1)), the object whose name
    is the extension's name and through which KubeSphere installs, configures, upgrades, enables, disables and
    removes it. The InstallPlan controller runs Helm jobs and reports progress in the plan's status.
  - Before a plan is created or changed, the module reads the Extension and the ExtensionVersion
    C(<name>-<version>). It fails, listing the versions that exist, when the version is missing (a plan for a missing
    version never makes progress on a real server); it refuses O(clusters) and O(cluster_overrides) for a
    V(HostOnly) extension; and it reports required extension dependencies that are not installed. Nothing is
    sent in any of these cases.
  - Changes are merge patches of the plan's C(spec) only; the controller's C(status) is never written.
  - With O(wait=true) the task ends only when the plan reports the requested version, the hash of the requested
    config, the requested O(enabled) and the state V(Installed), on the host and on every cluster in O(clusters).
    Right after a change the previous V(Installed) is still visible for a moment, so the state alone is not
    enough. A V(InstallFailed), V(UpgradeFailed) or V(UninstallFailed) state for the requested spec, or the
    timeout, fails the task with the state, the conditions' messages, the Helm job's name and the target namespace.
  - A run that changes nothing but finds the plan not yet installed (an earlier run did not wait, or the plan
    failed) waits, or fails, the same way.
options:
  name:
    description:
      - The extension's name (for example V(whizard-monitoring)); also the name of its InstallPlan.
    type: str
    required: true
  version:
    description:
      - The exact version to install, for example V(1.1.0). Required when O(state=present).
      - Changing it upgrades (or downgrades) the extension.
    type: str
  state:
    description:
      - V(present) installs the extension or brings its plan to the given options.
      - V(absent) deletes the plan, which uninstalls the extension (its agents first).
    type: str
    default: present
    choices: [present, absent]
  enabled:
    description:
      - Whether the installed extension is enabled. A disabled extension stays installed (its Helm release is
        kept); only its UI and API entries are switched off.
    type: bool
    default: true
  config:
    description:
      - The extension's Helm values, as a YAML string or as a dict (rendered to YAML with sorted keys).
      - Trailing spaces on every line are removed, as the server's webhook does, so a value and what the server
        stores compare equal.
      - When omitted on creation, the plan has no C(spec.config) and the chart's defaults apply. When omitted
        later, the current config is left as it is; give V('') to go back to the defaults.
    type: raw
  clusters:
    description:
      - The clusters a V(Multicluster) extension's agent is placed on (C(spec.clusterScheduling.placement.clusters)),
        for example V([host, member1]). Compared without regard to order; removing a cluster uninstalls its agent.
      - Not allowed for V(HostOnly) extensions.
    type: list
    elements: str
  cluster_overrides:
    description:
      - Per-cluster Helm values merged over O(config) for that cluster's agent, as a dict from cluster name to a
        YAML string or a dict. Given, it replaces the whole set of overrides (clusters left out lose theirs).
      - Every cluster named here must also be in O(clusters) when O(clusters) is given.
    type: dict
  upgrade_strategy:
    description:
      - The plan's C(spec.upgradeStrategy). KubeSphere 4.1 does not act on V(Automatic); it is stored as given.
    type: str
    default: Manual
    choices: [Manual, Automatic]
  wait:
    description:
      - Wait until the requested spec is installed (O(state=present)) or the plan is gone (O(state=absent)).
      - The wait polls the plan first after 0.5 seconds, then 1.5 times less often each time, at most every
        2 seconds, so a wait ends at most about 2 seconds after the controller is done.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait before failing with the last state seen.
    type: int
    default: 600
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
notes:
  - The extension's catalog entry (Extension and ExtensionVersion objects) comes from a synced repository; use
    M(kubesphere.core.ks_info) with C(kind=extension) to list what is available and installed.
  - Helm work runs as Jobs in the target namespace (usually C(extension-<name>)); when an install fails, the job
    named in the failure message has the Helm output in its logs.
seealso:
  - module: kubesphere.core.ks_api
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Install WhizardTelemetry Monitoring with the chart's defaults
  kubesphere.core.ks_extension:
    name: whizard-monitoring
    version: 1.1.0

- name: Place metrics-server on two clusters, with more replicas on member1
  kubesphere.core.ks_extension:
    name: metrics-server
    version: 0.7.2
    config:
      replicas: 1
    clusters: [host, member1]
    cluster_overrides:
      member1:
        replicas: 2

- name: Configure Gatekeeper from a YAML string, without waiting for Helm
  kubesphere.core.ks_extension:
    name: gatekeeper
    version: 1.1.0
    config: |
      replicas: 2
      auditInterval: 120
    wait: false

- name: Disable metrics-server but keep it installed
  kubesphere.core.ks_extension:
    name: metrics-server
    version: 0.7.2
    enabled: false

- name: Uninstall metrics-server
  kubesphere.core.ks_extension:
    name: metrics-server
    state: absent
"""

RETURN = r"""
installplan:
  description:
    - The InstallPlan as the server returned it (after the wait, its last state); in check mode, the plan as it
      would be written. Empty once the plan is deleted and waited for.
  returned: always
  type: dict
  sample:
    apiVersion: kubesphere.io/v1alpha1
    kind: InstallPlan
    metadata: {name: metrics-server}
    spec:
      extension: {name: metrics-server, version: 0.7.2}
      enabled: true
      upgradeStrategy: Manual
    status:
      state: Installed
      version: 0.7.2
      configHash: cbf29ce484222325
      enabled: true
      jobName: helm-install-metrics-server-x2k9dq
      targetNamespace: extension-metrics-server
extension:
  description: The Extension with its status (state, enabled, installedVersion, versions, recommendedVersion).
  returned: always
  type: dict
state:
  description: On a failure or timeout, the plan's last state.
  returned: failure
  type: str
  sample: InstallFailed
job_name:
  description: On a failure or timeout, the Helm job the controller ran last; its logs explain a Helm failure.
  returned: failure
  type: str
  sample: helm-install-gatekeeper-mr29fg
target_namespace:
  description: On a failure or timeout, the namespace of the Helm release and jobs.
  returned: failure
  type: str
  sample: extension-gatekeeper
conditions:
  description: On a failure or timeout, the plan's conditions (type, status, reason, message).
  returned: failure
  type: list
  elements: dict
cluster_statuses:
  description: On a failure or timeout, the per-cluster statuses of a placed extension.
  returned: failure
  type: dict
"""

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_extension import Extension
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import (
    KubeSphereModule, run_resource, state_option, wait_options)


def main():
    module = KubeSphereModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            version=dict(type="str"),
            state=state_option(),
            enabled=dict(type="bool", default=True),
            config=dict(type="raw"),
            clusters=dict(type="list", elements="str"),
            cluster_overrides=dict(type="dict"),
            upgrade_strategy=dict(type="str", default="Manual", choices=["Manual", "Automatic"]),
            **wait_options(600, wait=True, timeout_type="int")
        ),
        required_if=[("state", "present", ["version"])],
        supports_check_mode=True,
    )
    run_resource(module, Extension)


if __name__ == "__main__":
    main()
