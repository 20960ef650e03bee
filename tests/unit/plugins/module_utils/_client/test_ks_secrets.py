"""No password, client secret, access or refresh token in any error text, repr or warning."""
import json

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from stub_server import CLIENT_SECRET, PASSWORD, Reply, closed_port, status_reply

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


def echo_everything(request):
    """A (hypothetical) server that echoes the credentials it was sent into its error body."""
    echoed = (request.headers.get("authorization"), request.body, request.raw_path)
    return Reply(500, "internal error for %s: %s %s\n" % echoed)


def texts_of(err):
    return [str(err), repr(err), str(err.args), err.message or "", err.url or "", err.advice or "",
            json.dumps(err.body) if not isinstance(err.body, str) else err.body]


def assert_clean(texts, secrets):
    for text in texts:
        for secret in secrets:
            assert secret not in text, "secret leaked into %r" % text


def test_no_secret_anywhere(ks, tmp_path):
    errors = []

    def attempt(func):
        with pytest.raises(KubeSphereError) as info:
            func()
        errors.append(info.value)

    ks.stub.on("GET", "/echo", echo_everything)
    ks.stub.on("POST", "/echo", echo_everything)
    ks.stub.on("GET", "/always-401", status_reply(401, "Unauthorized", "token not found in cache"), auth=False)
    ks.stub.on("GET", "/busy", Reply(503, "busy"))

    client = ks.client()
    attempt(lambda: client.get("/echo"))
    attempt(lambda: client.post("/echo", {"password": PASSWORD}))
    attempt(lambda: client.get("/echo", query={"token": client.token, "x": PASSWORD}))
    attempt(lambda: client.get("/always-401"))
    attempt(lambda: client.get("/busy"))
    attempt(lambda: ks.client(ks_password=PASSWORD + "-wrong", token_cache=False).login())
    attempt(lambda: ks.client(ks_client_secret=CLIENT_SECRET + "-wrong", token_cache=False).login())
    ks.stub.oauth.locked.add("admin")
    attempt(lambda: ks.client(token_cache=False).login())
    ks.stub.oauth.locked.clear()
    static = ks.client(ks_token="Static-Token-0123456789", ks_username=None, ks_password=None)
    attempt(lambda: static.get("/always-401"))
    attempt(lambda: static.get("/echo"))
    offline = ks.client(ks_host="http://127.0.0.1:%d" % closed_port(), ks_token="Static-Token-0123456789")
    attempt(lambda: offline.get("/x", query={"password": PASSWORD}))
    blocker = tmp_path / "file"
    blocker.write_text("")
    ks.client(token_cache=str(blocker / "dir")).login()  # warns about the cache

    seen_tokens = set()
    for call in ks.stub.requests:
        if call.bearer:
            seen_tokens.add(call.bearer)
        if call.form.get("refresh_token"):
            seen_tokens.add(call.form["refresh_token"])
    for refresh in ks.stub.oauth.refresh:
        seen_tokens.add(refresh)
    secrets = [PASSWORD, CLIENT_SECRET, "Static-Token-0123456789"] + sorted(seen_tokens)
    assert len(seen_tokens) >= 3
    # the echo really contained the secrets before redaction
    assert PASSWORD in ks.stub.calls("POST", "/echo")[0].body
    texts = []
    for err in errors:
        texts.extend(texts_of(err))
    texts.extend(ks.warnings)
    texts.extend(repr(c) for c in (client, static, offline))
    assert len(errors) == 11 and ks.warnings
    assert_clean(texts, secrets)
    assert any("********" in text for text in texts)
