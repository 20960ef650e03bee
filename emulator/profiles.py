"""Version profiles: which KubeSphere line the emulator answers as.

The emulator's routes, kinds and controllers are those of v4.1 (the default profile). A profile
says how another line differs, and the existing layers consult it: the app translates that
line's paths and apiVersions at the edge (``inbound``/``outbound``), the authorizer asks which
paths are open, the dispatcher which cluster routing form exists, and handlers, error
constructors, the OAuth endpoints, the lock-out and the controllers ask for the behaviours below.

3.4 is taken from ../shared/ks-recordings-v3.4 (real v3.4.1); where they are silent, from
KubeSphere's v3.4.1 source (pkg/kapis/tenant/v1alpha2, pkg/models/tenant,
pkg/controller/workspacetemplate), as noted at each field.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Tuple


@dataclass(frozen=True)
class Profile:
    name: str
    git_version: str
    git_commit: str
    open_paths: Tuple[str, ...]               # paths answered without authorization
    cluster_prefix: bool = True               # /clusters/{c}/... (v4); 3.x has only the infix forms
    # (pattern, replacement): this line's path -> the emulator's (v4) route. First match wins.
    inbound: Tuple[Tuple[str, str], ...] = ()
    refused: Tuple[str, ...] = ()             # path prefixes this line does not serve (404 text)
    api_versions: dict = field(default_factory=dict)   # stored apiVersion -> this line's
    bare_kapis: Tuple[str, ...] = ()          # kapis paths answered without kind/apiVersion
    # Behaviours (v4 values by default).
    missing_user_get_status: int = 404        # 3.x: 500 text
    duplicate_email_status: int = 403         # 3.x: 409 (the webhook's text)
    password_schema: bool = False             # 3.x: the CRD's minLength 8 answers 422; no complexity rule
    member_put_any: bool = False              # 3.x: PUT of a non-member is 200 (it binds the role)
    member_get_project: bool = False          # 3.x: GET .../members/{user} exists
    members_of_missing_namespace: bool = False   # 3.x: 200 and empty
    project_needs_workspace: bool = True      # 3.x: POST .../workspaces/{ws}/namespaces does not check it
    workspace_delete_body: bool = True        # v4 needs a JSON body on DELETE; 3.x does not
    workspace_missing_delete_status: int = 400
    workspace_deletes_projects: bool = False  # 3.x: unless propagationPolicy Orphan
    workspace_finalizer: str = "kubesphere.io/cascading-deletion"
    namespace_finalizer: str = "kubesphere.io/cascading-deletion"
    logout_revokes_all: bool = False          # 3.x: GET /oauth/logout revokes every token of the user
    post_logout_allowed: bool = True          # 3.x: POST /oauth/logout is 405
    lockout_async: bool = False               # 3.x: the user controller locks ~5 s later; then 429
    lockout_delay: float = 0.0
    wrong_password_text: str = "incorrect password"
    inactive_text: str = "Account suspended."
    lister_kind_lower: bool = False           # 3.x: 'user.iam.kubesphere.io "x" not found'
    project_roles_unmanaged: bool = False     # 3.x: every namespace of a workspace gets the project roles
    roles_after_finalizer: bool = False       # 3.x: built-in roles come after the finalizer (controllers/late_roles.py)
    # 3.x keeps project roles as rbac Roles of the same name (v4: iam Roles, mirrored as kubesphere:iam:{name})
    # and says so when one is missing; it answers an unknown /apis path with kube-apiserver's plain text.
    rbac_project_roles: bool = False
    refused_apis_text: bool = False
    kapis_list_total: Tuple[str, ...] = ()    # kapis lists answered {items, totalItems} (3.x role lists)
    unauthorized_prefix: str = ""             # 3.x: 401 messages start "Unauthorized: "
    # What the installer puts into system-workspace (v4: the chart's post-patch-system-ns job; 3.x:
    # ks-installer's init-namespaces and ks-multicluster tasks): the namespaces in every cluster, those
    # only the host has, the labels they get, and whether the WorkspaceTemplate is protected.
    system_namespaces: Tuple[str, ...] = ("kubesphere-system", "kubesphere-controls-system", "default",
                                          "kube-node-lease", "kube-public", "kube-system")
    system_host_namespaces: Tuple[str, ...] = ()
    system_namespace_labels: Tuple[str, ...] = ("kubesphere.io/managed", "kubesphere.io/protected-resource")
    system_workspace_protected: bool = True
    system_workspace_spec: Tuple[Tuple[str, object], ...] = ()   # extra template spec fields (3.x)

    def refuses(self, path):
        return any(path == p or path.startswith(p + "/") for p in self.refused)

    def to_internal(self, path):
        for pattern, replacement in self._inbound():
            new, count = pattern.subn(replacement, path, count=1)
            if count:
                return new
        return path

    def _inbound(self):
        return [(re.compile(p), r) for p, r in self.inbound]

    def body_in(self, body):
        """A request body with this line's apiVersions said as the emulator stores them."""
        if not self.api_versions or not body:
            return body
        try:
            data = json.loads(body)
        except ValueError:
            return body
        back = {theirs: ours for ours, theirs in self.api_versions.items()}
        if isinstance(data, dict) and data.get("apiVersion") in back:
            data["apiVersion"] = back[data["apiVersion"]]
            return json.dumps(data).encode()
        return body

    def body_out(self, data, path):
        """An answer's JSON as this line writes it."""
        bare = path.startswith(self.bare_kapis) if self.bare_kapis else False
        finalizers = None
        if self.workspace_finalizer != _CASCADING:
            finalizers = (self.workspace_finalizer, self.namespace_finalizer)
        data = _rewrite(data, self.api_versions, bare, finalizers)
        if self.kapis_list_total and isinstance(data, dict) and isinstance(data.get("items"), list) and any(
                re.match(p, path.partition("?")[0]) for p in self.kapis_list_total):
            data = {"items": data["items"], "totalItems": len(data["items"])}
        return data


_CASCADING = "kubesphere.io/cascading-deletion"   # what the emulator's controllers add (v4's name)


def _rewrite(data, versions, bare, finalizers=None):
    if isinstance(data, list):
        return [_rewrite(item, versions, bare, finalizers) for item in data]
    if not isinstance(data, dict):
        return data
    meta = data.get("metadata")
    if finalizers and isinstance(meta, dict) and _CASCADING in (meta.get("finalizers") or []):
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        name = finalizers[0] if ("template" in spec or "placement" in spec) else finalizers[1]
        data = dict(data, metadata=dict(meta, finalizers=[name if f == _CASCADING else f for f in meta["finalizers"]]))
    if bare and "metadata" in data:
        data = {k: v for k, v in data.items() if k not in ("kind", "apiVersion")}
    elif data.get("apiVersion") in versions:
        data = dict(data, apiVersion=versions[data["apiVersion"]])
    if isinstance(data.get("items"), list):
        data = dict(data, items=[_rewrite(item, versions, bare, finalizers) for item in data["items"]])
    return data


V41 = Profile(
    name="4.1", git_version="v4.1.3", git_commit="3ef3a6bc98b790480577e87fbc75bee5b3438862",
    open_paths=("/.well-known/openid-configuration", "/version", "/metrics", "/livez", "/healthz",
                "/openapi/v2", "/openapi/v3"))

_IAM3 = "/kapis/iam.kubesphere.io/v1alpha2"
_TENANT3 = "/kapis/tenant.kubesphere.io/v1alpha2"

V34 = Profile(
    name="3.4", git_version="v3.4.1", git_commit="3e0493a1c5e1c4413a7b77e8b408d428220ed929",
    # version.json: /kapis/version open, /version and /livez 403 for anonymous callers.
    open_paths=("/.well-known/openid-configuration", "/kapis/version", "/metrics", "/healthz",
                "/openapi/v2", "/openapi/v3"),
    cluster_prefix=False,
    inbound=(
        (r"^/kapis/version$", "/kapis/version"),
        (r"^" + _IAM3 + r"/namespaces/([^/]+)/members", r"/kapis/iam.kubesphere.io/v1beta1/namespaces/\1/namespacemembers"),
        # v1alpha2 /workspaces are the templates (spec.template, spec.placement); the
        # per-cluster Workspace is v1alpha3 /workspaces.
        (r"^" + _TENANT3 + r"/workspaces/([^/]+)/(namespaces|clusters|resourcequotas)",
         r"/kapis/tenant.kubesphere.io/v1beta1/workspaces/\1/\2"),
        (r"^" + _TENANT3 + r"/workspaces", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"),
        (r"^/kapis/tenant\.kubesphere\.io/v1alpha3/workspaces", "/kapis/tenant.kubesphere.io/v1beta1/workspaces"),
        (r"^/kapis/(iam|tenant)\.kubesphere\.io/v1alpha2/", r"/kapis/\1.kubesphere.io/v1beta1/"),
        (r"^/apis/tenant\.kubesphere\.io/v1alpha1/workspaces", "/apis/tenant.kubesphere.io/v1beta1/workspaces"),
        (r"^/apis/(iam|tenant)\.kubesphere\.io/v1alpha2/", r"/apis/\1.kubesphere.io/v1beta1/"),
    ),
    # errors.json: the v4 paths are 404 on 3.4; there is no extension API either.
    refused=("/kapis/tenant.kubesphere.io/v1beta1", "/kapis/iam.kubesphere.io/v1beta1",
             "/apis/tenant.kubesphere.io/v1beta1", "/apis/iam.kubesphere.io/v1beta1",
             "/kapis/kubesphere.io/v1alpha1", "/apis/kubesphere.io/v1alpha1", "/clusters",
             # 3.x's cluster and project roles are rbac.authorization.k8s.io's (real v3.4.1: 404 here).
             "/apis/iam.kubesphere.io/v1alpha2/clusterroles", "/apis/iam.kubesphere.io/v1alpha2/roles"),
    api_versions={"iam.kubesphere.io/v1beta1": "iam.kubesphere.io/v1alpha2",
                  "tenant.kubesphere.io/v1beta1": "tenant.kubesphere.io/v1alpha2"},
    # v3-gaps.json: the v1alpha3 workspace, member and role GETs carry no kind/apiVersion either.
    bare_kapis=(_IAM3 + "/", _TENANT3 + "/workspaces", "/kapis/tenant.kubesphere.io/v1alpha3/workspacetemplates",
                "/kapis/tenant.kubesphere.io/v1alpha3/workspaces"),
    missing_user_get_status=500,
    duplicate_email_status=409,
    password_schema=True,
    member_put_any=True,
    member_get_project=True,
    members_of_missing_namespace=True,
    project_needs_workspace=False,
    workspace_delete_body=False,
    workspace_missing_delete_status=404,
    workspace_deletes_projects=True,
    workspace_finalizer="finalizers.workspacetemplate.kubesphere.io",
    namespace_finalizer="finalizers.kubesphere.io/namespaces",
    logout_revokes_all=True,
    post_logout_allowed=False,
    lockout_async=True,
    lockout_delay=5.0,                     # oauth-lockout.json: state left Active 4.99 s after the 11th failure
    inactive_text="account is not active",
    lister_kind_lower=True,
    project_roles_unmanaged=True,
    roles_after_finalizer=True,
    rbac_project_roles=True,
    refused_apis_text=True,               # v3-gaps.json: /apis/iam.kubesphere.io/v1alpha2/clusterroles
    kapis_list_total=(r"^" + _IAM3 + r"/workspaces/[^/]+/workspaceroles$", r"^" + _IAM3 + r"/namespaces/[^/]+/roles$"),
    unauthorized_prefix="Unauthorized: ",
    system_namespaces=("kubesphere-system", "kubesphere-controls-system", "kubesphere-monitoring-system",
                       "kubesphere-monitoring-federated", "kube-node-lease", "default", "kube-public", "kube-system"),
    system_host_namespaces=("kube-federation-system",),
    system_namespace_labels=(),            # ks-installer sets only kubesphere.io/workspace
    system_workspace_protected=False,      # role-templates.yaml: labelled kubefed.io/managed only
    system_workspace_spec=(("networkIsolation", False),),
)

PROFILES = {"4.1": V41, "3.4": V34}


def get(name):
    try:
        return PROFILES[str(name)]
    except KeyError:
        raise ValueError(f"unknown KubeSphere version {name!r}; the emulator can be {', '.join(PROFILES)}") from None
