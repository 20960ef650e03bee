#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_user
short_description: Manage KubeSphere users, their platform role, password and state
version_added: 0.1.0
description:
  - Creates, updates and deletes a KubeSphere user (C(iam.kubesphere.io/v1beta1) User), its platform (global)
    role, its password and whether it may log in.
  - Only the options given are managed; everything else on the user is left as it is. Updates read the user and
    send it back whole with its C(resourceVersion), because a KubeSphere user update replaces what it is not given;
    on a conflict the module reads again and retries.
  - The platform role is decided from the user's GlobalRoleBindings that are not being deleted, not only from the
    C(iam.kubesphere.io/globalrole) annotation, which can lag while a member cluster is down.
  - The password is never tested by logging in (failed logins lock accounts). With O(update_password=always) the
    module reads the stored bcrypt hash (platform administrators can) and compares it locally.
  - Input (name, e-mail, password policy, role name) is checked before any request is sent.
# The options are kubesphere.core.items.user, shared word for word with ks_tenancy's users items.
extends_documentation_fragment:
  - kubesphere.core.items.user
  - kubesphere.core.connection
  - kubesphere.core.attributes
  - kubesphere.core.protection
  - kubesphere.core.references
notes:
  - Changing the password of an existing user uses C(PUT /kapis/iam.kubesphere.io/v1beta1/users/{name}/password),
    which platform administrators may call without the current password, as the console does. KubeSphere keeps the
    new password in plain text until its controller hashes it (about 0.14 s), and no password logs in meanwhile;
    the module waits for the hash, so a later task can log in with the new password at once.
  - Removing a platform role altogether is not possible through this module; KubeSphere replaces the role instead.
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Onboard a developer with the least-privileged platform role
  kubesphere.core.ks_user:
    name: alice
    email: alice@example.com
    password: "{{ vault_alice_initial_password }}"
    display_name: Alice Example
    wait: true

- name: Let bob create workspaces, and keep his password as in the vault
  kubesphere.core.ks_user:
    name: bob
    email: bob@example.com
    password: "{{ vault_bob_password }}"
    update_password: always
    global_role: platform-self-provisioner

- name: A user who logs in through the company LDAP and Keycloak, created ahead with a platform role
  kubesphere.core.ks_user:
    name: erin
    email: erin@example.com
    global_role: platform-self-provisioner
    identities:
      - {provider: corp-ldap, uid: erin}
      - {provider: keycloak, uid: 6c1f0b8e-3a52-4d6e-9d1a-0f2b7e4c9a11}

- name: Disable a user who left
  kubesphere.core.ks_user:
    name: carol
    enabled: false

- name: Delete a user and wait until it is gone
  kubesphere.core.ks_user:
    name: dave
    state: absent
    wait: true
    wait_timeout: 60
"""

RETURN = r"""
user:
  description:
    - The user as KubeSphere returns it, without password or hash; in check mode, the user the module predicts.
    - When O(global_role) is given, the C(iam.kubesphere.io/globalrole) annotation shows the role the user's live
      GlobalRoleBindings grant.
    - V(null) once the user is absent (or, without O(wait), the user as it was while it is being deleted).
  returned: always
  type: dict
  sample:
    apiVersion: iam.kubesphere.io/v1beta1
    kind: User
    metadata:
      name: alice
      annotations:
        iam.kubesphere.io/globalrole: platform-regular
    spec:
      email: alice@example.com
    status:
      state: Active
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, references_options, run_resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import USER_OPTIONS, UserResource


def main():
    module = KubeSphereModule(argument_spec=dict(USER_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, UserResource)


if __name__ == "__main__":
    main()
