# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The values in a KubeSphere request or answer that the collection knows to be secret.

ks_api sends and returns documents as they are; these are the values it keeps out of every output
(result, diff, -vvv, the invocation Ansible logs). Plain Python, no Ansible imports. Known secrets:

* user passwords: spec.password of a User (the stored bcrypt hash once hashed), and password and
  currentPassword of a password change;
* platform configuration: in a Secret of a config.kubesphere.io type (identity providers, OAuth
  clients; configuration.yaml) and in the kubesphere-config ConfigMap (kubesphere.yaml, where 3.x keeps
  its identity providers and the JWT signing secret), every value under a key naming a password or a
  secret (KubeSphere's own rule), and a base64-encoded configuration that holds one, whole (an encoded
  text cannot be masked in part);
* member cluster credentials: spec.connection.kubeconfig and spec.connection.token of a Cluster;
* OAuth: password, client_secret and refresh_token of a token request, and the tokens of its answer.

Other Kubernetes Secrets are not known to be the collection's: their data is returned as is.
"""

from __future__ import annotations

import base64
import binascii
import json

try:
    from urllib.parse import parse_qsl, quote, quote_plus
except ImportError:  # pragma: no cover
    from urllib import quote, quote_plus
    from urlparse import parse_qsl

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_types import is_secret_key

CONFIG_SECRET_TYPES = "config.kubesphere.io/"    # identityprovider, oauthclient
CONFIG_KEY = "configuration.yaml"
PLATFORM_CONFIGMAP = ("kubesphere-config", "kubesphere.yaml")
USER_SECRET_KEYS = ("password", "currentPassword")
FORM_SECRET_KEYS = ("password", "client_secret", "refresh_token")
TOKEN_KEYS = ("access_token", "refresh_token", "id_token")


def known_secrets(doc):
    """Every secret value doc holds (a dict, a list, or a JSON or form-encoded string), as strings."""
    found = []
    _collect(doc, found, depth=0)
    return [value for index, value in enumerate(found) if value and value not in found[:index]]


def _collect(doc, found, depth):
    if depth > 3:
        return
    if isinstance(doc, bytes):
        doc = doc.decode("utf-8", "replace")
    if isinstance(doc, str):
        parsed = _json(doc)
        if parsed is not None:
            _collect(parsed, found, depth + 1)
        else:
            _form(doc, found)
        return
    if isinstance(doc, list):
        for item in doc:
            _collect(item, found, depth + 1)
        return
    if not isinstance(doc, dict):
        return
    if isinstance(doc.get("items"), list):
        _collect(doc["items"], found, depth + 1)
    _user(doc, found)
    _configuration(doc, found)
    _cluster(doc, found)
    found.extend(doc[key] for key in TOKEN_KEYS if isinstance(doc.get(key), str) and "token_type" in doc)


def _json(text):
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _form(text, found):
    """An OAuth token request (grant_type=password&username=...&password=...), as sent and URL-encoded."""
    if "=" not in text or "grant_type=" not in text:
        return
    for key, value in parse_qsl(text.strip(), keep_blank_values=False):
        if key in FORM_SECRET_KEYS:
            found.extend((value, quote_plus(value), quote(value, safe="")))


def _user(doc, found):
    spec = doc.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("password"), str):
        found.append(spec["password"])
    found.extend(doc[key] for key in USER_SECRET_KEYS if isinstance(doc.get(key), str))


def _configuration(doc, found):
    """A config.kubesphere.io Secret's configuration.yaml, or kubesphere-config's kubesphere.yaml."""
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    if doc.get("kind") in (None, "Secret") and str(doc.get("type") or "").startswith(CONFIG_SECRET_TYPES):
        key = CONFIG_KEY
    elif doc.get("kind") in (None, "ConfigMap") and metadata.get("name") == PLATFORM_CONFIGMAP[0]:
        key = PLATFORM_CONFIGMAP[1]
    else:
        return
    # A Secret's data is base64; a ConfigMap's data, like stringData, is the text itself.
    for section, encoded in (("stringData", False), ("data", key == CONFIG_KEY)):
        values = doc.get(section) if isinstance(doc.get(section), dict) else {}
        text = values.get(key)
        if not isinstance(text, str) or not text:
            continue
        if encoded:
            try:
                decoded = base64.b64decode(text, validate=False).decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                found.append(text)     # not readable: keep all of it out
                continue
            secrets = _secret_values(_yaml(decoded))
            if secrets:
                found.append(text)
            found.extend(secrets)
        else:
            found.extend(_secret_values(_yaml(text)))


def _yaml(text):
    if yaml is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _secret_values(data, under_secret=False):
    """The scalars under keys naming a password or a secret, at any depth, with their YAML-quoted form."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_secret_values(value, under_secret or is_secret_key(key)))
    elif isinstance(data, list):
        for value in data:
            out.extend(_secret_values(value, under_secret))
    elif under_secret and data is not None and not isinstance(data, bool):
        text = str(data)
        out.extend((text, text.replace("'", "''")))
    return out


def _cluster(doc, found):
    if doc.get("kind") not in (None, "Cluster") or not str(doc.get("apiVersion") or "cluster.kubesphere.io").startswith(
            "cluster.kubesphere.io"):
        return
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    connection = spec.get("connection") if isinstance(spec.get("connection"), dict) else {}
    found.extend(connection[key] for key in ("kubeconfig", "token") if isinstance(connection.get(key), str))
