# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Plans across tasks under --check: pure logic of the modules' action plugins (no Ansible, no HTTP).

In check mode a task that would create a user, workspace, project or role creates nothing, so a later task of
the same play that refers to it would predict a failure the real run never meets. The action plugin records
the names a task plans in a host-scoped fact (FACT) and hands the names planned so far to the later tasks'
reference checks, through the modules' own assume_present option. A name that no task plans still has to
exist on the server: a typo still fails the plan.
"""

from __future__ import annotations

FACT = "kubesphere_planned"
KINDS = ("users", "workspaces", "projects", "roles")

# The modules whose result names one object they would create, and under which key of the result.
SINGLE = {
    "ks_user": ("users", "user"),
    "ks_workspace": ("workspaces", "workspace"),
    "ks_project": ("projects", "project"),
    "ks_role": ("roles", "role"),
}
# The modules whose reference checks take assume_present.
ASSUMING = ("ks_user", "ks_workspace", "ks_project", "ks_role")
# ks_tenancy's results name the kind in the singular.
TENANCY_KINDS = {"user": "users", "workspace": "workspaces", "project": "projects", "role": "roles"}


def short_name(action):
    """ks_user from kubesphere.core.ks_user (or from ks_user)."""
    return str(action).rsplit(".", 1)[-1]


def planned_by(module, args, result):
    """{kind: [names]} a finished task says it would create (or created): nothing for a failed or unchanged
    task, or one that removes."""
    if not isinstance(result, dict) or result.get("failed") or not result.get("changed"):
        return {}
    if module == "ks_tenancy":
        found = {}
        for entry in result.get("results") or []:
            kind = TENANCY_KINDS.get(entry.get("kind")) if isinstance(entry, dict) else None
            if kind and entry.get("action") == "created" and entry.get("name"):
                found.setdefault(kind, []).append(entry["name"])
        return found
    if module not in SINGLE or (args.get("state") or "present") != "present":
        return {}
    kind, key = SINGLE[module]
    obj = result.get(key)
    name = ((obj.get("metadata") or {}).get("name") if isinstance(obj, dict) else None) or args.get("name")
    return {kind: [name]} if isinstance(name, str) and name else {}


def merged(old, new):
    """The union of two plans, as sorted lists per kind (a fact must stay plain data)."""
    out = {}
    for kind in KINDS:
        names = set((old or {}).get(kind) or ()) | set((new or {}).get(kind) or ())
        if names:
            out[kind] = sorted(str(n) for n in names)
    return out


def with_assumed(args, planned):
    """The task's arguments with the planned names added to assume_present (what the task gives itself is kept).
    The same arguments when nothing is planned."""
    if not any((planned or {}).get(kind) for kind in KINDS):
        return args
    given = args.get("assume_present") or {}
    if not isinstance(given, dict):
        return args     # not a dict: the module's argument validation says so
    assumed = dict(given)
    for kind in KINDS:
        names = list(given.get(kind) or [])
        names += [n for n in planned.get(kind) or () if n not in names]
        if names:
            assumed[kind] = names
    return dict(args, assume_present=assumed)
