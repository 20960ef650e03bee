# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The Ansible side of a bulk run (ks_tenancy): item options checked with the modules' own specs
by Ansible's validator, their secrets masked, and the run's results turned into the task result."""

from __future__ import annotations

import copy

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.validation import check_type_dict, check_type_list

from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_bulk import BulkRun, summarize
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_prune import PruneRefused
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KS_CONNECTION_ARGSPEC, KubeSphereModule
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_references import ServerReferences

_VALIDATORS = {}
_SHAPES = ((bool, "boolean"), (str, "string"), (dict, "mapping"), (list, "list"), ((int, float), "number"))


def shape_of(value):
    """What a value is, in YAML's words (Ansible's own messages name internal classes instead)."""
    return next((word for kind, word in _SHAPES if isinstance(value, kind)), "value of another kind")


def example(spec):
    """The required options of an item, for a message: 'user: ..., role: ...'."""
    return ", ".join("%s: ..." % name for name, option in spec.items() if option.get("required")) or "..."


def _converts(value, what):
    """Whether Ansible's validator turns a string into a mapping (or a list of them): JSON or key=value."""
    if not isinstance(value, str):
        return False
    try:
        parts = check_type_list(value) if what == "list" else [value]
        for part in parts:
            check_type_dict(part)
    except (TypeError, ValueError):
        return False
    return True


def shape_errors(spec, params, where=""):
    """Options of one item that hold a list of mappings, or a mapping, given in a shape Ansible's validator
    would refuse (members: bob), each named with the shape expected; nested items are looked into too.
    What that validator accepts (a key=value string) is left to it."""
    errors = []
    for name, option in spec.items():
        value = params.get(name)
        path, options = where + name, option.get("options") or {}
        items = option.get("type") == "list" and option.get("elements") == "dict"
        takes_mappings = items or option.get("type") == "dict"
        if value is None or not takes_mappings or _converts(value, "list" if items else "dict"):
            continue
        if items:
            if not isinstance(value, list):
                errors.append("%s must be a list of {%s}, not a %s" % (path, example(options), shape_of(value)))
                continue
            for index, element in enumerate(value):
                if isinstance(element, dict):
                    errors.extend(shape_errors(options, element, "%s[%d]." % (path, index)))
                elif not _converts(element, "dict"):
                    errors.append("%s[%d] must be a mapping such as {%s}, not a %s"
                                  % (path, index, example(options), shape_of(element)))
        elif option.get("type") == "dict":
            if not isinstance(value, dict):
                errors.append("%s must be a mapping, not a %s" % (path, shape_of(value)))
            else:
                errors.extend(shape_errors(options, value, path + "."))
    return errors


def check_options(spec, params):
    """(validated params, [every error]) for one item, with the rules of the module the spec belongs to."""
    problems = shape_errors(spec, params)
    if problems:
        return params, problems
    validator = _VALIDATORS.get(id(spec))
    if validator is None:
        validator = _VALIDATORS[id(spec)] = ArgumentSpecValidator(copy.deepcopy(spec))
    result = validator.validate(params)
    return result.validated_parameters, [str(m) for m in result.errors.messages]


def secrets_of(spec, params):
    """The values of the no_log options of one item."""
    found = set()
    for name, option in spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        if option.get("no_log"):
            found.add(str(value))
        elif option.get("options") and isinstance(value, list):
            for element in value:
                found.update(secrets_of(option["options"], element))
    return found


class BulkModule(KubeSphereModule):
    """A module whose list options hold items of other modules (kinds): their secrets are masked
    from the start, in the invocation Ansible logs and in every result."""

    def __init__(self, kinds, **kwargs):
        self.kinds = kinds
        self.misshapen = {}    # item options not given as a list: {option: value}, reported by run_bulk
        self._item_secrets = {}     # {option: (the items list, its secrets)}: asked at every mask_secrets
        super().__init__(**kwargs)

    def _load_params(self):
        # Before Ansible validates the options: an item list given as a mapping (users: {name: bob}) would
        # fail there naming an internal class, with its password in the result. It is masked, set aside and
        # reported with every other input error.
        super()._load_params()
        for kind in self.kinds:
            value = self.params.get(kind.option)
            if value is not None and not isinstance(value, list) and not _converts(value, "list"):
                self.misshapen[kind.option] = value
                self.params[kind.option] = []
        self.mask_secrets()

    def shape_errors(self):
        return ["%s must be a list of items (- %s), not a %s"
                % (kind.option, example(kind.options), shape_of(self.misshapen[kind.option]))
                for kind in self.kinds if kind.option in self.misshapen]

    def secret_values(self, params):
        """The connection's secrets and the no_log values of every item (also of a list given as a mapping)."""
        found = super().secret_values(params)
        for kind in self.kinds:
            items = params.get(kind.option) or []
            items = [self.misshapen[kind.option]] if kind.option in self.misshapen else items
            found.extend(self._secrets_of_items(kind, items if isinstance(items, list) else []))
        return found

    def _secrets_of_items(self, kind, items):
        """The secrets of one option's items, walked once per list (mask_secrets runs at every step of
        AnsibleModule's life, and a list of 10,000 items costs a walk each time)."""
        cached = self._item_secrets.get(kind.option)
        if cached is not None and cached[0] is items and cached[2] == len(items):
            return cached[1]
        found = set()
        for item in items:
            found.update(secrets_of(kind.options, item))
        self._item_secrets[kind.option] = (items, found, len(items))
        return found


def run_bulk(module, memberships=None):
    """Validate every item, converge them all, exit with results and summary (fail if any item failed)."""
    kinds = module.kinds
    connection = dict((key, module.params.get(key)) for key in KS_CONNECTION_ARGSPEC)
    scope = dict((k, v) for k, v in (module.params.get("prune_scope") or {}).items() if v)
    run = BulkRun(kinds, dict((k.option, module.params.get(k.option)) for k in kinds), connection, check_options,
                  check_mode=module.check_mode, diff=module._diff, concurrency=module.params["concurrency"],
                  prune=module.params.get("prune") or (), server_references=ServerReferences,
                  prune_limit=module.params.get("prune_limit"), allow_empty_prune=module.params.get("allow_empty_prune"),
                  prune_scope=scope, memberships=memberships)
    errors = module.shape_errors() + run.validate()
    if errors:
        module.params.update(module.misshapen)      # the result shows the input as given (masked)
        module.fail_json(msg="%d input error%s, nothing was sent: %s" % (len(errors), "s" if len(errors) > 1 else "",
                                                                         "; ".join(errors)), errors=errors)
    module.pool_size = module.params["concurrency"]
    try:
        results = run.execute(module.client)
    except KubeSphereError as err:
        module.fail_from_error(err, action="ks_tenancy", changed=bool(module._client and module._client.stats.get("writes")))
    except PruneRefused as err:
        for message in run.warnings:
            module.warn(message)
        module.fail_json(msg=str(err), changed=False, prune_refused=err.names)
    for message in run.warnings:
        module.warn(message)
    summary = summarize(kinds, results)
    changed = any(r["changed"] for r in results)
    result = dict(changed=changed, results=results, summary=summary, plan=plan_of(results))
    if module._diff:
        result["diff"] = [dict(prepared=result["plan"]["text"] + "\n")] + [
            dict(before=r["diff"]["before"], after=r["diff"]["after"],
                 before_header="%s (before)" % _title(r), after_header="%s (%s)" % (_title(r), _VERBS[r["action"]]))
            for r in results if r.get("diff") and r["changed"]]
    failures = [r for r in results if r["action"] == "failed"]
    if failures:
        messages = [r["msg"] for r in failures]
        module.fail_json(msg="%d of %d objects failed: %s" % (len(failures), len(results), "; ".join(messages)),
                         failures=messages, **result)
    module.exit_json(**result)


_VERBS = dict(created="create", updated="update", deleted="delete", unchanged="no change", failed="failed",
              skipped="skipped")


def plan_of(results):
    """What the run does (or, in check mode, would do), per action: counts, the objects deleted by name, and one line
    of text that says it, so a plan that deletes reads as one."""
    counts = dict((verb, 0) for verb in ("create", "update", "delete"))
    deleted = []
    for result in results:
        verb = _VERBS[result["action"]]
        if verb in counts and result["changed"]:
            counts[verb] += 1
            if verb == "delete":
                deleted.append(_title(result) + (" (pruned)" if result.get("pruned") else ""))
    text = "ks_tenancy: %s" % ", ".join("%s %d" % (verb, counts[verb]) for verb in ("create", "update", "delete"))
    if deleted:
        text += "; delete: %s" % ", ".join(deleted)
    return dict(counts=counts, deleted=deleted, text=text)


def _title(result):
    where = (" on cluster %s" % result["cluster"]) if result.get("cluster") and result["cluster"] != "host" else ""
    return "%s %s%s" % (result["kind"], result["name"], where)
