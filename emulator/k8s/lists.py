"""List responses with kube-apiserver's shape and limit/continue paging."""

import base64
import json

from .. import errors
from ..objects import go_ordered


def _encode_continue(rv, start):
    token = {"v": "meta.k8s.io/v1", "rv": int(rv), "start": start + "\u0000"}
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _decode_continue(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return data["start"].rstrip("\u0000")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise errors.bad_request(f"continue key is not valid: {token}") from None


def _item_key(obj):
    metadata = obj["metadata"]
    namespace = metadata.get("namespace")
    return f"{namespace}/{metadata['name']}" if namespace else metadata["name"]


def paginate(items, limit, continue_token, resource_version):
    """(page, metadata additions) for ?limit=&continue=."""
    if continue_token:
        start_after = _decode_continue(continue_token)
        items = [o for o in items if _item_key(o) > start_after]
    extra = {}
    if limit and limit > 0 and len(items) > limit:
        page = items[:limit]
        extra = {"continue": _encode_continue(resource_version, _item_key(page[-1])),
                 "remainingItemCount": len(items) - limit}
        return page, extra
    return items, extra


def render_list(kind, version, items, resource_version, extra):
    """CRD lists come from unstructured JSON (sorted keys, typed items); core
    lists from typed structs (items without kind/apiVersion)."""
    api_version = kind.api_version(version)
    if kind.custom:
        for item in items:
            item["apiVersion"] = api_version
        metadata = {"continue": extra.get("continue", ""), "resourceVersion": resource_version}
        if "remainingItemCount" in extra:
            metadata["remainingItemCount"] = extra["remainingItemCount"]
        return {"apiVersion": api_version, "items": items, "kind": kind.list_kind, "metadata": metadata}
    metadata = {"resourceVersion": resource_version}
    metadata.update(extra)
    plain = []
    for item in items:
        item = go_ordered(item, with_type=False)
        item.pop("kind", None)
        item.pop("apiVersion", None)
        plain.append(item)
    return {"kind": kind.list_kind, "apiVersion": api_version, "metadata": metadata, "items": plain}
