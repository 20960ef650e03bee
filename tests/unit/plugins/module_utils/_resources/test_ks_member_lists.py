"""Member lists of many workspaces or projects from one list of role bindings (ks_member_lists)."""
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_member_lists import member_roles, worth_listing
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import LINES, V3, V4


def binding(user, role, workspace=None, namespace=None, deleting=False, subjects=None):
    metadata = {"name": "%s-%s" % (user, role), "labels": {}}
    if workspace:
        metadata["labels"]["kubesphere.io/workspace"] = workspace
    if namespace:
        metadata["namespace"] = namespace
    if deleting:
        metadata["deletionTimestamp"] = "2026-12-01T00:00:00Z"
    return {"metadata": metadata, "roleRef": {"name": role},
            "subjects": subjects or [{"kind": "User", "name": user}]}


class Client(object):
    def __init__(self, items=None, error=None, line=V4):
        self.items, self.error, self.api, self.asked = items or [], error, LINES[line], []

    def list_all(self, path, cluster=None, query=None):
        self.asked.append((cluster, path))
        if self.error:
            raise self.error
        return self.items


def test_workspace_members_are_the_first_user_of_each_live_binding_of_the_workspace():
    client = Client([binding("alice", "pay-admin", workspace="pay"),
                     binding("bob", "pay-viewer", workspace="pay", deleting=True),
                     binding("team", "pay-regular", workspace="pay",
                             subjects=[{"kind": "Group", "name": "devs"}, {"kind": "User", "name": "carol"}]),
                     binding("dave", "ops-admin", workspace="ops")])
    members = member_roles(client, "workspace")
    assert client.asked == [(None, "/apis/iam.kubesphere.io/v1beta1/workspacerolebindings")]
    assert members == {"pay": {"alice": "pay-admin", "carol": "pay-regular"}, "ops": {"dave": "ops-admin"}}


def test_project_members_come_from_the_bindings_in_the_namespace_on_its_cluster():
    client = Client([binding("alice", "admin", namespace="api"), binding("bob", "operator", namespace="web")])
    members = member_roles(client, "project", cluster="member1")
    assert client.asked == [("member1", "/apis/iam.kubesphere.io/v1beta1/rolebindings")]
    assert members == {"api": {"alice": "admin"}, "web": {"bob": "operator"}}


def test_a_caller_who_may_not_list_bindings_reads_each_list_instead():
    forbidden = KubeSphereError("forbidden", method="GET", url="/apis", status=403)
    assert member_roles(Client(error=forbidden), "workspace") is None


class Item(object):
    def __init__(self, params):
        self.params = params


def test_one_list_only_pays_from_ten_objects_with_members_and_on_4x():
    many = [Item({"name": "w%d" % i, "members": [{"user": "u", "role": "viewer"}]}) for i in range(10)]
    existing = set("w%d" % i for i in range(10))
    assert worth_listing(Client(), many, existing)
    assert not worth_listing(Client(), many[:9] + [Item({"name": "w9"})], existing)
    assert not worth_listing(Client(), many, existing - set(["w0"]))      # a new one has no members to read
    assert not worth_listing(Client(line=V3), many, existing)
