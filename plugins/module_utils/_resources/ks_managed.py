# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Which objects are under this collection's management, and which belong to KubeSphere itself.

An object is under management when it carries the label below (the label Kubernetes recommends for
"the tool that manages this"; Helm sets it to "Helm"). The modules add it when they create an object,
and an export with adoption adds it to what it exported. Pruning removes only labelled objects that
are no longer declared, and never KubeSphere's own objects, labelled or not (ks_protected).
"""

from __future__ import annotations

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kubesphere.core"


def is_managed(obj):
    """True when obj (an API object) carries this collection's management label."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE


def managed_by_other(obj):
    """The name of another tool that claims obj (its managed-by label), or None."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    value = labels.get(MANAGED_BY_LABEL)
    return value if value and value != MANAGED_BY_VALUE else None


def mark_managed(body):
    """Add the management label to an object body (a create body or a patch's metadata)."""
    metadata = body.setdefault("metadata", {})
    labels = metadata.get("labels")
    if not isinstance(labels, dict):
        labels = metadata["labels"] = {}
    labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE
    return body
