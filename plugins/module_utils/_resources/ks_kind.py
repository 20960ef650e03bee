# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The base of every KubeSphere kind: the engine's Resource plus what only KubeSphere knows, so that the
engine stays free of KubeSphere lookups. Today that is where references are looked up: on the server, one GET
each, unless the task's assume_present names them."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import AssumedPresent, ServerReferences


class KubeSphereResource(Resource):

    def default_refs(self):
        refs = ServerReferences(lambda: self.client)
        assumed = self.params.get("assume_present")
        if assumed:
            refs = AssumedPresent(refs, users=assumed.get("users"),
                                  workspaces=assumed.get("workspaces"), roles=assumed.get("roles"),
                                  projects=assumed.get("projects"))
        return refs
