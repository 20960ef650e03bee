"""Which roles are KubeSphere's own (never exported nor pruned): the rule ks_protected.is_system applies."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import is_system
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import workspace_role_name

LONG_WS = "w" * 60


def role(kind, name, creator=None, workspace=None, with_kind=False):
    metadata = {"name": name, "annotations": {"kubesphere.io/creator": creator} if creator else {}}
    if workspace:
        metadata["labels"] = {"kubesphere.io/workspace": workspace}
    obj = {"metadata": metadata}
    if with_kind:
        obj["kind"] = {"globalrole": "GlobalRole", "workspacerole": "WorkspaceRole", "clusterrole": "ClusterRole",
                       "role": "Role"}[kind]
    return obj


@pytest.mark.parametrize("kind, name, creator, workspace, builtin", [
    ("globalrole", "platform-admin", "admin", None, True),        # the ks-core chart's, by name
    ("globalrole", "anonymous", None, None, True),
    ("globalrole", "auditor", "admin", None, False),              # made in the console by admin
    ("globalrole", "auditor", None, None, False),                 # made through the API
    ("clusterrole", "cluster-viewer", None, None, True),
    ("clusterrole", "node-reader", "system", None, True),         # whatever KubeSphere itself made
    ("workspacerole", "team-admin", None, "team", True),
    ("workspacerole", workspace_role_name(LONG_WS, "viewer"), None, LONG_WS, True),   # the hashed long form
    ("workspacerole", "team-admin", None, "other", False),        # not team's built-in: other's custom one
    ("workspacerole", "team-releaser", None, "team", False),
    ("role", "operator", None, None, True),
    ("role", "deployer", None, None, False),
])
def test_builtin_roles(kind, name, creator, workspace, builtin):
    assert is_system(kind, name, role(kind, name, creator, workspace)) is builtin


def test_a_role_object_that_names_its_kind_is_judged_by_it():
    # ks_tenancy's prune asks about kind "role" for roles of every scope.
    assert is_system("role", "platform-regular", role("globalrole", "platform-regular", with_kind=True))
    assert not is_system("role", "viewer", role("globalrole", "viewer", with_kind=True))
    assert is_system("role", "viewer", role("role", "viewer", with_kind=True))
