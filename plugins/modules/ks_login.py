#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_login
short_description: Log in to KubeSphere and hand the token to later tasks, or log a token out
version_added: 0.1.0
description:
  - With O(state=present), obtains an access token by the OAuth password grant (or reuses a valid cached
    one) and returns it as RV(ks_token) together with RV(ks_host), named like the connection options so a
    play can pass them to C(module_defaults) for C(group/kubesphere.core.ks).
  - With O(state=absent), logs the token given in O(ks_token) out (C(GET /oauth/logout)), and only that one,
    never a token read from the token cache, which other tasks and forks share. KubeSphere 4.x revokes only
    that token; KubeSphere 3.x revokes B(every) token of that user, including those of other sessions and
    the cached ones (tasks holding a password then log in again on their next request).
  - The returned token is a credential. Set C(no_log) on the task so that it is not printed.
options:
  state:
    description: V(present) logs in; V(absent) logs O(ks_token) out.
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
attributes:
  check_mode:
    support: full
    details: Logging in changes nothing and runs in check mode too, so later tasks get a token; a logout is not sent.
  diff_mode:
    support: none
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Manage KubeSphere with one login
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Log in
      kubesphere.core.ks_login:
        ks_host: https://ks.example.com
        ks_username: admin
        ks_password: "{{ vault_ks_admin_password }}"
      register: ks_auth
      no_log: true

    - name: Work with the token
      module_defaults:
        group/kubesphere.core.ks:
          ks_host: "{{ ks_auth.ks_host }}"
          ks_token: "{{ ks_auth.ks_token }}"
      block:
        - name: List users
          kubesphere.core.ks_api:
            path: /kapis/iam.kubesphere.io/v1beta1/users
      always:
        - name: Log out
          kubesphere.core.ks_login:
            ks_host: "{{ ks_auth.ks_host }}"
            ks_token: "{{ ks_auth.ks_token }}"
            state: absent
"""

RETURN = r"""
ks_host:
  description: The API server, as given; feed it to O(ks_host).
  returned: always
  type: str
  sample: https://ks.example.com
ks_token:
  description: The access token; feed it to O(ks_token). A credential, so register it on a task with C(no_log).
  returned: when O(state=present)
  type: str
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError


def main():
    module = KubeSphereModule(
        argument_spec=dict(state=dict(type="str", default="present", choices=["present", "absent"])),
        supports_check_mode=True,
    )
    host = module.params["ks_host"]
    if module.params["state"] == "absent":
        if not module.params["ks_token"]:
            module.fail_json(msg="state=absent logs out the token given in ks_token; none was given")
        if not module.check_mode:
            module.run_guarded(module.client.logout)
        module.exit_json(changed=True, ks_host=host)
    if not module.params["ks_token"] and not (module.params["ks_username"] and module.params["ks_password"]):
        module.fail_json(msg="To log in, give ks_username and ks_password (or KUBESPHERE_USERNAME and "
                             "KUBESPHERE_PASSWORD), or an existing ks_token")
    try:
        token = module.client.login()
    except KubeSphereError as err:
        module.fail_from_error(err, action="Login to %s" % host)
    # Ansible masks every no_log input in the result: a token given in ks_token (or KUBESPHERE_TOKEN) would
    # come back as VALUE_SPECIFIED_IN_NO_LOG_PARAMETER and break every task fed from it. Return it as a login
    # does (register the task with no_log), and keep the invocation's copy masked.
    invocation = dict(module_args=dict(module.params))
    if module.params["ks_token"]:
        invocation["module_args"]["ks_token"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    module.no_log_values.discard(token)
    module.exit_json(changed=False, ks_host=host, ks_token=token, invocation=invocation)


if __name__ == "__main__":
    main()
