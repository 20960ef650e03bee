# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""KubeSphere's 64-bit FNV-1a, in lower-case hex without padding. It names a WorkspaceRole whose
{workspace}-{role} would pass 63 characters ({role}.{hash of the workspace}), and it is the hash the
InstallPlan controller writes to status.configHash.

For an InstallPlan it is taken of the exact bytes of the Helm values (spec.config, as
stored after the webhook trimmed it), in lower-case hex without padding; the
empty config hashes to cbf29ce484222325. A client that computes it can tell
whether the status it reads is about the config it asked for.
"""

from __future__ import annotations

_OFFSET = 0xcbf29ce484222325
_PRIME = 0x100000001b3
_MASK = 0xFFFFFFFFFFFFFFFF


def fnv1a64_hex(text):
    value = _OFFSET
    data = text.encode("utf-8") if not isinstance(text, bytes) else text
    for byte in bytearray(data):
        value = ((value ^ byte) * _PRIME) & _MASK
    return "%x" % value
