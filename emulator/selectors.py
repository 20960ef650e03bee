"""Kubernetes label selectors (=, ==, !=, in, notin, exists, !exists) and the
two field selectors every kind supports (metadata.name, metadata.namespace)."""

import re

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SET_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s+(in|notin)\s*\((.*)\)\s*$")
_OP_RE = re.compile(rf"^\s*({_KEY})\s*(==|=|!=)\s*(.*?)\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


class SelectorError(ValueError):
    pass


def _split_requirements(text):
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_label_selector(text):
    """A list of (key, op, values) requirements; an empty text selects everything."""
    requirements = []
    for part in _split_requirements(text or ""):
        match = _SET_RE.match(part)
        if match and not match.group(1):
            values = [v.strip() for v in match.group(4).split(",") if v.strip()]
            requirements.append((match.group(2), match.group(3), values))
            continue
        match = _OP_RE.match(part)
        if match:
            op = "!=" if match.group(2) == "!=" else "="
            requirements.append((match.group(1), op, [match.group(3)]))
            continue
        match = _EXISTS_RE.match(part)
        if match:
            requirements.append((match.group(2), "!" if match.group(1) else "exists", []))
            continue
        raise SelectorError(f"unable to parse requirement: found '{part.strip()}', expected: valid selector")
    return requirements


def matches(labels, requirements):
    labels = labels or {}
    for key, op, values in requirements:
        present = key in labels
        value = labels.get(key)
        if op == "=" and value != values[0]:
            return False
        if op == "!=" and present and value == values[0]:
            return False
        if op == "in" and value not in values:
            return False
        if op == "notin" and present and value in values:
            return False
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
    return True


def label_filter(text):
    """A predicate over objects for a labelSelector string (raises SelectorError)."""
    requirements = parse_label_selector(text)
    return lambda obj: matches((obj.get("metadata") or {}).get("labels"), requirements)


def field_filter(text):
    """metadata.name / metadata.namespace with =, == or != (raises SelectorError)."""
    checks = []
    for part in _split_requirements(text or ""):
        match = re.match(r"^\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not match or match.group(1) not in ("metadata.name", "metadata.namespace"):
            field = match.group(1) if match else part.strip()
            raise SelectorError(f'field label not supported: {field}')
        checks.append((match.group(1).split(".")[1], match.group(2) != "!=", match.group(3)))

    def predicate(obj):
        metadata = obj.get("metadata") or {}
        return all((metadata.get(f, "") == v) == equal for f, equal, v in checks)
    return predicate
