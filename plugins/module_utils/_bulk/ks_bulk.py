# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Converge many objects of several kinds in one run (ks_tenancy), with the engine's one converge.

A kind is a row of a table (Kind): the Resource class that already serves its module, the
module's own option spec, how to name an object, which other objects it refers to, and how to
read its whole collection once. The runner knows nothing of users or workspaces:

1. validate every item (the modules' specs and Resource.validate) and report every error at
   once, before any request;
2. log in once, read each collection once (by list, paged); each object's Resource is handed what
   the lists hold under its key (engine.Listed) in place of its first read;
3. plan: references to objects that neither exist nor are declared fail their item; an item
   that refers to a declared item depends on it; prune adds removals of undeclared managed objects;
4. run phases in order, each with at most `concurrency` objects in flight over the one client:
   every kind's objects in table order, then their memberships (children), then removals in
   reverse order. An item whose dependency failed or was skipped is skipped; the rest go on.
"""

from __future__ import annotations

import copy
import inspect
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import workspace_of
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    Listed,
    ResourceFailure,
    add_children,
    converge,
)
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_progress import Progress
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_prune import PrunePlanner, empty_prune_errors
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import placement_of

ACTIONS = ("created", "updated", "deleted", "unchanged", "failed", "skipped")
MIN_CONCURRENCY, MAX_CONCURRENCY = 1, 32


class Kind(object):
    """One kind ks_tenancy converges. Adding a kind is adding one of these to the table.

    option: the task option holding its items ("users"); kind: the singular for results ("user");
    resource: the Resource class; options: the item option spec (the module's own);
    key(params) -> (cluster or None, name, ...) naming one object; refs(params) -> [(kind, key)] it refers to;
    member_refs(params) -> [(kind, key)] its memberships need (a custom role): they wait for those;
    load(client, run) -> a Listing of what exists, or None when the collection cannot be listed;
    prune_params(key, obj) -> params to remove obj;
    tier(params) -> where in the order its objects are written (default: its place in the table);
    describe(key, params) -> how messages name it; extra(key, params) -> more fields for its result.
    For prune (ks_prune): existing_refs(key, obj) -> [(kind, key)] an existing object refers to (what it
    holds: a workspace its manager, a project its workspace); workspace_of(key, obj, existing) -> the workspace
    an existing object lies in (None: platform-wide), for prune_scope; prune_blocker(key, obj, run) -> why an
    existing object may not be pruned in this run (a cluster it is placed on could not be read), or None.
    not_prunable: why prune may not name the kind (None: it may).
    """

    def __init__(self, option, kind, resource, options, load, key=None, refs=None, prune_params=None,
                 member_refs=None, tier=None, describe=None, extra=None, existing_refs=None, workspace_of=None,
                 prune_blocker=None, not_prunable=None):
        self.option = option
        self.kind = kind
        self.resource = resource
        self.options = options
        self.load = load
        self.key = key or (lambda p: (None, p["name"]))
        self.refs = refs or (lambda p: [])
        self.member_refs = member_refs or (lambda p: [])
        self.prune_params = prune_params or (lambda key, obj: dict(name=key[1], state="absent"))
        self.tier = tier
        self.describe = describe or _describe
        self.extra = extra or (lambda key, params: dict(cluster=key[0]))
        self.existing_refs = existing_refs or (lambda key, obj: [])
        self.workspace_of = workspace_of or (lambda key, obj, existing: None)
        self.prune_blocker = prune_blocker or (lambda key, obj, run: None)
        self.not_prunable = not_prunable


class Listing(object):
    """What a kind's loader read: objects: {key: object} of what exists; covers(key): whether the lists cover
    that key (one they do not, its Resource reads itself); facts(key) -> {name: value}: what the same lists
    say of that object (its members, a user's role bindings), by the names its Resource's read_listed takes."""

    def __init__(self, objects, covers=None, facts=None):
        self.objects = objects
        self.covers = covers or (lambda key: True)
        self.facts = facts or (lambda key: {})

    def listed(self, key):
        """The Listed handed to converge for the object of that key (a copy: the Resource may change it)."""
        covered = self.covers(key)
        return Listed(copy.deepcopy(self.objects.get(key)) if covered else None, covered=covered, **self.facts(key))


def cluster_key(cluster):
    """One name for the host cluster, however it was given."""
    return None if cluster in (None, "", "host") else cluster


def _describe(key, params):
    return "%s%s" % (key[1], (" on cluster %s" % key[0]) if key[0] else "")


class Item(object):
    """One object of the run: a declared item, or a removal added by prune."""

    def __init__(self, kind, index, params, pruned=False):
        self.kind = kind
        self.index = index
        self.params = params
        self.state = params.get("state") or "present"
        self.key = kind.key(params)
        self.pruned = pruned
        self.deps = []
        self.member_deps = []       # declared objects its memberships need (custom roles)
        self.tier = None
        self.res = None
        self.outcome = None
        self.status = None          # None (going on), "failed" or "skipped"
        self.message = None
        self.changed = False

    @property
    def label(self):
        return "%s %s" % (self.kind.kind, self.kind.describe(self.key, self.params))

    def result(self, diff):
        action = self.status or (self.outcome.action if self.outcome else "unchanged")
        out = dict(kind=self.kind.kind, name=self.key[1])
        out.update(self.kind.extra(self.key, self.params))
        out.update(action=action, changed=bool(self.changed))
        if self.pruned:
            out["pruned"] = True
        if self.message:
            out["msg"] = self.message
        if diff and self.outcome is not None:
            out["diff"] = dict(before=self.outcome.before, after=self.outcome.after)
        return out


class BulkReferences(object):
    """The References lookups (user_exists, workspace_exists, role_exists) a Resource asks before a
    write, answered from the lists this run read and from what it declares: an object declared
    present counts as existing (also in check mode, where nothing is created), one declared absent
    does not. What the lists do not cover goes to fallback (one GET each), or is left to the server."""

    def __init__(self, run, fallback=None):
        self._run = run
        self._fallback = fallback

    def _declared(self, kind, name):
        item = self._run.declared_item(kind, (None, name))
        return None if item is None else item.state == "present"

    def _exists(self, kind, option, name):
        declared = self._declared(kind, name)
        if declared is not None:
            return declared
        found = self._run.inventory.get(option)
        if found is not None:
            return (None, name) in found
        return self._ask("%s_exists" % kind, name)

    def user_exists(self, name):
        return self._exists("user", "users", name)

    def workspace_exists(self, name):
        return self._exists("workspace", "workspaces", name)

    def role_exists(self, scope, name, workspace=None, namespace=None, cluster=None):
        """A custom role declared in this run's roles counts (when present); else the role lists the run
        read (run.role_lists: {scope: {name: role}}, only scopes read whole), else the fallback."""
        kind = next((k for k in self._run.kinds if k.kind == "role"), None)
        if kind is not None:
            key = kind.key(dict(name=name, scope=scope, workspace=workspace, project=namespace, cluster=cluster))
            item = self._run.declared_item(kind.kind, key)
            if item is not None and item.params.get("workspace") == workspace:
                return item.state == "present"
        listed = self._run.role_lists.get(scope)
        if listed is not None:
            role = listed.get(name)
            return role is not None and (scope != "workspace" or workspace_of(role) == workspace)
        return self._ask("role_exists", scope, name, workspace=workspace, namespace=namespace, cluster=cluster)

    def project_exists(self, name, cluster=None):
        key = (cluster_key(cluster), name)
        item = self._run.declared_item("project", key)
        if item is not None:
            return item.state == "present"
        found = self._run.inventory.get("projects")
        if found is not None and key[0] in self._run.read_clusters:
            return key in found
        return self._ask("project_exists", name, cluster=cluster)

    def clusters(self):
        return None if self._fallback is None else self._fallback.clusters()

    def workspace_placement(self, name):
        """Declared clusters of a workspace this run keeps (a new one without them: the host), else as listed."""
        item = self._run.declared_item("workspace", (None, name))
        found = (self._run.inventory.get("workspaces") or {}).get((None, name))
        if item is not None and item.state == "present":
            if item.params.get("clusters") is not None:
                return list(item.params["clusters"])
            if found is None:
                return ["host"]
        if found is not None:
            return placement_of(found)
        return None if self._fallback is None else self._fallback.workspace_placement(name)

    def _ask(self, method, *args, **kwargs):
        return True if self._fallback is None else getattr(self._fallback, method)(*args, **kwargs)


_TAKES_REFS = {}


def _takes_refs(resource_class):
    """Whether a Resource takes the References lookups (refs=), so it is handed this run's (asked once per class:
    inspect.signature per object was a tenth of a no-change run)."""
    if resource_class not in _TAKES_REFS:
        _TAKES_REFS[resource_class] = "refs" in inspect.signature(resource_class.__init__).parameters
    return _TAKES_REFS[resource_class]


class BulkRun(object):
    """One ks_tenancy run. check_options(spec, params) -> (validated, [errors]) is the modules'
    option validation (Ansible's, passed in so this file stays free of Ansible)."""

    def __init__(self, kinds, items, connection, check_options, check_mode=False, diff=False,
                 concurrency=8, prune=(), warn=None, server_references=None, prune_limit=None,
                 allow_empty_prune=False, prune_scope=None, memberships=None):
        self.kinds = list(kinds)
        self.raw = items
        self.connection = dict(connection or {})
        self.check_options = check_options
        self.check_mode = check_mode
        self.diff = diff
        self.concurrency = concurrency
        self.prune = set(prune or ())
        self.prune_limit = prune_limit              # most objects a prune may remove (None: no cap)
        self.allow_empty_prune = allow_empty_prune
        self.prune_scope = prune_scope or {}        # {workspaces, label_selector}: what the declaration covers
        # memberships(client, run) -> {(kind, key): set(users)} of existing workspaces and projects, or None
        # when they cannot all be read: what keeps a user that prune would otherwise remove.
        self.memberships = memberships
        self.unread_clusters = set()                # clusters whose projects could not be read
        self.read_clusters = set()                  # clusters whose projects were all listed (None: the host)
        self._warn = warn or (lambda msg: None)
        self._warn_lock = threading.Lock()
        self.warnings = []
        self.items = []
        self._index, self._index_size = {}, 0
        self.inventory = {}                         # {option: {key: object}} of what exists, None: not listable
        self.listings = {}
        self.role_lists = {}
        # server_references(client): the one-GET-per-question References (ks_references) for what the lists
        # do not answer; without it those questions are left to the server.
        self.server_references = server_references
        self.progress = Progress((k.option for k in self.kinds), check_mode=check_mode)

    def warn(self, message):
        with self._warn_lock:
            if message not in self.warnings:
                self.warnings.append(message)

    def declared_item(self, kind, key):
        """The item of that kind (singular) and key, or None: one index, rebuilt when items were added (prune adds
        removals after validation), instead of a scan of every item for each reference checked."""
        if self._index_size != len(self.items):
            self._index = dict(((i.kind.kind, i.key), i) for i in reversed(self.items))
            self._index_size = len(self.items)
        return self._index.get((kind, key))

    def of(self, kind_option, state=None):
        return [i for i in self.items if i.kind.option == kind_option and (state is None or i.state == state)]

    # 1. Input --------------------------------------------------------------------------------
    def validate(self):
        """Every input error of every item, before any request; fills self.items."""
        errors = []
        if not MIN_CONCURRENCY <= int(self.concurrency) <= MAX_CONCURRENCY:
            errors.append("concurrency must be between %d and %d, not %s" % (MIN_CONCURRENCY, MAX_CONCURRENCY,
                                                                             self.concurrency))
        known = set(k.option for k in self.kinds)
        errors.extend("prune names %r, which is not one of %s" % (p, ", ".join(sorted(known)))
                      for p in sorted(self.prune - known))
        errors.extend("prune names %s, which cannot be pruned: %s" % (k.option, k.not_prunable)
                      for k in self.kinds if k.not_prunable and k.option in self.prune)
        if self.prune_limit is not None and int(self.prune_limit) < 0:
            errors.append("prune_limit must be 0 or more, not %s" % self.prune_limit)
        seen = {}
        for order, kind in enumerate(self.kinds):
            for index, raw in enumerate(self.raw.get(kind.option) or []):
                where = "%s[%d]" % (kind.option, index)
                if not isinstance(raw, dict):
                    errors.append("%s must be a dictionary of %s options" % (where, kind.kind))
                    continue
                if raw.get("name"):
                    where += " (%s)" % raw["name"]
                validated, problems = self.check_options(kind.options, raw)
                if problems:
                    errors.extend("%s: %s" % (where, p) for p in problems)
                    continue
                params = dict(self.connection)
                params.update(validated)
                item = Item(kind, index, params)
                problem = kind.resource(None, params).input_problem(item.state)
                if problem:
                    errors.append("%s: %s" % (where, problem))
                    continue
                if (kind.option, item.key) in seen:
                    errors.append("%s: %s is declared twice (also at %s[%d])"
                                  % (where, item.label, kind.option, seen[(kind.option, item.key)]))
                    continue
                seen[(kind.option, item.key)] = index
                item.tier = kind.tier(params) if kind.tier else order
                self.items.append(item)
        counts = dict((k.option, len(self.raw.get(k.option) or [])) for k in self.kinds)
        errors.extend(empty_prune_errors(self.prune & known, counts, self.allow_empty_prune))
        return errors

    # 2. Reads ---------------------------------------------------------------------------------
    def load(self, client, pool):
        def read(kind):
            try:
                return kind.load(client, self)
            except KubeSphereError as err:
                if err.status != 403:
                    raise
                self.warn("%s are read one by one: listing them is not allowed (%s)" % (kind.option, err))
                return None
        for kind, listing in zip(self.kinds, pool.map(read, self.kinds)):
            self.listings[kind.option] = listing
            self.inventory[kind.option] = None if listing is None else listing.objects
            self.progress.set(kind.option, "read", len(self.inventory[kind.option] or ()))

    # 3. Plan ----------------------------------------------------------------------------------
    def plan(self, client=None):
        """Dependencies, reference failures, and the removals prune adds (ks_prune; PruneRefused when
        they pass prune_limit)."""
        declared = dict(((i.kind.kind, i.key), i) for i in self.items)
        by_kind = dict((k.kind, k) for k in self.kinds)
        planner = None
        if self.prune:
            memberships = {}
            if "users" in self.prune and self.memberships is not None:
                memberships = self.memberships(client, self)
            planner = PrunePlanner(self, declared, memberships)
            for kind, key, obj in planner.plan():
                params = dict(self.connection)
                params.update(self.check_options(kind.options, kind.prune_params(key, obj))[0])
                item = Item(kind, None, params, pruned=True)
                item.tier = kind.tier(params) if kind.tier else self.kinds.index(kind)
                self.items.append(item)
                declared[(kind.kind, key)] = item
        for item in self.items:
            for ref_kind, ref_key in item.kind.refs(item.params) if item.state == "present" else []:
                target = declared.get((ref_kind, ref_key))
                what = "%s %s" % (ref_kind, ref_key[1])
                if target is not None and target.state == "absent":
                    self._fail(item, "it refers to %s, which this task removes" % what)
                elif target is not None:
                    item.deps.append(target)
                elif not self._exists(by_kind[ref_kind], ref_key):
                    self._fail(item, "it refers to %s, which does not exist and is not declared in %s"
                               % (what, by_kind[ref_kind].option))
            for ref in item.kind.member_refs(item.params) if item.state == "present" else []:
                target = declared.get(ref)
                if target is not None and target.state == "present":
                    item.member_deps.append(target)
        for item in self.items:   # a removal waits for the removals of what refers to it
            if item.state == "absent":
                refs = set(item.kind.refs(item.params))
                if planner is not None:
                    refs.update(planner.removal_refs((item.kind.kind, item.key)))
                for ref in refs:
                    target = declared.get(ref)
                    if target is not None and target.state == "absent" and item not in target.deps:
                        target.deps.append(item)

    def _exists(self, kind, key):
        found = self.inventory.get(kind.option)
        return found is None or key in found     # not listable: the server decides

    # 4. Phases --------------------------------------------------------------------------------
    def phases(self):
        """[(step, items)] in the order they run: objects to keep by tier (a kind's place in the table,
        or what its tier says), then their memberships, then removals in the reverse order."""
        present = [i for i in self.items if i.state == "present"]
        absent = [i for i in self.items if i.state == "absent"]
        out = [("object", [i for i in present if i.tier == t]) for t in sorted(set(i.tier for i in present))]
        out += [("children", [i for i in present if i.kind is k]) for k in self.kinds]
        out += [("object", [i for i in absent if i.tier == t]) for t in sorted(set(i.tier for i in absent), reverse=True)]
        return [(step, items) for step, items in out if items]

    def execute(self, client):
        """Read, plan and converge; returns the results (in the order the objects ran)."""
        fallback = self.server_references(client) if self.server_references else None
        self.references = BulkReferences(self, fallback=fallback)
        with ThreadPoolExecutor(max_workers=int(self.concurrency)) as pool:
            client.login()
            self.load(client, pool)
            self.plan(client)
            for kind in self.kinds:
                self.progress.set(kind.option, "planned", len([i for i in self.items if i.kind is kind]))
            phases = self.phases()
            self.progress.steps(sum(len(items) for _step, items in phases))
            order, ordered = [], set()     # a set beside the list: `in` on 10,000 items costs n squared
            for step, items in phases:
                runnable = []
                for item in items:
                    if item.status is None:
                        # Before an object is written, what it is in; its memberships need only the roles they grant.
                        deps = item.deps if step == "object" else item.member_deps
                        blocker = next((d for d in deps if d.status is not None), None)
                        if blocker is not None:
                            item.status = "skipped"
                            what = "skipped: it depends on" if step == "object" else "members skipped: they need"
                            item.message = "%s %s, which %s" % (
                                what, blocker.label, "failed" if blocker.status == "failed" else "was skipped")
                        else:
                            runnable.append(item)
                    if id(item) not in ordered:
                        ordered.add(id(item))
                        order.append(item)
                list(pool.map(lambda item: self._step(client, item, step), runnable))
        return [item.result(self.diff) for item in order]

    def _step(self, client, item, step):
        """One object (step "object") or its memberships ("children"), on this thread from start to end."""
        wrote = client.writes_in_thread()
        try:
            if step == "object":
                listing = self.listings.get(item.kind.option)
                extra = dict(refs=self.references) if _takes_refs(item.kind.resource) else {}
                item.res = item.kind.resource(client, item.params, check_mode=self.check_mode, warn=self.warn, **extra)
                item.outcome = converge(item.res, item.state, wait=bool(item.params.get("wait")), children=False,
                                        current=None if listing is None else listing.listed(item.key))
            else:
                add_children(item.res, item.outcome, item.state)
            if step == "children" or item.state == "absent":
                # Last, as the single module does: what the Resource does once converged (a repo's sync).
                item.res.finish(item.outcome, bool(item.params.get("wait")))
            if item.outcome.changed and not item.changed:
                self.progress.add(item.kind.option, "written")
            item.changed = item.outcome.changed
        except Exception as err:  # pylint: disable=broad-except  # one bad object must not stop the others
            if isinstance(err, ResourceFailure):
                message = str(err)
            elif isinstance(err, KubeSphereError):
                message = "%s: %s" % (item.label, err)
            else:
                message = "%s: unexpected %s: %s" % (item.label, type(err).__name__, err)
            # changed: a write of this step went through before it failed (a refused write changed nothing)
            self._fail(item, message, changed=getattr(err, "changed", False) or client.writes_in_thread() > wrote)
        finally:
            self.progress.step_done()

    def _fail(self, item, message, changed=False):
        item.status = "failed"
        item.message = message if message.startswith(item.label) else "%s: %s" % (item.label, message)
        item.changed = bool(changed or item.changed)


def summarize(kinds, results):
    """Counts per kind and action, every action present."""
    summary = dict((k.option, dict((a, 0) for a in ACTIONS)) for k in kinds)
    option_of = dict((k.kind, k.option) for k in kinds)
    for result in results:
        summary[option_of[result["kind"]]][result["action"]] += 1
    return summary
