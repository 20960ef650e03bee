"""ks_role's resource logic against an in-memory client: where each scope's role lives, the template check,
rules that narrow with the templates, and the refusals (KubeSphere's own roles, another workspace's role,
a role still bound) made before any write, in check mode too."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import V3
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import REGO
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    Listed,
    ProtectedObject,
    ResourceFailure,
    ValidationError,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role import RoleResource
from fake_client import FakeClient

IAM = "/apis/iam.kubesphere.io/v1beta1"
TEMPLATES = IAM + "/roletemplates"
RULE_VIEW = {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get", "list"]}
RULE_EDIT = {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["create", "delete"]}
RULE_SECRETS = {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}


def template(name, scope, rules, rego=None):
    meta = {"name": name, "labels": {"iam.kubesphere.io/scope": scope}}
    if rego:
        meta["annotations"] = {REGO: rego}
    return {"kind": "RoleTemplate", "metadata": meta, "spec": {"rules": rules}}


def server(read_only=False):
    client = FakeClient(read_only=read_only)
    for scope in ("global", "cluster", "workspace", "namespace"):
        client.add("%s/%s-view-pods" % (TEMPLATES, scope), template("%s-view-pods" % scope, scope, [RULE_VIEW]))
        client.add("%s/%s-edit-pods" % (TEMPLATES, scope),
                   template("%s-edit-pods" % scope, scope, [RULE_VIEW, RULE_EDIT], rego="allow { true }"))
    client.add(TEMPLATES + "/namespace-view-secrets", template("namespace-view-secrets", "namespace", [RULE_SECRETS]))
    return client


class FakeRefs:
    def __init__(self, workspaces=("team",), projects=("web",), clusters=("host", "member1")):
        self.workspaces, self.projects, self.known_clusters = set(workspaces), set(projects), list(clusters)

    def workspace_exists(self, name):
        return name in self.workspaces

    def project_exists(self, name, cluster=None):
        return name in self.projects

    def clusters(self):
        return self.known_clusters


def params(**kw):
    base = dict(name="deployer", scope="global", workspace=None, project=None, cluster=None, templates=None,
                alias_name=None, description=None, remove_bindings=False, state="present", wait=False,
                wait_timeout=5, allow_protected=False)
    base.update(kw)
    return base


def role(kind, name, templates=(), rules=(), labels=None, annotations=None, namespace=None):
    meta = {"name": name, "resourceVersion": "3", "labels": dict(labels or {}), "annotations": dict(annotations or {})}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": kind, "metadata": meta,
            "aggregationRoleTemplates": {"templateNames": list(templates)}, "rules": list(rules)}


def run(client, state="present", check_mode=False, warn=None, **kw):
    res = RoleResource(client, params(state=state, **kw), check_mode=check_mode, warn=warn, refs=FakeRefs())
    return res, converge(res, state)


# --- where each scope's role lives -----------------------------------------------------------------

@pytest.mark.parametrize("scope, extra, path, cluster, title", [
    ("global", {}, IAM + "/globalroles/deployer", None, "GlobalRole deployer"),
    ("cluster", {"cluster": "member1"}, IAM + "/clusterroles/deployer", "member1", "ClusterRole deployer"),
    ("cluster", {"cluster": "host"}, IAM + "/clusterroles/deployer", None, "ClusterRole deployer"),
    ("workspace", {"workspace": "team"}, IAM + "/workspaceroles/deployer", None, "WorkspaceRole deployer in team"),
    ("project", {"project": "web", "cluster": "member1"}, IAM + "/namespaces/web/roles/deployer", "member1",
     "Role deployer in web"),
])
def test_each_scope_reads_and_creates_its_own_kind_where_it_lives(scope, extra, path, cluster, title):
    client = server()
    res, out = run(client, scope=scope, templates=[{"project": "namespace"}.get(scope, scope) + "-view-pods"], **extra)
    assert res.identity() == title
    assert client.calls[0][:3] == ("GET", path, cluster)
    (write,) = client.writes
    assert write[0] == "POST" and write[1] == path.rsplit("/", 1)[0]
    assert write[2]["kind"] == res.scope.kind and out.changed and out.action == "created"
    # The templates are listed once, with the RoleTemplate scope label of the role's scope.
    (listed,) = [c for c in client.calls if c[0] == "LIST"]
    assert listed[3] == {"labelSelector": "iam.kubesphere.io/scope=%s" % {"project": "namespace"}.get(scope, scope)}
    if scope == "project":
        assert write[2]["metadata"]["namespace"] == "web"


@pytest.mark.parametrize("kw, message", [
    (dict(scope="workspace"), "scope=workspace needs workspace"),
    (dict(scope="project"), "scope=project needs project"),
    (dict(workspace="team"), "workspace applies only to scope=workspace"),
    (dict(scope="workspace", workspace="team", project="web"), "project applies only to scope=project"),
    (dict(cluster="member1"), "cluster applies only to scope=cluster or scope=project"),
    (dict(name="Deployer"), "name 'Deployer' is not a valid name"),
    (dict(scope="cluster", cluster="Member_1"), "cluster 'Member_1' is not a valid DNS-1123 label"),
    (dict(templates=["ok", "Bad Template"]), "templates[1] 'Bad Template' is not a valid name"),
    (dict(wait_timeout=0), "wait_timeout must be a positive number of seconds"),     # not the default 120
])
def test_bad_input_is_refused_before_any_request(kw, message):
    client = server()
    with pytest.raises(ValidationError) as err:
        run(client, **kw)
    assert message in str(err.value)
    assert client.calls == []


def test_a_cluster_kubesphere_does_not_manage_is_refused_before_the_read():
    client = server()
    with pytest.raises(ValidationError) as err:
        run(client, scope="cluster", cluster="member9", templates=["cluster-view-pods"])
    assert "cluster: cluster member9 does not exist (KubeSphere manages host, member1)" in str(err.value)
    assert client.calls == []


@pytest.mark.parametrize("kw, message", [
    (dict(scope="workspace", workspace="nowhere"), "workspace nowhere does not exist; create it first"),
    (dict(scope="project", project="gone", cluster="member1"), "project gone does not exist on cluster member1"),
])
def test_a_new_role_in_a_missing_workspace_or_project_is_refused(kw, message):
    client = server()
    with pytest.raises(ValidationError) as err:
        run(client, templates=None, **kw)
    assert message in str(err.value) and client.writes == []


# --- templates ----------------------------------------------------------------------------------------

def test_unknown_templates_are_named_with_close_matches_and_nothing_is_written():
    client = server()
    with pytest.raises(ValidationError) as err:
        run(client, scope="project", project="web", templates=["namespace-view-pod", "namespace-edit-pods", "zzz"])
    text = str(err.value)
    assert text.startswith("templates: no namespace-scope RoleTemplate named namespace-view-pod (did you mean "
                           "namespace-view-pods")
    assert "; zzz; KubeSphere would silently drop it" in text               # no close match: no suggestion
    assert "namespace-edit-pods (" not in text                          # known names are not listed as unknown
    assert "kubesphere.core.ks_info kind=roletemplate scope=project" in text
    assert client.writes == []


def test_templates_of_another_scope_are_unknown_here():
    client = server()
    with pytest.raises(ValidationError) as err:
        run(client, templates=["namespace-view-pods"])
    assert "no global-scope RoleTemplate named namespace-view-pods (did you mean global-view-pods" in str(err.value)


def test_deleting_does_not_check_templates():
    client = server().add(IAM + "/globalroles/deployer", role("GlobalRole", "deployer"))
    client.add(IAM + "/globalrolebindings/other",
               {"metadata": {"name": "other"}, "roleRef": {"kind": "GlobalRole", "name": "someone-else"}})
    run(client, state="absent", templates=["no-such-template"])
    assert not [c for c in client.calls if c[1] == TEMPLATES]
    assert ("DELETE", IAM + "/globalroles/deployer", None) in client.writes


def test_rules_are_the_union_of_the_declared_templates_and_carry_their_rego():
    client = server()
    _res, out = run(client, templates=["global-view-pods", "global-edit-pods"])
    body = client.writes[0][2]
    assert body["rules"] == [RULE_VIEW, RULE_EDIT]                        # RULE_VIEW once, though both have it
    assert body["metadata"]["annotations"][REGO] == "allow { true }"
    assert body["aggregationRoleTemplates"]["templateNames"] == ["global-edit-pods", "global-view-pods"]
    assert body["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kubesphere.core"
    assert out.after == {"templates": ["global-edit-pods", "global-view-pods"]}


def test_narrowing_the_templates_narrows_the_rules_in_place_and_drops_the_rego():
    client = server().add(IAM + "/globalroles/deployer", role(
        "GlobalRole", "deployer", ["global-view-pods", "global-edit-pods"], [RULE_VIEW, RULE_EDIT],
        annotations={REGO: "allow { true }"}))
    _res, out = run(client, templates=["global-view-pods"])
    (write,) = client.writes
    assert write[:2] == ("PUT", IAM + "/globalroles/deployer")
    assert write[2]["rules"] == [RULE_VIEW]
    assert REGO not in write[2]["metadata"]["annotations"]
    assert out.before == {"templates": ["global-edit-pods", "global-view-pods"]}
    assert out.after == {"templates": ["global-view-pods"]}


def test_a_change_of_other_fields_leaves_the_rules_as_stored():
    extra = {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}
    client = server().add(IAM + "/globalroles/deployer", role("GlobalRole", "deployer", ["global-view-pods"],
                                                              [RULE_VIEW, extra]))
    run(client, templates=["global-view-pods"], description="deploys")
    (write,) = client.writes
    assert write[2]["rules"] == [RULE_VIEW, extra]
    assert write[2]["metadata"]["annotations"]["kubesphere.io/description"] == "deploys"


def test_same_templates_in_another_order_is_no_change():
    client = server().add(IAM + "/globalroles/deployer", role("GlobalRole", "deployer",
                                                              ["global-view-pods", "global-edit-pods"]))
    _res, out = run(client, templates=["global-edit-pods", "global-view-pods"])
    assert not out.changed and client.writes == []


def test_a_workspace_role_is_created_with_its_workspace_label():
    client = server()
    run(client, scope="workspace", workspace="team", templates=["workspace-view-pods"])
    assert client.writes[0][2]["metadata"]["labels"]["kubesphere.io/workspace"] == "team"


def test_check_mode_predicts_the_create_with_its_rules_and_writes_nothing():
    client = server(read_only=True)
    _res, out = run(client, check_mode=True, templates=["global-edit-pods"])
    assert out.changed and out.action == "created"
    assert out.obj["rules"] == [RULE_VIEW, RULE_EDIT]


# --- what is not this task's to change ----------------------------------------------------------------

@pytest.mark.parametrize("scope, extra, stored, state, why", [
    ("global", {}, role("GlobalRole", "platform-admin"), "present", "a platform role KubeSphere installs"),
    ("global", {}, role("GlobalRole", "platform-admin"), "absent", "a platform role KubeSphere installs"),
    ("cluster", {}, role("ClusterRole", "cluster-viewer"), "absent", "a cluster role KubeSphere installs"),
    ("workspace", {"workspace": "team"},
     role("WorkspaceRole", "team-viewer", labels={"kubesphere.io/workspace": "team"}), "present",
     "a built-in role of workspace team"),
    ("project", {"project": "web"}, role("Role", "operator", namespace="web"), "absent", "a built-in project role"),
    ("global", {}, role("GlobalRole", "node-reader", annotations={"kubesphere.io/creator": "system"}), "present",
     "KubeSphere made it"),
    ("global", {}, role("GlobalRole", "from-helm", labels={"app.kubernetes.io/managed-by": "Helm"}), "absent",
     "managed by Helm"),
])
def test_kubesphere_own_roles_are_refused_in_check_mode_before_any_write(scope, extra, stored, state, why):
    client = server(read_only=True)
    name = stored["metadata"]["name"]
    plural = {"global": "globalroles", "cluster": "clusterroles", "workspace": "workspaceroles",
              "project": "namespaces/web/roles"}[scope]
    client.add("%s/%s/%s" % (IAM, plural, name), stored)
    with pytest.raises(ProtectedObject) as err:
        run(client, state=state, check_mode=True, scope=scope, name=name, description="mine", **extra)
    assert why in str(err.value) and "allow_protected: true" in str(err.value)
    assert client.writes == []


def test_a_protected_name_is_refused_before_it_exists():
    client = server(read_only=True)
    with pytest.raises(ProtectedObject) as err:
        run(client, check_mode=True, name="platform-regular", templates=["global-view-pods"])
    assert "does not make an object under its name" in str(err.value)


def test_a_protected_role_that_the_task_would_not_change_is_no_error():
    client = server(read_only=True).add(IAM + "/globalroles/platform-admin", role("GlobalRole", "platform-admin"))
    _res, out = run(client, check_mode=True, name="platform-admin")
    assert not out.changed


def test_allow_protected_changes_it_with_a_warning():
    warnings = []
    client = server(read_only=True).add(IAM + "/globalroles/platform-admin", role("GlobalRole", "platform-admin"))
    _res, out = run(client, check_mode=True, warn=warnings.append, name="platform-admin", description="x",
                    allow_protected=True)
    assert out.changed and len(warnings) == 1 and "changed anyway" in warnings[0]


@pytest.mark.parametrize("labels, where", [
    ({"kubesphere.io/workspace": "other"}, "belongs to workspace other, not to workspace team"),
    ({}, "belongs to no workspace (it has no kubesphere.io/workspace label), not to workspace team"),
])
@pytest.mark.parametrize("state", ["present", "absent"])
def test_a_workspace_role_of_another_workspace_is_never_taken_over(labels, where, state):
    client = server(read_only=True).add(IAM + "/workspaceroles/releaser",
                                        role("WorkspaceRole", "releaser", labels=labels))
    with pytest.raises(ValidationError) as err:
        run(client, state=state, check_mode=True, scope="workspace", workspace="team", name="releaser",
            templates=["workspace-view-pods"])
    assert "WorkspaceRole releaser " + where in str(err.value)
    assert "choose another name" in str(err.value)


def test_the_same_name_in_its_own_workspace_is_managed():
    client = server().add(IAM + "/workspaceroles/releaser",
                          role("WorkspaceRole", "releaser", labels={"kubesphere.io/workspace": "team"}))
    _res, out = run(client, scope="workspace", workspace="team", name="releaser", description="ships")
    assert out.changed and client.writes[0][0] == "PUT"


# --- removal and bindings -----------------------------------------------------------------------------

def binding(name, role_name, kind="WorkspaceRole", user="bob", workspace="team"):
    return {"metadata": {"name": name, "labels": {"kubesphere.io/workspace": workspace}},
            "roleRef": {"kind": kind, "name": role_name}, "subjects": [{"kind": "User", "name": user}]}


def bound_workspace_role(read_only=False):
    client = server(read_only=read_only).add(IAM + "/workspaceroles/releaser", role(
        "WorkspaceRole", "releaser", labels={"kubesphere.io/workspace": "team"}))
    client.add(IAM + "/workspacerolebindings/bob-releaser", binding("bob-releaser", "releaser"))
    client.add(IAM + "/workspacerolebindings/carol-releaser", binding("carol-releaser", "releaser", user="carol"))
    client.add(IAM + "/workspacerolebindings/dan-other", binding("dan-other", "other"))
    # The same role name bound in another workspace, and another kind with the same name: not this role's.
    client.add(IAM + "/workspacerolebindings/eve-releaser", binding("eve-releaser", "releaser", workspace="ops"))
    client.add(IAM + "/workspacerolebindings/fay-releaser", binding("fay-releaser", "releaser", kind="GlobalRole"))
    return client


def test_a_bound_role_is_not_deleted_and_the_message_names_bindings_and_subjects():
    client = bound_workspace_role()
    with pytest.raises(ResourceFailure) as err:
        run(client, state="absent", scope="workspace", workspace="team", name="releaser")
    text = str(err.value)
    assert "WorkspaceRole releaser in team is still bound (bob-releaser, carol-releaser: User bob, User carol)" in text
    assert "remove_bindings=true" in text
    assert err.value.details["bound_to"] == ["User bob", "User carol"]
    assert client.writes == []
    (listed,) = [c for c in client.calls if c[0] == "LIST"]
    assert listed[3] == {"labelSelector": "kubesphere.io/workspace=team"}


def test_remove_bindings_in_check_mode_names_them_and_deletes_nothing():
    client = bound_workspace_role(read_only=True)
    res, out = run(client, state="absent", check_mode=True, scope="workspace", workspace="team", name="releaser",
                   remove_bindings=True)
    assert out.changed and out.action == "deleted"
    assert res.finish(out, False) == {"removed_bindings": ["bob-releaser", "carol-releaser"]}


def test_remove_bindings_deletes_the_bindings_first_then_the_role():
    client = bound_workspace_role()
    run(client, state="absent", scope="workspace", workspace="team", name="releaser", remove_bindings=True)
    assert [w[:2] for w in client.writes] == [("DELETE", IAM + "/workspacerolebindings/bob-releaser"),
                                              ("DELETE", IAM + "/workspacerolebindings/carol-releaser"),
                                              ("DELETE", IAM + "/workspaceroles/releaser")]


def test_an_absent_role_is_no_change_and_lists_nothing():
    client = server(read_only=True)
    _res, out = run(client, state="absent", check_mode=True, name="gone")
    assert not out.changed and [c[0] for c in client.calls] == ["GET"]


def test_a_listed_role_of_another_workspace_is_refused_from_its_label_with_no_request():
    client = FakeClient(read_only=True)
    res = RoleResource(client, params(scope="workspace", workspace="team", templates=["workspace-view-pods"]),
                       refs=FakeRefs())
    other = role("WorkspaceRole", "deployer", labels={"kubesphere.io/workspace": "ops"})
    with pytest.raises(ValidationError) as err:
        converge(res, "present", current=Listed(other, templates={"workspace-view-pods": {}}))
    assert "belongs to workspace ops, not to workspace team" in str(err.value) and client.calls == []


def test_a_project_role_the_lists_do_not_cover_is_read_but_its_templates_come_from_the_lists():
    client = server(read_only=True)
    listed = dict((name, template(name, "namespace", [RULE_VIEW])) for name in ("namespace-view-pods",))
    res = RoleResource(client, params(scope="project", project="web", templates=["namespace-view-pods"]),
                       check_mode=True, refs=FakeRefs())
    out = converge(res, "present", current=Listed(None, covered=False, templates=listed))
    assert out.action == "created" and [c[:2] for c in client.calls] == [
        ("GET", IAM + "/namespaces/web/roles/deployer")]


def test_templates_on_a_line_without_role_templates_say_so_before_any_request():
    client = FakeClient(read_only=True, line=V3)
    res = RoleResource(client, params(name="platform-admin", templates=[]), check_mode=True, refs=FakeRefs())
    with pytest.raises(KubeSphereError) as err:
        converge(res, "present")
    assert "roles made of role templates" in str(err.value) and "is not available on KubeSphere 3.x" in str(err.value)
    assert [c[0] for c in client.calls if c[0] != "GET"] == []
    assert not [c for c in client.calls if "roletemplates" in c[1]]
