# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Sub-resources (a quota, default limits, a member set) converged by the engine like any object.

A parent's children() returns (key, Outcome) pairs; each Outcome comes from converge() on a ChildResource,
so check mode (predict, send nothing), the diff and the recovery of a lost answer (read, send again only
what did not land) are the engine's, not a loop of the child's own. A child has one managed option; its
before and after are in that option's form.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Listed, Resource, converge


class ChildResource(Resource):
    """A sub-resource of one parent object: no options of its own but the one value converged."""

    def __init__(self, client, check_mode=False, cluster=None):
        super().__init__(client, {}, check_mode=check_mode)
        self.cluster = cluster

    def converge_value(self, option, desired, state="present", current=None, known_missing=False):
        """Converge the child to hold desired (the option's value). current: the child as already read;
        known_missing: its parent is new, so there is nothing to read (check mode predicts from nothing)."""
        self.params = {option: desired, "state": state}
        if known_missing:
            current = Listed(None)
        elif current is not None:
            current = Listed(current)
        return converge(self, state, current=current)
