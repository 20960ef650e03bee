"""KubeSphere's own workspace, as the installer leaves it: the WorkspaceTemplate
`system-workspace` (v4.1.3 chart templates/workspace.yaml; 3.4 ks-installer
role-templates.yaml) placed on every cluster, and the system namespaces labelled
into it (v4: the chart's post-patch-system-ns job; 3.4: ks-installer). The
controllers then do the rest as for any workspace: its four roles, the admin
binding, a Workspace per cluster and the project roles of managed namespaces."""

from .kinds.core import NAMESPACE
from .kinds.tenant import PROTECTED_LABEL, WORKSPACE_LABEL, WORKSPACE_TEMPLATE

NAME = "system-workspace"
DESCRIPTION = ("system-workspace is a built-in workspace automatically created by KubeSphere. "
               "It contains all system components to run KubeSphere.")


def seed_system_workspace(app):
    profile = app.profile
    metadata = {"name": NAME, "annotations": {"kubesphere.io/creator": "admin", "kubesphere.io/description": DESCRIPTION}}
    if profile.system_workspace_protected:
        metadata["labels"] = {PROTECTED_LABEL: "true"}
    spec = dict({"manager": "admin"}, **dict(profile.system_workspace_spec))
    app.api.create(app.host, WORKSPACE_TEMPLATE, {"metadata": metadata, "spec": {
        "template": {"metadata": {}, "spec": spec}, "placement": {"clusterSelector": {}}}}, admit=False)


def system_namespaces(app, cluster):
    """{name: labels} of the namespaces the installer puts into system-workspace in this cluster."""
    profile = app.profile
    names = profile.system_namespaces + (profile.system_host_namespaces if cluster == app.host else ())
    labels = dict({WORKSPACE_LABEL: NAME}, **{key: "true" for key in profile.system_namespace_labels})
    return {name: dict(labels) for name in names}


def seed_system_namespaces(app, cluster):
    for name, labels in system_namespaces(app, cluster).items():
        app.api.create(cluster, NAMESPACE, {"metadata": {"name": name, "labels": labels}})
