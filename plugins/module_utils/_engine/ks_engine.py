# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The one converge loop every resource shares.

A resource is described declaratively (a Resource subclass: which fields the
user manages and where they live in the object, how to read, create, update
and delete it). The engine reads once, compares only the managed fields,
decides create/update/delete/nothing, honours check mode (predicts, sends no
write), records before/after for diff, uses what the write returned, and
waits if asked. It knows nothing of Ansible, so one module run can converge
one object or many.
"""

from __future__ import annotations

import copy

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_failures import (  # noqa: F401 (re-exported)
    ProtectedObject,
    ResourceFailure,
    ValidationError,
    WaitTimeout,
)
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import timeout_error
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_waiter import wait_for  # noqa: F401 (re-exported)

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_recovery import (
    LANDED,
    NOT_LANDED,
    UNKNOWN,
    write_recovering,
)


MASK = "********"


class Field:
    """One managed field: the option's value and where it lives in the object.

    kind: "value" (compared as is), "map" (the given keys must match; other keys are
    left alone), "set" (a list compared without order). to_api/from_api convert
    between the option's form and the object's form. secret fields are write-only:
    never compared, always masked in diffs. hidden_keys (maps): keys the collection
    sets itself (its management label), never shown as the user's.
    """

    def __init__(self, path, kind="value", to_api=None, from_api=None, secret=False, hidden_keys=()):
        self.path = tuple(path)
        self.kind = kind
        self.to_api = to_api
        self.from_api = from_api
        self.secret = secret
        self.hidden_keys = frozenset(hidden_keys)

    def get(self, obj):
        node = obj
        for key in self.path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        if node is not None and self.from_api:
            node = self.from_api(node)
        if self.kind == "set" and node is not None:
            node = sorted(node, key=_sort_key)
        if self.hidden_keys and isinstance(node, dict):
            shown = dict((k, v) for k, v in node.items() if k not in self.hidden_keys)
            return shown if (shown or not node) else None
        return copy.deepcopy(node)

    def set(self, obj, value):
        node = obj
        for key in self.path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        value = self.to_api(value) if (self.to_api and value is not None) else copy.deepcopy(value)
        if self.kind == "map" and isinstance(value, dict) and isinstance(node.get(self.path[-1]), dict):
            # Keys the object already has (a create body's own labels) stay; the given keys win.
            node[self.path[-1]].update(value)
            return
        node[self.path[-1]] = value

    def same(self, desired, current):
        if self.secret:
            return True
        if self.kind == "map":
            current = current or {}
            return all(current.get(k) == v for k, v in (desired or {}).items())
        if self.kind == "set":
            return sorted(desired or [], key=_sort_key) == sorted(current or [], key=_sort_key)
        return desired == current

    def merged(self, desired, current):
        """The value the field has once desired is applied to current."""
        if self.kind == "map":
            out = dict(current or {})
            out.update(desired or {})
            return out
        if self.kind == "set":
            return sorted(desired, key=_sort_key)
        return desired


def _sort_key(item):
    return repr(sorted(item.items())) if isinstance(item, dict) else repr(item)


class Outcome:
    """What converging one object did: changed, before/after views, the resulting object, extra returns,
    and action: created, updated, deleted or unchanged."""

    def __init__(self, changed, before, after, obj, extra=None, action=None, protected=None):
        self.changed = changed
        self.before = before
        self.after = after
        self.obj = obj
        self.extra = extra or {}
        self.action = action or ("updated" if changed else "unchanged")
        self.protected = protected      # why its sub-resources may not change either (see add_children)


class Listed:
    """One object as a bulk run found it in the lists it read, handed to converge(current=...) in place of the
    Resource's own first read. obj: the object (None: the list has none of that name); covered: whether the
    lists covered it at all (False: the Resource reads it itself); facts: what the same lists said about it
    (its members, a user's role bindings), by name. Only the first read is served so: a read after a
    conflict, a lost answer or during a wait goes to the server."""

    def __init__(self, obj, covered=True, **facts):
        self.obj = obj
        self.covered = covered
        self.facts = facts


class Resource:
    """Declarative description of one kind; subclasses fill in the hooks.

    Class attributes: kind (for messages), result_key (the return key of the
    object), fields (option name -> Field).
    """

    kind = "object"
    result_key = "object"
    fields = {}
    # Features (ks_versions.FEATURES) the server's line must have; checked before the first read.
    requires = ()
    # Where every object of the kind is listed (per cluster where the kind lives on each), for the readers derived
    # from the kind: the info module, the bulk loaders and the export. None: not listed in one place.
    collection = None

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        self._client = client
        self.params = params
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self._refs = refs

    @property
    def client(self):
        # Resolved lazily: validation runs before any connection is made.
        if callable(self._client):
            self._client = self._client()
        return self._client

    @property
    def refs(self):
        """The reference lookups: the caller's, else the kind's own (default_refs)."""
        if self._refs is None:
            self._refs = self.default_refs()
        return self._refs

    def default_refs(self):
        """Lookups of what the object refers to; the engine itself knows of none (see _resources/ks_kind.py)."""
        return None

    # Hooks -----------------------------------------------------------------
    def validate(self, state):
        """Return an error message for bad input, or None. No request may be sent here."""
        return None

    def input_problem(self, state):
        """What is wrong with the input, checked before any request: first the rules of every resource (a
        wait_timeout that is not a positive number of seconds, which would otherwise fall back to the
        default), then the kind's own (validate)."""
        return timeout_error(self.params.get("wait_timeout")) or self.validate(state)

    def identity(self):
        return self.params.get("name")

    def title(self):
        """How messages name the object: its kind and identity."""
        return "%s %s" % (self.kind, self.identity())

    def check_location(self, state):
        """Why the place the object is read from does not exist (a cluster KubeSphere does not manage), or
        None. Asked before the first read (which would fail there with the server's bare 400)."""
        return None

    def check_references(self, state, current):
        """Return an error message when the object refers to something that does not exist
        (through self.refs), or None. Runs after read and before any write, in check mode too."""
        return None

    def check_delete(self, current):
        """Why deleting current must be refused (something still uses it), or None. Asked after the protection
        rule and before any write, in check mode too."""
        return None

    def read(self):
        """The current object, or None when it does not exist."""
        raise NotImplementedError

    def read_listed(self, listed):
        """The current object from what a bulk run listed (a Listed): the object itself, unless the lists did
        not cover it. A kind that interprets its read (a project seen through its workspace) or reads more
        (a user's role bindings) does the same from the object and the facts."""
        return listed.obj if listed.covered else self.read()

    def protection(self, current):
        """Why this object may be neither changed nor deleted unless the task sets allow_protected
        (ks_protected's rule), or None. current: the object read, or None for one about to be made
        (a name KubeSphere keeps for itself is protected before it exists)."""
        return None

    def owned_elsewhere(self, current):
        """Why current belongs to another owner than the task declares (another workspace's role, a
        namespace that is no project), or None. Such an object is never taken over, in any mode."""
        return None

    def new_object(self):
        """The body of a create, before the managed fields are applied."""
        raise NotImplementedError

    def create(self, body):
        raise NotImplementedError

    def update(self, current, body, changed):
        """Write body (current with the changed fields applied); return the server's object."""
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def children(self, obj, state):
        """Sub-resources converged after the object itself (memberships): a list of (key, Outcome)."""
        return []

    def wait_ready(self, obj):
        return obj

    def wait_timeout(self):
        return float(self.params.get("wait_timeout") or 300)

    def public(self, obj):
        """The object as returned to the user (secrets removed)."""
        return obj

    def finish(self, outcome, wait):
        """Extra return values once converged (e.g. a related object); may wait or raise ResourceFailure."""
        return {}

    # Shared behaviour --------------------------------------------------------
    def desired(self):
        return dict((opt, self.params[opt]) for opt in self.fields if self.params.get(opt) is not None)

    def view(self, obj):
        """The managed fields of obj, in option form; secrets masked. Only the options the task gives
        (on state=absent, whatever the object has): a diff shows what the task manages, no null noise."""
        if obj is None:
            return {}
        out = {}
        absent = (self.params.get("state") or "present") == "absent"
        for opt, field in self.fields.items():
            value = field.get(obj)
            wanted = self.params.get(opt)
            if wanted is None and not (absent and value is not None):
                continue
            if field.kind == "map" and isinstance(value, dict) and isinstance(wanted, dict):
                # Only the keys the task manages: the others are not its business.
                value = dict((k, v) for k, v in value.items() if k in wanted)
            out[opt] = MASK if (field.secret and value) else value
        return out

    def options(self, obj):
        """Every managed field obj has, in option form, secrets left out: obj as declared state."""
        out = {}
        for opt, field in self.fields.items():
            value = None if field.secret else field.get(obj)
            if value is not None:
                out[opt] = value
        return out

    def is_terminating(self, obj):
        return bool(obj and obj.get("metadata", {}).get("deletionTimestamp"))

    def wait_gone(self):
        what = "%s %s to be deleted" % (self.kind, self.identity())
        return wait_for(lambda: self.read() is None, self.wait_timeout(), what,
                        describe=lambda _: self.describe_deleting())

    def describe_deleting(self):
        return "it still exists"


def converge(res, state, wait=False, children=True, current=None):
    """Bring one resource to state; return an Outcome. Raises ValidationError, WaitTimeout, client errors.

    children=False leaves the sub-resources (memberships) to a later add_children(res, outcome, state):
    ks_tenancy converges every object first and the memberships after them. current: a Listed, what a bulk
    run found of this object by the kind's key, used in place of the first read."""
    problem = res.input_problem(state)
    if problem:
        raise ValidationError(problem)
    if res.requires:
        res.client.require(*res.requires)
    problem = res.check_location(state)
    if problem:
        raise ValidationError(problem)
    current = res.read() if current is None else res.read_listed(current)
    if state != "absent" and res.is_terminating(current):
        current = _after_deletion(res, wait)
    deleting = state == "absent" and current is not None and not res.is_terminating(current)
    if deleting:
        _guard(res, current, "delete")      # first: what is protected says so, whoever owns it
    foreign = res.owned_elsewhere(current) if current is not None else None
    if foreign:
        raise ValidationError(foreign)
    if state != "absent":
        problem = res.check_references(state, current)
        if problem:
            raise ValidationError(problem)
    if deleting:
        problem = res.check_delete(current)
        if problem:
            raise ValidationError(problem)
    before = res.view(current)
    if state == "absent":
        return _converge_absent(res, current, before, wait)
    desired = res.desired()
    protected = _guard(res, current, None)
    if current is None:
        if protected:
            _guard(res, current, "create")
        body = res.new_object()
        for opt, value in desired.items():
            res.fields[opt].set(body, res.fields[opt].merged(value, None))
        obj = body if res.check_mode else _create(res, body)
        changed = True
    else:
        changed_opts = [opt for opt, value in desired.items() if not res.fields[opt].same(value, res.fields[opt].get(current))]
        obj = current
        changed = bool(changed_opts)
        if changed:
            _guard(res, current, "change", changed_opts)
            body = copy.deepcopy(current)
            for opt in changed_opts:
                field = res.fields[opt]
                field.set(body, field.merged(desired[opt], field.get(current)))
            obj = body if res.check_mode else _update(res, current, body, changed_opts)
    if wait and changed and not res.check_mode:
        obj = _after_write(res.wait_ready, obj)
    outcome = Outcome(changed, before, res.view(obj), obj, action="created" if current is None else None,
                      protected=protected)
    if children:
        add_children(res, outcome, state)
    return outcome


def _guard(res, current, action, what=()):
    """The protection rule, before a write: with action None, why the object is protected when the task may
    not change it (None when it is not, or the task sets allow_protected); with an action (create, change,
    delete), refuse it then, naming the object, why, and the one way to do it anyway. Check mode predicts it."""
    reason = res.protection(current)
    if not reason:
        return None
    if res.params.get("allow_protected"):
        if action:
            res.warn("%s is protected (%s); %s anyway, as allow_protected is set"
                     % (res.title(), reason, _PROTECTED_VERBS[action][1]))
        return None
    if action is None:
        return reason
    fields = (" (%s)" % ", ".join(what)) if what else ""
    message = ("%s is protected: %s. kubesphere.core does not %s it%s; set allow_protected: true on this task only "
               "if you truly mean to" % (res.title(), reason, _PROTECTED_VERBS[action][0], fields))
    raise ProtectedObject(message, protected=reason)


_PROTECTED_VERBS = dict(create=("make an object under its name", "made"), change=("change", "changed"),
                        delete=("delete", "deleted"))


def _create(res, body):
    """Create; when the answer was lost (a reset, a gateway's 5xx: the object may exist now), read
    before sending it again (ks_recovery), so a create is never blindly repeated."""
    def landed():
        found = res.read()
        return (NOT_LANDED, None) if found is None else (LANDED, found)
    return write_recovering(res.client, res.kind, lambda: res.create(body), landed, "created", create=True)


def _update(res, current, body, changed_opts):
    """Update; when the answer was lost, read: done if the managed fields now match, else update again
    what is still to change, on the object as read."""
    state = dict(current=current, body=body, changed=changed_opts)

    def landed():
        found = res.read()
        if found is None:
            return UNKNOWN, None
        desired = res.desired()
        left = [opt for opt in state["changed"] if not res.fields[opt].same(desired[opt], res.fields[opt].get(found))]
        if not left:
            return LANDED, found
        body = copy.deepcopy(found)
        for opt in left:
            field = res.fields[opt]
            field.set(body, field.merged(desired[opt], field.get(found)))
        state.update(current=found, body=body, changed=left)
        return NOT_LANDED, None
    return write_recovering(res.client, res.kind, lambda: res.update(state["current"], state["body"], state["changed"]),
                            landed, "applied")


def _converge_absent(res, current, before, wait):
    if current is None:
        return Outcome(False, {}, {}, None)
    changed = not res.is_terminating(current)
    outcome = Outcome(changed, before, {}, current, action="deleted" if changed else None)
    add_children(res, outcome, "absent")
    if changed and not res.check_mode:
        res.delete(current)
    if wait and not res.check_mode:
        if changed:
            _after_write(res.wait_gone)
        else:
            res.wait_gone()
    outcome.obj = None if (wait or res.check_mode) else current
    return outcome


def _after_deletion(res, wait):
    """Wanted present but still being deleted (a delete a moment ago): it is about to vanish, so it
    is neither kept nor updated. With wait, wait until it is gone and create it again (check mode
    predicts that); without, fail rather than report it present."""
    if not wait:
        raise ResourceFailure("%s %s is being deleted (%s); it can be created again once it is gone: "
                              "run with wait=true to wait for that"
                              % (res.kind, res.identity(), res.describe_deleting()))
    if not res.check_mode:
        res.wait_gone()
    return None


def _after_write(wait, *args):
    """Run a wait that follows a write: a timeout then reports changed=True."""
    try:
        return wait(*args)
    except WaitTimeout as err:
        err.changed = True
        raise


def add_children(res, outcome, state):
    """Converge the sub-resources of a converged object and fold them into its outcome. Those of a protected
    object are only predicted (in check mode), and any change among them is refused before it is sent."""
    new = outcome.action == "created"
    if outcome.protected and state != "absent":
        converged = _predicted_children(res, outcome, state)
        changing = [key for key, child in converged if child.changed]
        if changing:
            raise ProtectedObject("%s is protected: %s. kubesphere.core does not change its %s; set "
                                  "allow_protected: true on this task only if you truly mean to"
                                  % (res.title(), outcome.protected, " or ".join(changing)),
                                  protected=outcome.protected)
    else:
        converged = res.children(outcome.obj, state)
    for key, child in converged:
        if child.changed and outcome.action == "unchanged":
            outcome.action = "updated"
        outcome.changed = outcome.changed or child.changed
        if not new:     # a new object's diff starts from {}, with no empty member list
            outcome.before[key] = child.before
        outcome.after[key] = child.after
        outcome.extra[key] = child.obj


def _predicted_children(res, outcome, state):
    check_mode = res.check_mode
    res.check_mode = True
    try:
        return list(res.children(outcome.obj, state))
    finally:
        res.check_mode = check_mode


# Patch builders --------------------------------------------------------------
def merge_patch(res, changed, body):
    """A merge patch holding only the changed fields' new values (maps: only the given keys)."""
    patch = {}
    desired = res.desired()
    for opt in changed:
        field = res.fields[opt]
        value = desired[opt] if field.kind == "map" else field.get(body)
        Field(field.path, to_api=field.to_api).set(patch, value)
    return patch


def json_patch(res, changed, current, body):
    """RFC 6902 operations that turn current into body for the changed fields.

    Missing parent maps are added first; map fields get one op per given key,
    so keys the user did not name are left alone.
    """
    ops = []
    desired = res.desired()
    shadow = copy.deepcopy(current)  # tracks the parents the ops have added so far
    for opt in changed:
        field = res.fields[opt]
        if field.kind == "map":
            parent_path = field.path
            _ensure_parents(ops, shadow, parent_path)
            for key, value in sorted((desired[opt] or {}).items()):
                ops.append({"op": "add", "path": _pointer(parent_path + (key,)), "value": value})
        else:
            _ensure_parents(ops, shadow, field.path[:-1])
            node = body
            for key in field.path:
                node = node[key]
            ops.append({"op": "add", "path": _pointer(field.path), "value": node})
    return ops


def _ensure_parents(ops, shadow, path):
    node = shadow
    for i, key in enumerate(path):
        if not isinstance(node.get(key), dict):
            ops.append({"op": "add", "path": _pointer(path[:i + 1]), "value": {}})
            node[key] = {}
        node = node[key]


def _pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
