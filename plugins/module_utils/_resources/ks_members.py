# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""One membership converger for both scopes (workspace and project).

It reads the member list once, adds every missing member in one POST (the
API takes an array), changes roles with one PUT per member, and removes
unlisted members only when asked to purge, never the protected ones (the
workspace manager). In check mode it predicts and sends nothing.

Before any write the resource asks references_error() whether every user to
add or change exists and every role is real: built-in short names are checked
against their lists with no request, any other name (a custom role) by one
read through the References lookups.

The built-in roles are made by KubeSphere's controllers some time after their
parent (measured on a real v3.4.1: 50-140 ms; on 3.x even after the finalizer
that marks the parent as set up, see ks_versions.INITIALISED_FINALIZERS), and
the member POST answers 404 'role "viewer" not found' until then. So a write
to a parent made by this task, or not yet set up, first waits (bounded) until
every built-in role it binds can be read; a write that still meets that 404
(a parent another task made a moment ago) waits for the role the same way and
is sent once more (a 404 means the server did nothing).

The member set is a sub-resource the engine converges (_engine/ks_child.py): check mode predicts and sends
nothing, and a write whose answer is lost is recovered like every other: the list is read again, and only
the members still missing (or still holding another role, or still to remove) are sent again.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import MEMBER_ROLE_ANNOTATIONS, MEMBERS_PATHS
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_role_scopes import SCOPES
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_child import ChildResource
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_failures import WaitTimeout
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_waiter import wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_fnv import fnv1a64_hex
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import dns1123_subdomain_error

WORKSPACE_ROLES = ("admin", "regular", "self-provisioner", "viewer")
PROJECT_ROLES = ("admin", "operator", "viewer")
# How long a member write waits for a built-in role to appear: measured at 0.05-0.14 s on a real v3.4.1,
# so this only bounds a controller that is down or far behind.
ROLE_WAIT_SECONDS = 30.0


def workspace_role_name(workspace, role):
    """The WorkspaceRole a short role name means: {ws}-{role}, or {role}.{fnv64a(ws)}
    when that would pass the 63-character limit. Other names are taken as full names."""
    if role not in WORKSPACE_ROLES:
        return role
    name = "%s-%s" % (workspace, role)
    return name if len(name) <= 63 else "%s.%s" % (role, fnv1a64_hex(workspace))


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


class MemberSetField(Field):
    """The member set {user: role}: the given members hold their roles; with purge, the others go, but for the
    protected ones (the workspace manager)."""

    def __init__(self):
        super().__init__(())
        self.purge = False
        self.protected = set()

    def get(self, obj):
        return dict(obj or {})

    def merged(self, desired, current):
        after = dict(current or {})
        after.update(desired)
        if self.purge:
            for user in [u for u in after if u not in desired and u not in self.protected]:
                del after[user]
        return after

    def same(self, desired, current):
        return self.merged(desired, current) == dict(current or {})

    def set(self, obj, value):
        obj.clear()
        obj.update(value)


class Members(ChildResource):
    """The members of one workspace (scope="workspace") or project (scope="project")."""

    def __init__(self, client, scope, name, cluster=None, check_mode=False, protected=(), fresh=False,
                 role_wait=ROLE_WAIT_SECONDS):
        super().__init__(client, check_mode=check_mode, cluster=cluster)
        self.scope = scope
        self.name = name
        self.fresh = fresh          # made by this task or not set up yet: its built-in roles may still be coming
        self.role_wait = role_wait
        self.path = MEMBERS_PATHS[scope] % name
        self.annotation = MEMBER_ROLE_ANNOTATIONS[scope]
        self.fields = dict(members=MemberSetField())
        self.fields["members"].protected = set(p for p in protected if p)

    @property
    def kind(self):
        return "%s member" % self.scope

    def full_role(self, role):
        return workspace_role_name(self.name, role) if self.scope == "workspace" else role

    def builtin_roles(self):
        return WORKSPACE_ROLES if self.scope == "workspace" else PROJECT_ROLES

    def is_builtin(self, role):
        """A built-in role, by short name or (workspaces) by its full name: known without a request."""
        if self.scope != "workspace":
            return role in PROJECT_ROLES
        return role in WORKSPACE_ROLES or role in [workspace_role_name(self.name, r) for r in WORKSPACE_ROLES]

    def pending(self, wanted, current):
        """The members a converge would add or change: [(index, user, role as given)]."""
        out = []
        for index, member in enumerate(wanted or []):
            user, role = member["user"], member["role"]
            if current.get(user) != self.full_role(role):
                out.append((index, user, role))
        return out

    def references_error(self, refs, wanted, current, what="members"):
        """Why the members to add or change cannot be written (a user or role that does not
        exist), or None. current: {user: role} as read ({} for a parent still to be made)."""
        problems = []
        for index, user, role in self.pending(wanted, current):
            if not refs.user_exists(user):
                problems.append("%s[%d].user: user %s does not exist" % (what, index, user))
            if self.is_builtin(role):
                continue
            if self.scope == "workspace":
                found = refs.role_exists("workspace", role, workspace=self.name)
            else:
                found = refs.role_exists("project", role, namespace=self.name, cluster=self.cluster)
            if not found:
                problems.append("%s[%d].role: %s role %s does not exist in %s %s (the built-in roles are %s; "
                                "any other name must be a role made there first)"
                                % (what, index, self.scope, role, self.scope, self.name,
                                   ", ".join(self.builtin_roles())))
        return "; ".join(problems) or None

    def read(self, listed=None):
        """{user: role} as the server lists them; listed: as a bulk run's lists gave them (then no request)."""
        if listed is not None:
            return dict(listed)
        members = {}
        for item in self.client.list_all(self.path, cluster=self.cluster):
            metadata = item.get("metadata") or {}
            members[metadata.get("name")] = (metadata.get("annotations") or {}).get(self.annotation)
        return members

    def converge(self, wanted, purge=False, current=None):
        """wanted: list of {user, role} (short or full roles). current: {user: role} when already known (None:
        read it). Returns an Outcome whose before, after and obj are member lists."""
        self.fields["members"].purge = purge
        desired = dict((m["user"], self.full_role(m["role"])) for m in wanted or [])
        outcome = self.converge_value("members", desired, current=current)
        outcome.obj = as_list(outcome.obj)
        return outcome

    def view(self, obj):
        return as_list(obj or {})

    def is_terminating(self, obj):
        return False        # a member set is no object (and a user may be called "metadata")

    def new_object(self):
        return {}

    def update(self, current, body, changed):
        """Every member to add in one POST, a PUT per role to change, a DELETE per member to remove (purge). A
        lost answer is recovered by the engine: the list is read again and only what is still to do is sent."""
        to_add = [u for u in body if u not in current]
        to_change = [u for u in body if u in current and current[u] != body[u]]
        to_remove = [u for u in current if u not in body]
        if self.fresh:
            self._await_roles([body[u] for u in to_add + to_change])
        if to_add:
            self._write(self.client.post, self.path, [{"username": u, "roleRef": body[u]} for u in to_add],
                        [body[u] for u in to_add])
        for user in to_change:
            self._write(self.client.put, "%s/%s" % (self.path, user), {"username": user, "roleRef": body[user]},
                        [body[user]])
        for user in to_remove:
            # Gone already is what was asked (a send whose answer was lost may have removed it).
            self.client.delete("%s/%s" % (self.path, user), cluster=self.cluster, missing_ok=True)
        return body

    def _write(self, send, path, body, roles):
        try:
            return send(path, body, cluster=self.cluster)
        except KubeSphereError as err:
            if not (err.not_found and "not found" in (err.message or "") and any(map(self.is_builtin, roles))):
                raise
        # 'role "viewer" not found': the server did nothing; once the roles are there, say it again.
        self._await_roles(roles)
        return send(path, body, cluster=self.cluster)

    def role_path(self, role):
        """Where the built-in role (full name) the member API binds is read, v4 form (the client translates)."""
        return "%s/%s" % (SCOPES[self.scope].kapis_collection(workspace=self.name, project=self.name), role)

    def _await_roles(self, roles):
        """Wait, at most role_wait seconds, until every built-in role among roles (full names) can be read."""
        for role in sorted(set(r for r in roles if self.is_builtin(r))):
            try:
                wait_for(lambda role=role: self.client.get(self.role_path(role), cluster=self.cluster,
                                                           missing_ok=True) is not None,
                         self.role_wait, "%s %s's built-in role %s" % (self.scope, self.name, role),
                         first_sleep=0.05, max_sleep=1.0)
            except WaitTimeout as err:
                raise WaitTimeout("%s; KubeSphere's controllers make it after the %s (is ks-controller-manager "
                                  "running?), and members cannot be bound to it before" % (err, self.scope))


def as_list(members):
    return [dict(user=user, role=role) for user, role in sorted(members.items())]
