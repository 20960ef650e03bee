# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""KubeSphere's names, once: API paths (4.x spellings; ks_versions rewrites them for 3.x at the edge),
labels and annotations. KAPIS_* are ks-apiserver's own APIs, APIS_* the resources it serves as
Kubernetes objects: the same group under both roots means different things."""

from __future__ import annotations

# ---- paths -----------------------------------------------------------------------------------------------
KAPIS_IAM = "/kapis/iam.kubesphere.io/v1beta1"
APIS_IAM = "/apis/iam.kubesphere.io/v1beta1"
KAPIS_TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
TEMPLATES = KAPIS_TENANT + "/workspacetemplates"
USERS = KAPIS_IAM + "/users"
RAW_USERS = APIS_IAM + "/users"
GLOBAL_ROLE_BINDINGS = APIS_IAM + "/globalrolebindings"
CLUSTERS = "/kapis/resources.kubesphere.io/v1alpha3/clusters"
EXTENSIONS_API = "/apis/kubesphere.io/v1alpha1"
WORKSPACE_QUOTAS = "/apis/quota.kubesphere.io/v1alpha2/resourcequotas"

# Where a workspace's or a project's members are listed and added (by its name), and the annotation that names
# each member's role there.
MEMBERS_PATHS = {"workspace": KAPIS_IAM + "/workspaces/%s/workspacemembers",
                 "project": KAPIS_IAM + "/namespaces/%s/namespacemembers"}
MEMBER_ROLE_ANNOTATIONS = {"workspace": "iam.kubesphere.io/workspacerole", "project": "iam.kubesphere.io/role"}

# ---- labels and annotations --------------------------------------------------------------------------------
WORKSPACE_LABEL = "kubesphere.io/workspace"
MANAGED_LABEL = "kubesphere.io/managed"
PROTECTED_LABEL = "kubesphere.io/protected-resource"
EXTENSION_REF_LABEL = "kubesphere.io/extension-ref"
ALIAS = "kubesphere.io/alias-name"
DESCRIPTION = "kubesphere.io/description"
CREATOR = "kubesphere.io/creator"
NETWORK_ISOLATION = "kubesphere.io/network-isolate"
GLOBALROLE_ANNOTATION = "iam.kubesphere.io/globalrole"
IDENTITY_PREFIX = "iam.kubesphere.io/identity-provider."
USER_REF_LABEL = "iam.kubesphere.io/user-ref"
ROLE_REF_LABEL = "iam.kubesphere.io/role-ref"
ROLE_TEMPLATE_LABEL = "iam.kubesphere.io/role-template"
SCOPE_LABEL = "iam.kubesphere.io/scope"
REGO = "iam.kubesphere.io/rego-override"

# ---- member clusters ---------------------------------------------------------------------------------------
APIS_CLUSTERS = "/apis/cluster.kubesphere.io/v1alpha1/clusters"
KAPIS_CLUSTERS = "/kapis/cluster.kubesphere.io/v1alpha1/clusters"
CLUSTER_LABELS = "/kapis/cluster.kubesphere.io/v1alpha1/labels"
CLUSTER_LABEL_BINDINGS = "/kapis/cluster.kubesphere.io/v1alpha1/labelbindings"
HOST_CLUSTER_LABEL = "cluster-role.kubesphere.io/host"
CLUSTER_GROUP_LABEL = "cluster.kubesphere.io/group"
CLUSTER_VISIBILITY_LABEL = "cluster.kubesphere.io/visibility"
CLUSTER_LABEL_PREFIX = "label.cluster.kubesphere.io/"
CONFIG_HASH = "kubesphere.io/config-hash"


def labels_of(obj):
    """An object's labels ({} when it has none)."""
    return ((obj or {}).get("metadata") or {}).get("labels") or {}


def workspace_of(obj):
    """The workspace an object is labelled with (a namespace, a WorkspaceRole, a binding), or None."""
    return labels_of(obj).get(WORKSPACE_LABEL)
