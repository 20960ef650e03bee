"""The export's mapping from server objects to items, against a fake client (no HTTP)."""
import os

import yaml

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import AGGREGATION_ANNOTATION, LINES, V3, V4
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_export import KINDS, Exporter
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_members import workspace_role_name

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))
LONG_WS = "w" * 60
READY = {"conditions": [{"type": "Ready", "status": "True"}]}


def ns(name, workspace=None, cluster_labels=None, **metadata):
    labels = {"kubernetes.io/metadata.name": name}
    if workspace:
        labels.update({"kubesphere.io/workspace": workspace, "kubesphere.io/managed": "true"})
    labels.update(cluster_labels or {})
    return {"metadata": dict(metadata, name=name, labels=labels, annotations={"kubesphere.io/creator": "admin"})}


LISTS = {
    "/kapis/iam.kubesphere.io/v1beta1/users": [
        {"metadata": {"name": "admin", "annotations": {"iam.kubesphere.io/globalrole": "platform-admin"}},
         "spec": {"email": "admin@kubesphere.io"}, "status": {"state": "Active"}},
        {"metadata": {"name": "zed", "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"},
                      "resourceVersion": "9", "uid": "u1"},
         "spec": {"email": "zed@example.com"}, "status": {"state": "AuthLimitExceeded"}},
        {"metadata": {"name": "amy", "annotations": {"iam.kubesphere.io/globalrole": "platform-regular",
                                                     "iam.kubesphere.io/identity-provider.ldap": "amy-uid",
                                                     "iam.kubesphere.io/identity-provider.github": "4711"}},
         "spec": {"email": "amy@example.com", "lang": "zh"}, "status": {"state": "Disabled"}},
        {"metadata": {"name": "gone", "deletionTimestamp": "2026-12-01T00:00:00Z"}, "spec": {"email": "g@example.com"}},
    ],
    "/apis/iam.kubesphere.io/v1beta1/globalrolebindings": [
        {"metadata": {"name": "amy-platform-admin", "labels": {"iam.kubesphere.io/user-ref": "amy"}},
         "roleRef": {"name": "platform-admin"}},
        {"metadata": {"name": "authenticated"}, "roleRef": {"name": "authenticated"}},
    ],
    "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates": [
        {"metadata": {"name": "system-workspace", "labels": {"kubesphere.io/protected-resource": "true"}},
         "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusterSelector": {}}}},
        {"metadata": {"name": LONG_WS, "labels": {"app.kubernetes.io/managed-by": "kubesphere.core", "b": "2", "a": "1"},
                      "annotations": {"kubesphere.io/creator": "admin"}, "finalizers": ["x"]},
         "spec": {"template": {"spec": {"manager": "zed"},
                               "metadata": {"annotations": {"kubesphere.io/network-isolate": "enabled"}}},
                  "placement": {"clusters": [{"name": "member1"}, {"name": "host"}]}}},
    ],
    "/kapis/resources.kubesphere.io/v1alpha3/clusters": [
        {"metadata": {"name": "member1"}, "status": READY},
        {"metadata": {"name": "member2"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}},
        {"metadata": {"name": "host", "labels": {"cluster-role.kubesphere.io/host": ""}}, "status": READY},
    ],
    ("/kapis/tenant.kubesphere.io/v1beta1/namespaces", "host"): [
        ns("kube-system"), ns("kubesphere-system", "system-workspace"), ns("legacy"),
        ns("web", LONG_WS, cluster_labels={"tier": "web"}),
    ],
    ("/kapis/tenant.kubesphere.io/v1beta1/namespaces", "member1"): [ns("batch", LONG_WS)],
    # Quotas: the workspace's (named after it, labelled with it), and one named after another workspace.
    "/apis/quota.kubesphere.io/v1alpha2/resourcequotas": [
        {"metadata": {"name": LONG_WS, "labels": {"kubesphere.io/workspace": LONG_WS}},
         "spec": {"quota": {"hard": {"pods": "20", "limits.cpu": "4"}}}},
        {"metadata": {"name": "other", "labels": {"kubesphere.io/workspace": "other"}},
         "spec": {"quota": {"hard": {"pods": "1"}}}}],
    # The project's own quota is the one named after it; a kubectl-made one is not ks_project's.
    ("/api/v1/resourcequotas", "host"): [
        {"metadata": {"name": "web", "namespace": "web"}, "spec": {"hard": {"limits.memory": "8Gi"}}},
        {"metadata": {"name": "by-hand", "namespace": "web"}, "spec": {"hard": {"pods": "3"}}}],
    ("/api/v1/limitranges", "host"): [
        {"metadata": {"name": "limits", "namespace": "web"},
         "spec": {"limits": [{"type": "Pod", "max": {"cpu": "4"}},
                             {"type": "Container", "default": {"memory": "512Mi", "cpu": "500m"},
                              "defaultRequest": {"cpu": "100m"}}]}}],
    "/kapis/iam.kubesphere.io/v1beta1/workspaces/%s/workspacemembers" % LONG_WS: [
        {"metadata": {"name": "zed", "annotations": {"iam.kubesphere.io/workspacerole": workspace_role_name(LONG_WS, "admin")}}},
        {"metadata": {"name": "amy", "annotations": {"iam.kubesphere.io/workspacerole": "custom-ws-role"}}},
    ],
    ("/kapis/iam.kubesphere.io/v1beta1/namespaces/web/namespacemembers", "host"): [
        {"metadata": {"name": "amy", "annotations": {"iam.kubesphere.io/role": "viewer"}}}],
    "/apis/kubesphere.io/v1alpha1/installplans": [
        {"metadata": {"name": "metrics-server"}, "status": {"state": "Installed"},
         "spec": {"extension": {"name": "metrics-server", "version": "0.7.2"}, "enabled": True,
                  "upgradeStrategy": "Manual", "config": "a: 1\n"}}],
}


REPOS = "/apis/application.kubesphere.io/v2/repos"
WS_REPOS = "/kapis/application.kubesphere.io/v2/workspaces/%s/repos" % LONG_WS


def repo(name, workspace, url, **spec):
    return {"metadata": {"name": name, "labels": {"kubesphere.io/workspace": workspace},
                         "annotations": {"kubesphere.io/creator": "admin"}, "resourceVersion": "7"},
            "spec": dict(spec, url=url, syncPeriod=spec.pop("syncPeriod", 0)), "status": {"state": "successful"}}


# As KubeSphere keeps them: the credentials in the URL and in spec.credential, in clear.
TEAM_REPO = repo("team-charts", LONG_WS, "https://reader:Chart-Secret-1@charts.example.com/team",
                 credential={"username": "reader", "password": "Chart-Secret-1"}, syncPeriod=3600,
                 description="the team's")
LISTS.update({
    REPOS: [TEAM_REPO, repo("builtin", "system-workspace", "https://charts.kubesphere.io/main"),
            repo("theirs", "other", "https://charts.example.com/other")],
    WS_REPOS: [TEAM_REPO, repo("builtin", "system-workspace", "https://charts.kubesphere.io/main")],
})


GETS = {"/kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/resourcequotas/%s" % (LONG_WS, LONG_WS):
        {"metadata": {"name": LONG_WS}, "spec": {"quota": {"hard": {"pods": "20"}}}}}


def role(name, rules=None, templates=None, namespace=None, creator=None, workspace=None, **annotations):
    metadata = {"name": name, "annotations": dict(annotations)}
    if creator:
        metadata["annotations"]["kubesphere.io/creator"] = creator
    if namespace:
        metadata["namespace"] = namespace
    if workspace:
        metadata["labels"] = {"kubesphere.io/workspace": workspace}
    return {"metadata": metadata, "rules": rules or [],
            "aggregationRoleTemplates": {"templateNames": templates or []}}


IAM_APIS = "/apis/iam.kubesphere.io/v1beta1"
LISTS.update({
    IAM_APIS + "/globalroles": [
        role("platform-admin", creator="admin", templates=["global-manage-users"]),   # the chart's, by name
        role("anonymous"), role("pre-registration"),
        role("auditor", templates=["global-view-users", "global-view-basic"], creator="carol",
             **{"kubesphere.io/alias-name": "Auditor", "kubesphere.io/description": "reads everything"})],
    (IAM_APIS + "/clusterroles", "host"): [role("cluster-admin", creator="system"), role("cluster-viewer"),
                                           role("node-reader", templates=["cluster-view-nodes"])],
    (IAM_APIS + "/clusterroles", "member1"): [role("by-hand", rules=[{"verbs": ["get"]}])],
    IAM_APIS + "/workspaceroles": [
        role(workspace_role_name(LONG_WS, "admin"), creator="system", workspace=LONG_WS),
        role(workspace_role_name(LONG_WS, "viewer"), workspace=LONG_WS),        # built-in by its name
        role("releaser", templates=["workspace-view-projects"], workspace=LONG_WS),
        role("elsewhere", workspace="other"), role("unlabelled")],
    (IAM_APIS + "/roles", "host"): [
        role("admin", creator="system", namespace="web"), role("viewer", namespace="web"),
        role("deployer", templates=["namespace-manage-workloads"], namespace="web"),
        role("debugger", namespace="kubesphere-system")],
})


class FakeClient:
    def __init__(self, forbidden=(), line=V4):
        self.forbidden = set(forbidden)
        self.calls = []
        self.api = LINES[line]

    def get(self, path, cluster=None, missing_ok=False):
        self.calls.append((path, cluster, "GET"))
        return GETS.get(path)

    def list_all(self, path, cluster=None, query=None):
        self.calls.append((path, cluster, query))
        if path in self.forbidden:
            raise KubeSphereError("forbidden", method="GET", url=path, status=403, reason="Forbidden")
        if path.endswith("/namespacemembers") and (path, cluster) not in LISTS:
            raise KubeSphereError("forbidden", method="GET", url=path, status=403, reason="Forbidden")
        return LISTS.get((path, cluster), LISTS.get(path, []))


def export(params=None, client=None):
    warnings = []
    exporter = Exporter(client or FakeClient(), dict(params or {}), warn=warnings.append)
    return exporter.run(), exporter, warnings


def test_items_are_declared_state_in_a_fixed_order():
    result, exporter, warnings = export()
    assert list(result) == ["ks_users", "ks_workspaces", "ks_projects", "ks_roles", "ks_app_repos", "ks_extensions"]
    assert result["ks_users"] == [
        {"name": "amy", "email": "amy@example.com", "lang": "zh", "global_role": "platform-admin", "enabled": False,
         "identities": [{"provider": "github", "uid": "4711"}, {"provider": "ldap", "uid": "amy-uid"}]},
        # No live binding: no role to declare (ks_user judges the role by the bindings, not the annotation).
        {"name": "zed", "email": "zed@example.com", "enabled": True}]
    workspace = result["ks_workspaces"][0]
    assert list(workspace) == ["name", "manager", "clusters", "labels", "quota", "network_isolation", "members"]
    assert workspace["quota"] == {"limits.cpu": "4", "pods": "20"} and workspace["network_isolation"] is True
    assert workspace["labels"] == {"a": "1", "b": "2"} and list(workspace["labels"]) == ["a", "b"]
    assert workspace["clusters"] == ["host", "member1"]
    assert workspace["members"] == [{"user": "amy", "role": "custom-ws-role"}, {"user": "zed", "role": "admin"}]
    assert result["ks_projects"] == [
        {"name": "batch", "workspace": LONG_WS, "cluster": "member1"},
        {"name": "web", "workspace": LONG_WS, "cluster": "host", "labels": {"tier": "web"},
         "quota": {"limits.memory": "8Gi"},
         "default_limits": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m"}},
         "members": [{"user": "amy", "role": "viewer"}]}]
    assert result["ks_extensions"] == [{"name": "metrics-server", "version": "0.7.2", "enabled": True,
                                        "upgrade_strategy": "Manual", "config": "a: 1\n"}]
    assert exporter.unassigned == [{"name": "legacy", "cluster": "host"}]
    assert "Left out, being deleted: user gone" in warnings
    assert "Not exported: cluster member2: not ready: its projects are not exported" in warnings
    assert any(w.startswith("Not exported: project members batch on member1: not allowed") for w in warnings)


def test_custom_roles_only_with_the_options_of_ks_role():
    result, exporter, warnings = export()
    assert result["ks_roles"] == [
        {"name": "auditor", "scope": "global", "templates": ["global-view-basic", "global-view-users"],
         "alias_name": "Auditor", "description": "reads everything"},
        {"name": "node-reader", "scope": "cluster", "cluster": "host", "templates": ["cluster-view-nodes"]},
        {"name": "by-hand", "scope": "cluster", "cluster": "member1", "templates": []},
        {"name": "releaser", "scope": "workspace", "workspace": LONG_WS, "templates": ["workspace-view-projects"]},
        {"name": "deployer", "scope": "project", "project": "web", "cluster": "host",
         "templates": ["namespace-manage-workloads"]}]
    assert "Not exported: workspacerole unlabelled: it has no kubesphere.io/workspace label, so it cannot be bound" \
        in warnings
    assert any(w.startswith("clusterrole by-hand: its rules do not come from role templates") for w in warnings)
    # Never KubeSphere's own, not even with include_system; a filtered export has only its workspaces' roles.
    result, _exporter, _warnings = export({"include_system": True})
    assert "platform-admin" not in [r["name"] for r in result["ks_roles"]]
    assert "debugger" in [r["name"] for r in result["ks_roles"]]           # a custom one in kubesphere-system
    result, _exporter, _warnings = export({"workspaces": [LONG_WS]})
    assert [(r["scope"], r["name"]) for r in result["ks_roles"]] == [("workspace", "releaser"), ("project", "deployer")]


def test_on_3_x_custom_roles_are_named_not_exported_and_the_missing_extensions_said(monkeypatch):
    # 3.x marks a role KubeSphere made from templates with an annotation; Kubernetes' own have none.
    made = role("auditor", creator="carol")
    made["metadata"]["annotations"][AGGREGATION_ANNOTATION] = '["global-view-users"]'
    project_role = role("deployer", namespace="web")
    project_role["metadata"]["annotations"][AGGREGATION_ANNOTATION] = '["namespace-manage-workloads"]'
    monkeypatch.setitem(LISTS, IAM_APIS + "/globalroles", [made, role("platform-admin")])
    monkeypatch.setitem(LISTS, (IAM_APIS + "/roles", "host"), [project_role, role("view-by-kubernetes", namespace="web")])
    client = FakeClient(line=V3)
    result, exporter, warnings = export(client=client)
    assert result["ks_roles"] == [] and result["ks_extensions"] == []
    assert result["ks_workspaces"] and result["ks_users"]                 # the rest is exported
    left_out = dict((entry["kind"], entry) for entry in exporter.skipped)
    assert left_out["globalrole"]["name"] == "auditor" and left_out["role"]["name"] == "deployer in web on host"
    assert "roles made of role templates" in left_out["role"]["reason"] and "KubeSphere 3.x" in left_out["role"]["reason"]
    assert left_out["extension"]["reason"].endswith("is not available on KubeSphere 3.x (3.4); it needs KubeSphere 4.x "
                                                    "(4.1, 4.2 Enterprise): none exported")
    assert not [c for c in client.calls if "installplans" in c[0]]        # nothing asked of an API 3.x lacks
    assert any(w.startswith("Not exported: extension:") for w in warnings)


def test_include_system_and_the_workspaces_filter():
    result, _exporter, _warnings = export({"include_system": True})
    assert [u["name"] for u in result["ks_users"]] == ["admin", "amy", "zed"]
    assert "system-workspace" in [w["name"] for w in result["ks_workspaces"]]
    assert "kubesphere-system" in [p["name"] for p in result["ks_projects"]]

    result, _exporter, warnings = export({"workspaces": [LONG_WS, "nope"]})
    assert [u["name"] for u in result["ks_users"]] == ["amy", "zed"]
    assert result["ks_extensions"] == []
    assert "Not exported: workspace nope: not found, or not visible to this user" in warnings


def test_label_selector_goes_to_the_server_and_a_forbidden_list_is_a_warning():
    client = FakeClient(forbidden=["/apis/kubesphere.io/v1alpha1/installplans"])
    result, _exporter, warnings = export({"label_selector": "team=a"}, client)
    queries = dict((path, query) for path, _cluster, query in client.calls)
    assert queries["/kapis/iam.kubesphere.io/v1beta1/users"] == {"labelSelector": "team=a"}
    assert queries["/apis/iam.kubesphere.io/v1beta1/globalrolebindings"] == {}
    assert result["ks_extensions"] == []
    assert any(w.startswith("Not exported: extension: not allowed to list them (403") for w in warnings)


def test_quotas_are_read_one_by_one_when_the_lists_are_not_allowed():
    client = FakeClient(forbidden=["/apis/quota.kubesphere.io/v1alpha2/resourcequotas", "/api/v1/resourcequotas",
                                   "/api/v1/limitranges", "/api/v1/namespaces/batch/resourcequotas"])
    result, _exporter, warnings = export(client=client)
    assert result["ks_workspaces"][0]["quota"] == {"pods": "20"}       # the workspace's GET
    assert [p.get("quota") for p in result["ks_projects"]] == [None, None]
    assert ("/api/v1/namespaces/web/limitranges", "host", None) in client.calls
    assert any(w.startswith("Not exported: project quota batch on member1: not allowed to read it (403")
               for w in warnings)


def _role_options(role, variable):
    with open(os.path.join(REPO, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    return set(spec["argument_specs"]["main"]["options"][variable]["options"])


def test_every_exported_key_is_an_option_of_the_role_that_applies_it():
    roles = {"ks_users": "tenant", "ks_workspaces": "tenant", "ks_projects": "tenant", "ks_roles": "tenant",
             "ks_app_repos": "tenant", "ks_extensions": "extensions"}
    for kind in KINDS:
        assert set(kind.keys) <= _role_options(roles[kind.key], kind.key), kind.key


# ---- App Store repos --------------------------------------------------------------------------------------

def test_repos_go_with_their_workspace_without_credentials():
    result, exporter, warnings = export()
    assert result["ks_app_repos"] == [{"name": "team-charts", "workspace": LONG_WS,
                                       "url": "https://charts.example.com/team", "username": "reader",
                                       "description": "the team's", "sync_period": 3600}]
    assert "Chart-Secret-1" not in yaml.safe_dump(result)
    assert any(w.startswith("app repo team-charts: its password is not exported") for w in warnings)


def test_repos_are_read_per_workspace_when_the_list_of_all_is_forbidden():
    client = FakeClient(forbidden=[REPOS])
    result, exporter, warnings = export(client=client)
    assert [r["name"] for r in result["ks_app_repos"]] == ["team-charts"]      # not system-workspace's
    assert any(c[0] == WS_REPOS for c in client.calls)


def test_no_repo_is_read_without_a_workspace_to_export_nor_on_3x():
    client = FakeClient()
    result, exporter, warnings = export({"workspaces": ["nothing-here"]}, client=client)
    assert result["ks_app_repos"] == [] and not [c for c in client.calls if "application" in c[0]]
    result, exporter, warnings = export(client=FakeClient(line=V3))
    assert result["ks_app_repos"] == []
    assert [s for s in exporter.skipped if s["kind"] == "app_repo"] == [
        {"kind": "app_repo", "name": None, "reason": LINES[V3].lacks("app_store") + ": none exported"}]
