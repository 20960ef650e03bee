# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The connection options, once: name, type, default, environment variable, whether it is a secret.

The modules' argument spec (ks_module), the client's environment fallbacks (ks_client), the inventory
plugin's options and the plugin doc fragment's env: entries (tools/build_doc_fragments.py) are all built
from this table; a unit test holds the module doc fragment to it. No Ansible import: the client uses it."""

from __future__ import annotations

from collections import namedtuple

Option = namedtuple("Option", "name type default env no_log choices")


def _option(name, type_, env, default=None, no_log=None, choices=None):
    return Option(name, type_, default, env, no_log, choices)


CONNECTION_OPTIONS = (
    _option("ks_host", "str", "KUBESPHERE_HOST"),
    _option("ks_username", "str", "KUBESPHERE_USERNAME"),
    _option("ks_password", "str", "KUBESPHERE_PASSWORD", no_log=True),
    _option("ks_token", "str", "KUBESPHERE_TOKEN", no_log=True),
    _option("ks_client_id", "str", "KUBESPHERE_CLIENT_ID", default="kubesphere"),
    # Not no_log: Ansible would mask every occurrence of the value, and the stock secret is the public word
    # "kubesphere". KubeSphereModule masks a secret that is not the stock one. No default either: the client
    # applies the stock one itself.
    _option("ks_client_secret", "str", "KUBESPHERE_CLIENT_SECRET", no_log=False),
    _option("validate_certs", "bool", "KUBESPHERE_VALIDATE_CERTS", default=True),
    _option("ca_path", "path", "KUBESPHERE_CA_PATH"),
    _option("request_timeout", "float", "KUBESPHERE_REQUEST_TIMEOUT", default=30),
    # no_log=False: "token" in the name is not a secret here (true, false or a directory).
    _option("token_cache", "str", "KUBESPHERE_TOKEN_CACHE", default="true", no_log=False),
    _option("retries", "int", "KUBESPHERE_RETRIES", default=3),
    _option("retry_budget", "float", "KUBESPHERE_RETRY_BUDGET", default=60),
    _option("ks_api_version", "str", "KUBESPHERE_API_VERSION", default="auto", choices=("auto", "v3", "v4")),
)

# Option name -> environment variable.
ENV_VARS = tuple((option.name, option.env) for option in CONNECTION_OPTIONS)
CONNECTION_OPTION_NAMES = tuple(option.name for option in CONNECTION_OPTIONS)


def argument_spec(env_fallback):
    """The argument spec of the connection options, with Ansible's env_fallback given by the caller."""
    spec = {}
    for option in CONNECTION_OPTIONS:
        entry = dict(type=option.type, fallback=(env_fallback, [option.env]))
        if option.default is not None:
            entry["default"] = option.default
        if option.no_log is not None:
            entry["no_log"] = option.no_log
        if option.choices:
            entry["choices"] = list(option.choices)
        spec[option.name] = entry
    return spec
