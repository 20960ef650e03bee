# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The failures a resource or the engine words itself (beside KubeSphereError, the server's own)."""

from __future__ import annotations


class ResourceFailure(Exception):
    """A failure the resource words itself.

    details are returned beside the message; changed says whether a write was sent first.
    """

    def __init__(self, message, **details):
        super(ResourceFailure, self).__init__(message)
        self.details = details
        self.changed = False


class ValidationError(ResourceFailure):
    """Bad input, found before any write was sent."""


class WaitTimeout(ResourceFailure):
    """A wait ran out; the message names the last state seen."""


class ProtectedObject(ResourceFailure):
    """A write the protection rule (ks_protected) refuses, found before it was sent."""
