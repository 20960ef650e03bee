"""Reading KubeSphere's error bodies; the bodies are real ones from ks-recordings/*.json."""
import json

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import (
    KubeSphereAuthError, KubeSphereError, parse_error_body)
from stub_server import Reply

# --- real bodies (ks-recordings, KubeSphere v4.1.3) ------------------------------------------
STATUS_404 = json.dumps({
    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
    "message": "users.iam.kubesphere.io \"rec-user1\" not found", "reason": "NotFound",
    "details": {"name": "rec-user1", "group": "iam.kubesphere.io", "kind": "users"}, "code": 404})  # users.json
STATUS_401 = json.dumps({
    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
    "message": "token not found in cache", "reason": "Unauthorized", "code": 401})  # oauth.json
ERRSTATUS_400 = json.dumps({"ErrStatus": {
    "metadata": {}, "status": "Failure", "message": "cluster nope not exists", "reason": "BadRequest",
    "code": 400}})  # clusters.json
ERRSTATUS_503 = json.dumps({"ErrStatus": {
    "metadata": {}, "status": "Failure", "message": "cluster member1 is not ready", "reason": "ServiceUnavailable",
    "code": 503}})  # clusters.json
OAUTH_400 = json.dumps({"error": "invalid_grant", "error_description": "Invalid username or password."})
OAUTH_429 = json.dumps({"error": "invalid_grant", "error_description": "Rate limit exceeded."})
TEXT_MEMBER = "member rec-nobody not exist\n"  # workspace-members.json, 400
TEXT_WS_DELETE = ("failed to get workspace template: WorkspaceTemplate.tenant.kubesphere.io \"rec-ws2\" "
                  "not found\n")  # workspaces.json, 400 on DELETE
TEXT_USER_404 = "User.iam.kubesphere.io \"rec-user1\" not found\n"  # users.json
TEXT_ROUTE_404 = "404: Page Not Found"  # errors.json
TEXT_APIS_404 = "404 page not found\n"  # errors.json
TEXT_EOF = "unexpected EOF\n"  # errors.json, 400
LOGIN_REQUIRED = json.dumps("login_required")  # oauth.json, 401 from /oauth/userinfo


@pytest.mark.parametrize("text, message, reason", [
    (STATUS_404, 'users.iam.kubesphere.io "rec-user1" not found', "NotFound"),
    (STATUS_401, "token not found in cache", "Unauthorized"),
    (ERRSTATUS_400, "cluster nope not exists", "BadRequest"),
    (ERRSTATUS_503, "cluster member1 is not ready", "ServiceUnavailable"),
    (OAUTH_400, "Invalid username or password.", "invalid_grant"),
    (OAUTH_429, "Rate limit exceeded.", "invalid_grant"),
    (TEXT_MEMBER, "member rec-nobody not exist", None),
    (TEXT_WS_DELETE, 'failed to get workspace template: WorkspaceTemplate.tenant.kubesphere.io "rec-ws2" not found',
     None),
    (TEXT_ROUTE_404, "404: Page Not Found", None),
    (LOGIN_REQUIRED, "login_required", None),
    ('{"message": "success"}', "success", None),
    ("a &lt;b&gt; &amp; c\n", "a <b> & c", None),  # KubeSphere's http.Error escapes & < >
])
def test_parse_error_body(text, message, reason):
    parsed_message, parsed_reason, body = parse_error_body(text)
    assert parsed_message == message
    assert parsed_reason == reason
    if text.startswith("{"):
        assert body == json.loads(text)


def test_str_reads_like_method_url_status_reason_message():
    err = KubeSphereError.from_response("GET", "https://ks.example.com/kapis/iam.kubesphere.io/v1beta1/users/bob",
                                        404, json.dumps({"kind": "Status", "message": 'users.iam.kubesphere.io "bob" '
                                                         'not found', "reason": "NotFound", "code": 404}))
    assert str(err) == ('GET https://ks.example.com/kapis/iam.kubesphere.io/v1beta1/users/bob: '
                        'HTTP 404 NotFound: users.iam.kubesphere.io "bob" not found')
    assert repr(err).startswith("KubeSphereError('GET https://ks.example.com")
    plain = KubeSphereError.from_response("PUT", "http://h/x", 400, TEXT_MEMBER)
    assert str(plain) == "PUT http://h/x: HTTP 400: member rec-nobody not exist"
    assert plain.reason is None and plain.body == TEXT_MEMBER
    assert isinstance(KubeSphereAuthError("x"), KubeSphereError)


def test_empty_body_uses_http_reason():
    err = KubeSphereError.from_response("GET", "http://h/x", 502, "", http_reason="Bad Gateway")
    assert err.message == "Bad Gateway"


@pytest.mark.parametrize("status, text, expected", [
    (404, STATUS_404, True),
    (404, TEXT_USER_404, True),
    (400, TEXT_MEMBER, True),           # KubeSphere: GET/PUT of a non-member is 400 "member x not exist"
    (400, TEXT_WS_DELETE, True),        # workspace DELETE of a missing workspace is 400
    (400, TEXT_EOF, False),
    (400, ERRSTATUS_400, False),        # unknown cluster is not "object missing"
    (503, ERRSTATUS_503, False),
    (404, TEXT_ROUTE_404, False),       # router miss: the API path does not exist on this server
    (404, TEXT_APIS_404, False),
    (500, "thing not found\n", False),
    (409, "conflict", False),
])
def test_not_found(status, text, expected):
    assert KubeSphereError.from_response("GET", "http://h/x", status, text).not_found is expected


def test_cluster_unavailable():
    assert KubeSphereError.from_response("GET", "u", 503, ERRSTATUS_503).cluster_unavailable
    assert KubeSphereError.from_response("GET", "u", 400, ERRSTATUS_400).cluster_unavailable
    assert KubeSphereError.from_response("GET", "u", 511, "").cluster_unavailable
    assert not KubeSphereError.from_response("GET", "u", 503, "overloaded").cluster_unavailable


def test_redact_replaces_secrets_everywhere():
    err = KubeSphereError("boom P@ss w0rd and tok-123", method="GET", url="http://h/x?t=tok-123",
                          status=400, body={"echo": ["P%40ss+w0rd"]}, advice="tok-123")
    err.redact(["P@ss w0rd", "tok-123"])
    for text in (str(err), repr(err), err.url, json.dumps(err.body), str(err.args)):
        assert "P@ss" not in text and "P%40ss" not in text and "tok-123" not in text


@pytest.mark.parametrize("path, status, text, reason", [
    ("/kapis/iam.kubesphere.io/v1beta1/users/rec-user1", 404, STATUS_404, "NotFound"),
    ("/clusters/nope/api/v1/namespaces", 400, ERRSTATUS_400, "BadRequest"),
    ("/kapis/iam.kubesphere.io/v1beta1/workspaces/ws/workspacemembers/rec-nobody", 400, TEXT_MEMBER, None),
])
def test_errors_from_the_wire(ks, path, status, text, reason):
    content_type = "application/json" if text.startswith("{") else "text/plain; charset=utf-8"
    ks.stub.on("GET", path, Reply(status, text, content_type=content_type))
    with pytest.raises(KubeSphereError) as info:
        ks.client(retries=0).get(path)
    err = info.value
    assert err.status == status and err.reason == reason and err.method == "GET"
    assert err.url == ks.stub.url + path
    assert err.message == parse_error_body(text)[0]


def test_a_gateway_html_page_is_said_in_one_short_line_never_printed():
    page = ("<!DOCTYPE html><html><head><style>body {color: red}</style></head><body><h1>Bad gateway</h1><p>"
            + "The upstream server sent an invalid response. " * 20 + "</p></body></html>")
    message, _reason, body = parse_error_body(page)
    assert message.startswith("Bad gateway The upstream server sent an invalid response.")
    assert message.endswith("... (an HTML page, from a proxy or gateway in front of KubeSphere)")
    assert "<" not in message and "color" not in message and len(message) < 240
    assert body == page     # the page itself stays in the error's body, for whoever wants it
    message = parse_error_body("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
                               "<body><center><h1>503</h1></center></body></html>")[0]
    assert message == "Service Temporarily Unavailable (an HTML page, from a proxy or gateway in front of KubeSphere)"
    assert parse_error_body("plain &lt;text&gt;\n")[0] == "plain <text>"
