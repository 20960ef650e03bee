# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Attribute declarations shared by the modules of kubesphere.core."""

from __future__ import annotations


class ModuleDocFragment:
    # Resource modules: full check mode and diff mode, part of the action group.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Nothing is written in check mode; the module returns the object it predicts and whether it would change.
  diff_mode:
    support: full
    description: Before and after hold the fields the task manages; secrets are masked.
  action_group:
    support: full
    membership:
      - kubesphere.core.ks
    description: Use C(group/kubesphere.core.ks) in C(module_defaults) to set the connection options once.
"""

    # Read-only modules: nothing to change, so check mode simply runs.
    INFO = r"""
attributes:
  check_mode:
    support: full
    description: This module changes nothing and runs normally in check mode.
  diff_mode:
    support: N/A
    description: This module changes nothing.
  action_group:
    support: full
    membership:
      - kubesphere.core.ks
    description: Use C(group/kubesphere.core.ks) in C(module_defaults) to set the connection options once.
"""
