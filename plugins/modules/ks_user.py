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
options:
  name:
    description:
      - The user name, a DNS-1123 label (lower-case letters, digits and C(-), at most 63 characters).
    type: str
    required: true
  state:
    description: V(present) creates or updates the user; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  email:
    description:
      - The e-mail address (C(spec.email)). KubeSphere requires it to be unique; users may log in with it.
    type: str
  password:
    description:
      - The password, 8 to 64 characters with at least one lower-case letter, one upper-case letter and one digit,
        or a bcrypt hash, which KubeSphere stores as is.
      - Set when the user is created; later only as O(update_password) says.
      - A user created with neither a password nor O(identities) gets a warning, as nobody can log in as it.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created.
      - V(always) makes the stored password match O(password) on every run. The module reads the stored hash
        through C(/apis) (platform-admin rights needed) and compares it locally with the Python C(bcrypt)
        library; without that library it warns and sets the password again, reporting a change.
    type: str
    default: on_create
    choices: [on_create, always]
  global_role:
    description:
      - The platform role (a GlobalRole name such as V(platform-regular), V(platform-self-provisioner) or
        V(platform-admin)).
      - When a user is created without it, V(platform-regular) is used (least privilege; no rights until invited).
      - Any name other than those three must be a GlobalRole that exists (one made with M(kubesphere.core.ks_role),
        for example). That is checked before any write, in check mode too, with one read of the role.
    type: str
  display_name:
    description: The display name (C(spec.displayName)).
    type: str
  description:
    description: The description (annotation C(kubesphere.io/description), as the console shows it).
    type: str
  lang:
    description: The console language of the user (C(spec.lang)), for example V(en) or V(zh).
    type: str
  enabled:
    description:
      - V(false) disables the user (C(status.state=Disabled)); it can no longer log in and its tokens stop working.
        V(true) makes it Active again. A user locked after failed logins counts as enabled.
    type: bool
  identities:
    description:
      - Links the user to identities at identity providers (see M(kubesphere.core.ks_identity_provider)), so that
        who logs in through such a provider is this user, with its roles. KubeSphere v4 keeps each link as the
        annotation C(iam.kubesphere.io/identity-provider.<provider>) set to the identity's uid.
      - The listed links are made (a user has one identity per provider); links to providers not listed stay,
        unless O(purge_identities=true).
      - A user that logs in only through providers needs no O(password).
      - The providers must exist (checked before any write; in check mode a missing one is a warning, since an
        earlier task may create it).
    type: list
    elements: dict
    suboptions:
      provider:
        description: The identity provider's name.
        type: str
        required: true
      uid:
        description:
          - The identity's id at the provider, as KubeSphere matches it. For LDAP, the value of the provider's
            C(loginAttribute) (for example the C(uid)); for OIDC, the C(sub) claim; for GitHub, the login.
        type: str
        required: true
  purge_identities:
    description: Remove the links to providers not listed in O(identities).
    type: bool
    default: false
  wait:
    description:
      - On create, wait until the user is Active and can log in (KubeSphere answers "Account suspended." to a login
        before that).
      - With O(state=absent), wait until the user is gone; KubeSphere holds the deletion while any member cluster
        is not Ready.
      - With O(state=present) and a user of that name still being deleted, wait until it is gone and create it
        again (without O(wait) the task fails and says so).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds O(wait) waits before the task fails.
    type: float
    default: 120
extends_documentation_fragment:
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
from ansible_collections.kubesphere.core.plugins.module_utils.ks_user import USER_OPTIONS, UserResource


def main():
    module = KubeSphereModule(argument_spec=dict(USER_OPTIONS, **references_options()), supports_check_mode=True)
    run_resource(module, UserResource)


if __name__ == "__main__":
    main()
