"""The one table of role scopes and the one of member endpoints: the paths every reader derives are KubeSphere's."""
from ansible_collections.kubesphere.core.plugins.module_utils._resources import ks_info
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import ServerReferences
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES, scope_collection

KAPIS = "/kapis/iam.kubesphere.io/v1beta1"


def test_each_scope_is_listed_where_ks_apiserver_serves_it():
    assert {name: scope.kapis_collection(workspace="ws", project="web") for name, scope in SCOPES.items()} == {
        "global": KAPIS + "/globalroles", "cluster": KAPIS + "/clusterroles",
        "workspace": KAPIS + "/workspaces/ws/workspaceroles", "project": KAPIS + "/namespaces/web/roles"}
    assert scope_collection("project", SCOPES["project"].bindings, "web") == \
        "/apis/iam.kubesphere.io/v1beta1/namespaces/web/rolebindings"


def test_ks_info_reads_each_scope_from_the_table():
    by_scope = ks_info.KINDS["role"].by_scope
    assert by_scope["workspace"].list_path == KAPIS + "/workspaces/{workspace}/workspaceroles"
    assert by_scope["project"].get_path == KAPIS + "/namespaces/{project}/roles/{name}"
    assert by_scope["global"].get_path == KAPIS + "/globalroles/{name}"


class Recorder:
    def __init__(self):
        self.asked = []

    def get(self, path, cluster=None, missing_ok=False):
        self.asked.append((path, cluster))


def test_the_references_ask_each_scope_where_it_lives():
    client = Recorder()
    refs = ServerReferences(client)
    for scope in SCOPES:
        assert refs.role_exists(scope, "r", workspace="ws", namespace="web", cluster="m1") is False
    assert client.asked == [(KAPIS + "/globalroles/r", "m1"),
                            ("/apis/iam.kubesphere.io/v1beta1/clusterroles/r", "m1"),
                            (KAPIS + "/workspaces/ws/workspaceroles/r", None),
                            (KAPIS + "/namespaces/web/roles/r", "m1")]


def test_members_and_their_roles_are_read_where_every_reader_looks():
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import Members
    workspace, project = Members(None, "workspace", "ws"), Members(None, "project", "web")
    assert (workspace.path, workspace.annotation) == (KAPIS + "/workspaces/ws/workspacemembers",
                                                      "iam.kubesphere.io/workspacerole")
    assert (project.path, project.annotation) == (KAPIS + "/namespaces/web/namespacemembers", "iam.kubesphere.io/role")
    assert workspace.role_path("ws-admin") == KAPIS + "/workspaces/ws/workspaceroles/ws-admin"
    assert project.role_path("admin") == KAPIS + "/namespaces/web/roles/admin"
    assert ks_info.KINDS["project_member"].list_path == KAPIS + "/namespaces/{project}/namespacemembers"
