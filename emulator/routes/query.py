"""KubeSphere list semantics for kapis list routes: filters, sorting, paging.

Query parameters: ``limit`` and ``page`` (1-based; no paging without limit),
``sortBy`` (creationTimestamp by default, or name; createTime is an alias),
``ascending`` (default false: newest first; ties are broken by name in the same
direction), and filters: ``name`` (substring of the name or of the
kubesphere.io/alias-name annotation), ``names=a,b`` (exact), ``labelSelector``,
``label=k=v`` / ``annotation=k=v`` (``k`` alone: present, ``k!=v``: negation),
``uid``, ``namespace``. Unknown keys are ignored.
"""

from ..context import text_error
from ..selectors import SelectorError, label_filter

ALIAS_ANNOTATION = "kubesphere.io/alias-name"


def _kv_filter(field, expression):
    if "!=" in expression:
        key, value = expression.split("!=", 1)
        return lambda obj: ((obj.get("metadata") or {}).get(field) or {}).get(key) != value
    if "=" in expression:
        key, value = expression.split("=", 1)
        return lambda obj: ((obj.get("metadata") or {}).get(field) or {}).get(key) == value
    return lambda obj: expression in ((obj.get("metadata") or {}).get(field) or {})


def _first(query, key):
    """The first value of a query parameter, or None."""
    return (query.get(key) or [None])[0]


def _by_name(obj):
    return obj["metadata"]["name"]


def _by_creation(obj):
    return (obj["metadata"].get("creationTimestamp") or "", obj["metadata"]["name"])


def filters_from_query(query):
    """Predicates for the filter parameters of a kapis list request."""
    predicates = []

    def arg(key):
        return _first(query, key)
    name = arg("name")
    if name:
        predicates.append(lambda o: name in o["metadata"]["name"]
                          or name in ((o["metadata"].get("annotations") or {}).get(ALIAS_ANNOTATION) or ""))
    names = arg("names")
    if names:
        wanted = {n.strip() for n in names.split(",") if n.strip()}
        predicates.append(lambda o: o["metadata"]["name"] in wanted)
    selector = arg("labelSelector")
    if selector:
        try:
            predicates.append(label_filter(selector))
        except SelectorError as exc:
            raise text_error(400, str(exc)) from None
    for expression in query.get("label") or []:
        predicates.append(_kv_filter("labels", expression))
    for expression in query.get("annotation") or []:
        predicates.append(_kv_filter("annotations", expression))
    uid = arg("uid")
    if uid:
        predicates.append(lambda o: o["metadata"].get("uid") == uid)
    namespace = arg("namespace")
    if namespace:
        predicates.append(lambda o: o["metadata"].get("namespace") == namespace)
    return predicates


def sort_items(items, query):
    sort_by = _first(query, "sortBy") or "creationTimestamp"
    ascending = (_first(query, "ascending") or "false").lower() == "true"
    # creationTimestamp / createTime / anything else: by time, ties by name
    key = _by_name if sort_by == "name" else _by_creation
    return sorted(items, key=key, reverse=not ascending)


def page_of(items, query):
    """(page items, start index) for limit/page."""
    def arg(key):
        return _first(query, key)
    try:
        limit = int(arg("limit")) if arg("limit") not in (None, "") else -1
        page = int(arg("page")) if arg("page") not in (None, "") else 1
    except ValueError:
        raise text_error(400, "invalid paging parameters") from None
    if limit < 0:
        return items, 0
    start = max(page - 1, 0) * limit
    return items[start:start + limit], start


def select(items, query, extra=()):
    """Filter, sort and page; returns (page, total)."""
    predicates = filters_from_query(query) + list(extra)
    kept = [o for o in items if all(p(o) for p in predicates)]
    page, _start = page_of(sort_items(kept, query), query)
    return page, len(kept)


def list_result(items, query, extra=(), render=None):
    """The {"items": [...], "totalItems": N} answer of explicit kapis list routes."""
    page, total = select(items, query, extra)
    return {"items": [render(o) if render else o for o in page], "totalItems": total}
