# -*- coding: utf-8 -*-
# Test helper: writes every task result of a run to the JSON file named by KS_RESULTS_FILE,
# so tests assert on structured results rather than on screen output.
from __future__ import annotations

import json
import os

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: ks_results
type: aggregate
short_description: records task results for the kubesphere.core tests
description: Writes each task's host, name, status and result to the file in E(KS_RESULTS_FILE).
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ks_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.records = []

    def _record(self, result, status):
        self.records.append(dict(host=result._host.get_name(), task=result._task.get_name(),
                                 status=status, result=result._result))

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("KS_RESULTS_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.records, handle, cls=AnsibleJSONEncoder)
