#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_app
short_description: Upload apps into the KubeSphere App Store and take their versions through the review
version_added: 0.2.0
description:
  - Manages an app of a workspace in the App Store of KubeSphere 4 (C(application.kubesphere.io/v2) Application),
    one of its versions uploaded from a package file (a Helm chart archive or Kubernetes YAML), its category,
    display name and description, and the review state of the version and the app.
  - The package is read on the host the module runs on (the controller, with C(hosts=localhost)) and checked
    before anything is sent. KubeSphere keeps the first package of a version; a version that exists with another
    package is refused (give the package a new version). A version is found by its version name (the chart's
    C(version), or O(version)).
  - Without S3 storage KubeSphere keeps packages in ConfigMaps of the namespace C(extension-openpitrix), which
    the App Store extension makes. The module checks the namespace before an upload and fails, uploading
    nothing, when it is missing (KubeSphere itself would leave a half-made app behind).
  - 'The review follows the store''s order, one documented action each: C(POST .../versions/{v}/action) with
    V(submitted) (O(state=submitted)), then V(passed) and V(active) (O(state=active), as a reviewer with the
    rights to), then the app''s own action C(POST /apps/{app}/action) V(active), which puts the app in the store.
    O(state=suspended) sends the app action V(suspended) (KubeSphere suspends its active versions with it).
    KubeSphere itself checks only the app actions.'
  - 'States are progress: O(state=draft) means uploaded and O(state=submitted) at least submitted, so a task
    never moves a version back (a version further along is left as it is, changed stays false).'
  - Apps synced from a repository (M(kubesphere.core.ks_app_repo)) can be given a category, a display name and a
    description, and be suspended or put back; their versions come from the repository.
  - Needs KubeSphere 4.x.
options:
  name:
    description: The app's name (unique across workspaces). KubeSphere names its versions C(<name>-<version>).
    type: str
    required: true
  workspace:
    description: The workspace the app belongs to.
    type: str
    required: true
  state:
    description:
      - V(draft) the app and the version exist (uploaded); V(submitted) the version is submitted for review (or
        further along); V(active) the version passed the review and is active, and the app is in the store;
        V(suspended) the app is taken out of the store; V(absent) the app is deleted with its versions.
    type: str
    choices: [draft, submitted, active, suspended, absent]
    default: draft
  app_type:
    description: What O(package) holds, a Helm chart (V(helm)) or Kubernetes YAML documents (V(yaml)).
    type: str
    choices: [helm, yaml]
    default: helm
  package:
    description:
      - The path of the package to upload, a chart archive (C(.tgz)) or a YAML file. Needed to create the app or
        a new version. At most 1 MiB without S3 storage (KubeSphere's limit).
    type: path
  version:
    description:
      - The version the task is about. Default for a chart, its C(version); required for a YAML package.
      - Without O(package), a version the app already has (for its review).
    type: str
  category:
    description: The name of an App Store category the app belongs to (it must exist).
    type: str
  alias_name:
    description: The app's display name.
    type: str
  description:
    description: The app's description.
    type: str
  review_message:
    description: The message sent with the submission for review (O(state=submitted)).
    type: str
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Upload a chart as a draft
  kubesphere.core.ks_app:
    name: hello
    workspace: payments
    package: files/hello-1.0.0.tgz
    alias_name: Hello
    category: tools

- name: Submit it for review
  kubesphere.core.ks_app:
    name: hello
    workspace: payments
    version: 1.0.0
    review_message: please review
    state: submitted

- name: Pass the review and put it in the store (as a reviewer)
  kubesphere.core.ks_app:
    name: hello
    workspace: payments
    version: 1.0.0
    state: active

- name: A YAML app, straight to the store
  kubesphere.core.ks_app:
    name: greeter
    workspace: payments
    app_type: yaml
    package: files/greeter.yaml
    version: v1
    state: active

- name: Take it out of the store
  kubesphere.core.ks_app:
    name: hello
    workspace: payments
    state: suspended
"""

RETURN = r"""
app:
  description: The Application as KubeSphere returned it (in check mode, as it would be).
  returned: when O(state) is not V(absent)
  type: dict
  sample:
    metadata:
      name: hello
      labels: {kubesphere.io/workspace: payments, application.kubesphere.io/app-category-name: tools}
    spec: {appType: helm}
    status: {state: active}
versions:
  description: The app's versions after the run, with their object C(name), C(version) and review C(state).
  returned: when O(state) is not V(absent)
  type: list
  elements: dict
  sample: [{name: hello-1.0.0, version: 1.0.0, state: active}]
state:
  description: The app's state after the run (V(draft), V(active), V(suspended)).
  returned: when O(state) is not V(absent)
  type: str
  sample: active
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app import APP_OPTIONS, AppResource


def main():
    module = KubeSphereModule(argument_spec=APP_OPTIONS, supports_check_mode=True)
    run_resource(module, AppResource)


if __name__ == "__main__":
    main()
