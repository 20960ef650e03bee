# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The Ansible side of a bulk run (ks_tenancy): item options checked with the modules' own specs
by Ansible's validator, their secrets masked, and the run's results turned into the task result."""

from __future__ import annotations

import copy

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.kubesphere.core.plugins.module_utils.ks_bulk import BulkRun, summarize
from ansible_collections.kubesphere.core.plugins.module_utils.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KS_CONNECTION_ARGSPEC, KubeSphereModule
from ansible_collections.kubesphere.core.plugins.module_utils.ks_references import ServerReferences

_VALIDATORS = {}


def check_options(spec, params):
    """(validated params, [every error]) for one item, with the rules of the module the spec belongs to."""
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
        super().__init__(**kwargs)
        self._mask_items()

    def _mask_items(self):
        for kind in self.kinds:
            for item in self.params.get(kind.option) or []:
                self.no_log_values.update(secrets_of(kind.options, item))

    def _log_invocation(self):
        # AnsibleModule logs the invocation from inside its __init__: the items' specs are not part of
        # the task's own argument spec, so their no_log values are added first.
        self._mask_items()
        super()._log_invocation()


def run_bulk(module):
    """Validate every item, converge them all, exit with results and summary (fail if any item failed)."""
    kinds = module.kinds
    connection = dict((key, module.params.get(key)) for key in KS_CONNECTION_ARGSPEC)
    run = BulkRun(kinds, dict((k.option, module.params.get(k.option)) for k in kinds), connection, check_options,
                  check_mode=module.check_mode, diff=module._diff, concurrency=module.params["concurrency"],
                  prune=module.params.get("prune") or (), server_references=ServerReferences)
    errors = run.validate()
    if errors:
        module.fail_json(msg="%d input error%s, nothing was sent: %s" % (len(errors), "s" if len(errors) > 1 else "",
                                                                         "; ".join(errors)), errors=errors)
    module.pool_size = module.params["concurrency"]
    try:
        results = run.execute(module.client)
    except KubeSphereError as err:
        module.fail_from_error(err, action="ks_tenancy", changed=bool(module._client and module._client.stats.get("writes")))
    for message in run.warnings:
        module.warn(message)
    summary = summarize(kinds, results)
    changed = any(r["changed"] for r in results)
    result = dict(changed=changed, results=results, summary=summary)
    if module._diff:
        result["diff"] = [dict(before=r["diff"]["before"], after=r["diff"]["after"],
                               before_header="%s (before)" % _title(r), after_header="%s (after)" % _title(r))
                          for r in results if r.get("diff") and r["changed"]]
    failures = [r for r in results if r["action"] == "failed"]
    if failures:
        messages = [r["msg"] for r in failures]
        module.fail_json(msg="%d of %d objects failed: %s" % (len(failures), len(results), "; ".join(messages)),
                         failures=messages, **result)
    module.exit_json(**result)


def _title(result):
    where = (" on cluster %s" % result["cluster"]) if result.get("cluster") and result["cluster"] != "host" else ""
    return "%s %s%s" % (result["kind"], result["name"], where)
