# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""Option specs shared by the resource modules and ks_tenancy (plain data, no Ansible imports).

Each resource keeps its own options beside its Resource class (ks_user.USER_OPTIONS and so on);
the module of that resource and ks_tenancy's items are both built from that one spec, so the
two cannot drift apart.
"""

from __future__ import annotations


def state_option():
    return dict(type="str", default="present", choices=["present", "absent"])


def wait_options(timeout, wait=False, timeout_type="float"):
    """wait and wait_timeout, with the default each resource documents."""
    return dict(wait=dict(type="bool", default=wait), wait_timeout=dict(type=timeout_type, default=timeout))


def members_options():
    """members and purge_members, shared by workspaces and projects."""
    return dict(
        members=dict(type="list", elements="dict", options=dict(
            user=dict(type="str", required=True),
            role=dict(type="str", required=True),
        )),
        purge_members=dict(type="bool", default=False),
    )


def references_options():
    """assume_present (doc fragment kubesphere.core.references): names the reference checks take as existing."""
    return dict(assume_present=dict(type="dict", options=dict(
        users=dict(type="list", elements="str"),
        workspaces=dict(type="list", elements="str"),
        roles=dict(type="list", elements="str"),
        projects=dict(type="list", elements="str"),
    )))


def protection_options():
    """allow_protected (doc fragment kubesphere.core.protection): the one way to change KubeSphere's own objects."""
    return dict(allow_protected=dict(type="bool", default=False))
