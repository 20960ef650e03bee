"""Decode request bodies the way the Go server reports failures, so error
texts match ("unexpected EOF", "invalid character 'b' looking for ...")."""

import json


class GoJSONError(ValueError):
    pass


_MESSAGES = {
    "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
    "Expecting value": "looking for beginning of value",
    "Expecting ',' delimiter": "after object key:value pair",
    "Expecting ':' delimiter": "after object key",
    "Extra data": "after top-level value",
}


def loads(data):
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if not text.strip():
        raise GoJSONError("EOF")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoJSONError(_go_message(text, exc)) from None


def _go_message(text, exc):
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "unexpected EOF"
    char = text[exc.pos]
    if exc.msg == "Expecting ',' delimiter" and _inside_array(text, exc.pos):
        return f"invalid character '{char}' after array element"
    for prefix, tail in _MESSAGES.items():
        if exc.msg.startswith(prefix):
            return f"invalid character '{char}' {tail}"
    if exc.msg.startswith("Invalid control character"):
        return f"invalid character {char!r} in string literal"
    return f"invalid character '{char}' looking for beginning of value"


def _inside_array(text, pos):
    """Whether the innermost open bracket before pos is '[' (strings ignored)."""
    stack, in_string, escaped = [], False, False
    for ch in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "["


def type_mismatch(value, go_type):
    """Go's message when a JSON value does not fit the target struct."""
    kind = {dict: "object", list: "array", str: "string", bool: "bool",
            int: "number", float: "number", type(None): "null"}.get(type(value), "value")
    return GoJSONError(f"json: cannot unmarshal {kind} into Go value of type {go_type}")
