# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Runs kubesphere.core.ks_app_repo: plans across tasks under --check, in process on the controller (ks_action)."""

from __future__ import annotations

from ansible_collections.kubesphere.core.plugins.plugin_utils.ks_action import KubeSphereAction


class ActionModule(KubeSphereAction):
    pass
