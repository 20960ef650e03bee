"""kube-apiserver's checks of the resource names a ResourceQuota or LimitRange names
(pkg/apis/core/validation: validateResourceName, ValidateResourceQuotaResourceName,
validateContainerResourceName), with its messages: quota-names.json recorded 422 for `cpuu`,
`limits.cpus` and a container's `limits.cpu`. Each returns [(detail)] for one name, in kube's order."""

import re

from .validation import name_problem

QUOTA = frozenset(["cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
                   "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
                   "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims",
                   "configmaps", "services.nodeports", "services.loadbalancers"])
STANDARD = QUOTA | {"storage"}
CONTAINER = frozenset(["cpu", "memory", "ephemeral-storage"])
_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_KEY_RE = re.compile("^" + _KEY_FMT + "$")
_KEY_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '%s')" % _KEY_FMT)


def _hugepages(name, quota=True):
    return name.startswith("hugepages-") or (quota and name.startswith("requests.hugepages-"))


def qualified_name_problems(value):
    """validation.IsQualifiedName."""
    parts = value.split("/")
    if len(parts) > 2:
        return ["a valid label key " + _KEY_MSG + " with an optional DNS subdomain prefix and '/' "
                "(e.g. 'example.com/MyName')"]
    problems = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            problems.append("prefix part must be non-empty")
        elif name_problem(prefix):
            problems.append("prefix part " + name_problem(prefix))
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 bytes")
    if not _KEY_RE.match(name):
        problems.append("name part " + _KEY_MSG)
    return problems


def resource_name_problems(value):
    problems = qualified_name_problems(value)
    if problems:
        return problems
    if "/" not in value and not (value in STANDARD or _hugepages(value)):
        return ["must be a standard resource type or fully qualified"]
    return []


def quota_name_problems(value):
    problems = resource_name_problems(value)
    if "/" not in value and not (value in QUOTA or _hugepages(value)):
        problems.append("must be a standard resource for quota")
    return problems


def container_name_problems(value):
    problems = resource_name_problems(value)
    if "/" not in value:
        if not (value in CONTAINER or _hugepages(value, quota=False)):
            problems.append("must be a standard resource for containers")
    elif "kubernetes.io/" not in value and (value.startswith("requests.")
                                            or qualified_name_problems("requests." + value)):
        problems.append("doesn't follow extended resource name standard")
    return problems
