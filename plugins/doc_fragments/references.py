# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The option that tunes the reference checks of workspaces and projects."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  assume_present:
    description:
      - Before any write (and in check mode) the module checks that what the task refers to exists
        (a new project's O(kubesphere.core.ks_project#module:workspace), a workspace O(kubesphere.core.ks_workspace#module:manager), every
        member to add or change and its role, a user's custom global role, a new workspace role's O(kubesphere.core.ks_role#module:workspace)),
        and fails naming what is missing.
      - Users, workspaces, projects and roles named here are taken as existing without asking the server.
      - Under C(--check) the collection's modules already count what earlier tasks of the same play plan to create
        on the same host (the names are kept in the host fact C(kubesphere_planned) and added here), so a play that
        creates a user, then a workspace it manages, then a project in it, plans without hints. A name that
        neither exists nor is planned by an earlier task still fails the plan. Give names here only for objects
        made outside the play's earlier kubesphere.core tasks (by M(ansible.builtin.uri), say).
        M(kubesphere.core.ks_tenancy) (and so the C(kubesphere.core.tenant) role) counts what it declares as
        existing.
    type: dict
    version_added: 0.2.0
    suboptions:
      users:
        description: User names to take as existing.
        type: list
        elements: str
      workspaces:
        description: Workspace names to take as existing.
        type: list
        elements: str
      roles:
        description:
          - Custom role names (of any scope) to take as existing, as members' roles or a user's
            O(kubesphere.core.ks_user#module:global_role).
        type: list
        elements: str
      projects:
        description: Project names to take as existing (a project role's project).
        type: list
        elements: str
"""
