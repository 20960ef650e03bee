#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_app_repo
short_description: Manage a workspace's Helm repository in the KubeSphere App Store
version_added: 0.2.0
description:
  - Creates, updates, syncs and deletes a Helm repository of a workspace (C(application.kubesphere.io/v2) Repo),
    served by KubeSphere 4's core. A synced repository's charts become apps of the workspace, active at once.
  - KubeSphere fetches C(<url>/index.yaml) before it saves a repository and on every change; a URL it cannot
    fetch fails the task with the server's words. In check mode the module asks the server's own dry run
    (C(?validate=true)), which fetches the index and saves nothing.
  - Repository names are unique across all workspaces. A repository of the same name in another workspace is
    never taken over.
  - KubeSphere keeps credentials only inside the URL (C(user:password@host)) and shows them in clear to every
    reader. The module compares them with what is stored and never shows them; results and diffs hold the URL
    without credentials and a masked password.
  - Every change is sent as one PATCH of the whole repository (the server replaces what the create set); a
    change does not resync (set O(sync=true)).
  - Needs KubeSphere 4.x (3.x's App Store is another API).
# The options are kubesphere.core.items.app_repo, shared word for word with ks_tenancy's app_repos items.
extends_documentation_fragment:
  - kubesphere.core.items.app_repo
  - kubesphere.core.connection
  - kubesphere.core.attributes
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: The team's chart repository, synced hourly
  kubesphere.core.ks_app_repo:
    name: team-charts
    workspace: payments
    url: https://charts.example.com/team
    username: chart-reader
    password: "{{ vault_chart_password }}"
    alias_name: Team charts
    description: Charts of the payments team
    sync_period: 3600

- name: Sync it now and wait until its charts are apps
  kubesphere.core.ks_app_repo:
    name: team-charts
    workspace: payments
    sync: true
    wait: true

- name: Remove it (with its apps)
  kubesphere.core.ks_app_repo:
    name: team-charts
    workspace: payments
    state: absent
"""

RETURN = r"""
repo:
  description:
    - The Repo as KubeSphere returned it (in check mode, as it would be), C(spec.url) without credentials and
      C(spec.credential.password) masked. After a sync with O(wait), its C(status.state) is V(successful).
  returned: when O(state=present), and on delete without O(wait)
  type: dict
  sample:
    metadata:
      name: team-charts
      labels: {kubesphere.io/workspace: payments}
      annotations: {kubesphere.io/alias-name: Team charts}
    spec:
      url: https://charts.example.com/team
      credential: {username: chart-reader, password: "********"}
      syncPeriod: 3600
    status: {state: successful}
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_repo import APP_REPO_OPTIONS, AppRepoResource


def main():
    module = KubeSphereModule(argument_spec=APP_REPO_OPTIONS, supports_check_mode=True)
    run_resource(module, AppRepoResource)


if __name__ == "__main__":
    main()
