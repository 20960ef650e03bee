# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Read-only queries: one table entry per kind (where it is listed, how one is read by name,
which scope it needs), on top of the client's list_all (every page, whatever the list shape)."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_summary import cluster_summaries
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_release import masked_release
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_repo import AppRepoResource, masked_repo
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_appstore import BASE as APPSTORE
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_provider import provider_secrets, without_secrets
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster import ClusterResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import KAPIS_TENANT, MEMBERS_PATHS
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_project import ProjectResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import UserResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)


class InfoKind(object):
    """list_path and get_path are templates over name/workspace/project. get_path None: no reliable
    single GET (members: a non-member answers 400, project members have no GET in v4), so the
    list is filtered by exact name instead. per_cluster: served by each cluster (cluster option)."""

    def __init__(self, list_path=None, get_path=None, needs=(), per_cluster=False, list_path_without=None,
                 read=None, requires=(), by_scope=None, summary=None, pick=None, shown=None):
        self.by_scope = by_scope                     # {scope: InfoKind}: where the scope option sends it
        self.pick = pick      # pick(params) -> InfoKind: where the given options send it (App Store kinds)
        self.shown = shown    # shown(item) -> the item as returned (secrets masked)
        self.list_path = list_path
        self.requires = tuple(requires)   # features of ks_versions.FEATURES the server's line must have
        self.get_path = get_path
        self.needs = tuple(needs)
        self.per_cluster = per_cluster
        self.list_path_without = list_path_without   # (option, path) when that option is not given
        self.read = read      # read(client) -> items, for kinds that are not a plain list (identity providers)
        self.summary = summary    # (result key, summarize(client, items)): the items in a module's own words


def _identity_providers(client):
    items = []
    for secret, config in provider_secrets(client):
        item = without_secrets(config) if config is not None else {"invalid": "configuration.yaml is not valid YAML"}
        item.setdefault("name", "")
        item["secret"] = dict((k, secret["metadata"][k]) for k in ("name", "namespace") if k in secret["metadata"])
        item["metadata"] = {"name": item["name"]}      # so name and label filters work like for other kinds
        items.append(item)
    return items


def _oauth(client):
    return [client.get("/kapis/config.kubesphere.io/v1alpha2/configs/oauth")]


def _in_workspace(path, get_path=None, **kwargs):
    """An App Store kind listed under the workspace when one is given, else across the workspaces."""
    def pick(params):
        prefix = APPSTORE + ("/workspaces/{workspace}" if params.get("workspace") else "")
        return InfoKind(prefix + path, get_path=get_path and APPSTORE + get_path, requires=("app_store",), **kwargs)
    return pick


def _repos(params):
    """A workspace's repos, else every repo from the Repo list itself: ks-apiserver's list without a workspace
    holds only system-workspace's and unlabelled ones (real v4.1.3)."""
    if params.get("workspace"):
        return _in_workspace("/repos", get_path="/repos/{name}", shown=masked_repo)(params)
    return InfoKind(AppRepoResource.collection, get_path=APPSTORE + "/repos/{name}", requires=AppRepoResource.requires,
                    shown=masked_repo)


def _releases(params):
    """Releases of a project (read one by name there), of a workspace, or all."""
    scope = ("/namespaces/{project}" if params.get("project") else
             "/workspaces/{workspace}" if params.get("workspace") else "")
    get_path = APPSTORE + "/namespaces/{project}/applications/{name}" if params.get("project") else None
    return InfoKind(APPSTORE + scope + "/applications", get_path=get_path, requires=("app_store",), shown=masked_release)


# Where each scope's roles are listed, from the one scope table.
_ROLES = dict((name, scope.kapis_collection(workspace="{workspace}", project="{project}"))
              for name, scope in SCOPES.items())

KINDS = {
    # The kinds with a Resource are listed where the Resource says its objects are.
    "workspace": InfoKind(WorkspaceResource.collection, get_path=WorkspaceResource.collection + "/{name}"),
    "project": InfoKind(KAPIS_TENANT + "/workspaces/{workspace}/namespaces", per_cluster=True,
                        list_path_without=("workspace", ProjectResource.collection)),
    "user": InfoKind(UserResource.collection, get_path=UserResource.collection + "/{name}"),
    "workspace_member": InfoKind(MEMBERS_PATHS["workspace"] % "{workspace}", needs=("workspace",)),
    "project_member": InfoKind(MEMBERS_PATHS["project"] % "{project}", needs=("project",), per_cluster=True),
    # Clusters (without kubeconfigs), and as ks_cluster's options: group, visibility, labels, workspaces.
    "cluster": InfoKind(ClusterResource.collection, get_path=ClusterResource.collection + "/{name}",
                        summary=("clusters", cluster_summaries)),
    # Extensions (issue 4): served by the v4 generic kapis handler.
    # An Extension's status is the catalog entry: versions, recommendedVersion, and once a plan
    # exists its state, enabled and installedVersion (mirrored from the InstallPlan).
    "extension": InfoKind("/kapis/kubesphere.io/v1alpha1/extensions",
                          get_path="/kapis/kubesphere.io/v1alpha1/extensions/{name}", requires=("extensions",)),
    "installplan": InfoKind("/kapis/kubesphere.io/v1alpha1/installplans",
                            get_path="/kapis/kubesphere.io/v1alpha1/installplans/{name}", requires=("extensions",)),
    # Identity providers (issue 15): Secrets in kubesphere-system, returned as their configuration
    # without secret options; oauth: the server's OAuth settings as configs/oauth reports them.
    "identity_provider": InfoKind(None, read=_identity_providers, requires=("identity_providers",)),
    "oauth": InfoKind(None, read=_oauth, requires=("identity_providers",)),
    # What custom roles are built from (filtered by scope and category), and the roles of one scope.
    "roletemplate": InfoKind("/kapis/iam.kubesphere.io/v1beta1/roletemplates",
                             get_path="/kapis/iam.kubesphere.io/v1beta1/roletemplates/{name}"),
    "role": InfoKind(by_scope={
        "global": InfoKind(_ROLES["global"], get_path=_ROLES["global"] + "/{name}"),
        "cluster": InfoKind(_ROLES["cluster"], per_cluster=True, get_path=_ROLES["cluster"] + "/{name}"),
        "workspace": InfoKind(_ROLES["workspace"], needs=("workspace",)),
        "project": InfoKind(_ROLES["project"], needs=("project",), per_cluster=True,
                            get_path=_ROLES["project"] + "/{name}"),
    }),
    # The App Store of KubeSphere 4 (issue 26): repos with their credentials masked, releases with the data of
    # their Secrets masked.
    "app_repo": InfoKind(pick=_repos),
    "app": InfoKind(pick=_in_workspace("/apps", get_path="/apps/{name}")),
    "app_version": InfoKind(needs=("app",), pick=_in_workspace("/apps/{app}/versions",
                                                               get_path="/apps/{app}/versions/{name}")),
    "app_release": InfoKind(pick=_releases),
    "app_category": InfoKind(APPSTORE + "/categories", get_path=APPSTORE + "/categories/{name}", requires=("app_store",)),
}
# Kinds whose names may contain dots.
SUBDOMAIN_NAMED = ("role", "roletemplate")
# The RoleTemplate label value of each role scope.
TEMPLATE_SCOPES = {"global": "global", "cluster": "cluster", "workspace": "workspace", "project": "namespace"}


def _kind(params):
    kind = KINDS[params["kind"]]
    if kind.pick:
        picked = kind.pick(params)
        picked.needs = kind.needs
        return picked
    return kind.by_scope[params.get("scope") or "global"] if kind.by_scope else kind


def _selector(params):
    parts = [params["label_selector"]] if params.get("label_selector") else []
    if params["kind"] == "roletemplate":
        if params.get("scope"):
            parts.append("iam.kubesphere.io/scope=%s" % TEMPLATE_SCOPES[params["scope"]])
        if params.get("category"):
            parts.append("iam.kubesphere.io/category=%s" % params["category"])
    return ",".join(parts) or None


def validate(params):
    """Why the query cannot be sent, or None. No request is made here."""
    if params.get("category") and params["kind"] != "roletemplate":
        return "category applies only to kind=roletemplate"
    if params.get("scope") and params["kind"] not in ("role", "roletemplate"):
        return "scope applies only to kind=role and kind=roletemplate"
    kind = _kind(params)
    missing = [opt for opt in kind.needs if not params.get(opt)]
    if missing:
        return "kind=%s needs %s" % (params["kind"], " and ".join(missing))
    if params.get("cluster") and not kind.per_cluster:
        per_cluster = sorted(name for name, k in KINDS.items() if k.per_cluster)
        return ("cluster applies only to the kinds served by each cluster (%s); %s objects live on the host"
                % (", ".join(per_cluster), params["kind"]))
    if params.get("app") and params["kind"] != "app_version":
        return "app applies only to kind=app_version"
    # Role and role template names are DNS-1123 subdomains (dots allowed), as ks_role accepts them; App Store
    # objects are named after versions (hello-1.0.0), subdomains too.
    subdomain = params["kind"] in SUBDOMAIN_NAMED or params["kind"].startswith("app")
    name_error = dns1123_subdomain_error if subdomain else dns1123_label_error
    return first_error(*[(name_error if opt in ("name", "app") else dns1123_label_error)(params[opt], opt)
                         for opt in ("name", "app", "workspace", "project", "cluster") if params.get(opt)])


def query(client, params):
    """The objects of one kind, as KubeSphere returns them, every page read."""
    kind = _kind(params)
    client.require(*kind.requires)
    if kind.read is not None:
        name = params.get("name")
        return [item for item in kind.read(client)
                if not name or (item.get("metadata") or {}).get("name", item.get("name")) == name]
    values = dict((opt, params.get(opt) or "") for opt in ("name", "workspace", "project", "app"))
    cluster = params.get("cluster") if kind.per_cluster else None
    name = params.get("name")
    selector = _selector(params)
    shown = kind.shown or (lambda item: item)
    if name and kind.get_path and not selector:
        found = client.get(kind.get_path.format(**values), cluster=cluster, missing_ok=True)
        return [shown(found)] if found else []
    path = kind.list_path
    if kind.list_path_without and not params.get(kind.list_path_without[0]):
        path = kind.list_path_without[1]
    filters = {}
    if selector:
        filters["labelSelector"] = selector
    if name:
        filters["names"] = name   # exact match on the server; filtered again below where it is ignored
    items = client.list_all(path.format(**values), cluster=cluster, query=filters)
    if name:
        items = [item for item in items if (item.get("metadata") or {}).get("name") == name]
    return [shown(item) for item in items]


def summaries(client, params, items):
    """The extra result of a kind that has one ({key: value}), else {}."""
    kind = _kind(params)
    if kind.summary is None:
        return {}
    key, summarize = kind.summary
    return {key: summarize(client, items)}
