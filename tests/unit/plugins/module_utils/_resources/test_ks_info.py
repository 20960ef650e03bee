"""ks_info's queries through the real client against the stub server, on both KubeSphere lines: which path each
kind and filter reads, single GETs where they are reliable, exact name filters where the server ignores them,
and what a line lacks refused before any request."""
import base64

import pytest
import yaml

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_info import KINDS, query, validate
from stub_server import Reply, status_reply

V4_IAM = "/kapis/iam.kubesphere.io/v1beta1"
V3_IAM = "/kapis/iam.kubesphere.io/v1alpha2"
SECRETS = "/api/v1/namespaces/kubesphere-system/secrets"


def params(kind, **kw):
    base = dict(kind=kind, name=None, workspace=None, project=None, cluster=None, label_selector=None, scope=None,
                category=None)
    base.update(kw)
    return base


def items(*names, **extra):
    return Reply(200, dict({"items": [{"metadata": {"name": n}} for n in names], "totalItems": len(names)}, **extra))


def paths(stub):
    return [r.path for r in stub.requests if not r.path.startswith("/oauth/")]


def last_query(stub):
    return [r for r in stub.requests if not r.path.startswith("/oauth/")][-1].query


# --- input --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, message", [
    (dict(kind="user", category="x"), "category applies only to kind=roletemplate"),
    (dict(kind="user", scope="global"), "scope applies only to kind=role and kind=roletemplate"),
    (dict(kind="workspace_member"), "kind=workspace_member needs workspace"),
    (dict(kind="project_member"), "kind=project_member needs project"),
    (dict(kind="role", scope="workspace"), "kind=role needs workspace"),
    (dict(kind="role", scope="project"), "kind=role needs project"),
    (dict(kind="user", cluster="m1"), "cluster applies only to the kinds served by each cluster (project, "
                                      "project_member); user objects live on the host"),
    (dict(kind="role", scope="global", cluster="m1"), "role objects live on the host"),
    (dict(kind="user", name="Bob"), "name 'Bob' is not a valid DNS-1123 label"),
    (dict(kind="project", workspace="Team"), "workspace 'Team' is not a valid DNS-1123 label"),
    (dict(kind="role", name="ops_deployer"), "name 'ops_deployer' is not a valid name"),
    (dict(kind="user", name="ops.bob"), "name 'ops.bob' is not a valid DNS-1123 label"),
])
def test_queries_that_cannot_be_sent_are_refused(kw, message):
    kind = kw.pop("kind")
    assert message in validate(params(kind, **kw))


@pytest.mark.parametrize("kw", [
    dict(kind="role", scope="cluster", cluster="m1"),
    dict(kind="role", scope="project", project="web", cluster="m1"),
    dict(kind="project", workspace="team", cluster="m1"),
    dict(kind="roletemplate", scope="project", category="workload"),
    dict(kind="workspace_member", workspace="team", name="bob"),
])
def test_queries_that_can_be_sent(kw):
    kind = kw.pop("kind")
    assert validate(params(kind, **kw)) is None


@pytest.mark.parametrize("kind", ["role", "roletemplate"])
def test_a_role_name_with_dots_can_be_asked_for_as_ks_role_accepts_it(kind):
    assert validate(params(kind, name="ops.deployer")) is None


def test_every_kind_says_where_it_is_read():
    for name, kind in KINDS.items():
        kinds = kind.by_scope.values() if kind.by_scope else [kind]
        if kind.pick:       # App Store kinds: the options choose the path, with and without a workspace
            kinds = [kind.pick(dict(workspace=w, project=p, name="x")) for w in (None, "ws") for p in (None, "web")]
        assert all(k.list_path or k.read for k in kinds), name


# --- which path, on each line -------------------------------------------------------------------------

def test_a_name_is_one_get_and_a_missing_one_is_an_empty_list(ks):
    ks.stub.on("GET", V4_IAM + "/users/bob", Reply(200, {"metadata": {"name": "bob"}}))
    missing = status_reply(404, "NotFound", 'users.iam.kubesphere.io "nobody" not found')
    ks.stub.on("GET", V4_IAM + "/users/nobody", missing)
    client = ks.client()
    assert query(client, params("user", name="bob")) == [{"metadata": {"name": "bob"}}]
    assert query(client, params("user", name="nobody")) == []
    assert paths(ks.stub) == [V4_IAM + "/users/bob", V4_IAM + "/users/nobody"]


def test_on_3x_the_same_query_reads_v1alpha2_and_its_500_not_found_is_missing(ks):
    ks.stub.on("GET", V3_IAM + "/users/bob", Reply(200, {"metadata": {"name": "bob"}}))
    ks.stub.on("GET", V3_IAM + "/users/nobody", Reply(500, 'user.iam.kubesphere.io "nobody" not found\n'))
    client = ks.client(ks_api_version="v3")
    assert query(client, params("user", name="bob")) == [{"metadata": {"name": "bob"}}]
    assert query(client, params("user", name="nobody")) == []
    assert paths(ks.stub) == [V3_IAM + "/users/bob", V3_IAM + "/users/nobody"]


@pytest.mark.parametrize("line, kw, path", [
    ("v4", dict(kind="workspace"), "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"),
    ("v3", dict(kind="workspace"), "/kapis/tenant.kubesphere.io/v1alpha2/workspaces"),
    ("v4", dict(kind="project"), "/kapis/tenant.kubesphere.io/v1beta1/namespaces"),
    ("v4", dict(kind="project", workspace="team", cluster="m1"),
     "/clusters/m1/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/namespaces"),
    ("v3", dict(kind="project", workspace="team", cluster="m1"),
     "/kapis/clusters/m1/tenant.kubesphere.io/v1alpha2/workspaces/team/namespaces"),
    ("v4", dict(kind="project", workspace="team", cluster="host"),
     "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/namespaces"),
    ("v4", dict(kind="project_member", project="web"), V4_IAM + "/namespaces/web/namespacemembers"),
    ("v3", dict(kind="project_member", project="web"), V3_IAM + "/namespaces/web/members"),
    ("v4", dict(kind="workspace_member", workspace="team"), V4_IAM + "/workspaces/team/workspacemembers"),
    ("v4", dict(kind="role"), V4_IAM + "/globalroles"),
    ("v4", dict(kind="role", scope="cluster", cluster="m1"), "/clusters/m1" + V4_IAM + "/clusterroles"),
    ("v4", dict(kind="role", scope="workspace", workspace="team"), V4_IAM + "/workspaces/team/workspaceroles"),
    ("v3", dict(kind="role", scope="workspace", workspace="team"), V3_IAM + "/workspaces/team/workspaceroles"),
    ("v3", dict(kind="role", scope="project", project="web"), V3_IAM + "/namespaces/web/roles"),
    ("v4", dict(kind="cluster"), "/kapis/resources.kubesphere.io/v1alpha3/clusters"),
    ("v4", dict(kind="extension"), "/kapis/kubesphere.io/v1alpha1/extensions"),
])
def test_each_kind_is_listed_from_its_path_on_each_line(ks, line, kw, path):
    ks.stub.on("GET", path, items("a", "b"))
    kind = kw.pop("kind")
    found = query(ks.client(ks_api_version=line), params(kind, **kw))
    assert [i["metadata"]["name"] for i in found] == ["a", "b"]
    assert paths(ks.stub) == [path]


def test_a_name_without_a_single_get_is_an_exact_filter_even_where_the_server_ignores_it(ks):
    path = V3_IAM + "/namespaces/web/members"
    ks.stub.on("GET", path, items("bob", "bobby", "rebob"))       # 3.x matches names as a substring, or not at all
    found = query(ks.client(ks_api_version="v3"), params("project_member", project="web", name="bob"))
    assert found == [{"metadata": {"name": "bob"}}]
    assert last_query(ks.stub)["names"] == ["bob"]


def test_a_selector_turns_a_name_query_into_a_filtered_list(ks):
    path = V4_IAM + "/roletemplates"
    ks.stub.on("GET", path, items("view-pods", "edit-pods"))
    found = query(ks.client(), params("roletemplate", name="view-pods", scope="project", category="workload",
                                      label_selector="team=ops"))
    assert found == [{"metadata": {"name": "view-pods"}}]
    assert paths(ks.stub) == [path]
    assert last_query(ks.stub)["labelSelector"] == [
        "team=ops,iam.kubesphere.io/scope=namespace,iam.kubesphere.io/category=workload"]


@pytest.mark.parametrize("kind", ["extension", "installplan", "identity_provider", "oauth"])
def test_what_3x_lacks_is_refused_before_any_request(ks, kind):
    with pytest.raises(KubeSphereError) as err:
        query(ks.client(ks_api_version="v3"), params(kind))
    assert "KubeSphere 4.x" in str(err.value) and "KubeSphere 3.x" in str(err.value)
    assert ks.stub.requests == []


# --- identity providers and oauth -----------------------------------------------------------------------

def provider_secret(secret_name, config_text):
    return {"metadata": {"name": secret_name, "namespace": "kubesphere-system", "uid": "u-1"},
            "type": "config.kubesphere.io/identityprovider",
            "data": {"configuration.yaml": base64.b64encode(config_text.encode()).decode()}}


def test_identity_providers_are_their_configurations_without_secrets(ks):
    github = yaml.safe_dump({"name": "gh", "type": "GitHubIdentityProvider",
                             "provider": {"clientID": "app", "clientSecret": "Gh-Secret-0001"}})
    ks.stub.on("GET", SECRETS, Reply(200, {"kind": "SecretList", "metadata": {}, "items": [
        provider_secret("gh", github), provider_secret("broken", "name: [unclosed"),
        dict(provider_secret("opaque", github), type="Opaque")]}))
    found = query(ks.client(), params("identity_provider"))
    assert found == [
        {"name": "gh", "type": "GitHubIdentityProvider", "provider": {"clientID": "app"},
         "secret": {"name": "gh", "namespace": "kubesphere-system"}, "metadata": {"name": "gh"}},
        {"invalid": "configuration.yaml is not valid YAML", "name": "",
         "secret": {"name": "broken", "namespace": "kubesphere-system"}, "metadata": {"name": ""}}]
    assert last_query(ks.stub)["labelSelector"] == ["config.kubesphere.io/type=identityprovider"]
    assert [p["secret"]["name"] for p in query(ks.client(), params("identity_provider", name="gh"))] == ["gh"]


def test_oauth_is_the_servers_own_view(ks):
    ks.stub.on("GET", "/kapis/config.kubesphere.io/v1alpha2/configs/oauth", Reply(200, {"identityProviders": []}))
    assert query(ks.client(), params("oauth")) == [{"identityProviders": []}]


def test_the_kinds_with_a_resource_are_listed_where_the_resource_says():
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import ClusterResource
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import ProjectResource
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import UserResource
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource
    assert KINDS["user"].list_path == UserResource.collection == "/kapis/iam.kubesphere.io/v1beta1/users"
    assert KINDS["workspace"].list_path == WorkspaceResource.collection
    assert KINDS["project"].list_path_without[1] == ProjectResource.collection
    assert KINDS["cluster"].get_path == ClusterResource.collection + "/{name}"
