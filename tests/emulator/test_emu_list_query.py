"""KubeSphere list semantics (filters, sorting, paging) of kapis list routes."""

from urllib.parse import parse_qs

from emulator.routes.query import list_result


def obj(name, created, labels=None, alias=None):
    annotations = {"kubesphere.io/alias-name": alias} if alias else {}
    return {"metadata": {"name": name, "creationTimestamp": created, "labels": labels or {},
                         "annotations": annotations}}


ITEMS = [obj("web", "2026-01-01T00:00:02Z", {"tier": "front"}, alias="Shop Frontend"),
         obj("myweb2", "2026-01-01T00:00:01Z", {"tier": "front"}),
         obj("db", "2026-01-01T00:00:02Z", {"tier": "back"}),
         obj("cache", "2026-01-01T00:00:03Z")]


def names(query):
    result = list_result(ITEMS, parse_qs(query, keep_blank_values=True))
    return [o["metadata"]["name"] for o in result["items"]], result["totalItems"]


def test_default_order_is_newest_first_with_name_ties():
    assert names("") == (["cache", "web", "db", "myweb2"], 4)
    assert names("ascending=true") == (["myweb2", "db", "web", "cache"], 4)
    assert names("sortBy=name&ascending=true") == (["cache", "db", "myweb2", "web"], 4)
    assert names("sortBy=createTime") == names("")


def test_filters():
    assert names("name=web") == (["web", "myweb2"], 2)
    assert names("name=Frontend") == (["web"], 1)           # alias-name annotation
    assert names("names=db,web") == (["web", "db"], 2)
    assert names("labelSelector=tier%3Dfront") == (["web", "myweb2"], 2)
    assert names("labelSelector=tier") == (["web", "db", "myweb2"], 3)
    assert names("label=tier!%3Dfront") == (["cache", "db"], 2)
    assert names("annotation=kubesphere.io/alias-name") == (["web"], 1)


def test_paging_reports_the_total():
    assert names("limit=2&page=1") == (["cache", "web"], 4)
    assert names("limit=2&page=2") == (["db", "myweb2"], 4)
    assert names("limit=2&page=3") == ([], 4)
    assert names("limit=3") == (["cache", "web", "db"], 4)
