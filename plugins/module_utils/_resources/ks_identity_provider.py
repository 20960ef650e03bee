# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A KubeSphere v4 identity provider as a converge resource.

What the real server imposes (ks-recordings identity.json; KubeSphere v4.1.3
pkg/apiserver/authentication/identityprovider and pkg/controller/config/identityprovider):
* a provider is a Secret in kubesphere-system, type config.kubesphere.io/identityprovider,
  label config.kubesphere.io/type=identityprovider, its YAML under configuration.yaml; there is
  no kapis route, and reading it needs platform-admin rights;
* the provider's name is the "name" in that YAML, not the Secret's name: the webhook refuses
  (403) an empty name, a name another provider has and a name change on update;
* ks-apiserver shows a provider (configs/oauth) only once it could build it, without every option
  whose key contains "password" or "secret": the same rule marks the options this module treats as
  write-only here.
"""

from __future__ import annotations

import base64
import copy

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None
    HAS_YAML = False

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    MASK,
    Field,
    ResourceFailure,
    ValidationError,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_types import TYPES, is_secret_key, options_error
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import dns1123_label_error, first_error

NAMESPACE = "kubesphere-system"
SECRETS = "/api/v1/namespaces/%s/secrets" % NAMESPACE
SECRET_TYPE = "config.kubesphere.io/identityprovider"
TYPE_LABEL = "config.kubesphere.io/type"
DATA_KEY = "configuration.yaml"
# The provider name becomes part of the user annotation iam.kubesphere.io/identity-provider.<name>,
# whose name part may be 63 characters long.
MAX_NAME = 63 - len("identity-provider.")
DEFAULT_MAPPING = "auto"


def provider_secrets(client):
    """Every identity-provider Secret, as [(secret, configuration)] (configuration None if unreadable)."""
    found = []
    for secret in client.list_all(SECRETS, query={"labelSelector": "%s=identityprovider" % TYPE_LABEL}):
        if secret.get("type") == SECRET_TYPE:
            found.append((secret, configuration_of(secret)))
    return found


def configuration_of(secret):
    raw = (secret.get("data") or {}).get(DATA_KEY)
    if not raw:
        return {}
    try:
        parsed = yaml.safe_load(base64.b64decode(raw).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return parsed if isinstance(parsed, dict) else None


def without_secrets(config):
    """The configuration as configs/oauth would show it: no option whose key names a secret."""
    config = copy.deepcopy(config or {})
    provider = config.get("provider")
    if isinstance(provider, dict):
        config["provider"] = dict((k, v) for k, v in provider.items() if not is_secret_key(k))
    return config


def _plain(options):
    return dict((k, v) for k, v in (options or {}).items() if not is_secret_key(k))


class _Options(Field):
    """The provider's own settings. The given options are the whole section, except that secret
    options (managerPassword, clientSecret...) are write-only: compared only with
    update_secrets=always, kept as stored otherwise (also when left out), set when missing. A stored
    secret the provider's type does not take (an LDAP managerPassword left in what is now a CAS provider)
    is dropped: nothing would ever read it, and it would stay a copy of the secret."""

    def __init__(self, resource):
        super().__init__(("config", "provider"))
        self.resource = resource

    def _always(self):
        return self.resource.params.get("update_secrets") == "always"

    def _takes(self, key):
        kind = TYPES.get(self.resource.params.get("type"))
        return kind is None or key in kind.known

    def changed_secrets(self, desired, current):
        current = current or {}
        return sorted(k for k, v in (desired or {}).items() if is_secret_key(k) and (
            k not in current or (self._always() and current.get(k) != v)))

    def dropped_secrets(self, current):
        return sorted(k for k in (current or {}) if is_secret_key(k) and not self._takes(k))

    def same(self, desired, current):
        return (_plain(desired) == _plain(current) and not self.changed_secrets(desired, current)
                and not self.dropped_secrets(current))

    def merged(self, desired, current):
        current = current or {}
        out = dict((k, v) for k, v in current.items() if is_secret_key(k) and self._takes(k))
        for key, value in (desired or {}).items():
            if not is_secret_key(key) or key in self.changed_secrets(desired, current):
                out[key] = value
        return out


class IdentityProviderResource(KubeSphereResource):
    kind = "identity provider"
    result_key = "identity_provider"
    requires = ("identity_providers",)

    def __init__(self, client, params, check_mode=False, warn=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn)
        self.fields = dict(
            type=Field(("config", "type")),
            mapping_method=Field(("config", "mappingMethod")),
            display_name=Field(("config", "displayName")),
            hidden=Field(("config", "hidden")),
            disabled=Field(("config", "disabled")),
            options=_Options(self),
        )
        self._current = None

    # Input --------------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        name = p.get("name")
        problems = [dns1123_label_error(name, "name")]
        if isinstance(name, str) and len(name) > MAX_NAME:
            problems.append("name %r is %d characters long; at most %d are allowed, because users are linked to "
                            "it by the annotation iam.kubesphere.io/identity-provider.<name>" % (name, len(name), MAX_NAME))
        if state == "present":
            if not p.get("type"):
                problems.append("type is required when state=present")
            elif p.get("options") is None:
                problems.append("options is required when state=present: the settings of the %s" % p["type"])
            else:
                problems.append(options_error(p["type"], p["options"]))
        if not HAS_YAML:
            problems.append("the Python library PyYAML is needed where the module runs")
        return first_error(*problems)

    # Reads --------------------------------------------------------------------------------
    def read(self):
        try:
            found = provider_secrets(self.client)
        except KubeSphereError as err:
            if err.status == 403:
                raise ResourceFailure("identity provider %s: %s may not read identity providers (Secrets in %s): "
                                      "managing them needs platform-admin rights. The server said: %s"
                                      % (self.params["name"], self.params.get("ks_username") or "this user",
                                         NAMESPACE, err.message), status=err.status)
            raise
        name = self.params["name"]
        mine = [(s, c) for s, c in found if (c or {}).get("name") == name]
        if len(mine) > 1:
            raise ValidationError("identity provider %s is defined by %d Secrets in %s (%s); remove all but one"
                                  % (name, len(mine), NAMESPACE, ", ".join(s["metadata"]["name"] for s, _c in mine)))
        if not mine:
            self._check_secret_name_free(found)
            self._current = None
            return None
        secret, config = mine[0]
        self._current = {"secret": secret, "config": config}
        return self._current

    def _check_secret_name_free(self, found):
        """A new provider's Secret takes its name; another provider (or an unreadable one) in a Secret of
        that name would make the create a 403 (or 409) after the check."""
        for secret, config in found:
            if secret["metadata"]["name"] == self.params["name"]:
                what = "provider %r" % config.get("name") if config else "a configuration that is not valid YAML"
                raise ValidationError("identity provider %s cannot be created: Secret %s/%s already holds %s"
                                      % (self.params["name"], NAMESPACE, self.params["name"], what))

    # Writes -------------------------------------------------------------------------------
    def new_object(self):
        config = {"name": self.params["name"], "type": self.params["type"], "mappingMethod": DEFAULT_MAPPING}
        return {"secret": None, "config": config}

    def _secret_body(self, config, current_secret=None):
        text = yaml.safe_dump(config, default_flow_style=False, sort_keys=False)
        if current_secret is None:
            body = {"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": self.params["name"], "namespace": NAMESPACE,
                                 "labels": {TYPE_LABEL: "identityprovider"}},
                    "type": SECRET_TYPE}
            mark_managed(body)
        else:
            body = copy.deepcopy(current_secret)   # list items carry no kind/apiVersion: a PUT needs them
            body.update(apiVersion="v1", kind="Secret")
            body.get("metadata", {}).pop("managedFields", None)
            data = body.get("data") or {}
            data.pop(DATA_KEY, None)
            if not data:
                body.pop("data", None)
        body["stringData"] = {DATA_KEY: text}
        return body

    def create(self, body):
        created = self.client.post(SECRETS, self._secret_body(body["config"]))
        return {"secret": created, "config": configuration_of(created) or body["config"]}

    def update(self, current, body, changed):
        if "type" in changed:
            self.warn("identity provider %s changes type from %s to %s; users linked to it keep their links"
                      % (self.params["name"], current["config"].get("type"), self.params["type"]))
        secret = current["secret"]
        updated = self.client.put("%s/%s" % (SECRETS, secret["metadata"]["name"]),
                                  self._secret_body(body["config"], secret))
        return {"secret": updated, "config": configuration_of(updated) or body["config"]}

    def delete(self, current):
        self.client.delete("%s/%s" % (SECRETS, current["secret"]["metadata"]["name"]), missing_ok=True)

    # Output -------------------------------------------------------------------------------
    def public(self, obj):
        if not obj:
            return None
        out = without_secrets(obj["config"])
        secret = obj.get("secret") or {}
        metadata = secret.get("metadata") or {}
        out["secret"] = dict((k, metadata[k]) for k in ("name", "namespace", "uid", "resourceVersion") if k in metadata)
        if not secret:
            out["secret"] = {"name": self.params["name"], "namespace": NAMESPACE}
        return out

    def view(self, obj):
        if not obj:
            return {}
        out = {}
        absent = (self.params.get("state") or "present") == "absent"
        for opt, field in self.fields.items():
            if self.params.get(opt) is None and not absent:
                continue
            value = field.get(obj)
            if opt == "options":
                value = self._masked_options(value, after=obj is not self._current)
            out[opt] = value
        return out

    def _masked_options(self, options, after):
        if options is None:
            return None
        changed = []
        if after and self._current is not None:
            changed = self.fields["options"].changed_secrets(self.params.get("options"),
                                                             self.fields["options"].get(self._current))
        return dict((k, (MASK + (" (changed)" if k in changed else "")) if is_secret_key(k) else v)
                    for k, v in options.items())
