"""The References lookups: one GET per question, memoised; 403 means 'cannot tell' (taken as existing)."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import AssumedPresent, ServerReferences


class FakeClient:
    def __init__(self, objects, forbidden=()):
        self.objects, self.forbidden, self.calls = objects, set(forbidden), []

    def get(self, path, cluster=None, query=None, missing_ok=False):
        self.calls.append((path, cluster, query))
        if path in self.forbidden:
            raise KubeSphereError("forbidden", method="GET", url=path, status=403, reason="Forbidden")
        return self.objects.get(path)


IAM = "/kapis/iam.kubesphere.io/v1beta1"


def test_one_get_each_and_memoised():
    client = FakeClient({IAM + "/users/bob": {"metadata": {"name": "bob"}}})
    refs = ServerReferences(client)
    assert refs.user_exists("bob") and refs.user_exists("bob") and not refs.user_exists("ghost")
    assert not refs.workspace_exists("nows")
    assert [c[0] for c in client.calls] == [IAM + "/users/bob", IAM + "/users/ghost",
                                            "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/nows"]


def test_workspace_role_needs_its_workspace_label_and_project_role_its_cluster():
    labelled = {"metadata": {"name": "r", "labels": {"kubesphere.io/workspace": "ws"}}}
    client = FakeClient({IAM + "/workspaces/ws/workspaceroles/r": labelled,
                         IAM + "/workspaces/ws/workspaceroles/nolabel": {"metadata": {"name": "nolabel"}},
                         IAM + "/namespaces/p/roles/dev": {"metadata": {"name": "dev"}}})
    refs = ServerReferences(client)
    assert refs.role_exists("workspace", "r", workspace="ws")
    assert not refs.role_exists("workspace", "nolabel", workspace="ws")
    assert refs.role_exists("project", "dev", namespace="p", cluster="member1")
    assert client.calls[-1] == (IAM + "/namespaces/p/roles/dev", "member1", None)
    with pytest.raises(ValueError):
        refs.role_exists("tenant", "x")


def test_a_regular_user_lists_users_instead_and_403_everywhere_means_cannot_tell():
    client = FakeClient({IAM + "/users": {"items": [{"metadata": {"name": "bob"}}]}},
                        forbidden=[IAM + "/users/bob", IAM + "/users/ghost"])
    refs = ServerReferences(client)
    assert refs.user_exists("bob") and not refs.user_exists("ghost")
    assert client.calls[1] == (IAM + "/users", None, {"names": "bob"})
    forbidden = ServerReferences(FakeClient({}, forbidden=["/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/w"]))
    assert forbidden.workspace_exists("w")


def test_assumed_present_answers_for_the_names_it_holds_and_asks_about_the_rest():
    client = FakeClient({})
    refs = AssumedPresent(ServerReferences(client), users=["alice"], workspaces=["team"], roles=["auditor"])
    assert refs.user_exists("alice") and refs.workspace_exists("team") and client.calls == []
    assert refs.role_exists("global", "auditor") and refs.role_exists("workspace", "auditor", workspace="team")
    assert client.calls == []
    assert not refs.user_exists("bob") and len(client.calls) == 1
    assert not refs.role_exists("global", "other") and len(client.calls) == 2
