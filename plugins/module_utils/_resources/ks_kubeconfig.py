# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A member cluster's kubeconfig as ks_cluster reads and compares it (docs/cluster-facts.md section 4).

Two kubeconfigs are the same when their current contexts reach the same cluster (server URL normalised, CA or
insecure-skip-tls-verify, tls-server-name, proxy-url) with the same credentials (token, client certificate and
key, username and password, exec or auth-provider settings), whatever the names and the order of the fields.
Whether a different server is still the same cluster only KubeSphere can tell (by its kube-system uid)."""

from __future__ import annotations

import base64
import os

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urlparse import urlsplit  # type: ignore

_DEFAULT_PORTS = {"https": 443, "http": 80}
_CLUSTER_KEYS = ("certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name", "proxy-url")
_SECRET_USER_KEYS = ("token", "client-key-data", "client-certificate-data", "password")


class KubeconfigProblem(ValueError):
    """The kubeconfig cannot be read or has no usable current context; the message says why."""


def looks_like_content(value):
    """A kubeconfig given as its text (YAML or JSON) rather than as a path: it spans lines or is a mapping."""
    text = value.strip()
    return "\n" in text or text.startswith("{") or text.startswith("apiVersion:")


def load_text(value):
    """The kubeconfig's text: value itself, or the file it names (read where the module runs)."""
    if looks_like_content(value):
        return value
    path = os.path.expanduser(value)
    if not os.path.isfile(path):
        raise KubeconfigProblem("kubeconfig: %s is not a file and not a kubeconfig's content" % value)
    try:
        with open(path, "r") as handle:
            return handle.read()
    except (IOError, OSError, UnicodeDecodeError) as err:
        raise KubeconfigProblem("kubeconfig: cannot read %s: %s" % (value, err))


def _parse(text):
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise KubeconfigProblem("kubeconfig is not valid YAML: %s" % " ".join(str(err).split()))
    if not isinstance(config, dict):
        raise KubeconfigProblem("kubeconfig is not a kubeconfig (a mapping with clusters, users and contexts)")
    return config


def _named(config, section, name):
    for entry in config.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry.get(section[:-1]) or {}
    return None


def current_parts(text):
    """(cluster, user) entries of the current context; KubeconfigProblem when there is none."""
    config = _parse(text)
    current = config.get("current-context")
    if not current:
        raise KubeconfigProblem("kubeconfig has no current-context: KubeSphere uses the current context")
    context = _named(config, "contexts", current)
    if context is None:
        raise KubeconfigProblem("kubeconfig: the current context %s is not among its contexts" % current)
    cluster = _named(config, "clusters", context.get("cluster"))
    if not cluster or not cluster.get("server"):
        raise KubeconfigProblem("kubeconfig: the cluster of context %s has no server" % current)
    user = _named(config, "users", context.get("user")) or {}
    return cluster, user


def problem(text):
    """Why the kubeconfig text is unusable, or None."""
    try:
        current_parts(text)
    except KubeconfigProblem as err:
        return str(err)
    return None


def normal_server(url):
    split = urlsplit(str(url).strip())
    scheme = (split.scheme or "https").lower()
    host = (split.hostname or "").lower()
    port = split.port or _DEFAULT_PORTS.get(scheme)
    if ":" in host:
        host = "[%s]" % host
    return "%s://%s:%s%s" % (scheme, host, port, split.path.rstrip("/"))


def identity(text):
    """What makes a kubeconfig the one it is: its current cluster (normalised) and its credentials."""
    cluster, user = current_parts(text)
    reach = dict((key, cluster.get(key)) for key in _CLUSTER_KEYS if cluster.get(key) not in (None, "", False))
    reach["server"] = normal_server(cluster["server"])
    credentials = dict((key, value) for key, value in user.items() if value not in (None, "", [], {}))
    return reach, credentials


def same(one, other):
    """Whether two kubeconfig texts reach the same cluster with the same credentials; unreadable ones differ
    unless equal as text."""
    if one is None or other is None:
        return one == other
    try:
        return identity(one) == identity(other)
    except KubeconfigProblem:
        return one == other


def same_server(one, other):
    try:
        return identity(one)[0] == identity(other)[0]
    except KubeconfigProblem:
        return False


def encode(text):
    """As the Cluster stores it: spec.connection.kubeconfig is a Go []byte, base64 in JSON."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(value):
    try:
        return base64.b64decode(value).decode("utf-8")
    except (TypeError, ValueError, UnicodeDecodeError):
        return None


def secrets(text):
    """The credential values a kubeconfig holds, to be masked wherever Ansible writes: its text and base64,
    and the token, key, certificate and password of every user."""
    if not text:
        return []
    found = [text, encode(text)]
    try:
        config = _parse(text)
    except KubeconfigProblem:
        return found
    for entry in config.get("users") or []:
        user = (entry or {}).get("user") if isinstance(entry, dict) else None
        for key in _SECRET_USER_KEYS:
            value = (user or {}).get(key)
            if isinstance(value, str) and len(value) >= 6:
                found.append(value)
    return found
