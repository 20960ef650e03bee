# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The action plugin every kubesphere.core module runs through (plugins/action/<module>.py subclass it).

Under --check it hands the names earlier tasks of the play planned (on the same host) to this task's reference
checks, and records what this task plans for the later ones (ks_plans). It runs the module itself as Ansible
always does, shipped to the target, or in the controller's process when the task runs there (ks_in_process).
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash
try:    # up to ansible-core 2.20; later ones clean a result object of their own (see _cleaned)
    from ansible.vars.clean import remove_internal_keys
except ImportError:
    remove_internal_keys = None

from ansible_collections.kubesphere.core.plugins.module_utils._bulk import ks_progress
from ansible_collections.kubesphere.core.plugins.plugin_utils import ks_in_process, ks_plans

display = Display()


class KubeSphereAction(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        module = ks_plans.short_name(self._task.action)
        args = self._task.args
        planned = None
        if self._task.check_mode:
            planned = (task_vars.get("ansible_facts") or {}).get(ks_plans.FACT) or {}
            if module in ks_plans.ASSUMING:
                args = ks_plans.with_assumed(args, planned)
        result = merge_hash(result, self._module_result(args, task_vars))
        if planned is not None:
            new = ks_plans.planned_by(module, args, result)
            if new:
                facts = dict(result.get("ansible_facts") or {})
                facts[ks_plans.FACT] = ks_plans.merged(planned, new)
                result["ansible_facts"] = facts
        return result

    def _module_result(self, args, task_vars):
        if self._in_process():
            return self._run_in_process(args, task_vars)
        wrap_async = self._task.async_val and not getattr(self._connection, "has_native_async", False)
        result = self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _in_process(self):
        """On the controller, as the user running Ansible, and not asked to ship: local connection, no become,
        no async, KUBESPHERE_IN_PROCESS not false."""
        return (getattr(self._connection, "transport", None) == "local" and not self._play_context.become
                and not self._task.async_val and ks_in_process.wanted())

    def _run_in_process(self, args, task_vars):
        module = ks_plans.short_name(self._task.resolved_action or self._task.action)
        args = dict(args)
        self._update_module_args(self._task.action, args, task_vars)
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        display.vvv("Running %s in the controller's process (%s=false ships it)" % (module, ks_in_process.SWITCH))
        host = task_vars.get("inventory_hostname") or "localhost"
        # A long ks_tenancy run says how far it is, in the display, every few seconds.
        stop = ks_progress.listen(lambda text: display.display("[%s] %s" % (host, text)))
        try:
            res, profile = ks_in_process.run(module, args, environment)
        finally:
            stop()
        return _cleaned(self._parse_returned_data(res, profile))


def _cleaned(parsed):
    """The result dict, without Ansible's internal keys, as ActionBase._execute_module hands it on."""
    if hasattr(parsed, "as_result_dict"):      # ansible-core 2.21 and later: a UnifiedTaskResult
        parsed.remove_internal_keys()
        return parsed.as_result_dict(for_round_trip=True)
    parsed.pop("_ansible_suppress_tmpdir_delete", None)
    remove_internal_keys(parsed)
    return parsed
