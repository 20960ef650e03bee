#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_app_release
short_description: Deploy App Store apps into KubeSphere projects, upgrade and remove them
version_added: 0.2.0
description:
  - Deploys a version of an App Store app into a project on a cluster (C(application.kubesphere.io/v2)
    ApplicationRelease), changes its values or manifests, upgrades it to another version, and removes it.
  - Helm apps are installed by an executor Job that KubeSphere runs in the project; YAML apps are applied by
    KubeSphere directly.
  - Before anything is sent the module reads the app, the version and the project. KubeSphere deploys only
    V(active) versions (see M(kubesphere.core.ks_app)); another state fails the task, in check mode too.
  - Helm O(values) are compared as data with the release's, not as text. A YAML app's documents (O(manifests), or
    the version's own package) are put into the project (C(metadata.namespace)) and must match the version's
    package object by object, as KubeSphere checks. The data of Secrets among them is masked in results and diffs.
  - Release names are unique across all projects and clusters; a release of the same name elsewhere is never
    taken over.
  - Needs KubeSphere 4.x.
options:
  name:
    description: The release's name.
    type: str
    required: true
  workspace:
    description: The workspace of O(project).
    type: str
    required: true
  project:
    description: The project (namespace) to deploy into.
    type: str
    required: true
  cluster:
    description: The cluster the project is on.
    type: str
    default: host
  state:
    description: V(present) to deploy or change it, V(absent) to uninstall it.
    type: str
    choices: [present, absent]
    default: present
  app:
    description: The app's name (for an app synced from a repository, C(<repo>-<chart>)). Required to deploy.
    type: str
  version:
    description:
      - The version to deploy (its version name, for example V(0.1.0)). Required to deploy; another version
        upgrades (or downgrades) the release.
    type: str
  values:
    description:
      - The Helm values, as a mapping or as YAML text. When not given, a new release uses the chart's defaults
        and an existing one keeps its values.
    type: raw
  manifests:
    description:
      - A YAML app's documents, as a list of objects or as YAML text. Default is the version's own package.
      - Every object must be in O(project) (the module sets C(metadata.namespace)), and they must match the
        version's package in number, order, kind and apiVersion.
      - Set C(no_log) on the task when they hold Secrets, as the task's arguments are not masked.
    type: raw
  alias_name:
    description: The display name (default for a new release, its name).
    type: str
  wait:
    description:
      - Wait until the release is V(active). V(failed), V(deployFailed) and V(timeout) fail the task with the
        server's message and, for Helm apps, the executor Job's name. With O(state=absent), wait until it is gone.
      - A release the task does not change is waited for too.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait.
    type: float
    default: 300
notes:
  - Helm apps need the executor Job's pod to run; a cluster that runs no pods leaves the release V(created).
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Deploy a chart of the team repository with values
  kubesphere.core.ks_app_release:
    name: hello
    workspace: payments
    project: payments-dev
    app: team-charts-hello
    version: 0.1.0
    values:
      replicas: 2
      message: hi
    wait: true

- name: A YAML app from the store, as packaged
  kubesphere.core.ks_app_release:
    name: greeter
    workspace: payments
    project: payments-dev
    app: greeter
    version: v1
    wait: true

- name: Uninstall it
  kubesphere.core.ks_app_release:
    name: greeter
    workspace: payments
    project: payments-dev
    state: absent
    wait: true
"""

RETURN = r"""
release:
  description:
    - The ApplicationRelease as KubeSphere returned it (in check mode, as it would be). C(spec.values) is shown
      decoded, Helm values as a mapping and a YAML app's documents as a list with the data of Secrets masked;
      Secrets among C(status.realTimeResources) are masked too.
  returned: when O(state=present), and on delete without O(wait)
  type: dict
  sample:
    metadata:
      name: hello
      labels: {kubesphere.io/namespace: payments-dev, kubesphere.io/cluster: host}
    spec: {appID: team-charts-hello, appVersionID: team-charts-hello-0.1.0, appType: helm, values: {replicas: 2}}
    status: {state: active, message: Install complete}
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_release import (
    APP_RELEASE_OPTIONS,
    AppReleaseResource,
)


def main():
    module = KubeSphereModule(argument_spec=APP_RELEASE_OPTIONS, supports_check_mode=True)
    run_resource(module, AppReleaseResource)


if __name__ == "__main__":
    main()
