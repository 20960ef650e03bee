#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_tenancy
short_description: Converge a whole KubeSphere tenancy (users, workspaces, projects, roles, members, App Store repos) in one task
version_added: 0.2.0
description:
  - Converges many users, workspaces, projects and custom roles, with their members, quotas and limits, and
    the workspaces' App Store repositories, in one task over one login. Each item takes exactly the options of
    M(kubesphere.core.ks_user), M(kubesphere.core.ks_workspace), M(kubesphere.core.ks_project),
    M(kubesphere.core.ks_role) or M(kubesphere.core.ks_app_repo) (without the connection options), with the
    same defaults and the same checks, and is converged by the same code as those modules.
  - Every item is checked before any request is sent, and every input error of every item is reported at once.
  - Reads each collection once by list (users, workspace templates, the namespaces of each cluster involved,
    the global and workspace roles and the role templates when roles are declared, and on KubeSphere 4.x the
    role bindings behind the members when ten or more workspaces, or projects on one cluster, have members,
    and every workspace's App Store repositories when repositories are declared)
    and answers each object's first read from it, so a run that changes nothing costs a few lists, plus one
    request per object whose own sub-objects are not listed (the members of a few objects, a quota, default
    limits, a project role); objects are never read back after a write (but App Store repositories, whose
    write answers hold no object).
  - "Runs in order: global and cluster roles, users, workspaces, workspace roles, projects, project roles,
    App Store repositories, then the members (and quotas and default limits) of workspaces and projects and
    the repositories' syncs; then removals (items with C(state=absent), and what O(prune) removes) in reverse
    order."
  - An item that refers to a user, workspace, project or custom role that neither exists nor is declared
    fails before anything is written for it; an item that refers to a declared item that failed (a project in a workspace that could
    not be created) is skipped. The others go on, and the task fails at the end listing every failure.
  - B(Management.) An object is under this collection's management when it carries the label
    C(app.kubernetes.io/managed-by=kubesphere.core). The collection's modules (this one and the single ones)
    add it when they create a user, workspace or project; an existing platform is adopted by adding the label
    (an export with adoption does, or C(kubectl label)). The label is never compared nor shown as a change of
    an item's C(labels), and may not be set there.
options:
  users:
    description:
      - Users, each with the options of M(kubesphere.core.ks_user) (below), with the same defaults and checks.
        Passwords are masked in every output.
    type: list
    elements: dict
    default: []
  workspaces:
    description:
      - Workspaces, each with the options of M(kubesphere.core.ks_workspace) (below), with the same defaults and
        checks.
    type: list
    elements: dict
    default: []
  projects:
    description:
      - Projects, each with the options of M(kubesphere.core.ks_project) (below), with the same defaults and
        checks. A project is one object per cluster.
    type: list
    elements: dict
    default: []
  roles:
    description:
      - Custom roles, each with the options of M(kubesphere.core.ks_role) (below), with the same defaults and
        checks. Members of the workspaces and projects above may be given them by name.
      - A workspace role's name is unique across workspaces (KubeSphere keeps WorkspaceRoles cluster-wide).
    type: list
    elements: dict
    default: []
  app_repos:
    description:
      - App Store repositories of workspaces, each with the options of M(kubesphere.core.ks_app_repo) (below),
        with the same defaults and checks; O(app_repos[].sync=true) syncs as that module does. Needs KubeSphere
        4.x. Passwords are compared with the stored ones and masked in every output.
      - Not for O(prune) (KubeSphere keeps no label of ours on a repository); remove one with C(state=absent).
    type: list
    elements: dict
    default: []
  concurrency:
    description: How many objects are converged at once (requests in flight over the one login), 1 to 32.
    type: int
    default: 8
  prune:
    description:
      - The kinds whose undeclared objects are removed. Only objects under management (see above) go, never a
        protected one (KubeSphere's and Kubernetes' own, the user this task logs in as, another tool's; the rule of
        O(kubesphere.core.ks_user#module:allow_protected)).
      - B(Brakes.) A kind with no declared items is refused (an empty list is what a misspelt key gives) unless
        O(allow_empty_prune); more removals than O(prune_limit) stop the task before any write; only what lies
        inside O(prune_scope) goes; and nothing that survives the run still refers to what is removed (a user
        who still manages or is a member of a workspace or project that stays, a workspace that still has a
        project or custom role anywhere, on any cluster, or an App Store repository); such objects are kept, with
        a warning naming what holds them. A workspace placed on a member cluster that is not ready is kept, and users are not pruned then
        (their memberships there cannot be read).
      - Projects are pruned on every ready cluster; roles at the global and workspace scopes, and cluster roles
        on the clusters a declared cluster role names (project roles are not pruned; remove them with
        C(state=absent)). Removals run in reverse order and each waits for those of what refers to it, so a
        removal that fails (a bound role) keeps what it held.
      - An item declared with C(state=absent) is removed whether it is under management or not (but never a
        protected one without its O(kubesphere.core.ks_user#module:allow_protected)).
    type: list
    elements: str
    choices: [users, workspaces, projects, roles, app_repos]
    default: []
  prune_limit:
    description:
      - The most objects O(prune) may remove in one run. When more would go, the task fails before sending any
        write, naming them and the number to raise this to.
    type: int
    default: 10
  allow_empty_prune:
    description:
      - Let O(prune) name a kind with no declared items, removing every managed object of that kind.
    type: bool
    default: false
  prune_scope:
    description:
      - What the declaration covers; O(prune) removes nothing outside it. An export filtered with
        O(kubesphere.core.ks_export#module:workspaces) or O(kubesphere.core.ks_export#module:label_selector)
        records its filter as C(ks_prune_scope), which the C(kubesphere.core.tenant) role passes here.
    type: dict
    suboptions:
      workspaces:
        description:
          - Only these workspaces, their projects and custom roles, and the users who manage or are members of
            them (or of their projects) today. Platform-wide objects (global and cluster roles) are outside.
        type: list
        elements: str
      label_selector:
        description: Only objects whose labels match this Kubernetes label selector (V(team=payments)).
        type: str
extends_documentation_fragment:
  - kubesphere.core.items.tenancy
  - kubesphere.core.connection
  - kubesphere.core.attributes
notes:
  - In check mode nothing is written and RV(results) is the plan; with C(--diff) the plan is printed first (how
    many objects each action touches, and every deletion by name), then each changed object's managed fields
    before and after, headed by its action (C(create), C(update) or C(delete)).
seealso:
  - module: kubesphere.core.ks_user
  - module: kubesphere.core.ks_workspace
  - module: kubesphere.core.ks_project
  - module: kubesphere.core.ks_role
  - module: kubesphere.core.ks_app_repo
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: The payments team, in one task
  kubesphere.core.ks_tenancy:
    users:
      - {name: alice, email: alice@example.com, password: "{{ vault_alice_password }}"}
      - {name: bob, email: bob@example.com, password: "{{ vault_bob_password }}"}
    workspaces:
      - name: payments
        manager: alice
        clusters: [host, member1]
        quota: {limits.cpu: "20", limits.memory: 64Gi}
        members: [{user: bob, role: payments-release-manager}]
    projects:
      - name: payments-api
        workspace: payments
        quota: {limits.cpu: "8", requests.memory: 16Gi}
        default_limits: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 512Mi}}
        members: [{user: bob, role: operator}]
      - {name: payments-batch, workspace: payments, cluster: member1}
    roles:
      - name: payments-release-manager
        scope: workspace
        workspace: payments
        templates: [workspace-view-projects, workspace-view-members]
    app_repos:
      - {name: payments-charts, workspace: payments, url: "https://charts.example.com/payments", sync: true}

- name: Exactly the declared tenancy; remove what this collection made that is no longer declared
  kubesphere.core.ks_tenancy:
    users: "{{ platform_users }}"
    workspaces: "{{ platform_workspaces }}"
    projects: "{{ platform_projects }}"
    roles: "{{ platform_roles }}"
    prune: [users, workspaces, projects, roles]
    concurrency: 16
  register: tenancy

- name: What changed
  ansible.builtin.debug:
    msg: "{{ tenancy.results | selectattr('changed') | map(attribute='name') | list }}"
"""

RETURN = r"""
results:
  description: One entry per object, in the order they ran (in check mode, the plan).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(user), V(workspace), V(project), V(role) or V(app_repo).
      type: str
    name:
      description: The object's name.
      type: str
    cluster:
      description: The cluster of a project, cluster role or project role (V(host) for the host); null for the others.
      type: str
    scope:
      description: A role's scope.
      type: str
      returned: for roles
    workspace:
      description: The workspace of a workspace role or an App Store repository.
      type: str
      returned: for workspace roles and App Store repositories
    project:
      description: A project role's project.
      type: str
      returned: for project roles
    action:
      description: V(created), V(updated), V(deleted), V(unchanged), V(failed) or V(skipped).
      type: str
    changed:
      description: Whether a write was sent for it (in check mode, would be).
      type: bool
    pruned:
      description: True for an object removed by O(prune).
      type: bool
      returned: when pruned
    msg:
      description: Why it failed or was skipped.
      type: str
      returned: when failed or skipped
    diff:
      description: The managed fields before and after (secrets masked).
      type: dict
      returned: in diff mode
  sample:
    - {kind: user, name: alice, cluster: null, action: created, changed: true}
    - {kind: project, name: payments-api, cluster: host, action: unchanged, changed: false}
plan:
  description: What the run did (in check mode, would do), by action.
  returned: always
  type: dict
  contains:
    counts:
      description: How many objects are created, updated and deleted.
      type: dict
      sample: {create: 2, update: 1, delete: 1}
    deleted:
      description: Every object deleted, by kind and name (pruned ones marked so).
      type: list
      elements: str
      sample: [user alice (pruned)]
    text:
      description: The same in one line, printed first under C(--diff).
      type: str
      sample: "ks_tenancy: create 2, update 1, delete 1; delete: user alice (pruned)"
prune_refused:
  description: The objects O(prune) would have removed, when they were more than O(prune_limit) and nothing was sent.
  returned: when the prune was refused
  type: list
  elements: str
summary:
  description: Counts per kind and action.
  returned: always
  type: dict
  sample:
    users: {created: 1, updated: 0, deleted: 0, unchanged: 1, failed: 0, skipped: 0}
    workspaces: {created: 1, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0}
    projects: {created: 0, updated: 0, deleted: 0, unchanged: 2, failed: 0, skipped: 0}
failures:
  description: The message of every object that failed or was skipped.
  returned: when an object failed
  type: list
  elements: str
"""

from ansible_collections.kubesphere.core.plugins.module_utils.ks_bulk_module import BulkModule, run_bulk
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_tenancy import KINDS, load_memberships


def main():
    spec = dict((kind.option, dict(type="list", elements="dict", default=[])) for kind in KINDS)
    spec.update(concurrency=dict(type="int", default=8),
                prune=dict(type="list", elements="str", choices=[kind.option for kind in KINDS], default=[]),
                prune_limit=dict(type="int", default=10),
                allow_empty_prune=dict(type="bool", default=False),
                prune_scope=dict(type="dict", options=dict(workspaces=dict(type="list", elements="str"),
                                                           label_selector=dict(type="str"))))
    module = BulkModule(KINDS, argument_spec=spec, supports_check_mode=True)
    run_bulk(module, memberships=load_memberships)


if __name__ == "__main__":
    main()
