# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The identity-provider types KubeSphere v4.1 builds, and each type's options, from the factories
in pkg/apiserver/authentication/identityprovider/<type> (v4.1.3): the keys it reads, which a
working provider needs, and their types. Checked before any request."""

from __future__ import annotations

ENDPOINT_KEYS = ("authURL", "tokenURL", "userInfoURL")


class ProviderType(object):
    def __init__(self, known, required=(), required_any=(), bools=(), ints=(), lists=(), endpoint=(), note=""):
        self.known = dict(known)              # key -> short description (for messages and docs)
        self.required = tuple(required)
        self.required_any = tuple(required_any)   # (a, b): at least one of them
        self.bools = tuple(bools)
        self.ints = tuple(ints)
        self.lists = tuple(lists)
        self.endpoint = tuple(endpoint)        # keys the endpoint dict may hold
        self.note = note


TYPES = {
    "LDAPIdentityProvider": ProviderType(
        known=dict(host="host:port or ldap(s)://host:port", readTimeout="milliseconds (default 15000)",
                   startTLS="bool", insecureSkipVerify="bool", rootCA="CA file path", rootCAData="base64 CA",
                   managerDN="bind DN", managerPassword="bind password (secret)", userSearchBase="base DN",
                   userSearchFilter="extra filter", groupSearchBase="base DN", groupSearchFilter="filter",
                   userMemberAttribute="attribute", groupMemberAttribute="attribute",
                   loginAttribute="e.g. uid", mailAttribute="e.g. mail"),
        required=("host", "managerDN", "managerPassword", "userSearchBase", "loginAttribute"),
        bools=("startTLS", "insecureSkipVerify"), ints=("readTimeout",)),
    "OIDCIdentityProvider": ProviderType(
        known=dict(issuer="issuer URL (discovery)", clientID="client id", clientSecret="client secret (secret)",
                   endpoint="authURL, tokenURL, userInfoURL, jwksURL, endSessionURL", redirectURL="callback URL",
                   scopes="list", postLogoutRedirectURI="URL", getUserInfo="bool", insecureSkipVerify="bool",
                   emailKey="claim", preferredUsernameKey="claim"),
        required=("clientID", "clientSecret", "redirectURL"), required_any=(("issuer", "endpoint"),),
        bools=("getUserInfo", "insecureSkipVerify"), lists=("scopes",),
        endpoint=ENDPOINT_KEYS + ("jwksURL", "endSessionURL")),
    "GitHubIdentityProvider": ProviderType(
        known=dict(clientID="OAuth app id", clientSecret="OAuth app secret (secret)",
                   endpoint="authURL, tokenURL, userInfoURL (GitHub Enterprise)", redirectURL="callback URL",
                   insecureSkipVerify="bool", scopes="list"),
        required=("clientID", "clientSecret", "redirectURL"), bools=("insecureSkipVerify",), lists=("scopes",),
        endpoint=ENDPOINT_KEYS),
    "CASIdentityProvider": ProviderType(
        known=dict(casServerURL="CAS server URL", redirectURL="service URL", insecureSkipVerify="bool"),
        required=("casServerURL", "redirectURL"), bools=("insecureSkipVerify",)),
    "AliyunIDaaSProvider": ProviderType(
        known=dict(clientID="application id", clientSecret="application secret (secret)",
                   endpoint="authURL, tokenURL, userInfoURL", redirectURL="callback URL", scopes="list"),
        required=("clientID", "clientSecret", "redirectURL", "endpoint"), lists=("scopes",),
        endpoint=ENDPOINT_KEYS),
}
TYPE_NAMES = sorted(TYPES)


def is_secret_key(key):
    """KubeSphere's own rule (server/options DynamicOptions): keys naming a password or a secret."""
    lowered = str(key).lower()
    return "password" in lowered or "secret" in lowered


def secret_option_values(options):
    """The values of the secret options of a provider's options (as given: any type, possibly not a dict)."""
    if not isinstance(options, dict):
        return []
    return [value for key, value in options.items() if is_secret_key(key) and value not in (None, "")]


def options_error(type_name, options):
    """Why options do not suit type_name, or None."""
    kind = TYPES.get(type_name)
    if kind is None:
        return "type %r is not one KubeSphere v4.1 builds; use one of %s" % (type_name, ", ".join(TYPE_NAMES))
    if not isinstance(options, dict):
        return "options must be a dictionary of the %s settings" % type_name
    unknown = sorted(k for k in options if k not in kind.known)
    if unknown:
        return ("options of a %s do not include %s (KubeSphere ignores unknown keys, so this is likely a typo); "
                "the known keys are %s" % (type_name, ", ".join(unknown), ", ".join(sorted(kind.known))))
    missing = [k for k in kind.required if options.get(k) in (None, "", {}, [])]
    missing += ["%s or %s" % pair for pair in kind.required_any if not any(options.get(k) for k in pair)]
    if missing:
        return "options of a %s need %s" % (type_name, ", ".join(missing))
    for key in kind.bools:
        if key in options and not isinstance(options[key], bool):
            return "options.%s must be true or false, not %r" % (key, options[key])
    for key in kind.ints:
        if key in options and (isinstance(options[key], bool) or not isinstance(options[key], int)):
            return "options.%s must be a whole number, not %r" % (key, options[key])
    for key in kind.lists:
        if key in options and not isinstance(options[key], list):
            return "options.%s must be a list, not %r" % (key, options[key])
    endpoint = options.get("endpoint")
    if endpoint is not None:
        if not isinstance(endpoint, dict):
            return "options.endpoint must be a dictionary with %s" % ", ".join(kind.endpoint)
        extra = sorted(k for k in endpoint if k not in kind.endpoint)
        if extra:
            return "options.endpoint of a %s takes %s, not %s" % (type_name, ", ".join(kind.endpoint), ", ".join(extra))
        needed = ENDPOINT_KEYS if type_name == "AliyunIDaaSProvider" else ()
        if type_name == "OIDCIdentityProvider" and not options.get("issuer"):
            needed = ("authURL", "tokenURL")     # without discovery the endpoints must be given
        missing = [k for k in needed if not endpoint.get(k)]
        if missing:
            return "options.endpoint of a %s needs %s" % (type_name, ", ".join(missing))
    return None
