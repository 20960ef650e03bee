"""Identity providers (v4.1.3): Secrets in kubesphere-system of type
config.kubesphere.io/identityprovider with the provider's YAML under configuration.yaml.

The config webhook (validator.config.kubesphere.io, pkg/controller/config/identityprovider)
labels them with the provider name and denies an empty name, a name another provider has, and a
name change. ks-apiserver keeps the providers it could build in memory (LiveProviders); that is
what configs/oauth lists, with every option whose key contains "password" or "secret" left out.
The emulator reaches no network: an OIDC provider with an issuer is never built (discovery fails,
as it did for the recorded unreachable issuer) and an LDAP server is never reachable."""

import base64
import threading

import yaml

from .. import errors
from ..admission import admission

NAMESPACE = "kubesphere-system"
SECRET_TYPE = "config.kubesphere.io/identityprovider"
TYPE_LABEL = "config.kubesphere.io/type"
NAME_LABEL = SECRET_TYPE          # the webhook labels the Secret <type>: <provider name>
DATA_KEY = "configuration.yaml"
WEBHOOK = "validator.config.kubesphere.io"

LDAP = "LDAPIdentityProvider"
OIDC = "OIDCIdentityProvider"
GITHUB = "GitHubIdentityProvider"
CAS = "CASIdentityProvider"
IDAAS = "AliyunIDaaSProvider"
GENERIC_TYPES = (LDAP,)                       # password-grant providers
OAUTH_TYPES = (OIDC, GITHUB, CAS, IDAAS)       # browser-redirect providers
GITHUB_ENDPOINT = {"authURL": "https://github.com/login/oauth/authorize",
                   "tokenURL": "https://github.com/login/oauth/access_token",
                   "userInfoURL": "https://api.github.com/user"}


class BadConfiguration(Exception):
    pass


def is_provider_secret(secret):
    metadata = secret.get("metadata") or {}
    return metadata.get("namespace") == NAMESPACE and secret.get("type") == SECRET_TYPE


def configuration_of(secret):
    """The provider configuration as ks-apiserver unmarshals it (yaml.v3 into the Go struct)."""
    raw = (secret.get("data") or {}).get(DATA_KEY) or ""
    try:
        text = base64.b64decode(raw).decode("utf-8")
        parsed = yaml.safe_load(text) if text.strip() else {}
    except (ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BadConfiguration(f"failed to unmarshal secret data: yaml: {exc}") from None
    if not isinstance(parsed, dict):
        raise BadConfiguration("failed to unmarshal secret data: yaml: cannot unmarshal into "
                               "identityprovider.Configuration")
    provider = parsed.get("provider")
    return {"name": str(parsed.get("name") or ""),
            "mappingMethod": str(parsed.get("mappingMethod") or ""),
            "type": str(parsed.get("type") or ""),
            "hidden": bool(parsed.get("hidden")),
            "disabled": bool(parsed.get("disabled")),
            "displayName": str(parsed.get("displayName") or ""),
            "provider": dict(provider) if isinstance(provider, dict) else {}}


def provider_secrets(view):
    """What the webhook's duplicate check lists: labelled Secrets of the identity-provider type."""
    return [s for s in view.list(_secret_kind(), NAMESPACE)
            if s.get("type") == SECRET_TYPE and ((s.get("metadata") or {}).get("labels") or {}).get(TYPE_LABEL)
            == "identityprovider"]


def _secret_kind():
    from ..registry import find
    return find("", "secrets")


# ---- the webhook ------------------------------------------------------------------------

@admission("", "secrets")
def identity_provider_webhook(review):
    if review.op == "DELETE" or review.obj.get("type") != SECRET_TYPE:
        return
    obj = review.obj
    try:
        config = configuration_of(obj)
    except BadConfiguration as exc:
        prefix = "failed to unmarshal identity provider: " if review.op == "CREATE" else ""
        raise errors.webhook_denied(WEBHOOK, prefix + str(exc)) from None
    if review.op == "CREATE":
        _validate_create(review, config)
    else:
        try:
            old = configuration_of(review.old)
        except BadConfiguration as exc:
            raise errors.webhook_denied(WEBHOOK, str(exc)) from None
        if old["name"] != config["name"]:
            raise errors.webhook_denied(WEBHOOK, f"the provider name is immutable, old: {old['name']}, "
                                                 f"new: {config['name']}")
    if config["name"] and (obj.get("metadata") or {}).get("namespace") == NAMESPACE:
        obj["metadata"].setdefault("labels", {})[NAME_LABEL] = config["name"]


def _validate_create(review, config):
    if not config["name"]:
        raise errors.webhook_denied(WEBHOOK, "invalid Identity Provider, please ensure that the provider "
                                             "name is not empty")
    for secret in provider_secrets(review.api.view(review.cluster)):
        try:
            other = configuration_of(secret)
        except BadConfiguration:
            continue
        if other["name"] != config["name"]:
            continue
        if other["disabled"]:
            raise errors.webhook_denied(WEBHOOK, "failed to check identity provider: failed to get identity "
                                                 "provider: the Identity provider was Disabled")
        raise errors.webhook_denied(WEBHOOK, f"invalid provider, provider name '{config['name']}' already exists")


# ---- what ks-apiserver has built ------------------------------------------------------------

class LiveProviders:
    """The providers ks-apiserver holds in memory, fed by the Secret informer: a Secret that fails
    to build (unknown type, unreachable OIDC issuer) leaves the previous version in place."""

    def __init__(self):
        self._lock = threading.Lock()
        self._configs = {}          # provider name -> configuration (with the factory's defaults)
        self._by_secret = {}        # secret name -> provider name

    def changed(self, secret_name, config):
        built = build(config)
        with self._lock:
            if built is not None:
                self._configs[config["name"]] = built
                self._by_secret[secret_name] = config["name"]

    def deleted(self, secret_name):
        with self._lock:
            name = self._by_secret.pop(secret_name, None)
            if name is not None:
                self._configs.pop(name, None)

    def get(self, name):
        with self._lock:
            return self._configs.get(name)

    def all(self):
        with self._lock:
            return list(self._configs.values())


def live_providers(app):
    providers = getattr(app, "identity_providers", None)
    if providers is None:
        providers = app.identity_providers = LiveProviders()
    return providers


def build(config):
    """The configuration once the type's factory has run, or None when it fails."""
    kind = config["type"]
    if kind not in GENERIC_TYPES + OAUTH_TYPES:
        return None
    config = dict(config, provider=dict(config["provider"]))
    if kind == OIDC and config["provider"].get("issuer"):
        return None                  # discovery needs the issuer, which the emulator never reaches
    if kind == GITHUB:
        endpoint = dict(GITHUB_ENDPOINT)
        given = config["provider"].get("endpoint")
        if isinstance(given, dict):
            endpoint.update({k: v for k, v in given.items() if k in endpoint and v})
        config["provider"]["endpoint"] = endpoint
    return config


def desensitized(options):
    """DynamicOptions.MarshalJSON: keys containing "password" or "secret" are dropped."""
    return {key: value for key, value in options.items()
            if "password" not in key.lower() and "secret" not in key.lower()}


def oauth_view(config):
    return {"name": config["name"], "mappingMethod": config["mappingMethod"], "type": config["type"],
            "hidden": config["hidden"], "disabled": config["disabled"], "displayName": config["displayName"],
            "provider": dict(sorted(desensitized(config["provider"]).items()))}
