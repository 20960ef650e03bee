# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Network isolation as the KubeSphere v4.1 console sets it: the annotation
kubesphere.io/network-isolate, "enabled" or "disabled" (missing means off). On a core without
the network extension nothing acts on it (no NetworkPolicy is created): it is a declaration that
the extension, once installed, enforces."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import NETWORK_ISOLATION
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field


class IsolationField(Field):
    """A bool option stored as the annotation at path; a missing annotation reads as False."""

    def __init__(self, path):
        super(IsolationField, self).__init__(tuple(path) + (NETWORK_ISOLATION,),
                                             to_api=lambda on: "enabled" if on else "disabled")

    def get(self, obj):
        node = obj or {}
        for key in self.path:
            node = node.get(key) if isinstance(node, dict) else None
        return node == "enabled"
