"""Kubernetes resource quantities as the apiserver parses them (enough to
validate and compare them: the value as a Fraction of base units)."""

import re
from fractions import Fraction

PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
MESSAGE = f"quantities must match the regular expression '{PATTERN}'"
_RE = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")
_SUFFIX = {"": Fraction(1), "n": Fraction(1, 10 ** 9), "u": Fraction(1, 10 ** 6), "m": Fraction(1, 1000),
           "k": Fraction(10 ** 3), "M": Fraction(10 ** 6), "G": Fraction(10 ** 9), "T": Fraction(10 ** 12),
           "P": Fraction(10 ** 15), "E": Fraction(10 ** 18)}
_SUFFIX.update({s: Fraction(1024 ** (i + 1)) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))})


class QuantityError(ValueError):
    pass


def parse(text):
    """The quantity's value; QuantityError with the apiserver's message when it is not one."""
    match = _RE.match(str(text).strip()) if isinstance(text, (str, int, float)) else None
    if not match:
        raise QuantityError(MESSAGE)
    number, suffix = match.group(1), match.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return Fraction(number) * Fraction(10) ** int(suffix[1:])
    return Fraction(number) * _SUFFIX[suffix]


_DECIMAL_SUFFIXES = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def canonical(text):
    """The quantity as kube-apiserver writes it back (resource.Quantity's canonical form): a typed decode
    keeps the caller's spelling only when it is already canonical, so "1000m" is stored as "1", "1024Mi"
    as "1Gi", "0.5" as "500m". The format follows the suffix given: binary (Ki..Ei) stays binary when
    the value is a whole number of at least 1024, exponents stay exponents; values finer than a nano
    are rounded up."""
    value = parse(text)
    raw = str(text).strip()
    match = _RE.match(raw)
    suffix = match.group(2) or ""
    if value == 0:
        return "0"
    sign, value = ("-", -value) if value < 0 else ("", value)
    if suffix.endswith("i") and value >= 1024 and value.denominator == 1:
        mantissa, power = value.numerator, 0
        while mantissa % 1024 == 0 and power < len(_BINARY_SUFFIXES) - 1:
            mantissa, power = mantissa // 1024, power + 1
        return "%s%d%s" % (sign, mantissa, _BINARY_SUFFIXES[power])
    nanos = value * 10 ** 9
    mantissa, exponent = -((-nanos.numerator) // nanos.denominator), -9     # rounded up to whole nanos
    while mantissa % 10 == 0:
        mantissa, exponent = mantissa // 10, exponent + 1
    while exponent % 3:
        mantissa, exponent = mantissa * 10, exponent - 1
    if suffix[:1] in ("e", "E"):
        return "%s%d%s" % (sign, mantissa, ("e%d" % exponent) if exponent else "")
    if exponent not in _DECIMAL_SUFFIXES:
        return "%s%de%d" % (sign, mantissa, exponent)
    return "%s%d%s" % (sign, mantissa, _DECIMAL_SUFFIXES[exponent])


def canonical_map(mapping):
    """A resource list ({name: quantity}) in canonical form; what is not a quantity is left for validation."""
    if not isinstance(mapping, dict):
        return mapping
    out = {}
    for name, value in mapping.items():
        try:
            out[name] = canonical(value)
        except QuantityError:
            out[name] = value
    return out
