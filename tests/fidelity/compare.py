"""How a replayed answer is compared with the recorded one: status code,
content type (JSON vs text), and body shape: top-level keys, kind, and for
Status / ErrStatus / OAuth errors the reason, code, error and message; text
bodies must be equal once uids and numbers are masked."""

import json
import re

_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER = re.compile(r"\d+")


def normalize(text):
    return _NUMBER.sub("<n>", _UID.sub("<uid>", text))


def _content_class(content_type):
    return "json" if (content_type or "").startswith("application/json") else "text"


def _compare_status(recorded, actual, label):
    diffs = []
    for key in ("reason", "code"):
        if recorded.get(key) != actual.get(key):
            diffs.append(f"{label}{key}: recorded {recorded.get(key)!r}, got {actual.get(key)!r}")
    if normalize(str(recorded.get("message", ""))) != normalize(str(actual.get("message", ""))):
        diffs.append(f"{label}message: recorded {recorded.get('message')!r}, got {actual.get('message')!r}")
    return diffs


def compare(recorded, status, content_type, body_text, location=None):
    """A list of differences (empty when the answer matches)."""
    diffs = []
    if recorded["status"] != status:
        diffs.append(f"status: recorded {recorded['status']}, got {status}")
    want_class, got_class = _content_class(recorded["content_type"]), _content_class(content_type)
    if want_class != got_class:
        diffs.append(f"content type: recorded {recorded['content_type']}, got {content_type}")
        return diffs + [f"body: {body_text[:200]!r}"]
    if recorded.get("location") and recorded["location"] != location:
        diffs.append(f"location: recorded {recorded['location']}, got {location}")
    want = recorded["body"]
    if want_class == "text":
        if normalize(want or "") != normalize(body_text):
            diffs.append(f"text: recorded {want!r}, got {body_text!r}")
        return diffs
    try:
        got = json.loads(body_text) if body_text else None
    except ValueError:
        return diffs + [f"body is not JSON: {body_text[:200]!r}"]
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return diffs + [f"body: recorded an object, got {type(got).__name__}"]
        if set(want) != set(got):
            diffs.append(f"top-level keys: recorded {sorted(want)}, got {sorted(got)}")
        if "kind" in want and want.get("kind") != got.get("kind"):
            diffs.append(f"kind: recorded {want.get('kind')!r}, got {got.get('kind')!r}")
        if want.get("kind") == "Status":
            diffs += _compare_status(want, got, "")
        if "ErrStatus" in want and isinstance(got.get("ErrStatus"), dict):
            diffs += _compare_status(want["ErrStatus"], got["ErrStatus"], "ErrStatus.")
        if "error" in want:
            for key in ("error", "error_description"):
                if want.get(key) != got.get(key):
                    diffs.append(f"{key}: recorded {want.get(key)!r}, got {got.get(key)!r}")
    elif isinstance(want, list):
        if not isinstance(got, list):
            diffs.append(f"body: recorded a list, got {type(got).__name__}")
    elif want != got:
        diffs.append(f"body: recorded {want!r}, got {got!r}")
    return diffs
