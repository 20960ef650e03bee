"""The version table (ks_versions) and detection (ks_detect): what each line is told, and when the
client asks which line a host runs."""
import json
import os

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereClient, KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import LINES, V3, V4, check_choice, line_of
from stub_server import Reply, status_reply

V3_VERSION = {"gitVersion": "v3.4.1", "gitMajor": "3", "gitMinor": "4"}
V4_VERSION = {"gitVersion": "v4.1.3", "gitMajor": "4", "gitMinor": "1"}
ANONYMOUS_403 = status_reply(403, "Forbidden", 'forbidden: User "system:anonymous" cannot GET path "/version"')


@pytest.mark.parametrize("v4_path, v3_path", [
    ("/kapis/iam.kubesphere.io/v1beta1/users/bob", "/kapis/iam.kubesphere.io/v1alpha2/users/bob"),
    ("/apis/iam.kubesphere.io/v1beta1/globalrolebindings?labelSelector=x%3Dy",
     "/apis/iam.kubesphere.io/v1alpha2/globalrolebindings?labelSelector=x%3Dy"),
    ("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/ws1", "/kapis/tenant.kubesphere.io/v1alpha2/workspaces/ws1"),
    ("/kapis/tenant.kubesphere.io/v1beta1/workspaces/ws1/namespaces/p1",
     "/kapis/tenant.kubesphere.io/v1alpha2/workspaces/ws1/namespaces/p1"),
    ("/kapis/tenant.kubesphere.io/v1beta1/namespaces", "/kapis/tenant.kubesphere.io/v1alpha2/namespaces"),
    ("/kapis/iam.kubesphere.io/v1beta1/workspaces/ws1/workspacemembers/bob",
     "/kapis/iam.kubesphere.io/v1alpha2/workspaces/ws1/workspacemembers/bob"),
    ("/kapis/iam.kubesphere.io/v1beta1/namespaces/p1/namespacemembers", "/kapis/iam.kubesphere.io/v1alpha2/namespaces/p1/members"),
    ("/apis/tenant.kubesphere.io/v1beta1/workspaces/ws1", "/apis/tenant.kubesphere.io/v1alpha1/workspaces/ws1"),
    ("/kapis/resources.kubesphere.io/v1alpha3/clusters", "/kapis/resources.kubesphere.io/v1alpha3/clusters"),
    ("/api/v1/namespaces/p1", "/api/v1/namespaces/p1"),
    # 3.x has no iam ClusterRoles or Roles (404): its cluster and project roles are Kubernetes' RBAC ones.
    ("/apis/iam.kubesphere.io/v1beta1/clusterroles?limit=500", "/apis/rbac.authorization.k8s.io/v1/clusterroles?limit=500"),
    ("/apis/iam.kubesphere.io/v1beta1/roles", "/apis/rbac.authorization.k8s.io/v1/roles"),
    ("/apis/iam.kubesphere.io/v1beta1/namespaces/p1/roles/viewer", "/apis/rbac.authorization.k8s.io/v1/namespaces/p1/roles/viewer"),
    ("/apis/iam.kubesphere.io/v1beta1/namespaces/p1/rolebindings", "/apis/iam.kubesphere.io/v1alpha2/namespaces/p1/rolebindings"),
])
def test_v3_paths_and_v4_unchanged(v4_path, v3_path):
    assert LINES[V3].path(v4_path) == v3_path
    assert LINES[V4].path(v4_path) == v4_path


@pytest.mark.parametrize("line, path, expected", [
    (V4, "/kapis/tenant.kubesphere.io/v1beta1/workspaces/w/namespaces", "/clusters/m1/kapis/tenant.kubesphere.io/v1beta1/workspaces/w/namespaces"),
    (V4, "/api/v1/namespaces", "/clusters/m1/api/v1/namespaces"),
    (V3, "/kapis/tenant.kubesphere.io/v1alpha2/workspaces/w/namespaces", "/kapis/clusters/m1/tenant.kubesphere.io/v1alpha2/workspaces/w/namespaces"),
    (V3, "/api/v1/namespaces", "/api/clusters/m1/v1/namespaces"),
    (V3, "/apis/iam.kubesphere.io/v1alpha2/users", "/apis/clusters/m1/iam.kubesphere.io/v1alpha2/users"),
])
def test_member_cluster_routing(line, path, expected):
    assert LINES[line].cluster_path(path, "m1") == expected


def test_v3_bodies_name_the_stored_versions_and_keeping_projects_is_said_as_orphan():
    v3 = LINES[V3]
    user = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User", "metadata": {"name": "bob"}}
    assert v3.body("POST", "/kapis/iam.kubesphere.io/v1beta1/users", user)["apiVersion"] == "iam.kubesphere.io/v1alpha2"
    assert user["apiVersion"] == "iam.kubesphere.io/v1beta1"      # the caller's body is not changed
    template = {"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate"}
    assert v3.body("POST", "/x", template)["apiVersion"] == "tenant.kubesphere.io/v1alpha2"
    assert v3.body("POST", "/x", {"apiVersion": "v1", "kind": "Namespace"}) == {"apiVersion": "v1", "kind": "Namespace"}
    delete = v3.body("DELETE", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/ws1", {})
    assert delete["propagationPolicy"] == "Orphan"
    background = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
    assert v3.body("DELETE", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/ws1", background) == background
    assert LINES[V4].body("DELETE", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/ws1", {}) == {}


def test_missing_objects_answered_500_on_v3_only():
    assert LINES[V3].is_missing(500, 'user.iam.kubesphere.io "x" not found')
    assert LINES[V3].is_missing(500, 'cluster.cluster.kubesphere.io "rec3-nope" not found')
    assert not LINES[V3].is_missing(500, "emulator internal error")
    assert not LINES[V4].is_missing(500, 'user.iam.kubesphere.io "x" not found')


def test_features_name_the_lines_that_have_them():
    assert LINES[V4].lacks("extensions") is None
    message = LINES[V3].lacks("extensions")
    assert "KubeSphere 3.x" in message and "KubeSphere 4.x" in message
    assert LINES[V3].lacks("identity_providers") and LINES[V4].lacks("identity_providers") is None


@pytest.mark.parametrize("value, expected", [
    (None, "auto"), ("", "auto"), ("auto", "auto"), ("v3", V3), ("3.4", V3), ("V4", V4), ("4.2", V4)])
def test_choices(value, expected):
    assert check_choice(value) == expected


def test_bad_choice_is_refused_before_any_request():
    with pytest.raises(KubeSphereError, match="ks_api_version must be one of auto, v3, v4"):
        KubeSphereClient({"ks_host": "http://127.0.0.1:9", "ks_token": "t", "ks_api_version": "v5"})


@pytest.mark.parametrize("git_version, line", [("v3.4.1", V3), ("v4.1.3", V4), ("v4.2.0-ee", V4), ("4.2", V4),
                                               ("v2.1.0", None), ("", None), (None, None)])
def test_line_of(git_version, line):
    assert line_of(git_version) == line


# --- detection, against the stub ------------------------------------------------------------------

def _v3_server(stub):
    stub.on("GET", "/version", ANONYMOUS_403, auth=False)
    stub.on("GET", "/kapis/version", Reply(200, V3_VERSION), auth=False)
    stub.on("GET", "/kapis/iam.kubesphere.io/v1alpha2/users/bob", Reply(200, {"metadata": {"name": "bob"}}))
    stub.on("GET", "/kapis/iam.kubesphere.io/v1alpha2/users/nobody",
            Reply(500, 'user.iam.kubesphere.io "nobody" not found\n', content_type="text/plain; charset=utf-8"))


def _paths(stub):
    return [r.path for r in stub.requests if not r.path.startswith("/oauth/")]


def test_v3_detected_once_then_read_from_the_cache(ks):
    _v3_server(ks.stub)
    client = ks.client(ks_api_version="auto")
    assert client.get("/kapis/iam.kubesphere.io/v1beta1/users/bob") == {"metadata": {"name": "bob"}}
    assert client.get("/kapis/iam.kubesphere.io/v1beta1/users/nobody", missing_ok=True) is None
    assert _paths(ks.stub) == ["/version", "/kapis/version", "/kapis/iam.kubesphere.io/v1alpha2/users/bob",
                               "/kapis/iam.kubesphere.io/v1alpha2/users/nobody"]
    assert client.api.name == V3 and client.git_version == "v3.4.1"
    probes = [r for r in ks.stub.requests if r.path.endswith("/version")]
    assert all(r.headers.get("Authorization") is None for r in probes)   # asked without a token
    files = [name for name in os.listdir(ks.cache_dir) if name.endswith(".version.json")]
    assert len(files) == 1 and oct(os.stat(os.path.join(ks.cache_dir, files[0])).st_mode & 0o777) == "0o600"
    with open(os.path.join(ks.cache_dir, files[0])) as handle:
        assert json.load(handle)["line"] == V3
    del ks.stub.requests[:]
    again = ks.client(ks_api_version="auto")       # the next task: token and line from the cache
    again.get("/kapis/iam.kubesphere.io/v1beta1/users/bob")
    assert [r.path for r in ks.stub.requests] == ["/kapis/iam.kubesphere.io/v1alpha2/users/bob"]
    assert ks.warnings == []


def test_v4_detected_from_the_open_version_endpoint(ks):
    ks.stub.on("GET", "/version", Reply(200, V4_VERSION), auth=False)
    ks.stub.on("GET", "/kapis/iam.kubesphere.io/v1beta1/users/bob", Reply(200, {"metadata": {"name": "bob"}}))
    client = ks.client(ks_api_version="auto", token_cache=False)
    client.get("/kapis/iam.kubesphere.io/v1beta1/users/bob")
    assert _paths(ks.stub) == ["/version", "/kapis/iam.kubesphere.io/v1beta1/users/bob"]
    assert client.api.name == V4


def test_given_line_asks_nothing(ks):
    _v3_server(ks.stub)
    ks.client(ks_api_version="v3").get("/kapis/iam.kubesphere.io/v1beta1/users/bob")
    assert _paths(ks.stub) == ["/kapis/iam.kubesphere.io/v1alpha2/users/bob"]


def test_hidden_version_assumes_v4_and_says_how_to_choose(ks):
    ks.stub.on("GET", "/version", ANONYMOUS_403, auth=False)
    ks.stub.on("GET", "/kapis/version", ANONYMOUS_403, auth=False)
    ks.stub.on("GET", "/kapis/iam.kubesphere.io/v1beta1/users/bob", Reply(200, {"metadata": {"name": "bob"}}))
    client = ks.client(ks_api_version="auto")
    client.get("/kapis/iam.kubesphere.io/v1beta1/users/bob")
    assert client.api.name == V4
    assert any("ks_api_version" in w and "KUBESPHERE_API_VERSION" in w for w in ks.warnings)
    assert not [n for n in os.listdir(ks.cache_dir) if n.endswith(".version.json")]   # a guess is not cached


def test_env_variable_chooses_the_line(monkeypatch):
    monkeypatch.setenv("KUBESPHERE_API_VERSION", "v3")
    assert KubeSphereClient.options_from_env({})["ks_api_version"] == "v3"


def test_feature_refused_with_the_versions_that_have_it(ks):
    _v3_server(ks.stub)
    client = ks.client(ks_api_version="auto")
    with pytest.raises(KubeSphereError) as info:
        client.require("extensions")
    assert "KubeSphere 4.x" in str(info.value) and "v3.4.1" in str(info.value)
    assert _paths(ks.stub) == ["/version", "/kapis/version"]   # no token, no write


def test_list_envelope_of_4_2_is_paged_like_4_1(ks):
    def page(request):
        number = int(request.query.get("page", ["1"])[0])
        return Reply(200, {"items": [{"metadata": {"name": "u%d" % number}}], "total_count": 2})
    ks.stub.on("GET", "/kapis/iam.kubesphere.io/v1beta1/users", page)
    items = ks.client().list_all("/kapis/iam.kubesphere.io/v1beta1/users", page_size=1)
    assert [i["metadata"]["name"] for i in items] == ["u1", "u2"]


def test_shared_cached_token_is_never_logged_out(ks):
    ks.stub.on("GET", "/kapis/iam.kubesphere.io/v1beta1/users", Reply(200, {"items": [], "totalItems": 0}))
    ks.client().get("/kapis/iam.kubesphere.io/v1beta1/users")     # one task logs in; the token is cached
    other = ks.client()
    other.get("/kapis/iam.kubesphere.io/v1beta1/users")              # another uses the cached token
    assert other.logout() is None
    assert not [r for r in ks.stub.requests if r.path == "/oauth/logout"]


# --- a cached line that no longer fits (an in-place upgrade from 3.4 to 4.1) ------------------------

BOB_V3 = "/kapis/iam.kubesphere.io/v1alpha2/users/bob"
BOB_V4 = "/kapis/iam.kubesphere.io/v1beta1/users/bob"
ROUTE_MISS = Reply(404, "404: Page Not Found")


def _upgrade_to_v4(stub):
    stub.on("GET", "/version", Reply(200, V4_VERSION), auth=False)
    stub.on("GET", "/kapis/version", ANONYMOUS_403, auth=False)
    stub.on("GET", BOB_V3, ROUTE_MISS)
    stub.on("GET", BOB_V4, Reply(200, {"metadata": {"name": "bob", "v": 4}}))


def _cached_v3(ks):
    _v3_server(ks.stub)
    ks.client(ks_api_version="auto").get(BOB_V4)
    del ks.stub.requests[:]


def _version_file(ks):
    (name,) = [n for n in os.listdir(ks.cache_dir) if n.endswith(".version.json")]
    return os.path.join(ks.cache_dir, name)


def test_a_route_miss_on_a_cached_line_detects_it_again_once_and_repeats_the_request(ks):
    _cached_v3(ks)
    _upgrade_to_v4(ks.stub)
    client = ks.client(ks_api_version="auto")
    assert client.get(BOB_V4)["metadata"]["v"] == 4
    assert _paths(ks.stub) == [BOB_V3, "/version", BOB_V4]
    assert client.api.name == V4 and client.git_version == "v4.1.3"
    assert any("3.x" in w and "v4.1.3" in w and "detected again" in w for w in ks.warnings), ks.warnings
    with open(_version_file(ks)) as handle:
        assert json.load(handle)["line"] == V4
    del ks.stub.requests[:]
    ks.client(ks_api_version="auto").get(BOB_V4)              # the next task: the new line, from the cache
    assert _paths(ks.stub) == [BOB_V4]


def test_a_refused_token_on_a_cached_line_detects_it_again(ks):
    _cached_v3(ks)
    _upgrade_to_v4(ks.stub)
    ks.stub.oauth.restart()                                    # the new server knows no token of the old one
    client = ks.client(ks_api_version="auto")
    assert client.get(BOB_V4)["metadata"]["v"] == 4
    assert _paths(ks.stub) == [BOB_V3, "/version", BOB_V4]


def test_a_route_miss_that_still_does_not_fit_names_the_cached_line_and_how_to_reset_it(ks):
    _cached_v3(ks)
    client = ks.client(ks_api_version="auto")
    missing = "/kapis/iam.kubesphere.io/v1beta1/users/bob/loginrecords"
    for _attempt in range(2):
        with pytest.raises(KubeSphereError) as info:
            client.get(missing)
        text = str(info.value)
        assert info.value.status == 404 and "KubeSphere 3.x" in text and "v3.4.1" in text
        assert _version_file(ks) in text and "ks_api_version" in text
    # Asked once: the cached line was confirmed, and a second miss asks no more.
    assert [p for p in _paths(ks.stub) if p.endswith("/version")] == ["/version", "/kapis/version"]


def test_a_feature_a_cached_line_lacks_is_checked_again_before_refusing(ks):
    _cached_v3(ks)
    _upgrade_to_v4(ks.stub)
    client = ks.client(ks_api_version="auto")
    client.require("extensions")
    assert _paths(ks.stub) == ["/version"] and client.api.name == V4


def test_a_line_given_by_ks_api_version_is_never_detected_again(ks):
    _v3_server(ks.stub)
    client = ks.client(ks_api_version="v3")
    with pytest.raises(KubeSphereError) as info:
        client.get("/kapis/iam.kubesphere.io/v1beta1/users/bob/loginrecords")
    assert "ks_api_version" in str(info.value) and "3.x" in str(info.value)
    assert not [p for p in _paths(ks.stub) if p.endswith("/version")]
