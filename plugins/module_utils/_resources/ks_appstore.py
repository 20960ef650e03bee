# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""What the three App Store kinds (repos, apps, releases) share: the API's paths and labels, the retry the
informer cache makes necessary, the packages namespace, and masking of what the server shows in clear
(repo credentials in URLs, Secret data in YAML apps). Facts: docs/appstore-facts.md."""

from __future__ import annotations

import base64
import binascii
import copy
import time

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import MASK

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    HAS_YAML = False

BASE = "/kapis/application.kubesphere.io/v2"
APP_ID_LABEL = "application.kubesphere.io/app-id"
APP_TYPE_LABEL = "application.kubesphere.io/app-type"
CATEGORY_LABEL = "application.kubesphere.io/app-category-name"
REPO_LABEL = "application.kubesphere.io/repo-name"
CLUSTER_LABEL = "kubesphere.io/cluster"
NAMESPACE_LABEL = "kubesphere.io/namespace"
UPLOAD_REPO = "upload"
# Where packages are kept without S3; the openpitrix extension makes it, core does not.
PACKAGES_NAMESPACE = "extension-openpitrix"
CONFLICT_TEXT = "the object has been modified"


def annotations_of(obj):
    return ((obj or {}).get("metadata") or {}).get("annotations") or {}


def state_of(obj):
    return ((obj or {}).get("status") or {}).get("state") or ""


def retry_conflicts(write, attempts=6, stale=()):
    """Run a write; KubeSphere's App Store reads through the informer cache, so a write right after another
    one of the same object may meet the older copy and fail with 500 "the object has been modified" (nothing
    was written then): it is sent again after a short pause. stale: more (status, text) answers that mean the
    cache had not yet seen an earlier write of this run (a version just uploaded: 404)."""
    pause = 0.2
    for attempt in range(attempts):
        try:
            return write()
        except KubeSphereError as err:
            known = [(500, CONFLICT_TEXT)] + list(stale)
            if attempt + 1 >= attempts or not any(err.status == status and text in (err.message or "")
                                                  for status, text in known):
                raise
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
    return None  # pragma: no cover


def packages_namespace_problem(client, what):
    """Why an upload cannot work here (the namespace holding packages is missing), or None. Asked before the
    upload: the server writes the app and its version first and fails at the package, leaving them behind."""
    try:
        found = client.get("/api/v1/namespaces/%s" % PACKAGES_NAMESPACE, missing_ok=True)
    except KubeSphereError as err:
        if err.status in (401, 403):
            return None     # not ours to read: the server's own answer will say it
        raise
    if found is not None:
        return None
    return ("%s needs the namespace %s, where KubeSphere keeps uploaded packages when no S3 storage is "
            "configured; it does not exist. Install the App Store extension (openpitrix), which makes it, or create "
            "the namespace; nothing was uploaded" % (what, PACKAGES_NAMESPACE))


def versions_of(client, workspace, app):
    """The ApplicationVersions of an app (any state), by their spec.versionName."""
    path = "%s/workspaces/%s/apps/%s/versions" % (BASE, workspace, app)
    found = {}
    for item in client.list_all(path):
        found[(item.get("spec") or {}).get("versionName") or item["metadata"]["name"]] = item
    return found


def decode_values(text):
    """spec.values of a release ([]byte: base64 in JSON), as text."""
    if not text:
        return ""
    try:
        return base64.b64decode(text).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return ""


def encode_values(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def load_documents(text):
    """The YAML documents of a text, empty ones left out."""
    return [doc for doc in yaml.safe_load_all(text or "") if doc is not None]


def dump_documents(docs):
    return yaml.safe_dump_all(docs, default_flow_style=False, sort_keys=False)


def masked_document(doc):
    """A Kubernetes object with a Secret's data and stringData values masked."""
    if not isinstance(doc, dict) or doc.get("kind") != "Secret":
        return doc
    doc = copy.deepcopy(doc)
    for key in ("data", "stringData"):
        if isinstance(doc.get(key), dict):
            doc[key] = dict((k, MASK) for k in doc[key])
    return doc


def masked_documents(docs):
    return [masked_document(doc) for doc in docs or []]
