# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""What differs between the KubeSphere lines this collection drives, in one table.

Resource specs are written against the v4 API (4.1, and the 4.2 Enterprise line, which keeps 4.1's
tenancy, IAM and InstallPlan types). The client picks one ApiLine per host (detected, see
ks_detect.py, or the ks_api_version option) and translates through it: request paths and body
apiVersions, the member-cluster routing form, DELETE options whose meaning differs, and error
answers that mean "not found". Nothing outside this file tests for a version.

Sources: the recordings of real v4.1.3 and v3.4.1 servers (ks-recordings, ks-recordings-v3.4) and,
where they are silent, KubeSphere's v3.4.1 source (pkg/kapis, pkg/models/tenant).
"""

import re

AUTO, V3, V4 = "auto", "v3", "v4"
CHOICES = (AUTO, V3, V4)

# Lists: 4.1 and 3.x say totalItems; some 4.2 Enterprise kapis lists say total_count. Every line is
# read with every key, so a server that mixes them (an upgraded 4.2 with extensions) still pages.
LIST_TOTAL_KEYS = ("totalItems", "total_count", "totalCount")

# The finalizer a controller adds when it takes a new workspace or project up. v4:
# kubesphere.io/cascading-deletion, added AFTER the built-in roles (v4.1.3 workspacetemplate and namespace
# controllers); v3: these two, added BEFORE them (v3.4.1: the roles follow 50-140 ms later, measured). So the
# finalizer says "set up" on 4.x only; a member write waits for the role it binds itself (ks_members.py).
INITIALISED_FINALIZERS = {
    "workspace": ("kubesphere.io/cascading-deletion", "finalizers.workspacetemplate.kubesphere.io"),
    "project": ("kubesphere.io/cascading-deletion", "finalizers.kubesphere.io/namespaces"),
}

# Login refusals that mean "the account is not active yet / disabled": v4 "Account suspended.",
# v3 "account is not active".
INACTIVE_MESSAGES = ("suspended", "not active")

# Features a line may lack; the message names the lines that have them.
FEATURES = {
    "extensions": "the extension API (kubesphere.io/v1alpha1 Extensions and InstallPlans)",
    # 3.x configures identity providers in the kubesphere-config ConfigMap, not through an API.
    "identity_providers": "the identity provider API (config.kubesphere.io platform configs)",
    # 4.x lists workspace and project members straight from iam.kubesphere.io/v1beta1 WorkspaceRoleBindings
    # and RoleBindings (pkg/kapis/iam/v1beta1 ListWorkspaceMembers, ListNamespaceMembers), so a bulk run
    # may read all of them at once; 3.x builds them from other objects (rbac RoleBindings, v1alpha2).
    # 3.x's App Store is openpitrix v1 (another API); 4.x serves application.kubesphere.io/v2 from ks-core.
    "app_store": "the App Store API (application.kubesphere.io/v2)",
    "member_bindings": "member lists built from iam.kubesphere.io/v1beta1 role bindings",
    # 4.x joins a member by installing ks-core into it from the host (cluster controller, kubeconfig API);
    # 3.x joins through kubefed and its own agent, which ks_cluster does not drive.
    "member_clusters": "joining member clusters the way KubeSphere 4.1 does (ks-core installed by the host)",
    # 4.x roles carry aggregationRoleTemplates (ks_role writes them); 3.x keeps its role templates elsewhere
    # (iam.kubesphere.io/aggregation-roles annotations, rbac ClusterRoles and Roles), which ks_role does not write.
    "role_templates": "roles made of role templates (iam.kubesphere.io/v1beta1 aggregationRoleTemplates)",
}

# The annotation naming a 3.x role's templates: KubeSphere (its console, its API) made the role.
AGGREGATION_ANNOTATION = "iam.kubesphere.io/aggregation-roles"

_MISSING_TEXT = re.compile(r'^[a-z0-9.-]+ "[^"]+" not found$')


class ApiLine(object):
    """One KubeSphere line: how a v4 request is said to it, and what its answers mean."""

    def __init__(self, name, title, rewrites=(), api_versions=None, cluster_infix=False, features=(),
                 missing_on_500=False, delete_options=()):
        self.name = name
        self.title = title
        self._rewrites = [(re.compile(pattern), replacement) for pattern, replacement in rewrites]
        self._api_versions = dict(api_versions or {})
        self.cluster_infix = cluster_infix
        self.features = frozenset(features)
        self.missing_on_500 = missing_on_500
        self._delete_options = [(re.compile(pattern), given, sent) for pattern, given, sent in delete_options]

    def __repr__(self):
        return "ApiLine(%s)" % self.name

    def path(self, path):
        """The v4 path (query string kept) as this line serves it."""
        bare, sep, query = path.partition("?")
        for pattern, replacement in self._rewrites:
            bare, count = pattern.subn(replacement, bare, count=1)
            if count:
                break
        return bare + sep + query

    def cluster_path(self, path, cluster):
        """The path routed to a member cluster: /clusters/{c}/... on v4; /kapis/clusters/{c}/...
        (and /apis, /api) on v3, which has no /clusters/ prefix (404)."""
        if not self.cluster_infix:
            return "/clusters/%s%s" % (cluster, path)
        for root in ("/kapis/", "/apis/", "/api/"):
            if path.startswith(root):
                return "%sclusters/%s/%s" % (root, cluster, path[len(root):])
        return "/kapis/clusters/%s%s" % (cluster, path)

    def body(self, method, path, body):
        """The request body with v4 apiVersions said the way this line stores them."""
        if method == "DELETE":
            for pattern, given, sent in self._delete_options:
                if body == given and pattern.search(path.partition("?")[0]):
                    return dict(sent)
        if not self._api_versions or not isinstance(body, dict) or "apiVersion" not in body:
            return body
        wanted = self._api_versions.get((body.get("apiVersion"), body.get("kind")))
        wanted = wanted or self._api_versions.get((body.get("apiVersion"), None))
        if not wanted:
            return body
        out = dict(body)
        out["apiVersion"] = wanted
        return out

    def is_missing(self, status, message):
        """True when an answer that is not a 404 still means "no such object" on this line
        (3.x answers a GET of a missing user or cluster with 500 'user.iam.kubesphere.io "x" not found')."""
        return bool(self.missing_on_500 and status == 500 and _MISSING_TEXT.match((message or "").strip()))

    def lacks(self, feature):
        """None when this line has the feature, else why not (which lines have it)."""
        if feature in self.features:
            return None
        having = [line.title for line in LINES.values() if feature in line.features]
        return "%s is not available on %s; it needs %s" % (
            FEATURES.get(feature, feature), self.title, " or ".join(having) or "a newer KubeSphere")


_IAM_TENANT_V1ALPHA2 = r"/\1.kubesphere.io/v1alpha2/"

LINES = {
    V4: ApiLine(V4, "KubeSphere 4.x (4.1, 4.2 Enterprise)",
                features=("extensions", "identity_providers", "member_bindings", "member_clusters",
                          "role_templates", "app_store")),
    V3: ApiLine(
        V3, "KubeSphere 3.x (3.4)",
        rewrites=(
            # Project members are .../members on 3.x (namespacemembers on 4.x).
            (r"^/kapis/iam\.kubesphere\.io/v1beta1/namespaces/([^/]+)/namespacemembers",
             r"/kapis/iam.kubesphere.io/v1alpha2/namespaces/\1/members"),
            # The v1alpha2 kapis workspaces ARE the WorkspaceTemplates (spec.template, spec.placement).
            (r"^/kapis/tenant\.kubesphere\.io/v1beta1/workspacetemplates",
             "/kapis/tenant.kubesphere.io/v1alpha2/workspaces"),
            (r"^/apis/tenant\.kubesphere\.io/v1beta1/workspaces", "/apis/tenant.kubesphere.io/v1alpha1/workspaces"),
            # 3.x has no iam ClusterRole or Role kinds (404): its cluster and project roles are Kubernetes'
            # own RBAC objects (real v3.4.1; pkg/models/iam/am on v3.4.1 reads rbacv1 ClusterRoles and Roles).
            (r"^/apis/iam\.kubesphere\.io/v1beta1/(clusterroles|roles|namespaces/[^/]+/roles)(?=/|$)",
             r"/apis/rbac.authorization.k8s.io/v1/\1"),
            (r"^/kapis/(iam|tenant)\.kubesphere\.io/v1beta1/", "/kapis" + _IAM_TENANT_V1ALPHA2),
            (r"^/apis/(iam|tenant)\.kubesphere\.io/v1beta1/", "/apis" + _IAM_TENANT_V1ALPHA2),
        ),
        api_versions={
            ("iam.kubesphere.io/v1beta1", None): "iam.kubesphere.io/v1alpha2",
            ("tenant.kubesphere.io/v1beta1", "Workspace"): "tenant.kubesphere.io/v1alpha1",
            ("tenant.kubesphere.io/v1beta1", None): "tenant.kubesphere.io/v1alpha2",
        },
        cluster_infix=True,
        missing_on_500=True,
        delete_options=(
            # v4 keeps a workspace's projects unless asked (Background); 3.x deletes them unless
            # asked to orphan them (pkg/models/tenant DeleteWorkspaceTemplate adds the orphan finalizer).
            (r"/kapis/tenant\.kubesphere\.io/v1beta1/workspacetemplates/[^/]+$", {},
             {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"}),
        ),
    ),
}


def line_of(git_version):
    """V3 or V4 from a gitVersion such as v3.4.1 or v4.2.0-ee; None when it says neither."""
    match = re.match(r"^v?(\d+)\.", str(git_version or "").strip())
    if not match:
        return None
    return V3 if match.group(1) == "3" else (V4 if int(match.group(1)) >= 4 else None)


def check_choice(value):
    """The ks_api_version option normalised (auto when unset); ValueError for anything else."""
    text = str(value).strip().lower() if value not in (None, "") else AUTO
    if text in ("3", "v3", "3.x", "v3.4", "3.4"):
        return V3
    if text in ("4", "v4", "4.x", "v4.1", "4.1", "v4.2", "4.2"):
        return V4
    if text == AUTO:
        return AUTO
    raise ValueError("ks_api_version must be one of auto, v3, v4, not %r" % (value,))
