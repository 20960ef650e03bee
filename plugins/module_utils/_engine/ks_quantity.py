# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Kubernetes resource quantities ("500m", "1", "1Gi", "2e3"): validated before any write and
compared by value, so 1000m equals 1 and 1Gi equals 1024Mi, and a re-run with another spelling is
not a change."""

from __future__ import annotations

import re
from fractions import Fraction

_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")
_DECIMAL = dict(n=-9, u=-6, m=-3, k=3, M=6, G=9, T=12, P=15, E=18)
_BINARY = dict(Ki=1, Mi=2, Gi=3, Ti=4, Pi=5, Ei=6)


def parse(value):
    """The quantity as an exact number of base units; ValueError when it is not a quantity."""
    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError("%r is not a Kubernetes quantity (for example 500m, 2, 1.5, 512Mi, 4Gi)" % (value,))
    number, suffix = Fraction(match.group(1)), match.group(2) or ""
    if suffix in _BINARY:
        return number * 1024 ** _BINARY[suffix]
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    return number * Fraction(10) ** _DECIMAL.get(suffix, 0)


def quantity_error(value, what):
    """Why value is no usable quantity (negative ones included), or None."""
    try:
        amount = parse(value)
    except ValueError as err:
        return "%s: %s" % (what, err)
    return "%s: %r is negative" % (what, value) if amount < 0 else None


def same(left, right):
    """Whether two quantities are equal by value (unparsable ones: by text)."""
    try:
        return parse(left) == parse(right)
    except ValueError:
        return str(left) == str(right)


def as_text(value):
    """The string the API stores (an integer from YAML becomes "2")."""
    return str(value)
