"""/kapis/config.kubesphere.io/v1alpha2: configs/oauth (the OAuth settings and the identity
providers ks-apiserver has built, secrets left out) and platformconfigs (a YAML document kept in a
Secret io.kubesphere.config.platformconfig.<name>). Errors are plain text, as recorded."""

import base64

import yaml

from ..context import text_error
from ..iam.identity_providers import NAMESPACE, live_providers, oauth_view
from ..kinds.core import SECRET
from ..patch import merge_patch
from ..validation import name_problem
from .router import kapi

BASE = "/kapis/config.kubesphere.io/v1alpha2"
PLATFORM_CONFIG_KIND = "GenericPlatformConfiguration"
PLATFORM_CONFIG_API = "config.kubesphere.io/v1alpha2"
PLATFORM_CONFIG_TYPE = "config.kubesphere.io/generic-platform-config"
PLATFORM_CONFIG_PREFIX = "io.kubesphere.config.platformconfig."
DATA_KEY = "configuration.yaml"
NANOSECONDS = 1000000000
ISSUER_URL = "http://ks-console.kubesphere-system.svc:30880"


@kapi("GET", BASE + "/configs/oauth")
def oauth_configuration(ctx):
    settings = ctx.settings
    providers = sorted(live_providers(ctx.app).all(), key=lambda c: c["name"])
    return {"issuer": {"url": ISSUER_URL,
                       "accessTokenMaxAge": int(settings.token_ttl * NANOSECONDS),
                       "accessTokenInactivityTimeout": int(settings.token_inactivity_timeout * NANOSECONDS),
                       "maximumClockSkew": 10 * NANOSECONDS},
            "identityProviders": [oauth_view(c) for c in providers],
            "clients": [{"name": settings.oauth_client_id, "trusted": True, "grantMethod": "auto",
                         "scopeRestrictions": ["openid", "email", "profile"]}]}


# ---- platformconfigs ------------------------------------------------------------------------

def _secret_name(name):
    return PLATFORM_CONFIG_PREFIX + name


def _not_found(name):
    return text_error(404, f"platform config {name} not found")


def _as_config(secret):
    raw = (secret.get("data") or {}).get(DATA_KEY) or ""
    data = yaml.safe_load(base64.b64decode(raw).decode()) if raw else None
    metadata = secret["metadata"]
    return {"kind": PLATFORM_CONFIG_KIND, "apiVersion": PLATFORM_CONFIG_API,
            "metadata": {"name": metadata["name"][len(PLATFORM_CONFIG_PREFIX):], "uid": metadata["uid"],
                         "resourceVersion": metadata["resourceVersion"],
                         "creationTimestamp": metadata["creationTimestamp"]},
            "data": data}


def _as_secret(name, data):
    text = yaml.safe_dump(data, default_flow_style=False, sort_keys=True) if data is not None else "null\n"
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": _secret_name(name), "namespace": NAMESPACE},
            "type": PLATFORM_CONFIG_TYPE, "data": {DATA_KEY: base64.b64encode(text.encode()).decode()}}


def _stored(ctx, name):
    if name_problem(name, "label"):
        raise _not_found(name)
    secret = ctx.view().get(SECRET, _secret_name(name), NAMESPACE)
    if secret is None:
        raise _not_found(name)
    return secret


@kapi("GET", BASE + "/platformconfigs/{name}")
def get_platform_config(ctx):
    return _as_config(_stored(ctx, ctx.params["name"]))


@kapi("POST", BASE + "/platformconfigs")
def create_platform_config(ctx):
    body = ctx.json_body("v1alpha2.GenericPlatformConfiguration", dict)
    name = (body.get("metadata") or {}).get("name") or ""
    if body.get("kind") != PLATFORM_CONFIG_KIND:
        raise text_error(400, f"invalid kind: {body.get('kind') or ''}")
    if body.get("apiVersion") != PLATFORM_CONFIG_API:
        raise text_error(400, f"invalid apiVersion: {body.get('apiVersion') or ''}")
    if name_problem(name, "label"):
        raise text_error(400, f"invalid config name: {name}")
    created = ctx.api.create(ctx.cluster, SECRET, _as_secret(name, body.get("data")), user=ctx.user)
    return _as_config(created)


@kapi("PUT", BASE + "/platformconfigs/{name}")
def replace_platform_config(ctx):
    body = ctx.json_body("v1alpha2.GenericPlatformConfiguration", dict)
    name = (body.get("metadata") or {}).get("name") or ""
    updated = ctx.api.update(ctx.cluster, SECRET, _as_secret(name, body.get("data")), user=ctx.user)
    return _as_config(updated)


@kapi("PATCH", BASE + "/platformconfigs/{name}", consumes=["application/merge-patch+json"])
def patch_platform_config(ctx):
    body = ctx.json_body("map[string]json.RawMessage", dict)
    name = ctx.params["name"]
    current = _as_config(_stored(ctx, name))
    if body.get("data") is None:
        return current
    data = merge_patch(current["data"], body["data"])
    return _as_config(ctx.api.update(ctx.cluster, SECRET, _as_secret(name, data), user=ctx.user))


@kapi("DELETE", BASE + "/platformconfigs/{name}")
def delete_platform_config(ctx):
    name = ctx.params["name"]
    if name_problem(name, "label"):
        raise _not_found(name)
    ctx.api.delete(ctx.cluster, SECRET, _secret_name(name), NAMESPACE, user=ctx.user)
    return {"message": "success"}
