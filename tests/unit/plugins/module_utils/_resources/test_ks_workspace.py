"""ks_workspace's resource logic against an in-memory client: the create body, placement changes as add/remove
ops only, a cluster left while its projects are there, the manager change rebinding through the members API,
deletion options, and check mode predicting all of it without a write."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    ProtectedObject,
    ValidationError,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource
from fake_client import FakeClient

TEMPLATES = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
TEMPLATE = TEMPLATES + "/team"
MEMBERS = "/kapis/iam.kubesphere.io/v1beta1/workspaces/team/workspacemembers"
QUOTA = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/resourcequotas/team"
INITIALISED = "kubesphere.io/cascading-deletion"


class Refs:
    def __init__(self, users=("alice", "bob", "carol"), clusters=("host", "m1", "m2")):
        self.users, self.known = set(users), list(clusters)

    def user_exists(self, name):
        return name in self.users

    def clusters(self):
        return self.known

    def role_exists(self, scope, name, **where):
        return False


def params(**kw):
    base = dict(name="team", state="present", manager=None, alias_name=None, description=None, clusters=None,
                labels=None, delete_projects=False, quota=None, purge_quota=False, network_isolation=None,
                members=None, purge_members=False, wait=False, wait_timeout=5, allow_protected=False)
    base.update(kw)
    return base


def template(clusters=("host",), manager="alice", finalizers=(INITIALISED,)):
    return {"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
            "metadata": {"name": "team", "resourceVersion": "4", "finalizers": list(finalizers)},
            "spec": {"template": {"spec": {"manager": manager}},
                     "placement": {"clusters": [{"name": c} for c in clusters]}}}


def member(user, role):
    return {"metadata": {"name": user, "annotations": {"iam.kubesphere.io/workspacerole": role}}}


def run(client, state="present", check_mode=False, warn=None, **kw):
    res = WorkspaceResource(client, params(state=state, **kw), check_mode=check_mode, warn=warn, refs=Refs())
    return res, converge(res, state)


@pytest.mark.parametrize("kw, message", [
    (dict(name="Team"), "name 'Team' is not a valid DNS-1123 label"),
    (dict(clusters=["host", "M1"]), "clusters[1] 'M1' is not a valid DNS-1123 label"),
    (dict(labels={"app.kubernetes.io/managed-by": "me"}), "labels must not set app.kubernetes.io/managed-by"),
    (dict(labels={"example.com/Bad_": "x"}), "label key 'example.com/Bad_'"),
    (dict(manager="Alice"), "manager 'Alice' is not a valid name"),
    (dict(quota={"cpus": "1"}), "quota[cpus]: cpus is not a resource a quota can limit"),
    (dict(members=[{"user": "bob"}]), "members[0] needs both user and role"),
    (dict(wait_timeout=-1), "wait_timeout must be a positive number of seconds"),
    (dict(wait_timeout=0), "wait_timeout must be a positive number of seconds"),     # not the default 300
])
def test_bad_input_is_refused_before_any_request(kw, message):
    client = FakeClient()
    with pytest.raises(ValidationError) as err:
        run(client, **kw)
    assert message in str(err.value) and client.calls == []


def test_a_new_workspace_is_placed_on_the_host_managed_by_the_login_user():
    client = FakeClient()
    _res, out = run(client, ks_username="alice", alias_name="Team")
    (write,) = client.writes
    assert write[:2] == ("POST", TEMPLATES)
    body = write[2]
    assert body["spec"] == {"template": {"spec": {"manager": "alice"}}, "placement": {"clusters": [{"name": "host"}]}}
    assert body["metadata"]["annotations"] == {"kubesphere.io/creator": "alice", "kubesphere.io/alias-name": "Team"}
    assert body["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "kubesphere.core"}
    assert out.action == "created" and out.after == {"alias_name": "Team"}


def test_a_manager_that_is_no_user_is_refused_before_any_write():
    client = FakeClient()
    with pytest.raises(ValidationError) as err:
        run(client, manager="mallory")
    assert "manager: user mallory does not exist" in str(err.value) and client.writes == []


def test_placement_changes_are_add_and_remove_ops_and_a_remove_names_its_cluster():
    client = FakeClient().add(TEMPLATE, template(("host", "m1")))
    _res, out = run(client, clusters=["host", "m2"])
    (write,) = client.writes
    assert write[:2] == ("PATCH", TEMPLATE)
    assert write[2] == [{"op": "remove", "path": "/spec/placement/clusters/1", "value": {"name": "m1"}},
                        {"op": "add", "path": "/spec/placement/clusters/-", "value": {"name": "m2"}}]
    assert out.before == {"clusters": ["host", "m1"]} and out.after == {"clusters": ["host", "m2"]}


def test_removals_go_from_the_highest_index_down():
    client = FakeClient().add(TEMPLATE, template(("m1", "host", "m2")))
    run(client, clusters=["host"])
    assert [op["path"] for op in client.writes[0][2]] == ["/spec/placement/clusters/2", "/spec/placement/clusters/0"]
    assert client.object(TEMPLATE)["spec"]["placement"]["clusters"] == [{"name": "host"}]


def test_a_template_without_a_cluster_list_gets_a_whole_placement():
    obj = template()
    obj["spec"]["placement"] = {"clusterSelector": {}}
    client = FakeClient().add(TEMPLATE, obj)
    run(client, clusters=["host"])
    assert client.writes[0][2] == [{"op": "add", "path": "/spec/placement", "value": {"clusters": [{"name": "host"}]}}]


def test_a_cluster_kubesphere_does_not_manage_is_refused():
    client = FakeClient().add(TEMPLATE, template())
    with pytest.raises(ValidationError) as err:
        run(client, clusters=["host", "m9"])
    assert "clusters: cluster m9 does not exist (KubeSphere manages host, m1, m2)" in str(err.value)


def test_leaving_a_cluster_that_still_holds_projects_is_refused_naming_them():
    client = FakeClient().add(TEMPLATE, template(("host", "m1")))
    labels = {"kubesphere.io/workspace": "team"}
    client.add("/api/v1/namespaces/web", {"metadata": {"name": "web", "labels": labels}}, cluster="m1")
    client.add("/api/v1/namespaces/old", {"metadata": {"name": "old", "labels": labels,
                                                       "deletionTimestamp": "2026-12-01T00:00:00Z"}}, cluster="m1")
    client.add("/api/v1/namespaces/other", {"metadata": {"name": "other",
                                                         "labels": {"kubesphere.io/workspace": "ops"}}}, cluster="m1")
    with pytest.raises(ValidationError) as err:
        run(client, clusters=["host"])
    assert "workspace team would leave m1, but its projects web on m1 are still there" in str(err.value)
    assert client.writes == []
    (listed,) = [c for c in client.calls if c[0] == "LIST"]
    assert listed[2] == "m1" and listed[3] == {"labelSelector": "kubesphere.io/workspace=team"}


def test_projects_that_cannot_be_read_on_a_cluster_left_are_a_warning():
    warnings = []
    client = FakeClient().add(TEMPLATE, template(("host", "m1")))
    client.fail("LIST", "/api/v1/namespaces", KubeSphereError("cluster m1 is not ready", status=503))
    run(client, warn=warnings.append, clusters=["host"])
    assert client.writes[0][0] == "PATCH"
    assert "leaves cluster m1, whose projects could not be read (503 cluster m1 is not ready)" in warnings[0]


def test_a_new_manager_is_made_workspace_admin_through_the_members_api():
    client = FakeClient().add(TEMPLATE, template(manager="alice"))
    client.add(MEMBERS + "/alice", member("alice", "team-admin"))
    _res, out = run(client, manager="bob")
    assert [w[:2] for w in client.writes] == [("PATCH", TEMPLATE), ("POST", MEMBERS)]
    assert client.writes[1][2] == [{"username": "bob", "roleRef": "team-admin"}]
    assert out.after["members"] == [{"user": "alice", "role": "team-admin"}, {"user": "bob", "role": "team-admin"}]


def test_check_mode_predicts_the_manager_change_and_its_binding_without_a_write():
    client = FakeClient(read_only=True).add(TEMPLATE, template(manager="alice"))
    _res, out = run(client, check_mode=True, manager="bob")
    assert out.changed and out.after["manager"] == "bob"
    assert out.after["members"] == [{"user": "bob", "role": "team-admin"}]


def test_check_mode_on_a_new_workspace_reads_no_members_nor_quota():
    client = FakeClient(read_only=True)
    _res, out = run(client, check_mode=True, manager="alice", members=[{"user": "bob", "role": "viewer"}],
                    quota={"limits.cpu": "2"})
    assert out.changed and out.action == "created"
    assert client.reads == [("GET", TEMPLATE)]
    assert out.after["members"] == [{"user": "bob", "role": "team-viewer"}]
    assert out.after["quota"] == {"limits.cpu": "2"}


def test_a_quota_given_again_by_another_spelling_is_no_change():
    client = FakeClient().add(TEMPLATE, template())
    client.add(QUOTA, {"metadata": {"name": "team"}, "spec": {"quota": {"hard": {"limits.memory": "1Gi"}}}})
    _res, out = run(client, quota={"limits.memory": "1024Mi"})
    assert not out.changed and client.writes == []


@pytest.mark.parametrize("delete_projects, body", [
    (False, {}),
    (True, {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
])
def test_delete_keeps_the_projects_unless_asked(delete_projects, body):
    client = FakeClient().add(TEMPLATE, template())
    _res, out = run(client, state="absent", delete_projects=delete_projects)
    assert client.writes == [("DELETE", TEMPLATE, body)] and out.action == "deleted"


def test_a_workspace_gone_meanwhile_is_deleted_all_the_same():
    client = FakeClient().add(TEMPLATE, template())
    client.fail("DELETE", TEMPLATE, KubeSphereError("failed to get workspace template team", status=400))
    _res, out = run(client, state="absent")
    assert out.changed


def test_another_delete_failure_is_raised():
    client = FakeClient().add(TEMPLATE, template())
    client.fail("DELETE", TEMPLATE, KubeSphereError("admission webhook denied", status=400))
    with pytest.raises(KubeSphereError):
        run(client, state="absent")


def test_the_system_workspace_is_protected_in_check_mode_too():
    client = FakeClient(read_only=True).add(TEMPLATES + "/system-workspace", dict(
        template(), metadata={"name": "system-workspace"}))
    with pytest.raises(ProtectedObject) as err:
        run(client, state="absent", check_mode=True, name="system-workspace")
    assert "KubeSphere's system workspace" in str(err.value)
