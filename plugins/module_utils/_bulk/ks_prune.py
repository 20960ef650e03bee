# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Which undeclared objects a bulk run's prune removes, and the brakes on it.

An object is pruned only when every one of these holds:

* its kind is in prune, and the declaration has items of that kind, unless allow_empty_prune (an empty
  list is what a misspelt key gives, and would remove every managed object of the kind);
* it carries the collection's management label, is not declared, and its Resource does not call it
  protected (ks_protected: KubeSphere's own, the login user, another tool's);
* it lies inside prune_scope: in one of its workspaces (a user: named by an object in one of them, as the
  export's workspace filter has it), and matching its label selector;
* nothing that survives the run refers to it: a user who still manages or is a member of a workspace or
  project that stays, a workspace that still has a project or custom role, a project that still has a
  custom role (each kept with a warning naming what holds it). A workspace or project whose contents could
  not all be read (a member cluster that is not ready) is kept too.

The removals wait for those of what refers to them (a workspace for its projects, a user for the
workspace it manages), so a removal that fails keeps what it held. When more objects would be pruned than
prune_limit, the run stops before any write, naming them and how to allow it.
"""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import is_managed

SHOWN = 20                                                   # names listed in a refusal before "and N more"


class PruneRefused(Exception):
    """The run would prune more than prune_limit objects: nothing is sent."""

    def __init__(self, message, names):
        super(PruneRefused, self).__init__(message)
        self.names = names


def empty_prune_errors(prune, declared_counts, allowed):
    """The input errors of a prune that names a kind with no declared items."""
    if allowed:
        return []
    return ["prune names %s, but no %s are declared: every managed one would be deleted (an empty list is what a "
            "misspelt key gives). Declare them, or set allow_empty_prune: true if removing all of them is meant"
            % (option, option) for option in sorted(prune) if not declared_counts.get(option)]


def selector_matches(selector, labels):
    """Whether labels match a Kubernetes label selector (k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b))."""
    for term in _terms(selector or ""):
        if not _term_matches(term, labels or {}):
            return False
    return True


def _terms(selector):
    depth, start = 0, 0
    for index, char in enumerate(selector):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            yield selector[start:index].strip()
            start = index + 1
    last = selector[start:].strip()
    if last:
        yield last


def _term_matches(term, labels):
    for op in (" notin ", " in "):
        if op in term:
            key, values = term.split(op, 1)
            wanted = set(v.strip() for v in values.strip().strip("()").split(",") if v.strip())
            key = key.strip()
            return (labels.get(key) in wanted) if op == " in " else (labels.get(key) not in wanted)
    if "!=" in term:
        key, value = term.split("!=", 1)
        return labels.get(key.strip()) != value.strip()
    if "=" in term:
        key, value = term.replace("==", "=").split("=", 1)
        return labels.get(key.strip()) == value.strip()
    if term.startswith("!"):
        return term[1:].strip() not in labels
    return term in labels


class PrunePlanner(object):
    """Plans one run's prune. run: the BulkRun (its kinds, items, inventory, prune settings);
    memberships: {(kind, key): set(users)} of the existing workspaces and projects, or None when they
    could not all be read (then no user is pruned)."""

    def __init__(self, run, declared, memberships):
        self.run = run
        self.declared = declared
        self.memberships = memberships
        self.by_kind = dict((k.kind, k) for k in run.kinds)
        self.existing = {}      # (kind, key) -> obj, every object the lists showed
        for kind in run.kinds:
            for key, obj in (run.inventory.get(kind.option) or {}).items():
                self.existing[(kind.kind, key)] = obj

    # What refers to what --------------------------------------------------------------------------
    def _refs_of_existing(self, ident):
        kind = self.by_kind[ident[0]]
        refs = set(kind.existing_refs(ident[1], self.existing[ident]))
        refs.update(("user", (None, user)) for user in (self.memberships or {}).get(ident, ()))
        return refs

    def _refs_after_run(self, ident):
        """What an object refers to once the run is done: its declaration if it has one (with the members it
        keeps: all of today's unless purge_members), else what it refers to today."""
        item = self.declared.get(ident)
        if item is None:
            return self._refs_of_existing(ident)
        refs = set(item.kind.refs(item.params))
        if ident in self.existing and not item.params.get("purge_members"):
            refs.update(("user", (None, user)) for user in (self.memberships or {}).get(ident, ()))
        return refs

    # The plan ----------------------------------------------------------------------------------------
    def plan(self):
        """[(kind, key, obj)] to prune, kinds in the reverse of the run's order (what refers comes after what it
        refers to: roles, projects, workspaces, users); warns about what is kept and why."""
        candidates = self._candidates()
        removed = set(candidates) | set(i for i, item in self.declared.items() if item.state == "absent")
        survivors = [i for i in set(self.existing) | set(self.declared) if i not in removed]
        holders = {}
        for ident in survivors:
            for target in self._refs_after_run(ident):
                holders.setdefault(target, []).append(ident)
        kept = True
        while kept:      # keeping one object keeps what it refers to in turn
            kept = False
            for ident in [c for c in candidates if c in removed]:
                held_by = holders.get(ident)
                if held_by:
                    removed.discard(ident)
                    kept = True
                    self.run.warn("%s %s is not declared but is kept: %s still refers to it"
                                  % (ident[0], _name(ident), ", ".join(sorted("%s %s" % (h[0], _name(h))
                                                                              for h in held_by)[:5])))
                    for target in self._refs_of_existing(ident):
                        holders.setdefault(target, []).append(ident)
        pruned = [c for c in candidates if c in removed]
        limit = self.run.prune_limit
        if limit is not None and len(pruned) > limit:
            names = ["%s %s" % (i[0], _name(i)) for i in pruned]
            raise PruneRefused("prune would delete %d objects, more than prune_limit (%d), so nothing was sent: %s%s. "
                               "If that is meant, raise prune_limit to %d (ks_prune_limit in the tenant role)"
                               % (len(pruned), limit, ", ".join(names[:SHOWN]),
                                  (" and %d more" % (len(names) - SHOWN)) if len(names) > SHOWN else "",
                                  len(pruned)), names)
        return [(self.by_kind[i[0]], i[1], self.existing[i]) for i in pruned]

    def removal_refs(self, ident):
        """What a removed object refers to today: their removals wait for its own."""
        return self._refs_of_existing(ident) if ident in self.existing else set()

    def _candidates(self):
        out = []
        for kind in reversed(self.run.kinds):
            if kind.option not in self.run.prune:
                continue
            found = self.run.inventory.get(kind.option)
            if found is None:
                self.run.warn("prune of %s skipped: they cannot be listed" % kind.option)
                continue
            if kind.kind == "user" and self.memberships is None:
                self.run.warn("prune of users skipped: the members of every workspace and project could not be "
                              "read, so a user still in one might be removed")
                continue
            for key, obj in sorted(found.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
                ident = (kind.kind, key)
                if ident in self.declared or not is_managed(obj) or not self._in_scope(kind, key, obj):
                    continue
                blocker = kind.prune_blocker(key, obj, self.run)
                if blocker:
                    self.run.warn("%s %s is not declared but is kept: %s" % (kind.kind, _name(ident), blocker))
                    continue
                params = dict(self.run.connection, **kind.prune_params(key, obj))
                if kind.resource(None, params).protection(obj):
                    continue        # KubeSphere's own, the login user, another tool's: never pruned
                out.append(ident)
        return out

    def _in_scope(self, kind, key, obj):
        scope = self.run.prune_scope or {}
        selector = scope.get("label_selector")
        if selector and not selector_matches(selector, ((obj.get("metadata") or {}).get("labels") or {})):
            return False
        workspaces = scope.get("workspaces")
        if not workspaces:
            return True
        if kind.kind == "user":      # named today by a workspace or project inside the scope
            return any(("user", key) in self._refs_of_existing(i) for i in self.existing
                       if i[0] != "user" and self._workspace_of(i) in workspaces)
        return self._workspace_of((kind.kind, key)) in workspaces

    def _workspace_of(self, ident):
        kind = self.by_kind[ident[0]]
        return kind.workspace_of(ident[1], self.existing.get(ident) or {}, self.existing)


def _name(ident):
    key = ident[1]
    return "%s%s" % (key[1], (" on cluster %s" % key[0]) if key[0] else "")
