"""ks_project's resource logic against an in-memory client: read through the workspace, a namespace elsewhere
told apart (another workspace, none, adopt), the create body and where it goes, merge patches of the changed
fields only, placement checks, quotas and default limits as children, and check mode without a write."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    Listed,
    ProtectedObject,
    ValidationError,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import ProjectResource
from fake_client import FakeClient

NAMESPACES = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/namespaces"
PROJECT = NAMESPACES + "/web"
NAMESPACE = "/api/v1/namespaces/web"
WS_QUOTA = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/resourcequotas/team"
OTHER_WORKSPACE_404 = KubeSphereError('namespace "web" not found', method="GET", url=PROJECT, status=404)


class Refs:
    def __init__(self, workspaces=("team",), placement=None, clusters=("host", "m1")):
        self.workspaces, self.placement, self.known = set(workspaces), placement, list(clusters)

    def workspace_exists(self, name):
        return name in self.workspaces

    def workspace_placement(self, name):
        return self.placement

    def clusters(self):
        return self.known


def params(**kw):
    base = dict(name="web", workspace="team", cluster=None, state="present", alias_name=None, description=None,
                labels=None, adopt=False, quota=None, purge_quota=False, default_limits=None, network_isolation=None,
                members=None, purge_members=False, wait=False, wait_timeout=5, allow_protected=False)
    base.update(kw)
    return base


def namespace(workspace="team", **labels):
    if workspace:
        labels["kubesphere.io/workspace"] = workspace
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "web", "labels": labels, "annotations": {}, "resourceVersion": "8"}}


def run(client, state="present", check_mode=False, warn=None, refs=None, **kw):
    res = ProjectResource(client, params(state=state, **kw), check_mode=check_mode, warn=warn, refs=refs or Refs())
    return res, converge(res, state)


@pytest.mark.parametrize("kw, message", [
    (dict(workspace=None), "workspace is required when state=present: a project belongs to a workspace"),
    (dict(labels={"kubesphere.io/workspace": "ops"}), "labels must not set kubesphere.io/workspace"),
    (dict(labels={"kubesphere.io/managed": "false"}), "labels must not set kubesphere.io/managed"),
    (dict(cluster="M1"), "cluster 'M1' is not a valid DNS-1123 label"),
    (dict(default_limits={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}),
     "default_limits: the request for cpu (2) is larger than its limit (1)"),
    (dict(quota={"limits.cpu": "many"}), "quota[limits.cpu]: 'many' is not a Kubernetes quantity"),
    (dict(wait_timeout=0), "wait_timeout must be a positive number of seconds"),     # not the default 300
])
def test_bad_input_is_refused_before_any_request(kw, message):
    client = FakeClient()
    with pytest.raises(ValidationError) as err:
        run(client, **kw)
    assert message in str(err.value) and client.calls == []


def test_adopt_without_a_workspace_is_refused_even_for_absent():
    with pytest.raises(ValidationError) as err:
        run(FakeClient(), state="absent", workspace=None, adopt=True)
    assert "adopt needs workspace" in str(err.value)


def test_a_new_project_is_posted_to_its_workspace_on_its_cluster_with_the_labels_kubesphere_needs():
    client = FakeClient()
    _res, out = run(client, cluster="m1", ks_username="alice", alias_name="Web")
    (call,) = [c for c in client.calls if c[0] == "POST"]
    assert call[:3] == ("POST", NAMESPACES, "m1")
    meta = call[3]["metadata"]
    assert meta["labels"] == {"kubesphere.io/workspace": "team", "kubesphere.io/managed": "true",
                              "app.kubernetes.io/managed-by": "kubesphere.core"}
    assert meta["annotations"] == {"kubesphere.io/creator": "alice", "kubesphere.io/alias-name": "Web"}
    assert out.after == {"alias_name": "Web"}                          # the workspace label is no diff noise


@pytest.mark.parametrize("refs, message", [
    (Refs(workspaces=()), "workspace team does not exist: create it first"),
    (Refs(placement=["host"]), "workspace team is not placed on cluster m1 (it is on host): add m1 to its clusters"),
    (Refs(clusters=("host",)), "cluster: cluster m1 does not exist (KubeSphere manages host)"),
])
def test_a_new_project_needs_its_workspace_placed_on_a_managed_cluster(refs, message):
    client = FakeClient()
    with pytest.raises(ValidationError) as err:
        run(client, refs=refs, cluster="m1")
    assert message in str(err.value) and client.writes == []


def test_a_change_is_a_merge_patch_of_the_changed_fields_only():
    client = FakeClient().add(PROJECT, dict(namespace(), metadata=dict(namespace()["metadata"], annotations={
        "kubesphere.io/alias-name": "Web"})))
    _res, out = run(client, alias_name="Web", description="the shop", labels={"tier": "front"})
    assert client.writes == [("PATCH", PROJECT, {"metadata": {"annotations": {"kubesphere.io/description": "the shop"},
                                                              "labels": {"tier": "front"}}})]
    assert out.before == {"alias_name": "Web", "description": None, "labels": {}}


def test_a_project_of_another_workspace_is_refused_naming_it():
    client = FakeClient().fail("GET", PROJECT, OTHER_WORKSPACE_404).add(NAMESPACE, namespace("ops"))
    with pytest.raises(ValidationError) as err:
        run(client)
    assert ("project web already exists on cluster host in workspace ops, not in workspace team; KubeSphere does not "
            "move projects between workspaces") in str(err.value)
    assert client.writes == []


def test_a_namespace_in_no_workspace_is_adopted_only_when_asked():
    client = FakeClient().fail("GET", PROJECT, OTHER_WORKSPACE_404).add(NAMESPACE, namespace(None))
    with pytest.raises(ValidationError) as err:
        run(client)
    assert "belongs to no workspace; set adopt: true to bring it into workspace team" in str(err.value)


def test_adopting_labels_the_namespace_itself_as_the_console_does():
    client = FakeClient().fail("GET", PROJECT, OTHER_WORKSPACE_404).add(NAMESPACE, namespace(None, app="shop"))
    _res, out = run(client, adopt=True)
    (write,) = client.writes
    assert write[:2] == ("PATCH", NAMESPACE)
    assert write[2] == {"metadata": {"labels": {"kubesphere.io/workspace": "team", "kubesphere.io/managed": "true",
                                                "app.kubernetes.io/managed-by": "kubesphere.core"}}}
    assert out.before == {"workspace": None} and out.after == {"workspace": "team"}


def test_a_system_namespace_is_never_adopted():
    path = NAMESPACES + "/kube-public"
    client = FakeClient().fail("GET", path, KubeSphereError('namespace "kube-public" not found', status=404))
    client.add("/api/v1/namespaces/kube-public", {"metadata": {"name": "kube-public"}})
    with pytest.raises(ValidationError) as err:
        run(client, name="kube-public", adopt=True)
    assert "namespace kube-public on cluster host is one of KubeSphere's or Kubernetes' own" in str(err.value)


def test_kubernetes_own_not_found_wording_is_a_missing_project():
    # 'namespaces "web" not found' (plural, Kubernetes' own): nothing of that name anywhere.
    client = FakeClient().fail("GET", PROJECT, KubeSphereError('namespaces "web" not found', status=404))
    _res, out = run(client)
    assert out.action == "created" and not any(c[1] == NAMESPACE for c in client.calls)


def test_absent_without_a_workspace_deletes_through_its_owner_and_refuses_a_plain_namespace():
    client = FakeClient().add(NAMESPACE, namespace("team")).add(PROJECT, namespace("team"))
    run(client, state="absent", workspace=None)
    assert client.writes == [("DELETE", PROJECT, None)]
    plain = FakeClient(read_only=True).add(NAMESPACE, namespace(None))
    with pytest.raises(ValidationError) as err:
        run(plain, state="absent", check_mode=True, workspace=None)
    assert "belongs to no workspace, so it is not a project" in str(err.value)


def test_system_namespaces_are_protected():
    client = FakeClient(read_only=True).add("/api/v1/namespaces/kube-system", dict(
        namespace(None), metadata={"name": "kube-system", "labels": {}}))
    with pytest.raises(ProtectedObject):
        run(client, state="absent", check_mode=True, name="kube-system", workspace=None)


def test_check_mode_on_a_new_project_predicts_its_children_without_reading_them():
    client = FakeClient(read_only=True)
    _res, out = run(client, check_mode=True, quota={"pods": 10}, default_limits={"limits": {"cpu": "1"}})
    assert out.changed and out.after["quota"] == {"pods": "10"} and out.after["default_limits"] == {"limits": {"cpu": "1"}}
    # Only the project itself and the workspace quota (for the warning below) are read.
    assert client.reads == [("GET", PROJECT), ("GET", WS_QUOTA)]


def test_a_quota_above_the_workspace_quota_is_a_warning_not_an_error():
    warnings = []
    client = FakeClient().add(PROJECT, namespace())
    client.add(WS_QUOTA, {"metadata": {"name": "team"}, "spec": {"quota": {"hard": {"limits.cpu": "4", "pods": "9"}}}})
    _res, out = run(client, warn=warnings.append, quota={"limits.cpu": "8", "pods": "9"})
    assert out.changed
    assert warnings == ["quota of project web is larger than workspace team's quota for limits.cpu (8 > 4); KubeSphere "
                        "accepts it, but the workspace quota still caps what the project can use"]
    assert [w[:2] for w in client.writes] == [("POST", "/api/v1/namespaces/web/resourcequotas")]


def listed_run(client, obj, covered=True, **kw):
    res = ProjectResource(client, params(**kw), refs=Refs())
    return res, converge(res, "present", current=Listed(obj, covered=covered, members={"bob": "viewer"}))


def test_a_listed_project_is_told_apart_by_its_label_as_its_read_is_with_no_request():
    client = FakeClient(read_only=True)
    with pytest.raises(ValidationError) as err:
        listed_run(client, namespace("ops"))
    assert "project web already exists on cluster host in workspace ops, not in workspace team" in str(err.value)
    with pytest.raises(ValidationError) as err:
        listed_run(client, namespace(None))
    assert "belongs to no workspace; set adopt: true" in str(err.value)
    _res, out = listed_run(client, namespace("team"), members=[{"user": "bob", "role": "viewer"}])
    assert out.action == "unchanged" and client.calls == []      # its members came from the lists too


def test_a_project_the_lists_do_not_cover_is_read_through_its_workspace():
    client = FakeClient().add(PROJECT, namespace("team"))
    _res, out = listed_run(client, None, covered=False)
    assert out.action == "unchanged" and [c[:2] for c in client.calls] == [("GET", PROJECT)]
