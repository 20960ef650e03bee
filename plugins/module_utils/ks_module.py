# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The base every kubesphere.core module stands on.

It adds the shared connection options (with their KUBESPHERE_* environment
fallbacks), builds the one client lazily, and turns client errors into
failures that carry the HTTP status and the server's message.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_connection import argument_spec
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    KubeSphereClient,
    KubeSphereError,
)
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    ResourceFailure,
    converge,
)
# Re-exported: modules import these option helpers from here.
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import (  # noqa: F401 pylint: disable=unused-import
    members_options,
    references_options,
    state_option,
    wait_options,
)


STOCK_CLIENT_SECRET = "kubesphere"   # KubeSphere's default OAuth client secret: public, never masked


KS_CONNECTION_ARGSPEC = argument_spec(env_fallback)


def logged_forms(value):
    """A secret as Ansible may write it: as is, and escaped the way the invocation line (repr of a dict) and a
    JSON body or answer show it. Numbers count too (a YAML password of digits arrives as an int)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return set()
    text = value if isinstance(value, str) else str(value)
    if not text:
        return set()
    return set((text, repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]))


def connection_secrets(params):
    """The secrets among the connection options that are not no_log: a client secret other than the public
    stock one, and a password (or token) written into ks_host."""
    found = []
    secret = params.get("ks_client_secret")
    if isinstance(secret, str) and secret and secret != STOCK_CLIENT_SECRET:
        found.append(secret)
    host = params.get("ks_host")
    if isinstance(host, str) and "@" in host:
        # The client refuses credentials in ks_host, but the invocation echoes it.
        userinfo = host.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]
        found.append(userinfo.partition(":")[2] or userinfo)
    return found


class KubeSphereModule(AnsibleModule):
    """AnsibleModule plus the connection options, the client and error mapping.

    secrets: a function of the module's parameters returning the secret values they hold besides no_log
    options (a secret key of a free-form dict, a password inside a request body). They are masked, with the
    connection's own, before AnsibleModule writes its first line to the system log ("Invoked with ...",
    written from inside its __init__) and before any result, also the result of an input error."""

    def __init__(self, argument_spec=None, secrets=None, **kwargs):
        self._secrets_of = secrets
        spec = dict(KS_CONNECTION_ARGSPEC)
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        self.mask_secrets()
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client = None

    def secret_values(self, params):
        """Every secret the parameters hold that Ansible does not mask by itself (no_log options it does)."""
        found = connection_secrets(params)
        if self._secrets_of is not None:
            found.extend(self._secrets_of(params) or ())
        return found

    def mask_secrets(self, values=None):
        """Add the secrets of the parameters (or the values given) to what Ansible masks everywhere."""
        if values is None:
            values = self.secret_values(self.params if isinstance(self.params, dict) else {})
        for value in values:
            self.no_log_values.update(logged_forms(value))

    def _load_params(self):
        # The parameters as given, before validation: an input error fails (with the invocation) before
        # AnsibleModule logs anything, and a secret must already be masked there.
        super()._load_params()
        self.mask_secrets()

    def log(self, msg, log_args=None):
        # AnsibleModule.log masks no_log values in the message, but hands log_args to journald as they are.
        self.mask_secrets()
        if log_args:
            log_args = remove_values(log_args, self.no_log_values)
        super().log(msg, log_args=log_args)

    def exit_json(self, **kwargs):
        self.mask_secrets()
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self.mask_secrets()
        super().fail_json(msg, **kwargs)

    pool_size = None    # connections kept open; a bulk module raises it to its concurrency

    def connection_options(self):
        options = dict((key, self.params.get(key)) for key in KS_CONNECTION_ARGSPEC)
        options["pool_size"] = self.pool_size
        return options

    @property
    def client(self):
        if self._client is None:
            if not self.params.get("ks_host"):
                self.fail_json(msg="No KubeSphere host: set ks_host, module_defaults for group/kubesphere.core.ks, "
                                   "or the KUBESPHERE_HOST environment variable.")
            try:
                self._client = KubeSphereClient(self.connection_options(), warn=self.warn)
            except KubeSphereError as err:
                self.fail_from_error(err)
            except ValueError as err:
                self.fail_json(msg=str(err))
        return self._client

    def fail_from_error(self, err, action=None, **extra):
        """Fail with the server's answer laid out for people and for `failed_when`."""
        msg = str(err) if not action else "%s: %s" % (action, err)
        self.fail_json(msg=msg, status=err.status, method=err.method, url=err.url,
                       reason=err.reason, server_message=err.message, **extra)

    def run_guarded(self, func, *args, **kwargs):
        """Run func, mapping any client error to a clean failure instead of a traceback."""
        try:
            return func(*args, **kwargs)
        except KubeSphereError as err:
            self.fail_from_error(err)


def run_resource(module, resource_class):
    """Converge the resource a module describes and exit with the standard result.

    Result: changed, the object under the resource's result key (secrets removed),
    whatever the children add (members), and diff when --diff is on.
    """
    resource = resource_class(lambda: module.client, module.params, check_mode=module.check_mode, warn=module.warn)
    wait = bool(module.params.get("wait"))
    try:
        outcome = converge(resource, module.params.get("state") or "present", wait=wait)
        extra = resource.finish(outcome, wait)
    except ResourceFailure as err:
        module.fail_json(msg=str(err), changed=err.changed, **err.details)
    except KubeSphereError as err:
        # A write may have gone through before the one that failed (the object, then a member).
        wrote = bool(module._client is not None and module._client.stats.get("writes"))
        module.fail_from_error(err, action="%s %s" % (resource.kind, resource.identity()), changed=wrote)
    result = dict(changed=outcome.changed)
    result[resource.result_key] = resource.public(outcome.obj)
    result.update(outcome.extra)
    result.update(extra)
    if module._diff:
        result["diff"] = dict(before=outcome.before, after=outcome.after)
    module.exit_json(**result)
