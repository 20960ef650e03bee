#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_info
short_description: Query KubeSphere workspaces, projects, users, members, clusters, roles and the App Store
version_added: 0.1.0
description:
  - Returns the objects of one kind as KubeSphere returns them, every page read.
  - O(name) selects one object by its exact name (KubeSphere's own C(name) filter matches substrings and display
    names, so it is not used). Without O(name), all objects the caller may see are returned.
  - Changes nothing.
options:
  kind:
    description:
      - What to query.
      - V(workspace) (WorkspaceTemplates), V(project) (namespaces of a workspace; without O(workspace), every
        namespace the caller may see, as KubeSphere lists them), V(user), V(workspace_member) (needs O(workspace); member items are short user
        objects with the annotation C(iam.kubesphere.io/workspacerole)), V(project_member) (needs O(project);
        annotation C(iam.kubesphere.io/role)), V(cluster) (without kubeconfigs; see RV(clusters)).
      - V(extension) and V(installplan) read the extension objects of KubeSphere v4.
      - V(identity_provider) lists the identity providers of KubeSphere v4 (platform-admin rights needed), each
        one's C(name), C(type), C(mappingMethod), C(displayName), C(hidden), C(disabled) and C(provider)
        settings without secret options (keys containing C(password) or C(secret)), and the C(secret) holding it.
      - V(oauth) returns one item, the server's OAuth settings as C(configs/oauth) reports them (issuer, token
        lifetimes in nanoseconds, the identity providers it could build, without secrets, and the OAuth clients);
        any logged-in user may read it. O(label_selector) does not apply to these two kinds.
      - V(roletemplate) lists the RoleTemplates custom roles are built from (see O(scope) and O(category)); their
        names are what M(kubesphere.core.ks_role) takes as O(kubesphere.core.ks_role#module:templates).
      - V(role) lists the roles of one O(scope) (built-in and custom), V(global) (default), V(cluster) (per
        cluster), V(workspace) (needs O(workspace)), V(project) (needs O(project)).
      - The App Store of KubeSphere 4 (version_added 0.2.0) - V(app_repo) the Helm repositories (of O(workspace),
        else all; C(spec.url) without credentials and passwords masked), V(app) the apps (of O(workspace), else
        all; O(label_selector) V(application.kubesphere.io/repo-name=<repo>) picks a repository's),
        V(app_version) the versions of O(app) (required), V(app_release) the deployed apps (of O(project), else of
        O(workspace), else all; Helm values and a YAML app's documents decoded in C(spec.values), the data of
        Secrets masked), V(app_category) the categories.
    type: str
    required: true
    choices: [workspace, project, user, workspace_member, project_member, cluster, extension, installplan,
              identity_provider, oauth, roletemplate, role, app_repo, app, app_version, app_release, app_category]
  name:
    description: The exact name of one object; the result is empty when it does not exist.
    type: str
  workspace:
    description: The workspace, for O(kind=workspace_member) (required) and O(kind=project).
    type: str
  project:
    description: The project (namespace), for O(kind=project_member) (required) and O(kind=app_release).
    type: str
  app:
    description: The app whose versions O(kind=app_version) lists (required there).
    type: str
    version_added: 0.2.0
  cluster:
    description:
      - The cluster to ask, for the kinds each cluster serves (V(project), V(project_member)). Default is the host.
    type: str
  label_selector:
    description: A Kubernetes label selector, for example V(team=payments) or V(env in (dev,test)).
    type: str
  scope:
    description:
      - For O(kind=role), the scope of the roles; for O(kind=roletemplate), only the templates of that scope
        (label C(iam.kubesphere.io/scope), V(project) meaning C(namespace)).
    type: str
    version_added: 0.2.0
    choices: [global, cluster, workspace, project]
  category:
    description:
      - For O(kind=roletemplate), only the templates of this category (label C(iam.kubesphere.io/category), for
        example V(global-access-control) or V(namespace-configuration-management)).
    type: str
    version_added: 0.2.0
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes.INFO
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: All workspaces
  kubesphere.core.ks_info:
    kind: workspace
  register: workspaces

- name: One user
  kubesphere.core.ks_info:
    kind: user
    name: alice
  register: alice

- name: Members of a workspace and their roles
  kubesphere.core.ks_info:
    kind: workspace_member
    workspace: demo
  register: members

- name: Print the member names
  ansible.builtin.debug:
    msg: "{{ members.resources | map(attribute='metadata.name') | list }}"

- name: Projects of a workspace on a member cluster
  kubesphere.core.ks_info:
    kind: project
    workspace: demo
    cluster: member-1

- name: The identity providers and their non-secret settings
  kubesphere.core.ks_info:
    kind: identity_provider
  register: providers

- name: The workspace-scope role templates about members and roles
  kubesphere.core.ks_info:
    kind: roletemplate
    scope: workspace
    category: workspace-access-control
  register: templates

- name: The roles of a project (built-in and custom)
  kubesphere.core.ks_info:
    kind: role
    scope: project
    project: demo-web

- name: Viewers of a project
  kubesphere.core.ks_info:
    kind: project_member
    project: demo-web
  register: project_members

- name: The versions of an App Store app and their review states
  kubesphere.core.ks_info:
    kind: app_version
    workspace: demo
    app: hello
  register: hello_versions
"""

RETURN = r"""
clusters:
  description:
    - For O(kind=cluster), each cluster in the words of M(kubesphere.core.ks_cluster) - C(name), C(role)
      (V(host) or V(member)), C(ready), C(group), C(visibility), C(labels) (KubeSphere cluster labels, key to
      value), C(workspaces) (placed on it, C(system-workspace) left out; null when the caller may not list
      workspaces), C(provider), C(kubernetes_version) and C(kubesphere_version).
  returned: when O(kind=cluster)
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - {name: edge-1, role: member, ready: true, group: production, visibility: private,
       labels: {region: eu-west}, workspaces: [payments], provider: kubesphere,
       kubernetes_version: v1.30.4, kubesphere_version: v4.1.3}
resources:
  description: The objects found, as KubeSphere returns them (users without passwords, clusters without kubeconfigs).
  returned: always
  type: list
  elements: dict
  sample:
    - apiVersion: tenant.kubesphere.io/v1beta1
      kind: WorkspaceTemplate
      metadata:
        name: demo
      spec:
        template:
          spec:
            manager: alice
        placement:
          clusters:
            - name: host
"""

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_info import KINDS, query, summaries, validate
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule


def main():
    module = KubeSphereModule(
        argument_spec=dict(
            kind=dict(type="str", required=True, choices=list(KINDS)),
            name=dict(type="str"),
            workspace=dict(type="str"),
            project=dict(type="str"),
            app=dict(type="str"),
            cluster=dict(type="str"),
            label_selector=dict(type="str"),
            scope=dict(type="str", choices=["global", "cluster", "workspace", "project"]),
            category=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    problem = validate(module.params)
    if problem:
        module.fail_json(msg=problem)
    try:
        resources = query(module.client, module.params)
        extra = summaries(module.client, module.params, resources)
    except KubeSphereError as err:
        module.fail_from_error(err, action="Query %s" % module.params["kind"])
    module.exit_json(changed=False, resources=resources, **extra)


if __name__ == "__main__":
    main()
