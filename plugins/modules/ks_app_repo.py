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
options:
  name:
    description: The repository's name (a DNS-1123 label, not V(upload), which KubeSphere keeps for uploaded apps).
    type: str
    required: true
  workspace:
    description: The workspace the repository belongs to (its C(kubesphere.io/workspace) label).
    type: str
    required: true
  state:
    description: V(present) to create or update it, V(absent) to delete it (KubeSphere deletes its apps too).
    type: str
    choices: [present, absent]
    default: present
  url:
    description:
      - The repository's URL (V(http), V(https) or V(s3)), without credentials. Required to create it.
    type: str
  username:
    description:
      - The user name of a repository that needs Basic authentication. V("") removes the credentials.
      - When neither O(username) nor O(password) is given, the stored credentials are kept.
    type: str
  password:
    description: The password of O(username). Compared with the stored one; never shown.
    type: str
  alias_name:
    description: The display name.
    type: str
  description:
    description: A description (at most 512 characters).
    type: str
  sync_period:
    description:
      - Seconds between two syncs KubeSphere makes by itself; V(0) (the default of a new repository) never
        syncs on its own. With a period, the first sync follows the creation.
    type: int
  sync:
    description:
      - Make sure the repository has synced. It syncs now (C(POST .../action)) when it has never synced
        successfully, or when this task changed it; otherwise nothing is done (changed stays false).
    type: bool
    default: false
  wait:
    description: With O(sync=true), wait until the sync has succeeded (state V(successful)).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait. A repository whose index cannot be fetched stays V(syncing); the timeout says so.
    type: float
    default: 120
extends_documentation_fragment:
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
