#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_export
short_description: Export today's KubeSphere tenancy as the items the tenant and extensions roles take
version_added: 0.2.0
description:
  - Reads users, workspaces, projects (on every cluster the caller can reach), their members, quotas, default
    limits and network isolation, custom roles, the workspaces' App Store repositories and the installed
    extensions, and returns them as RV(ks_users), RV(ks_workspaces), RV(ks_projects), RV(ks_roles),
    RV(ks_app_repos) and RV(ks_extensions), items whose keys are the options of M(kubesphere.core.ks_user),
    M(kubesphere.core.ks_workspace), M(kubesphere.core.ks_project), M(kubesphere.core.ks_role),
    M(kubesphere.core.ks_app_repo) and M(kubesphere.core.ks_extension). Applied with the
    C(kubesphere.core.tenant) and C(kubesphere.core.extensions) roles, the export changes nothing.
  - A separate module rather than a M(kubesphere.core.ks_info) mode, because it returns declared state (options),
    not API objects, and because with O(mark_managed) it writes.
  - Only what the modules manage is exported; nothing the server owns (uids, resource versions, timestamps, status,
    the roles and bindings its controllers make, the C(kubesphere.io/creator) annotation, the labels KubeSphere
    sets). Items are sorted by name (projects by name and cluster) and their keys come in a fixed order, so two
    exports of an unchanged platform are identical and a diff of two exports reads as the changes.
  - Workspaces carry their O(kubesphere.core.ks_workspace#module:quota) (the hard limits of the workspace quota)
    and projects their O(kubesphere.core.ks_project#module:quota) (the ResourceQuota named after the project) and
    O(kubesphere.core.ks_project#module:default_limits) (the Container defaults of the LimitRange the console
    edits), quantities spelled as the server stores them (C(1000m) comes back as C(1)). The tenant API has no
    list of workspace quotas, so they are read by one list of the C(quota.kubesphere.io) objects, which needs
    platform-admin rights, and otherwise by one GET per workspace. Project quotas and LimitRanges are read by
    one list of each per cluster, and otherwise by one list of each per project.
  - C(network_isolation=true) is exported where the C(kubesphere.io/network-isolate) annotation is on; where it
    is off or missing the option is left out, which the modules then leave alone (and off reads as false).
  - Users carry their O(kubesphere.core.ks_user#module:identities), the links to identity-provider identities
    (the C(iam.kubesphere.io/identity-provider.<provider>) annotations). The providers themselves are not
    exported (their secrets are not readable back); M(kubesphere.core.ks_info) with C(kind=identity_provider)
    shows them.
  - Custom roles are exported as RV(ks_roles), items with the options of M(kubesphere.core.ks_role). They are the
    global roles (one list), the cluster roles (one list per ready cluster), the roles of each exported workspace (one list of all
    WorkspaceRoles) and of each exported project (one list of Roles per cluster, else one per project). With
    O(workspaces), only those workspaces' and their projects' roles. Members that hold a custom role name it in
    full, as M(kubesphere.core.ks_workspace) takes it.
  - KubeSphere's own roles are never exported, not even with O(include_system), because its controllers make and
    own them. They are the roles annotated C(kubesphere.io/creator=system) (what KubeSphere makes from its
    BuiltinRoles, and the cluster built-ins), the GlobalRoles the ks-core chart installs (C(anonymous),
    C(authenticated), C(platform-admin), C(platform-regular), C(platform-self-provisioner),
    C(pre-registration)), C(cluster-admin) and C(cluster-viewer), each workspace's C(<workspace>-admin),
    C(-regular), C(-self-provisioner) and C(-viewer), and each project's C(admin), C(operator) and C(viewer).
  - A role carries the names of the role templates it is built from, not its rules. A role whose rules come
    from no template (written by hand) is exported with O(kubesphere.core.ks_role#module:templates=[]) and a
    warning; applied to another platform it would be made without those rules. A WorkspaceRole without the
    C(kubesphere.io/workspace) label cannot be bound and is left out (RV(left_out)).
  - Users are exported without passwords (KubeSphere never returns them); applying the export to users that exist
    neither needs nor resets one. A user locked out by failed logins is exported as enabled, as the modules see it,
    so applying the export neither unlocks nor disables anyone. The platform role is the one the user's
    GlobalRoleBindings grant.
  - App Store repositories (KubeSphere 4.x) go with their workspace. Those of the exported workspaces are read
    by one list of every repository when the caller may make it, else by one list per workspace. They are
    exported without their passwords, which KubeSphere shows to every reader but a file must not hold. Applied
    as is, the stored password is kept; applied to another platform, give it as C(password) in the item (a
    warning names each repository concerned). On KubeSphere 3.x none is exported (RV(left_out)).
  - Objects being deleted are left out with a warning naming them. A member cluster that is not ready is reported
    (RV(left_out)) and its projects are left out. What the caller may not read (a platform-regular user may not list
    users, for example) is left out with a warning, so the export holds what that user may see.
  - Namespaces that belong to no workspace are not projects; they are listed in RV(unassigned_namespaces), and
    M(kubesphere.core.ks_project) with O(kubesphere.core.ks_project#module:adopt=true) brings one into a workspace.
  - Use C(playbooks/export_tenancy.yml) to write the export to a vars file.
options:
  workspaces:
    description:
      - Export only these workspaces, their projects and the users who are members of them (or of their projects).
        Extensions, which are platform-wide, are then not exported.
    type: list
    elements: str
  label_selector:
    description:
      - Export only the users, workspaces, projects and extensions that match this Kubernetes label selector, for
        example V(team=payments) or V(app.kubernetes.io/managed-by=kubesphere.core).
    type: str
  include_system:
    description:
      - Also export KubeSphere's own objects, left out by default, C(admin), C(system-workspace), the
        C(kube-*) and C(kubesphere-*) projects and anything labelled C(kubesphere.io/protected-resource).
    type: bool
    default: false
  dest:
    description:
      - Write the export to this vars file (mode 0600), with a header saying where and when it was read, in the shape
        C(playbooks/onboard_team.yml) applies (every C(ks_*) return value, RV(ks_prune_scope) included).
      - The file is claimed before anything is read (it must not exist unless O(force), and its folder must exist and
        be writable; otherwise the task fails before any request), and written whole before O(mark_managed) labels
        anything, so an export never adopts objects it failed to write down.
      - A file that already holds the same export (but for the time in its header) is left as it is, and the task
        reports no change for it. In check mode nothing is written; the task only checks that it could be.
    type: path
  force:
    description: Overwrite O(dest) when it exists.
    type: bool
    default: false
  mark_managed:
    description:
      - Adopt what is exported. Every exported user, workspace, project and custom role that lacks the label
        C(app.kubernetes.io/managed-by=kubesphere.core) gets it, through the same update each module sends, so
        from then on it counts as under this collection's management (the rule C(prune) uses).
      - An object whose label names another tool is not marked (a warning says so), nor one the caller may not
        label (a user who is no platform administrator exports what it may see, and is told what it could not
        mark, in RV(not_marked)). The label is never part of an item's O(kubesphere.core.ks_project#module:labels).
    type: bool
    default: false
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
notes:
  - In check mode, O(mark_managed=true) writes nothing and RV(marked) names what would be marked; in diff mode,
    before and after show the management label of each object marked.
seealso:
  - module: kubesphere.core.ks_project
  - module: kubesphere.core.ks_info
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Export the tenancy and adopt it
  kubesphere.core.ks_export:
    mark_managed: true
  register: export

- name: Write it as a vars file for the tenant and extensions roles
  ansible.builtin.copy:
    dest: team.yml
    mode: "0600"
    content: "{{ dict(export.items() | selectattr(0, 'match', 'ks_')) | to_nice_yaml(sort_keys=false) }}"

- name: Only the payments workspace, its projects and their members
  kubesphere.core.ks_export:
    workspaces: [payments]
  register: payments
"""

RETURN = r"""
ks_users:
  description: Users, each with options of M(kubesphere.core.ks_user) (no password).
  returned: always
  type: list
  elements: dict
  sample: [{name: alice, email: alice@example.com, global_role: platform-regular, enabled: true,
            identities: [{provider: corp-ldap, uid: alice}]}]
ks_workspaces:
  description:
    - Workspaces, each with options of M(kubesphere.core.ks_workspace), members with short role names.
    - C(quota) only when the workspace has one, C(network_isolation) only when it is on.
  returned: always
  type: list
  elements: dict
  sample: [{name: payments, manager: alice, clusters: [host, member1], quota: {limits.cpu: "8", limits.memory: 16Gi},
            network_isolation: true, members: [{user: alice, role: admin}]}]
ks_projects:
  description:
    - Projects, each with options of M(kubesphere.core.ks_project), with the cluster it is on.
    - C(quota) and C(default_limits) only when the project has them, C(network_isolation) only when it is on.
  returned: always
  type: list
  elements: dict
  sample: [{name: payments-api, workspace: payments, cluster: host, quota: {pods: "20"},
            default_limits: {limits: {cpu: 500m, memory: 512Mi}, requests: {cpu: 100m, memory: 128Mi}},
            members: [{user: bob, role: operator}]}]
ks_roles:
  description:
    - Custom roles (never KubeSphere's own), each with options of M(kubesphere.core.ks_role), sorted by scope
      (global, cluster, workspace, project), then where they live, then name.
  returned: always
  type: list
  elements: dict
  sample: [{name: auditor, scope: global, templates: [global-view-users], alias_name: Auditor},
           {name: payments-releaser, scope: workspace, workspace: payments, templates: [workspace-view-projects]}]
ks_app_repos:
  description:
    - App Store repositories of the exported workspaces, each with options of M(kubesphere.core.ks_app_repo),
      the URL without credentials and never a password.
  returned: always
  type: list
  elements: dict
  sample: [{name: payments-charts, workspace: payments, url: "https://charts.example.com/payments",
            username: chart-reader, sync_period: 3600}]
ks_extensions:
  description: Extensions that have an InstallPlan, each with options of M(kubesphere.core.ks_extension).
  returned: always
  type: list
  elements: dict
  sample: [{name: metrics-server, version: 0.7.2, enabled: true, upgrade_strategy: Manual, clusters: [host]}]
left_out:
  description: What was left out and why (being deleted, a cluster not ready, not allowed to read).
  returned: always
  type: list
  elements: dict
  sample: [{kind: cluster, name: member2, reason: "not ready: its projects are not exported"}]
unassigned_namespaces:
  description: Namespaces that belong to no workspace (KubeSphere's own left out), with their cluster.
  returned: always
  type: list
  elements: dict
  sample: [{name: legacy-reports, cluster: host}]
marked:
  description: With O(mark_managed=true), the objects given the management label (in check mode, to be given it).
  returned: always
  type: list
  elements: str
  sample: ["user alice", "workspace payments", "project payments-api on host"]
ks_prune_scope:
  description:
    - The export's filter (O(workspaces), O(label_selector)), as the C(prune_scope) of M(kubesphere.core.ks_tenancy).
      Applied with the C(kubesphere.core.tenant) role and C(ks_prune), the file prunes nothing outside it.
  returned: when the export is filtered
  type: dict
  sample: {workspaces: [payments]}
not_marked:
  description: With O(mark_managed=true), the objects the caller was not allowed to label.
  returned: always
  type: list
  elements: str
dest:
  description: The file written (O(dest)), as an absolute path.
  returned: when O(dest) is given
  type: str
host:
  description: The KubeSphere the export was read from (O(ks_host)).
  returned: always
  type: str
  sample: https://ks.example.com
summary:
  description: How many items of each kind were exported, and how many API requests the export made.
  returned: always
  type: dict
  sample: {ks_users: 3, ks_workspaces: 1, ks_projects: 2, ks_roles: 2, ks_app_repos: 1, ks_extensions: 1,
           requests: 15}
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import ResourceFailure
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_export import KINDS, Exporter
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_export_file import HAS_YAML, ExportFile, ExportFileError
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import MANAGED_BY_LABEL, MANAGED_BY_VALUE
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule


def main():
    module = KubeSphereModule(
        argument_spec=dict(
            workspaces=dict(type="list", elements="str"),
            label_selector=dict(type="str"),
            include_system=dict(type="bool", default=False),
            mark_managed=dict(type="bool", default=False),
            dest=dict(type="path"),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    out = None
    if module.params["dest"]:
        if not HAS_YAML:
            module.fail_json(msg=missing_required_lib("PyYAML"))
        out = ExportFile(module.params["dest"], force=module.params["force"], check_mode=module.check_mode)
        try:
            out.claim()         # before any request: nothing is labelled unless the file can be written
        except ExportFileError as err:
            module.fail_json(msg=str(err), changed=False)
    exporter = Exporter(module.client, module.params, warn=module.warn)
    marked = []
    written = False
    try:
        result = exporter.run()
        if out is not None:
            data = dict((key, value) for key, value in result.items() if key.startswith("ks_"))
            written = out.write(data, module.params["ks_host"], filtered=_filter_words(module.params))
        if module.params["mark_managed"]:
            marked = exporter.mark_managed(module.check_mode)
    except ResourceFailure as err:
        module.fail_json(msg=str(err), changed=bool(module.client.stats.get("writes")), **err.details)
    except KubeSphereError as err:
        module.fail_from_error(err, action="Export", changed=bool(module.client.stats.get("writes")), marked=marked)
    finally:
        if out is not None:
            out.release()
    summary = dict((kind.key, len(result[kind.key])) for kind in KINDS)
    summary["requests"] = module.client.stats.get("requests", 0)
    result.update(changed=bool(marked) or written, marked=marked, host=module.params["ks_host"],
                  not_marked=getattr(exporter, "not_marked", []), left_out=exporter.skipped,
                  unassigned_namespaces=sorted(exporter.unassigned, key=lambda n: (n["name"], n["cluster"])),
                  summary=summary)
    if out is not None:
        result["dest"] = out.dest
    if module._diff:
        label = {MANAGED_BY_LABEL: MANAGED_BY_VALUE}
        result["diff"] = dict(before=dict((name, {}) for name in marked),
                              after=dict((name, {"labels": label}) for name in marked))
    module.exit_json(**result)


def _filter_words(params):
    words = []
    if params.get("workspaces"):
        words.append("workspaces %s" % ", ".join(params["workspaces"]))
    if params.get("label_selector"):
        words.append("labels %s" % params["label_selector"])
    return "; ".join(words) or None


if __name__ == "__main__":
    main()
