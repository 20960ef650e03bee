#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_identity_provider
short_description: Manage KubeSphere identity providers (LDAP, OIDC, GitHub, CAS, Aliyun IDaaS)
version_added: 0.2.0
description:
  - Creates, updates and deletes one identity provider of KubeSphere v4, through which people log in with an
    account kept elsewhere. KubeSphere keeps each provider as a Secret in C(kubesphere-system) (type
    C(config.kubesphere.io/identityprovider), the settings as YAML under C(configuration.yaml)); managing it needs
    platform-admin rights.
  - The provider is found by its name inside that YAML, whatever the Secret is called; a new one gets a Secret
    named after the provider, labelled C(app.kubernetes.io/managed-by=kubesphere.core).
  - O(options) are checked per O(type) before any request (required keys, unknown keys, value types), so a typo
    does not silently leave a provider that cannot log anyone in.
  - Secret options (every key containing C(password) or C(secret), the rule KubeSphere itself uses, such as the
    LDAP C(managerPassword) or the OIDC and GitHub C(clientSecret)) are write-only. They are never returned nor
    shown in a diff, and compared with the stored value only with O(update_secrets=always).
  - Link users to their identity at a provider with the O(kubesphere.core.ks_user#module:identities) option of
    M(kubesphere.core.ks_user).
options:
  name:
    description:
      - The provider name, a DNS-1123 label of at most 45 characters (users are linked to it by the annotation
        C(iam.kubesphere.io/identity-provider.<name>)). It is also the last part of the provider's callback URL,
        C(/oauth/callback/<name>).
      - KubeSphere does not rename providers; a new name is a new provider.
    type: str
    required: true
  state:
    description: V(present) creates or updates the provider; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  type:
    description:
      - The kind of provider, as KubeSphere v4.1 names it. Required with O(state=present).
      - V(LDAPIdentityProvider) takes user name and password at the console's login form.
      - V(OIDCIdentityProvider), V(GitHubIdentityProvider), V(CASIdentityProvider) and V(AliyunIDaaSProvider)
        send the browser to the provider.
    type: str
    choices: [AliyunIDaaSProvider, CASIdentityProvider, GitHubIdentityProvider, LDAPIdentityProvider,
              OIDCIdentityProvider]
  mapping_method:
    description:
      - How a person who logs in is matched to a KubeSphere user (C(mappingMethod)). When a provider is created
        without it, V(auto) is used.
      - V(auto) uses the user linked to the identity, or creates (or links) the user named after the identity.
      - V(lookup) only lets in identities already linked to a user (see M(kubesphere.core.ks_user) O(kubesphere.core.ks_user#module:identities)).
      - V(manual) lets the person pick a user name at first login.
      - C(mixed), named in older KubeSphere documentation, is not supported by KubeSphere v4.1.
    type: str
    choices: [auto, lookup, manual]
  display_name:
    description: The name the console's login page shows (C(displayName)).
    type: str
  hidden:
    description: Leave the provider off the console's login page (C(hidden)); it still works.
    type: bool
  disabled:
    description: Turn the provider off without deleting it (C(disabled)).
    type: bool
  options:
    description:
      - The provider's own settings (the C(provider) section), with KubeSphere's key names. Required with
        O(state=present). They replace the stored settings, except secret options, which are kept as stored when
        left out or, unless O(update_secrets=always), when given. A stored secret option that O(type) does not take
        is removed (the LDAP C(managerPassword) of a provider that becomes a CAS provider).
      - V(LDAPIdentityProvider) needs C(host), C(managerDN), C(managerPassword), C(userSearchBase) and
        C(loginAttribute); also takes C(mailAttribute), C(readTimeout), C(startTLS), C(insecureSkipVerify),
        C(rootCA), C(rootCAData), C(userSearchFilter), C(groupSearchBase), C(groupSearchFilter),
        C(userMemberAttribute) and C(groupMemberAttribute).
      - V(OIDCIdentityProvider) needs C(clientID), C(clientSecret), C(redirectURL) and C(issuer) or C(endpoint)
        (C(authURL) and C(tokenURL)); also takes C(scopes), C(postLogoutRedirectURI), C(getUserInfo),
        C(insecureSkipVerify), C(emailKey) and C(preferredUsernameKey). KubeSphere lists an OIDC provider in
        C(configs/oauth) only once it has reached the issuer.
      - V(GitHubIdentityProvider) needs C(clientID), C(clientSecret) and C(redirectURL); also takes C(scopes),
        C(insecureSkipVerify) and C(endpoint) (GitHub Enterprise).
      - V(CASIdentityProvider) needs C(casServerURL) and C(redirectURL); also takes C(insecureSkipVerify).
      - V(AliyunIDaaSProvider) needs C(clientID), C(clientSecret), C(redirectURL) and C(endpoint) with C(authURL),
        C(tokenURL) and C(userInfoURL); also takes C(scopes).
    type: dict
  update_secrets:
    description:
      - V(on_create) writes secret options when the provider is created, or when the stored settings lack that
        key; otherwise the stored value is kept.
      - V(always) compares each given secret option with the stored one and writes it when it differs (the diff
        says C(******** (changed)), never the value).
    type: str
    default: on_create
    choices: [on_create, always]
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
notes:
  - KubeSphere v4 only. KubeSphere 3.4 keeps identity providers in the C(kubesphere-config) ConfigMap instead.
  - The password of an LDAP user is checked by the LDAP server at login; this module never logs in through a
    provider.
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Company LDAP, bind password from Ansible Vault
  kubesphere.core.ks_identity_provider:
    name: corp-ldap
    type: LDAPIdentityProvider
    display_name: Corporate LDAP
    mapping_method: auto
    options:
      host: ldap.example.com:636
      managerDN: cn=kubesphere,ou=services,dc=example,dc=com
      managerPassword: "{{ vault_ldap_bind_password }}"
      userSearchBase: ou=people,dc=example,dc=com
      loginAttribute: uid
      mailAttribute: mail

- name: Keycloak through OIDC; only users created ahead may log in
  kubesphere.core.ks_identity_provider:
    name: keycloak
    type: OIDCIdentityProvider
    mapping_method: lookup
    options:
      issuer: https://keycloak.example.com/realms/platform
      clientID: kubesphere
      clientSecret: "{{ vault_keycloak_client_secret }}"
      redirectURL: https://console.example.com/oauth/redirect/keycloak
      scopes: [openid, email, profile]
    update_secrets: always

- name: Retire the GitHub login
  kubesphere.core.ks_identity_provider:
    name: github
    state: absent
"""

RETURN = r"""
identity_provider:
  description:
    - The provider's configuration without secret options, and the Secret that holds it (C(secret) with its
      C(name), C(namespace), C(uid) and C(resourceVersion)); in check mode, as predicted.
    - V(null) once the provider is absent.
  returned: always
  type: dict
  sample:
    name: corp-ldap
    type: LDAPIdentityProvider
    mappingMethod: auto
    displayName: Corporate LDAP
    provider:
      host: ldap.example.com:636
      managerDN: cn=kubesphere,ou=services,dc=example,dc=com
      userSearchBase: ou=people,dc=example,dc=com
      loginAttribute: uid
      mailAttribute: mail
    secret:
      name: corp-ldap
      namespace: kubesphere-system
"""

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_provider import IdentityProviderResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_types import TYPE_NAMES, secret_option_values
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule, run_resource, state_option


def main():
    module = KubeSphereModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=state_option(),
            type=dict(type="str", choices=TYPE_NAMES),
            mapping_method=dict(type="str", choices=["auto", "lookup", "manual"]),
            display_name=dict(type="str"),
            hidden=dict(type="bool"),
            disabled=dict(type="bool"),
            options=dict(type="dict"),
            update_secrets=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
        ),
        supports_check_mode=True,
        # The secret options sit in a free-form dict: their values are kept out of every output.
        secrets=lambda params: secret_option_values(params.get("options")),
    )
    run_resource(module, IdentityProviderResource)


if __name__ == "__main__":
    main()
