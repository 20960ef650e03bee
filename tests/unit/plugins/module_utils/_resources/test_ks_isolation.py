"""Network isolation (ks_isolation): a bool option kept as the console keeps it, the annotation
kubesphere.io/network-isolate; on a workspace it goes on the template every cluster's Workspace is built from,
on a project on the namespace itself. Managed only when given."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import converge
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_isolation import IsolationField
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import ProjectResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource
from fake_client import FakeClient

ANNOTATION = "kubesphere.io/network-isolate"     # the console's own key
TEMPLATE = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/team"
PROJECT = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/namespaces/web"


@pytest.mark.parametrize("annotations, on", [
    (None, False), ({}, False), ({ANNOTATION: "enabled"}, True), ({ANNOTATION: "disabled"}, False),
    ({ANNOTATION: "true"}, False),          # only the console's own word turns it on
])
def test_a_missing_or_other_annotation_reads_as_off(annotations, on):
    obj = {"metadata": {"annotations": annotations} if annotations is not None else {}}
    assert IsolationField(("metadata", "annotations")).get(obj) is on
    assert IsolationField(("metadata", "annotations")).get(None) is False


@pytest.mark.parametrize("value, stored", [(True, "enabled"), (False, "disabled")])
def test_it_is_written_as_the_console_writes_it(value, stored):
    obj = {"metadata": {}}
    IsolationField(("metadata", "annotations")).set(obj, value)
    assert obj == {"metadata": {"annotations": {ANNOTATION: stored}}}


class Refs:
    def clusters(self):
        return ["host"]


def workspace(annotations=None):
    return {"metadata": {"name": "team", "resourceVersion": "2"},
            "spec": {"template": {"metadata": {"annotations": dict(annotations or {})}, "spec": {"manager": "admin"}},
                     "placement": {"clusters": [{"name": "host"}]}}}


def ws_params(**kw):
    base = dict(name="team", state="present", manager=None, alias_name=None, description=None, clusters=None,
                labels=None, delete_projects=False, quota=None, purge_quota=False, network_isolation=None,
                members=None, purge_members=False, wait=False, wait_timeout=5, allow_protected=False)
    base.update(kw)
    return base


def test_off_on_a_workspace_that_never_had_it_is_no_change():
    client = FakeClient(read_only=True).add(TEMPLATE, workspace())
    out = converge(WorkspaceResource(client, ws_params(network_isolation=False), refs=Refs()), "present")
    assert not out.changed and out.before == {"network_isolation": False}


def test_on_is_one_json_patch_op_on_the_workspace_template():
    client = FakeClient().add(TEMPLATE, workspace())
    out = converge(WorkspaceResource(client, ws_params(network_isolation=True), refs=Refs()), "present")
    (write,) = client.writes
    assert write[0] == "PATCH" and write[1] == TEMPLATE
    assert write[2] == [{"op": "add", "path": "/spec/template/metadata/annotations/kubesphere.io~1network-isolate",
                         "value": "enabled"}]
    assert out.before == {"network_isolation": False} and out.after == {"network_isolation": True}


def test_not_given_it_is_neither_managed_nor_shown():
    client = FakeClient(read_only=True).add(TEMPLATE, workspace({ANNOTATION: "enabled"}))
    res = WorkspaceResource(client, ws_params(), refs=Refs())
    out = converge(res, "present")
    assert "network_isolation" not in res.fields and "network_isolation" not in out.before
    assert not out.changed


def test_a_project_is_turned_off_by_a_merge_patch_of_its_annotation():
    namespace = {"metadata": {"name": "web", "labels": {"kubesphere.io/workspace": "team"},
                              "annotations": {ANNOTATION: "enabled"}}}
    client = FakeClient().add(PROJECT, namespace)
    params = dict(name="web", workspace="team", cluster=None, state="present", alias_name=None, description=None,
                  labels=None, adopt=False, quota=None, purge_quota=False, default_limits=None, network_isolation=False,
                  members=None, purge_members=False, wait=False, wait_timeout=5, allow_protected=False)
    out = converge(ProjectResource(client, params, refs=Refs()), "present")
    assert client.writes == [("PATCH", PROJECT, {"metadata": {"annotations": {ANNOTATION: "disabled"}}})]
    assert out.before == {"network_isolation": True} and out.after == {"network_isolation": False}
