"""Retries with backoff, connection errors, timeouts and TLS settings."""
import json

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereClient, KubeSphereError
from stub_server import Reply, StubServer, closed_port, self_signed_certificate

PATH = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
NOT_READY = {"ErrStatus": {"metadata": {}, "status": "Failure", "message": "cluster member1 is not ready",
                           "reason": "ServiceUnavailable", "code": 503}}


def test_get_retried_with_backoff_on_503_and_warns_once_per_kind(ks):
    ks.stub.on("GET", PATH, Reply(503, "upstream busy"), Reply(503, "upstream busy"), Reply(200, {"items": []}))
    client = ks.client()
    assert client.get(PATH) == {"items": []}
    assert ks.stub.count("GET", PATH) == 3
    assert 0.25 <= ks.sleeps[0] <= 0.5 and 0.5 <= ks.sleeps[1] <= 1.0   # exponential, with jitter
    assert client.stats["retries"] == 2
    assert ks.warnings == [
        "Retried GET workspacetemplates on 127.0.0.1:%d after HTTP 503 (service unavailable), with backoff "
        "(at most 3 times per request, 60 s in all per task); later retries of this kind are not reported"
        % int(ks.stub.url.rsplit(":", 1)[1])]


def test_one_warning_per_kind_of_retried_request_not_per_request(ks):
    ks.stub.on("GET", PATH + "/a", Reply(503), Reply(200, {}))
    ks.stub.on("GET", PATH + "/b", Reply(503), Reply(200, {}))
    ks.stub.on("GET", PATH + "/c", Reply(502), Reply(200, {}))
    ks.stub.on("GET", "/kapis/iam.kubesphere.io/v1beta1/users/bob", Reply(503), Reply(200, {}))
    client = ks.client()
    for path in (PATH + "/a", PATH + "/b", PATH + "/c", "/kapis/iam.kubesphere.io/v1beta1/users/bob"):
        client.get(path)
    assert client.stats["retries"] == 4
    assert [w.split(", with backoff")[0].split(" after ") for w in ks.warnings] == [
        ["Retried GET workspacetemplates on %s" % ks.stub.url.split("//")[1], "HTTP 503 (service unavailable)"],
        ["Retried GET workspacetemplates on %s" % ks.stub.url.split("//")[1], "HTTP 502 (bad gateway)"],
        ["Retried GET users on %s" % ks.stub.url.split("//")[1], "HTTP 503 (service unavailable)"]]


def test_retry_budget_bounds_the_waiting_of_a_task(ks):
    ks.stub.on("GET", PATH, Reply(503, "busy"))
    client = ks.client(retries=10, retry_budget=3)
    with pytest.raises(KubeSphereError) as info:
        client.get(PATH)
    assert info.value.status == 503
    assert sum(ks.sleeps) <= 3 and len(ks.sleeps) < 10
    assert ks.stub.count("GET", PATH) == len(ks.sleeps) + 1
    with pytest.raises(KubeSphereError):    # the budget is the task's, not the request's
        client.get(PATH)
    assert sum(ks.sleeps) <= 3


def test_retry_after_beyond_the_budget_is_not_waited_for(ks):
    ks.stub.on("GET", PATH, Reply(429, "slow down", headers={"Retry-After": "120"}))
    with pytest.raises(KubeSphereError) as info:
        ks.client(retry_budget=10).get(PATH)
    assert info.value.status == 429 and ks.sleeps == []


@pytest.mark.parametrize("status", [429, 502, 504])
def test_other_transient_statuses_retried_for_idempotent_methods(ks, status):
    ks.stub.on("PUT", PATH + "/ws1", Reply(status), Reply(200, {"metadata": {"name": "ws1"}}))
    ks.stub.on("DELETE", PATH + "/ws1", Reply(status), Reply(200, {"message": "success"}))
    client = ks.client()
    assert client.put(PATH + "/ws1", {"metadata": {"name": "ws1"}}) == {"metadata": {"name": "ws1"}}
    assert client.delete(PATH + "/ws1", body={}) == {"message": "success"}
    assert client.stats["retries"] == 2


def test_backoff_is_exponential_and_capped_and_gives_up(ks):
    ks.stub.on("GET", PATH, Reply(503, "busy"))
    client = ks.client(retries=6)
    with pytest.raises(KubeSphereError) as info:
        client.get(PATH)
    assert info.value.status == 503 and info.value.message == "busy"
    assert ks.stub.count("GET", PATH) == 7
    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert all(ceiling / 2 <= slept <= ceiling for slept, ceiling in zip(ks.sleeps, ceilings)), ks.sleeps


def test_retry_after_header_is_honoured(ks):
    ks.stub.on("GET", PATH, Reply(429, "slow down", headers={"Retry-After": "3"}), Reply(200, {}))
    ks.client().get(PATH)
    assert ks.sleeps == [3.0]
    assert "HTTP 429 (too many requests, Retry-After 3 s)" in ks.warnings[0]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_no_blind_retry_for_post_and_patch_the_error_says_it_may_have_happened(ks, method, status):
    ks.stub.on(method, PATH, Reply(status, "busy"))
    client = ks.client()
    with pytest.raises(KubeSphereError) as info:
        client.request(method, PATH, body={"metadata": {"name": "x"}})
    assert info.value.status == status and info.value.uncertain
    assert ks.stub.count(method, PATH) == 1
    assert ks.sleeps == [] and ks.warnings == [] and client.stats["retries"] == 0


def test_post_retried_when_the_connection_was_never_made(tmp_path):
    sleeps = []
    client = KubeSphereClient(dict(ks_host="http://127.0.0.1:%d" % closed_port(), ks_token="static-token-value",
                                   retries=2, token_cache=str(tmp_path)), sleep=sleeps.append)
    with pytest.raises(KubeSphereError) as info:
        client.post(PATH, {"metadata": {"name": "x"}})
    assert len(sleeps) == 2 and client.stats["requests"] == 3
    assert not info.value.uncertain     # refused: it provably did not happen


def test_member_posts_are_writes_like_any_other_read_before_sent_again(ks):
    path = "/kapis/iam.kubesphere.io/v1beta1/workspaces/ws1/workspacemembers"
    ks.stub.on("POST", path, Reply(503), Reply(200, [{"username": "bob"}]))
    client = ks.client()
    with pytest.raises(KubeSphereError) as info:
        client.post(path, [{"username": "bob", "roleRef": "ws1-viewer"}])
    assert info.value.uncertain and ks.stub.count("POST", path) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_a_429_with_retry_after_means_not_done_so_any_write_is_sent_again_after_the_wait(ks, method):
    ks.stub.on(method, PATH, Reply(429, "slow down", headers={"Retry-After": "2"}), Reply(200, {"ok": True}))
    client = ks.client()
    assert client.request(method, PATH, body={"metadata": {"name": "x"}}).json == {"ok": True}
    assert ks.stub.count(method, PATH) == 2 and ks.sleeps == [2.0]
    assert "HTTP 429 (too many requests, Retry-After 2 s)" in ks.warnings[0]


def test_a_429_without_retry_after_leaves_a_post_uncertain(ks):
    ks.stub.on("POST", PATH, Reply(429, "slow down"), Reply(200, {}))
    with pytest.raises(KubeSphereError) as info:
        ks.client().post(PATH, {"metadata": {"name": "x"}})
    assert info.value.uncertain and ks.stub.count("POST", PATH) == 1


def test_when_429s_run_out_the_error_says_it_gave_up_and_that_nothing_was_done(ks):
    ks.stub.on("POST", PATH, Reply(429, "<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 "
                                        "Too Many Requests</h1></center><hr><center>nginx</center></body></html>",
                                   headers={"Retry-After": "1", "Content-Type": "text/html"}))
    with pytest.raises(KubeSphereError) as info:
        ks.client(retries=2).post(PATH, {"metadata": {"name": "x"}})
    err = info.value
    assert ks.stub.count("POST", PATH) == 3 and not err.uncertain and err.retries == 2
    assert str(err) == ("POST %s%s: gave up after 2 retries: HTTP 429: Too Many Requests (an HTML page, from a proxy "
                        "or gateway in front of KubeSphere)" % (ks.stub.url, PATH))
    assert "<" not in str(err)


def test_a_conflict_after_a_lost_answer_may_be_that_send_own_doing(ks):
    ks.stub.on("PUT", PATH + "/ws1", Reply(502), Reply(409, {"kind": "Status", "code": 409, "reason": "Conflict",
                                                             "message": "the object has been modified"}))
    with pytest.raises(KubeSphereError) as info:
        ks.client().put(PATH + "/ws1", {"metadata": {"name": "ws1", "resourceVersion": "1"}})
    assert info.value.status == 409 and info.value.uncertain and info.value.retries == 1


def test_a_delete_not_found_after_a_lost_answer_is_that_send_done(ks):
    ks.stub.on("DELETE", PATH + "/ws1", Reply(504), Reply(404, {"kind": "Status", "code": 404, "reason": "NotFound",
                                                                "message": "not found"}))
    assert ks.client().delete(PATH + "/ws1") is None
    ks.stub.on("DELETE", PATH + "/ws2", Reply(404, {"kind": "Status", "code": 404, "reason": "NotFound",
                                                    "message": "not found"}))
    with pytest.raises(KubeSphereError):
        ks.client().delete(PATH + "/ws2")


def test_retries_zero_disables(ks):
    ks.stub.on("GET", PATH, Reply(503, "busy"))
    with pytest.raises(KubeSphereError):
        ks.client(retries=0).get(PATH)
    assert ks.stub.count("GET", PATH) == 1


def test_cluster_not_ready_is_not_retried(ks):
    path = "/clusters/member1" + PATH
    ks.stub.on("GET", path, Reply(503, NOT_READY))
    with pytest.raises(KubeSphereError) as info:
        ks.client().get(PATH, cluster="member1")
    assert ks.stub.count("GET", path) == 1
    assert info.value.cluster_unavailable
    assert str(info.value).endswith("HTTP 503 ServiceUnavailable: cluster member1 is not ready")


def test_connection_refused_retried_then_clear_error(tmp_path):
    warnings, sleeps = [], []
    host = "http://127.0.0.1:%d" % closed_port()
    client = KubeSphereClient(dict(ks_host=host, ks_token="static-token-value", retries=2, ks_api_version="v4",
                                   token_cache=str(tmp_path)), warn=warnings.append, sleep=sleeps.append)
    with pytest.raises(KubeSphereError) as info:
        client.get("/version")
    err = info.value
    assert err.status is None and err.method == "GET" and err.url == host + "/version"
    assert str(err).startswith("GET %s/version: gave up after 2 retries: cannot connect: " % host)
    assert "refused" in err.message.lower()
    assert "check ks_host" in str(err)
    assert len(sleeps) == 2 and client.stats["requests"] == 3
    assert len(warnings) == 1 and warnings[0].startswith("Retried GET /version on 127.0.0.1:")
    assert "after a connection error (cannot connect: Connection refused)" in warnings[0]


def test_read_timeout_is_retried_then_reported(ks):
    ks.stub.on("GET", "/slow", Reply(200, {}, delay=0.3))
    client = ks.client(request_timeout=0.05, retries=1)
    with pytest.raises(KubeSphereError) as info:
        client.get("/slow")
    assert info.value.status is None
    assert "no answer within 0.05 s" in str(info.value)
    assert client.stats["retries"] == 1


def test_token_endpoint_retried_after_a_gateway_error(ks):
    ks.stub.oauth = None
    ks.stub.on("POST", "/oauth/token", Reply(503, "busy"))
    client = ks.client(retries=2)
    with pytest.raises(KubeSphereError):
        client.login()
    assert ks.stub.count("POST", "/oauth/token") == 3


@pytest.mark.parametrize("answer", [Reply(429, {"error": "invalid_grant", "error_description": "Rate limit exceeded."}),
                                    Reply(401, {"error": "invalid_grant", "error_description": "bad password"})])
def test_token_endpoint_never_retried_when_refused_or_locked_out(ks, answer):
    ks.stub.oauth = None
    ks.stub.on("POST", "/oauth/token", answer)
    client = ks.client()
    with pytest.raises(KubeSphereError):
        client.login()
    assert ks.stub.count("POST", "/oauth/token") == 1 and ks.sleeps == []


def test_verify_settings(ks, tmp_path):
    pytest.importorskip("cryptography")
    cert, _key = self_signed_certificate(tmp_path)
    assert ks.client()._transport.verify is True
    assert ks.client(ca_path=cert)._transport.verify == cert
    assert ks.client(validate_certs="no", ca_path=cert)._transport.verify is False
    with pytest.raises(KubeSphereError) as info:
        ks.client(ca_path=str(tmp_path / "missing.pem"))
    assert "ca_path %s does not exist" % (tmp_path / "missing.pem") in str(info.value)


def test_ca_path_that_is_not_pem_or_not_readable_says_so(ks, tmp_path):
    der = tmp_path / "ca.der"
    der.write_bytes(b"\x30\x82\x01\x0a binary")
    with pytest.raises(KubeSphereError) as info:
        ks.client(ca_path=str(der))
    assert "is not a PEM CA bundle" in str(info.value)
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(KubeSphereError) as info:
        ks.client(ca_path=str(broken))
    assert "is not a usable PEM CA bundle" in str(info.value)
    with pytest.raises(KubeSphereError) as info:
        ks.client(ca_path=str(tmp_path))
    assert "is not a file" in str(info.value)


@pytest.fixture
def tls_stub(tmp_path):
    pytest.importorskip("cryptography")
    cert, key = self_signed_certificate(tmp_path)
    server = StubServer(tls=(cert, key)).start()
    server.on("GET", "/version", Reply(200, {"gitVersion": "v4.1.3"}), auth=False)
    yield server, cert
    server.stop()


def test_tls_self_signed_refused_by_default_with_advice(tls_stub, tmp_path):
    server, _cert = tls_stub
    client = KubeSphereClient(dict(ks_host=server.url, ks_token="t", token_cache=False, retries=2, ks_api_version="v4"),
                              sleep=lambda s: None)
    with pytest.raises(KubeSphereError) as info:
        client.get("/version")
    assert info.value.status is None and "TLS error" in str(info.value)
    assert "signed by a CA that the system's CA bundle does not hold" in str(info.value)
    assert "ca_path" in str(info.value)
    assert client.stats["retries"] == 0  # a certificate problem is not transient


def test_tls_ca_path_verifies(tls_stub):
    server, cert = tls_stub
    client = KubeSphereClient(dict(ks_host=server.url, ks_token="t", token_cache=False, ca_path=cert))
    assert client.get("/version") == {"gitVersion": "v4.1.3"}


def test_tls_insecure_warns_once_through_warn_and_silences_urllib3(tls_stub, recwarn):
    server, _cert = tls_stub
    warnings = []
    client = KubeSphereClient(dict(ks_host=server.url, ks_token="t", token_cache=False, validate_certs="false"),
                              warn=warnings.append)
    assert client.get("/version") == {"gitVersion": "v4.1.3"}
    client.get("/version")
    assert warnings == ["TLS certificate verification is disabled (validate_certs=false) for %s" % server.url]
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)]


def test_headers_and_bodies(ks):
    ks.stub.on("*", PATH, Reply(200, {"ok": True}))
    client = ks.client()
    client.get(PATH)
    client.post(PATH, {"metadata": {"name": "a"}})
    client.patch(PATH, [{"op": "add", "path": "/x", "value": 1}], content_type="application/json-patch+json")
    client.patch(PATH, {"spec": {"enabled": False}})
    client.request("PUT", PATH, body='{"raw": 1}')
    client.delete(PATH, body={})
    calls = ks.stub.calls(path=PATH)
    assert [c.method for c in calls] == ["GET", "POST", "PATCH", "PATCH", "PUT", "DELETE"]
    assert all(c.headers["accept"] == "application/json" for c in calls)
    assert all(c.headers["authorization"].startswith("Bearer access-") for c in calls)
    assert "content-type" not in calls[0].headers
    assert [c.headers.get("content-type") for c in calls[1:]] == [
        "application/json", "application/json-patch+json", "application/merge-patch+json",
        "application/json", "application/json"]
    assert calls[1].json == {"metadata": {"name": "a"}}
    assert calls[4].body == '{"raw": 1}'
    assert calls[5].body == "{}"
    assert json.loads(calls[3].body) == {"spec": {"enabled": False}}


def test_one_session_reused(ks):
    ks.stub.on("GET", PATH, Reply(200, {}))
    client = ks.client()
    session = client._transport.session
    for _round in range(3):
        client.get(PATH)
    assert client._transport.session is session
    assert client.stats["requests"] == 4  # one login + three GETs
