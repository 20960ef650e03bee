"""URL building, options, the request helpers, read-after-write retries and list_all."""
import os
import re

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, KubeSphereClient, KubeSphereError, KsResponse)
from stub_server import Reply, status_reply

WS = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
MEMBERS = "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws1/workspacemembers"


def offline(**options):
    options.setdefault("ks_host", "https://ks.example.com/")
    options.setdefault("ks_token", "t")
    options.setdefault("ks_api_version", "v4")
    return KubeSphereClient(options)


# --- URLs and options --------------------------------------------------------------------------

def test_imports():
    assert HAS_REQUESTS is True and REQUESTS_IMPORT_ERROR is None


@pytest.mark.parametrize("path, cluster, query, expected", [
    (WS, None, None, "https://ks.example.com" + WS),
    (WS, "host", None, "https://ks.example.com" + WS),
    (WS, "member-1", None, "https://ks.example.com/clusters/member-1" + WS),
    ("api/v1/namespaces", "m2", None, "https://ks.example.com/clusters/m2/api/v1/namespaces"),
    (WS, None, {"sortBy": "name", "ascending": True}, "https://ks.example.com%s?sortBy=name&ascending=true" % WS),
    (WS, None, {"labelSelector": "a=b,c in (d)"},
     "https://ks.example.com%s?labelSelector=a%%3Db%%2Cc+in+%%28d%%29" % WS),
    (WS, None, {"names": ["a", "b"], "skip": None}, "https://ks.example.com%s?names=a&names=b" % WS),
    (WS + "?name=x", None, {"limit": 5}, "https://ks.example.com%s?name=x&limit=5" % WS),
    (WS, None, [("k", "1"), ("k", "2")], "https://ks.example.com%s?k=1&k=2" % WS),
])
def test_url_building(path, cluster, query, expected):
    assert offline().url(path, cluster, query) == expected


def test_requests_go_to_the_cluster_prefixed_path(ks):
    ks.stub.on("GET", "/clusters/m1/api/v1/namespaces", Reply(200, {"items": []}))
    ks.stub.on("GET", "/api/v1/namespaces", Reply(200, {"items": ["host"]}))
    client = ks.client()
    assert client.get("/api/v1/namespaces", cluster="m1") == {"items": []}
    assert client.get("/api/v1/namespaces", cluster="host") == {"items": ["host"]}
    resp = client.request("GET", "/api/v1/namespaces", query={"labelSelector": "kubesphere.io/workspace=ws1"})
    assert ks.stub.calls("GET", "/api/v1/namespaces")[-1].query == {"labelSelector": ["kubesphere.io/workspace=ws1"]}
    assert isinstance(resp, KsResponse) and resp.status == 200 and resp.json == {"items": ["host"]}
    assert resp.url == ks.stub.url + "/api/v1/namespaces?labelSelector=kubesphere.io%2Fworkspace%3Dws1"
    assert resp.elapsed >= 0 and resp.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("host, fragment", [
    (None, "ks_host is required"),
    ("", "ks_host is required"),
    ("ks.example.com", "needs a scheme"),
    ("ftp://ks.example.com", "needs a scheme"),
    ("https://", "needs a scheme"),
    ("https://admin:Hunter2-secret@ks.example.com", "must not contain credentials"),
])
def test_bad_host(host, fragment):
    with pytest.raises(KubeSphereError) as info:
        offline(ks_host=host)
    assert fragment in str(info.value)
    assert "Hunter2" not in str(info.value)


def test_host_trailing_slash_kept_off_and_a_path_refused_before_any_request():
    assert offline(ks_host="http://127.0.0.1:30880/").host == "http://127.0.0.1:30880"
    # The console URL with a path met a misleading 403 at login: refused, saying what to give instead.
    with pytest.raises(KubeSphereError) as info:
        offline(ks_host="https://ks.example.com/console")
    assert "must not have a path (/console)" in str(info.value) and "https://ks.example.com" in str(info.value)


@pytest.mark.parametrize("options, fragment", [
    (dict(validate_certs="maybe"), "validate_certs must be a boolean"),
    (dict(request_timeout="soon"), "request_timeout must be a number"),
    (dict(request_timeout=0), "request_timeout must be positive"),
    (dict(retries="many"), "retries must be a whole number"),
    (dict(retries=-1), "retries must not be negative"),
    (dict(token_cache=3.5), "token_cache must be"),
])
def test_bad_options(options, fragment):
    with pytest.raises(KubeSphereError) as info:
        offline(**options)
    assert fragment in str(info.value)


def test_option_values_and_defaults():
    client = offline(validate_certs="false", request_timeout="2.5", retries="0")
    assert client._transport.verify is False and client._transport.timeout == 2.5 and client._transport.retries == 0
    client = offline()
    assert client._transport.verify is True and client._transport.timeout == 30.0 and client._transport.retries == 3
    assert client._auth.client_id == "kubesphere" and client._auth.client_secret == "kubesphere"
    assert client.stats == dict(requests=0, logins=0, refreshes=0, retries=0, reauths=0, not_found_retries=0)


def test_options_from_env(monkeypatch):
    monkeypatch.setenv("KUBESPHERE_HOST", "https://env.example.com")
    monkeypatch.setenv("KUBESPHERE_USERNAME", "env-user")
    monkeypatch.setenv("KUBESPHERE_PASSWORD", "env-pass")
    monkeypatch.setenv("KUBESPHERE_VALIDATE_CERTS", "no")
    monkeypatch.setenv("KUBESPHERE_RETRIES", "")
    options = KubeSphereClient.options_from_env(dict(ks_username="given", ks_password=None, cluster="c1"))
    assert options == dict(ks_host="https://env.example.com", ks_username="given", ks_password="env-pass",
                           validate_certs="no", cluster="c1")
    assert KubeSphereClient(options)._transport.verify is False


def test_repr_shows_no_secret():
    client = offline(ks_username="admin", ks_password="Pw-12345678", ks_token="tok-abcdef")
    assert repr(client) == "KubeSphereClient(host='https://ks.example.com', username='admin')"


# --- helpers -----------------------------------------------------------------------------------

def test_get_missing_ok_and_delete_missing_ok(ks):
    ks.stub.on("GET", WS + "/gone", Reply(404, 'WorkspaceTemplate.tenant.kubesphere.io "gone" not found\n'))
    ks.stub.on("DELETE", WS + "/gone", Reply(400, 'failed to get workspace template: '
                                                  'WorkspaceTemplate.tenant.kubesphere.io "gone" not found\n'))
    ks.stub.on("GET", MEMBERS + "/bob", Reply(400, "member bob not exist\n"))
    client = ks.client()
    assert client.get(WS + "/gone", missing_ok=True) is None
    assert client.delete(WS + "/gone", body={}, missing_ok=True) is None
    assert client.get(MEMBERS + "/bob", missing_ok=True) is None
    with pytest.raises(KubeSphereError) as info:
        client.get(WS + "/gone")
    assert info.value.not_found
    assert client.stats["not_found_retries"] == 0  # nothing was written: not-found is the truth


def test_router_miss_is_not_missing_ok(ks):
    client = ks.client()
    with pytest.raises(KubeSphereError) as info:
        client.get("/kapis/iam.kubesphere.io/v1alpha2/users/bob", missing_ok=True)
    assert info.value.status == 404 and not info.value.not_found


def test_expected_status_returns_instead_of_raising(ks):
    ks.stub.on("GET", WS + "/x", Reply(404, "nope\n"))
    resp = ks.client().request("GET", WS + "/x", expected_status=[404])
    assert resp.status == 404 and resp.text == "nope\n" and resp.json is None


def test_auth_false_sends_no_token(ks):
    ks.stub.on("GET", "/version", Reply(200, {"gitVersion": "v4.1.3"}), auth=False)
    client = ks.client(ks_username=None, ks_password=None)
    assert client.request("GET", "/version", auth=False).json == {"gitVersion": "v4.1.3"}
    assert "authorization" not in ks.stub.calls("GET", "/version")[0].headers


def test_forbidden_is_an_error_without_relogin(ks):
    ks.stub.on("GET", WS, status_reply(403, "Forbidden", "workspacetemplates.tenant.kubesphere.io is forbidden"))
    client = ks.client()
    with pytest.raises(KubeSphereError) as info:
        client.get(WS)
    assert info.value.status == 403 and ks.stub.oauth.password_grants == 1


# --- read-after-write --------------------------------------------------------------------------

def test_not_found_right_after_a_write_is_retried(ks):
    ks.stub.on("POST", WS, Reply(200, {"metadata": {"name": "ws1"}}))
    ks.stub.on("GET", WS + "/ws1", Reply(404, 'WorkspaceTemplate.tenant.kubesphere.io "ws1" not found\n'),
               Reply(404, 'WorkspaceTemplate.tenant.kubesphere.io "ws1" not found\n'),
               Reply(200, {"metadata": {"name": "ws1"}}))
    ks.stub.on("POST", MEMBERS, Reply(404, 'WorkspaceRole.iam.kubesphere.io "ws1-viewer" not found\n'),
               Reply(200, [{"username": "bob", "roleRef": "ws1-viewer"}]))
    client = ks.client()
    client.post(WS, {"metadata": {"name": "ws1"}})
    assert client.get(WS + "/ws1") == {"metadata": {"name": "ws1"}}
    assert client.post(MEMBERS, [{"username": "bob", "roleRef": "ws1-viewer"}])[0]["username"] == "bob"
    assert client.stats["not_found_retries"] == 3
    assert ks.sleeps == [0.05, 0.1, 0.05]


def test_not_found_after_a_write_gives_up(ks):
    ks.stub.on("PUT", WS + "/ws1", Reply(200, {"metadata": {"name": "ws1"}}))
    ks.stub.on("DELETE", WS + "/ws1", Reply(400, 'failed to get workspace template: '
                                                 'WorkspaceTemplate.tenant.kubesphere.io "ws1" not found\n'))
    client = ks.client()
    client.put(WS + "/ws1", {"metadata": {"name": "ws1"}})
    assert client.delete(WS + "/ws1", body={}, missing_ok=True) is None
    assert ks.sleeps == list(KubeSphereClient.settle_delays)
    assert ks.stub.count("DELETE", WS + "/ws1") == 1 + len(KubeSphereClient.settle_delays)


def test_not_found_of_other_objects_or_after_delete_or_later_is_not_retried(ks, monkeypatch):
    ks.stub.on("POST", WS, Reply(200, {"metadata": {"name": "ws1"}}))
    ks.stub.on("DELETE", WS + "/ws1", Reply(200, {"message": "success"}))
    ks.stub.on("GET", re.compile(r"^%s/.*" % WS), Reply(404, "not found\n"))
    client = ks.client()
    client.post(WS, {"metadata": {"name": "ws1"}})
    assert client.get(WS + "/ws2", missing_ok=True) is None  # a bulk run looking up the next object
    client.delete(WS + "/ws1", body={})
    assert client.get(WS + "/ws1", missing_ok=True) is None  # gone because we deleted it
    client.post(WS, {"metadata": {"name": "ws1"}})
    monkeypatch.setattr(KubeSphereClient, "settle_window", 0.0)
    assert client.get(WS + "/ws1", missing_ok=True) is None  # written too long ago
    assert ks.sleeps == [] and client.stats["not_found_retries"] == 0


# --- list_all ----------------------------------------------------------------------------------

def _objects(count, prefix="o"):
    return [{"metadata": {"name": "%s%03d" % (prefix, i), "uid": "uid-%s-%d" % (prefix, i)}} for i in range(count)]


def paged(objects, total_key="totalItems"):
    """A KubeSphere list handler honouring limit/page."""
    def handler(request):
        limit = int(request.query["limit"][0])
        page = int(request.query.get("page", ["1"])[0])
        chunk = objects[(page - 1) * limit:page * limit]
        if total_key == "totalItems":
            return Reply(200, {"items": chunk, "totalItems": len(objects)})
        remaining = max(0, len(objects) - page * limit)
        return Reply(200, {"items": chunk, "metadata": {"continue": str(len(objects)),
                                                        "remainingItemCount": remaining}})
    return handler


def test_list_all_kubesphere_pages(ks):
    objects = _objects(23)
    ks.stub.on("GET", WS, paged(objects))
    items = ks.client().list_all(WS, query={"sortBy": "name", "page": 9}, page_size=5)
    assert items == objects
    calls = ks.stub.calls("GET", WS)
    assert [c.query.get("page", ["1"])[0] for c in calls] == ["1", "2", "3", "4", "5"]
    assert all(c.query["limit"] == ["5"] and c.query["sortBy"] == ["name"] for c in calls)


def test_list_all_generic_kapis_shape(ks):
    path = "/kapis/iam.kubesphere.io/v1beta1/namespaces/p1/roles"
    objects = _objects(7)
    ks.stub.on("GET", "/clusters/m1" + path, paged(objects, total_key="continue"))
    assert ks.client().list_all(path, cluster="m1", page_size=3) == objects
    assert ks.stub.count("GET", "/clusters/m1" + path) == 3


def test_list_all_kubernetes_continue(ks):
    path = "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates"
    objects = _objects(5)

    def handler(request):
        start = int(request.query.get("continue", ["0"])[0].replace("tok", "") or 0)
        limit = int(request.query["limit"][0])
        end = start + limit
        meta = {"resourceVersion": "3640", "continue": "tok%d" % end if end < len(objects) else ""}
        if end < len(objects):
            meta["remainingItemCount"] = len(objects) - end
        return Reply(200, {"kind": "WorkspaceTemplateList", "apiVersion": "tenant.kubesphere.io/v1beta1",
                           "metadata": meta, "items": objects[start:end]})

    ks.stub.on("GET", path, handler)
    assert ks.client().list_all(path, query={"labelSelector": "rec"}, page_size=2) == objects
    calls = ks.stub.calls("GET", path)
    assert [c.query.get("continue") for c in calls] == [None, ["tok2"], ["tok4"]]
    assert all(c.query["labelSelector"] == ["rec"] for c in calls)


def test_list_all_expired_continue_starts_over_once(ks):
    path = "/api/v1/namespaces"
    first = {"kind": "NamespaceList", "metadata": {"continue": "tok"}, "items": _objects(1, "a")}
    ks.stub.on("GET", path, Reply(200, first), status_reply(410, "Expired", "too old resource version"),
               Reply(200, {"kind": "NamespaceList", "metadata": {"continue": ""}, "items": _objects(2, "b")}))
    assert ks.client().list_all(path) == _objects(2, "b")


def test_list_all_single_shapes(ks):
    ks.stub.on("GET", "/k8s", Reply(200, {"kind": "List", "metadata": {"resourceVersion": "1"}, "items": [1, 2]}))
    ks.stub.on("GET", "/array", Reply(200, [{"a": 1}]))
    ks.stub.on("GET", "/empty", Reply(200, {"items": [], "totalItems": 0}))
    ks.stub.on("GET", "/generic-empty", Reply(200, {"items": [], "metadata": {"continue": "0", "remainingItemCount": 0}}))
    ks.stub.on("GET", "/object", Reply(200, {"metadata": {"name": "x"}, "items": "nope"}))
    ks.stub.on("GET", "/single", Reply(200, {"metadata": {"name": "x"}, "spec": {}}))
    ks.stub.on("GET", "/null-items", Reply(200, {"metadata": {"continue": "0", "remainingItemCount": 0}, "items": None}))
    client = ks.client()
    assert client.list_all("/k8s") == [1, 2]
    assert client.list_all("/array") == [{"a": 1}]
    assert client.list_all("/empty") == [] and client.list_all("/generic-empty") == []
    assert client.list_all("/null-items") == []
    for path in ("/object", "/single"):
        with pytest.raises(KubeSphereError) as info:
            client.list_all(path)
        assert "not a list" in str(info.value)


def test_list_all_never_truncates_silently(ks):
    objects = _objects(6)
    ks.stub.on("GET", WS, Reply(200, {"items": objects[:3], "totalItems": 6}))  # server ignores page=
    with pytest.raises(KubeSphereError) as info:
        ks.client().list_all(WS, page_size=3)
    assert "3 of 6 items" in str(info.value)


def test_list_all_shrinking_list_warns(ks):
    objects = _objects(4)
    ks.stub.on("GET", WS, Reply(200, {"items": objects[:2], "totalItems": 4}),
               Reply(200, {"items": [], "totalItems": 4}))
    assert ks.client().list_all(WS, page_size=2) == objects[:2]
    assert any("read 2 of 4 items" in w for w in ks.warnings)


def test_list_all_deduplicates_shifted_pages(ks):
    objects = _objects(4)
    ks.stub.on("GET", WS, Reply(200, {"items": objects[:2], "totalItems": 4}),
               Reply(200, {"items": objects[1:3], "totalItems": 4}),  # an object was added in front
               Reply(200, {"items": objects[3:], "totalItems": 4}))
    assert ks.client().list_all(WS, page_size=2) == objects


def test_without_requests_the_import_still_works():
    import subprocess
    import sys
    code = ("import sys; sys.modules['requests'] = None\n"
            "from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import (\n"
            "    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, KubeSphereClient, KubeSphereError)\n"
            "assert HAS_REQUESTS is False and 'requests' in REQUESTS_IMPORT_ERROR\n"
            "try:\n"
            "    KubeSphereClient({'ks_host': 'https://ks.example.com', 'ks_token': 'abcdefgh'})\n"
            "except KubeSphereError as err:\n"
            "    print(err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env=dict(PYTHONPATH=os.pathsep.join(sys.path)))
    assert done.returncode == 0, done.stderr
    assert "'requests' is required" in done.stdout
