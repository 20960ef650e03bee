# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Run a kubesphere.core module in the controller's own process, as the AnsiballZ wrapper would run it shipped.

A task that runs on the controller (local connection) would otherwise pay for building the module's zip,
starting a Python and importing everything again, for a request of a few milliseconds. Here the module's own
main() runs in the task's worker process with the same input (its arguments, encoded as Ansible encodes them
for a module) and the same output (the JSON it prints and its exit), so argument validation, check and diff
mode, no_log masking, warnings, results and failures are the module's own. Only what shipping adds around it
(a temporary directory, interpreter discovery) is left out.

Set KUBESPHERE_IN_PROCESS=false on the controller to ship every module as Ansible does by default.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

try:    # ansible-core 2.19 and later: modules are handed their arguments under a serialization profile
    from ansible.module_utils import _internal
    from ansible.module_utils._internal._ansiballz import _loader
    from ansible.module_utils.common.json import Direction, get_module_encoder
    AVAILABLE = hasattr(basic, "_ANSIBLE_PROFILE") and hasattr(_internal, "is_controller")
except ImportError:     # older ansible-core: ship the module
    AVAILABLE = False

SWITCH = "KUBESPHERE_IN_PROCESS"
PROFILE = "legacy"      # what ansible-core uses for a module that declares no metadata (all of ours)
PACKAGE = "ansible_collections.kubesphere.core.plugins.modules."


def wanted(environ=None):
    """False when the controller's KUBESPHERE_IN_PROCESS says to ship the modules."""
    value = (environ if environ is not None else os.environ).get(SWITCH, "true")
    return AVAILABLE and str(value).strip().lower() not in ("0", "false", "no", "off", "n", "f")


@contextlib.contextmanager
def _module_context(params, environment):
    """The process as a module finds it: its arguments, the task's environment, and warnings collected for
    its result rather than shown by the controller (which the controller's own imports switch on)."""
    saved = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, _internal.is_controller, dict(os.environ))
    basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = params, PROFILE
    module_warnings._global_warnings.clear()
    module_warnings._global_deprecations.clear()
    os.environ.update(environment)
    _internal.is_controller = False
    try:
        yield
    finally:
        _internal.is_controller = saved[2]
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved[0], saved[1]
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        os.environ.clear()
        os.environ.update(saved[3])


def run(module_name, module_args, environment=None):
    """Run kubesphere.core.<module_name> with module_args (as ActionBase._update_module_args completed them).
    Returns what a shipped run returns to the controller: dict(stdout, stderr, rc), and the profile to decode
    stdout with."""
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    params = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
    out = io.StringIO()
    rc = 0
    with _module_context(params, dict((str(k), str(v)) for k, v in (environment or {}).items())):
        with contextlib.redirect_stdout(out):
            try:
                try:
                    importlib.import_module(PACKAGE + module_name).main()
                    raise RuntimeError("Module %s did not handle its own exit." % module_name)
                except Exception as ex:  # pylint: disable=broad-exception-caught
                    _loader._handle_exception(ex, PROFILE)    # the wrapper's own report: prints, exits 1
            except SystemExit as done:
                rc = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return dict(stdout=out.getvalue(), stderr="", rc=rc), PROFILE
