"""Which KubeSphere line a host runs (ks_detect): the two open version endpoints, the day-long cache beside the
tokens, and what the client does when a cached line may no longer fit (a refused token, a path or a whole API
group the server does not serve), with the message that names where the line came from.
test_ks_versions.py covers the version table and the first detections; this file the cache and re-detection."""
import json
import os
import time

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_detect import (
    DETECTION_LIFETIME,
    VersionCache,
    line_advice,
    probe,
    remember,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_transport import KsResponse
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import LINES, V3, V4
from stub_server import Reply, status_reply

HOST = "https://ks.example.com"
V3_VERSION = {"gitVersion": "v3.4.1", "gitMajor": "3", "gitMinor": "4"}
V4_VERSION = {"gitVersion": "v4.1.3", "gitMajor": "4", "gitMinor": "1"}
ANONYMOUS_403 = status_reply(403, "Forbidden", 'forbidden: User "system:anonymous" cannot GET path "/version"')


# --- probe -----------------------------------------------------------------------------------------

class Sender(object):
    """The transport's send, answering each probe path from a table (a missing path: 404)."""

    def __init__(self, answers):
        self.answers = answers
        self.sent = []

    def __call__(self, method, url, headers):
        self.sent.append((method, url, dict(headers)))
        path = url[len(HOST):]
        status, body = self.answers.get(path, (404, "404: Page Not Found"))
        text = body if isinstance(body, str) else json.dumps(body)
        return KsResponse(status, {}, text, url, 0.0)


@pytest.mark.parametrize("answers, expected, asked", [
    ({"/version": (200, V4_VERSION)}, (V4, "v4.1.3"), ["/version"]),
    ({"/version": (403, "forbidden"), "/kapis/version": (200, V3_VERSION)}, (V3, "v3.4.1"),
     ["/version", "/kapis/version"]),
    ({"/version": (200, {"gitMajor": "3", "gitMinor": "4"})}, (V3, "v3.4"), ["/version"]),
    ({"/version": (200, {"gitMajor": "4"})}, (V4, "v4.0"), ["/version"]),
    # A plain kube-apiserver's /version (a v1 gitVersion) names no KubeSphere line: the next endpoint is asked.
    ({"/version": (200, {"gitVersion": "v1.27.3"}), "/kapis/version": (200, V3_VERSION)}, (V3, "v3.4.1"),
     ["/version", "/kapis/version"]),
    ({"/version": (200, "<html>console</html>"), "/kapis/version": (200, ["v4"])}, (None, None),
     ["/version", "/kapis/version"]),
    ({}, (None, None), ["/version", "/kapis/version"]),
    ({"/version": (200, {"gitVersion": "v4.2.0-ee"})}, (V4, "v4.2.0-ee"), ["/version"]),
])
def test_probe_asks_the_open_endpoints_in_turn_without_a_token(answers, expected, asked):
    send = Sender(answers)
    assert probe(send, HOST) == expected
    assert [url[len(HOST):] for _m, url, _h in send.sent] == asked
    assert all(method == "GET" and headers == {"Accept": "application/json"} for method, _u, headers in send.sent)


# --- the day cache ---------------------------------------------------------------------------------

def test_the_line_is_kept_per_host_beside_but_apart_from_the_tokens(tmp_path):
    cache = VersionCache(str(tmp_path), HOST)
    assert cache.fresh_line() == (None, None)
    assert remember(cache, V3, "v3.4.1")
    assert cache.fresh_line() == (V3, "v3.4.1")
    assert cache.path.endswith(".version.json") and os.path.dirname(cache.path) == str(tmp_path)
    assert oct(os.stat(cache.path).st_mode & 0o777) == "0o600"
    # The same host spelled otherwise shares the entry; another host has its own.
    assert VersionCache(str(tmp_path), "HTTPS://KS.example.com:443/").fresh_line() == (V3, "v3.4.1")
    assert VersionCache(str(tmp_path), "https://ks.example.com:8443").fresh_line() == (None, None)
    assert [n for n in os.listdir(str(tmp_path)) if not n.startswith(".")] == [os.path.basename(cache.path)]


def _entry(tmp_path, **entry):
    cache = VersionCache(str(tmp_path), HOST)
    cache.write(entry)
    return cache


@pytest.mark.parametrize("age, fresh", [
    (0, True), (DETECTION_LIFETIME - 60, True), (DETECTION_LIFETIME, False), (DETECTION_LIFETIME + 60, False),
    (-60, False),       # detected "in the future": the clock moved, so it is not trusted
])
def test_an_entry_is_good_for_a_day(tmp_path, age, fresh):
    now = 1.8e9
    cache = _entry(tmp_path, format=1, line=V4, git_version="v4.1.3", detected_at=now - age)
    assert cache.fresh_line(now=now) == ((V4, "v4.1.3") if fresh else (None, None))


@pytest.mark.parametrize("entry", [
    dict(line="v5", detected_at=time.time()),
    dict(line=V4, detected_at="yesterday"),
    dict(line=V4),
    dict(detected_at=time.time()),
])
def test_an_entry_that_says_no_line_is_ignored(tmp_path, entry):
    assert _entry(tmp_path, **entry).fresh_line() == (None, None)


def test_a_corrupt_file_is_ignored(tmp_path):
    cache = VersionCache(str(tmp_path), HOST)
    with open(cache.path, "w") as handle:
        handle.write("{not json")
    assert cache.fresh_line() == (None, None)


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert remember(VersionCache(str(blocker / "cache"), HOST), V4, "v4.1.3") is False


# --- the advice a failure carries --------------------------------------------------------------------

def test_line_advice_names_where_the_line_came_from_and_how_to_change_it():
    v3, v4 = LINES[V3], LINES[V4]
    assert line_advice(None, "probe", None, False, None) is None
    assert line_advice(v3, "option", "v3.4.1", False, "/c/x.version.json") == (
        "sent in the form of KubeSphere 3.x (3.4) because ks_api_version says so; if the server runs another line, "
        "set ks_api_version to auto")
    assert line_advice(v4, "assumed", None, False, None) == (
        "sent in the form of KubeSphere 4.x (4.1, 4.2 Enterprise), assumed because neither /version nor "
        "/kapis/version answered; set ks_api_version to v3 or v4")
    assert line_advice(v3, "cache", "v3.4.1", False, "/c/x.version.json") == (
        "sent in the form of KubeSphere 3.x (3.4), the line the server was detected to run (v3.4.1); the detection "
        "is kept for a day in /c/x.version.json: delete that file (or set ks_api_version) if the server has changed")
    assert line_advice(v3, "probe", None, True, None) == (
        "sent in the form of KubeSphere 3.x (3.4), the line the server was detected to run (version not reported, "
        "detected again just now); set ks_api_version if that is not the server's line")


# --- the client with a cached line ------------------------------------------------------------------

BOB_V3 = "/kapis/iam.kubesphere.io/v1alpha2/users/bob"
BOB_V4 = "/kapis/iam.kubesphere.io/v1beta1/users/bob"
ROLES_V3 = "/apis/iam.kubesphere.io/v1alpha2/globalroles"
ROLES_V4 = "/apis/iam.kubesphere.io/v1beta1/globalroles"


def _paths(stub):
    return [r.path for r in stub.requests if not r.path.startswith("/oauth/")]


def _cache_line(ks, line, git_version, age=0.0):
    cache = VersionCache(ks.cache_dir, ks.stub.url)
    cache.write(dict(format=1, line=line, git_version=git_version, detected_at=time.time() - age))
    return cache


def _serve(stub, version):
    stub.on("GET", "/version", Reply(200, version) if version is V4_VERSION else ANONYMOUS_403, auth=False)
    stub.on("GET", "/kapis/version", Reply(200, version) if version is V3_VERSION else ANONYMOUS_403, auth=False)


def test_a_day_old_detection_is_asked_again_and_stored_anew(ks):
    cache = _cache_line(ks, V3, "v3.4.1", age=DETECTION_LIFETIME + 1)
    _serve(ks.stub, V4_VERSION)
    ks.stub.on("GET", BOB_V4, Reply(200, {"metadata": {"name": "bob"}}))
    client = ks.client(ks_api_version="auto")
    client.get(BOB_V4)
    assert _paths(ks.stub) == ["/version", BOB_V4]
    assert cache.fresh_line() == (V4, "v4.1.3")
    assert ks.warnings == []           # an expired entry is no surprise: nothing to warn about


def test_a_fresh_detection_sends_no_probe(ks):
    _cache_line(ks, V3, "v3.4.1", age=DETECTION_LIFETIME - 60)
    ks.stub.on("GET", BOB_V3, Reply(200, {"metadata": {"name": "bob"}}))
    client = ks.client(ks_api_version="auto")
    client.get(BOB_V4)
    assert _paths(ks.stub) == [BOB_V3] and client.git_version == "v3.4.1"


def test_a_whole_api_group_the_server_does_not_serve_detects_the_line_again(ks):
    # kube-apiserver answers a group version it does not serve with its plain "404 page not found".
    cache = _cache_line(ks, V3, "v3.4.1")
    _serve(ks.stub, V4_VERSION)
    ks.stub.on("GET", ROLES_V3, Reply(404, "404 page not found\n"))
    ks.stub.on("GET", ROLES_V4, Reply(200, {"kind": "GlobalRoleList", "metadata": {}, "items": []}))
    client = ks.client(ks_api_version="auto")
    assert client.list_all(ROLES_V4) == []
    assert _paths(ks.stub) == [ROLES_V3, "/version", ROLES_V4]
    assert cache.fresh_line() == (V4, "v4.1.3")
    (warning,) = ks.warnings
    assert "now runs v4.1.3" in warning and "not v3.4.1 (KubeSphere 3.x (3.4))" in warning
    assert cache.path in warning


def test_a_missing_object_is_not_a_missing_group_and_asks_nothing(ks):
    _cache_line(ks, V4, "v4.1.3")
    ks.stub.on("GET", BOB_V4, status_reply(404, "NotFound", 'users.iam.kubesphere.io "bob" not found'))
    client = ks.client(ks_api_version="auto")
    assert client.get(BOB_V4, missing_ok=True) is None
    assert _paths(ks.stub) == [BOB_V4]


def test_a_refused_token_on_the_same_line_confirms_it_once_and_logs_in_again(ks):
    _cache_line(ks, V4, "v4.1.3")
    _serve(ks.stub, V4_VERSION)
    ks.stub.on("GET", BOB_V4, Reply(200, {"metadata": {"name": "bob"}}))
    client = ks.client(ks_api_version="auto")
    client.get(BOB_V4)
    ks.stub.oauth.restart()                          # every token forgotten: a restart, not an upgrade
    assert client.get(BOB_V4) == {"metadata": {"name": "bob"}}
    ks.stub.oauth.restart()
    client.get(BOB_V4)
    assert _paths(ks.stub) == [BOB_V4, BOB_V4, "/version", BOB_V4, BOB_V4, BOB_V4]   # asked once per client
    assert not [w for w in ks.warnings if "now runs" in w]
    assert client.stats["reauths"] == 2


def test_a_route_miss_after_a_recheck_names_the_line_detected_just_now(ks):
    cache = _cache_line(ks, V4, "v4.1.3")
    _serve(ks.stub, V4_VERSION)
    missing = BOB_V4 + "/loginrecords"
    client = ks.client(ks_api_version="auto")
    with pytest.raises(KubeSphereError) as err:
        client.get(missing)
    text = str(err.value)
    assert err.value.status == 404
    assert ("sent in the form of KubeSphere 4.x (4.1, 4.2 Enterprise), the line the server was detected to run "
            "(v4.1.3, detected again just now); the detection is kept for a day in %s" % cache.path) in text
    assert _paths(ks.stub) == [missing, "/version"]


def test_when_the_recheck_gets_no_answer_the_cached_line_stays_and_is_named(ks):
    cache = _cache_line(ks, V3, "v3.4.1")
    ks.stub.on("GET", "/version", ANONYMOUS_403, auth=False)
    ks.stub.on("GET", "/kapis/version", ANONYMOUS_403, auth=False)
    client = ks.client(ks_api_version="auto")
    with pytest.raises(KubeSphereError) as err:
        client.get(BOB_V4)
    assert "KubeSphere 3.x (3.4), the line the server was detected to run (v3.4.1)" in str(err.value)
    assert "detected again" not in str(err.value)
    assert client.api.name == V3 and cache.fresh_line() == (V3, "v3.4.1")


def test_without_a_token_cache_nothing_is_kept_and_the_advice_says_so(ks):
    _serve(ks.stub, V3_VERSION)
    client = ks.client(ks_api_version="auto", token_cache=False)
    with pytest.raises(KubeSphereError) as err:
        client.get(BOB_V4)
    assert "the line the server was detected to run (v3.4.1); set ks_api_version if that is not" in str(err.value)
    assert not os.path.exists(ks.cache_dir) or not os.listdir(ks.cache_dir)
