# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""One membership converger for both scopes (workspace and project).

It reads the member list once, adds every missing member in one POST (the
API takes an array), changes roles with one PUT per member, and removes
unlisted members only when asked to purge, never the protected ones (the
workspace manager). In check mode it predicts and sends nothing. Right after
its parent was created the built-in roles take some tens of milliseconds to
appear, so an add that meets "role not found" is retried briefly.
"""

from __future__ import annotations

import time

from ansible_collections.kubesphere.core.plugins.module_utils.ks_engine import Outcome
from ansible_collections.kubesphere.core.plugins.module_utils.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils.ks_validate import dns1123_subdomain_error

IAM = "/kapis/iam.kubesphere.io/v1beta1"
WORKSPACE_ROLES = ("admin", "regular", "self-provisioner", "viewer")
PROJECT_ROLES = ("admin", "operator", "viewer")
ROLE_RETRY_SECONDS = 5.0


def fnv64a_hex(text):
    """64-bit FNV-1a of text, lower-case hex (what KubeSphere uses to shorten role names)."""
    value = 0xcbf29ce484222325
    for byte in text.encode("utf-8"):
        value ^= byte
        value = (value * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return format(value, "x")


def workspace_role_name(workspace, role):
    """The WorkspaceRole a short role name means: {ws}-{role}, or {role}.{fnv64a(ws)}
    when that would pass the 63-character limit. Other names are taken as full names."""
    if role not in WORKSPACE_ROLES:
        return role
    name = "%s-%s" % (workspace, role)
    return name if len(name) <= 63 else "%s.%s" % (role, fnv64a_hex(workspace))


def short_workspace_role(workspace, role):
    """The short name (admin, regular, ...) of a built-in WorkspaceRole of workspace, else role itself."""
    for short in WORKSPACE_ROLES:
        if workspace_role_name(workspace, short) == role:
            return short
    return role


def members_error(members, what="members"):
    """Why a members option is unusable, or None (checked before any request)."""
    seen = set()
    for index, member in enumerate(members or []):
        if not isinstance(member, dict) or not member.get("user") or not member.get("role"):
            return "%s[%d] needs both user and role" % (what, index)
        problem = dns1123_subdomain_error(member["user"], what="%s[%d].user" % (what, index))
        problem = problem or dns1123_subdomain_error(member["role"], what="%s[%d].role" % (what, index))
        if problem:
            return problem
        if member["user"] in seen:
            return "%s lists user %r twice; a user has one role per scope" % (what, member["user"])
        seen.add(member["user"])
    return None


class Members:
    """The members of one workspace (scope="workspace") or project (scope="project")."""

    def __init__(self, client, scope, name, cluster=None, check_mode=False, protected=(), fresh=False,
                 sleep=time.sleep):
        self.client = client
        self.scope = scope
        self.name = name
        self.cluster = cluster
        self.check_mode = check_mode
        self.protected = set(p for p in protected if p)
        self.fresh = fresh          # the parent was created in this run: roles may still be coming
        self.sleep = sleep
        if scope == "workspace":
            self.path = "%s/workspaces/%s/workspacemembers" % (IAM, name)
            self.annotation = "iam.kubesphere.io/workspacerole"
        else:
            self.path = "%s/namespaces/%s/namespacemembers" % (IAM, name)
            self.annotation = "iam.kubesphere.io/role"

    def full_role(self, role):
        return workspace_role_name(self.name, role) if self.scope == "workspace" else role

    def read(self):
        """{user: role} as the server lists them."""
        members = {}
        for item in self.client.list_all(self.path, cluster=self.cluster):
            metadata = item.get("metadata") or {}
            members[metadata.get("name")] = (metadata.get("annotations") or {}).get(self.annotation)
        return members

    def converge(self, wanted, purge=False, current=None):
        """wanted: list of {user, role} (short or full roles). current: {user: role}
        when already known (None: read it). Returns an Outcome whose obj is the member list."""
        if current is None:
            current = self.read()
        desired = dict((m["user"], self.full_role(m["role"])) for m in wanted or [])
        to_add = [u for u in desired if u not in current]
        to_change = [u for u in desired if u in current and current[u] != desired[u]]
        to_remove = [u for u in current if purge and u not in desired and u not in self.protected]
        after = dict(current)
        after.update(desired)
        for user in to_remove:
            after.pop(user, None)
        changed = bool(to_add or to_change or to_remove)
        if changed and not self.check_mode:
            if to_add:
                self._add([{"username": u, "roleRef": desired[u]} for u in to_add])
            for user in to_change:
                self.client.put("%s/%s" % (self.path, user), {"username": user, "roleRef": desired[user]},
                                cluster=self.cluster)
            for user in to_remove:
                self.client.delete("%s/%s" % (self.path, user), cluster=self.cluster)
        return Outcome(changed, as_list(current), as_list(after), as_list(after))

    def _add(self, body):
        deadline = time.monotonic() + (ROLE_RETRY_SECONDS if self.fresh else 0)
        delay = 0.05
        while True:
            try:
                return self.client.post(self.path, body, cluster=self.cluster)
            except KubeSphereError as err:
                role_missing = err.not_found and "not found" in (err.message or "")
                if not role_missing or time.monotonic() >= deadline:
                    raise
            self.sleep(delay)
            delay = min(delay * 2, 0.5)


def as_list(members):
    return [dict(user=user, role=role) for user, role in sorted(members.items())]
