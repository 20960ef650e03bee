# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Which resource names a quota and a container's default limits may name: kube-apiserver's rules
(pkg/apis/core/validation ValidateResourceQuotaResourceName and validateContainerResourceName), so that
a typo such as ``limits.cpus`` or ``cpuu`` is refused before any write instead of with a 422 after
others were made (a workspace quota, a CRD, would even store it and limit nothing)."""

from __future__ import annotations

import re

QUOTA_RESOURCES = frozenset([
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers"])
CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _qualified(name):
    """kube's IsQualifiedName: [DNS subdomain prefix/]name, the name part at most 63 characters."""
    prefix, _sep, part = name.rpartition("/")
    if _sep and (not prefix or len(prefix) > 253 or not _PREFIX.match(prefix)):
        return False
    return 0 < len(part) <= 63 and bool(_NAME_PART.match(part))


def quota_name_error(name):
    """Why a quota may not name this resource, or None."""
    if "/" in name:
        if _qualified(name) and name.count("/") == 1:
            return None
        return "%s is not a valid resource name (a fully qualified name looks like count/deployments.apps " \
               "or requests.example.com/gpu)" % name
    if name in QUOTA_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-")):
        return None
    return "%s is not a resource a quota can limit; Kubernetes knows %s, hugepages-<size>, and fully qualified " \
           "names such as count/deployments.apps" % (name, ", ".join(sorted(QUOTA_RESOURCES)))


def container_name_error(name):
    """Why a container's default request or limit may not name this resource, or None."""
    if "/" in name:
        native = "kubernetes.io/" in name
        extended = not name.startswith("requests.") and _qualified("requests." + name)
        if name.count("/") == 1 and _qualified(name) and (native or extended):
            return None
        return "%s is not a valid extended resource name (one looks like example.com/gpu)" % name
    if name in CONTAINER_RESOURCES or name.startswith("hugepages-"):
        return None
    return "%s is not a container resource; Kubernetes knows %s, hugepages-<size>, and extended resources " \
           "such as example.com/gpu" % (name, ", ".join(CONTAINER_RESOURCES))
