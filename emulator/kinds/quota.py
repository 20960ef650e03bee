"""Quotas and limits: the workspace quota (quota.kubesphere.io ResourceQuota,
cluster-scoped, served through the tenant kapis), and a project's plain
Kubernetes ResourceQuota and LimitRange, with kube-apiserver's decode (400)
and validation (422) answers, resource names included (resource_names.py). A project quota larger than its workspace's is
accepted: KubeSphere's quota webhook only checks pods, PVCs and services."""

from .. import errors
from ..admission import admission
from ..quantity import QuantityError, canonical_map, parse
from ..registry import Kind, register_kind
from ..resource_names import container_name_problems, quota_name_problems, resource_name_problems
from ..validation import go_quote

WORKSPACE_QUOTA = register_kind(Kind(group="quota.kubesphere.io", version="v1alpha2", plural="resourcequotas",
                                     kind="ResourceQuota", kapis_generic=False))
RESOURCE_QUOTA = register_kind(Kind(group="", version="v1", plural="resourcequotas", kind="ResourceQuota",
                                    namespaced=True, custom=False, kapis_generic=False, delete_returns_object=True))
LIMIT_RANGE = register_kind(Kind(group="", version="v1", plural="limitranges", kind="LimitRange",
                                 namespaced=True, custom=False, kapis_generic=False))
NETWORK_POLICY = register_kind(Kind(group="networking.k8s.io", version="v1", plural="networkpolicies",
                                    kind="NetworkPolicy", namespaced=True, custom=False, kapis_generic=False))


def _undecodable(kind, exc):
    return errors.bad_request(f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: {exc}')


def _values(kind, mapping):
    """{resource: value} of a quantity map; a malformed one is the decode error (400)."""
    out = {}
    for resource, text in (mapping or {}).items():
        try:
            out[resource] = parse(text)
        except QuantityError as exc:
            raise _undecodable(kind, exc) from None
    return out


def _name_causes(field, resource, check):
    return [(field, go_quote(resource), problem, "FieldValueInvalid") for problem in check(resource)]


@admission("", "resourcequotas")
def check_resource_quota(review):
    if review.op == "DELETE":
        return
    hard = (review.obj.get("spec") or {}).get("hard")
    causes = []
    for resource, value in sorted(_values(RESOURCE_QUOTA, hard).items()):
        field = f"spec.hard[{resource}]"
        causes += _name_causes(field, resource, quota_name_problems)
        if value < 0:
            causes.append((field, go_quote(hard[resource]), "must be greater than or equal to 0", "FieldValueInvalid"))
    if causes:
        raise errors.invalid(RESOURCE_QUOTA, review.obj["metadata"]["name"], causes)
    if hard is not None:
        review.obj["spec"]["hard"] = canonical_map(hard)
    review.obj.setdefault("status", {})


def _default_container_item(item):
    """kube-apiserver's defaulting of a Container item (SetDefaults_LimitRangeItem), done at decode, before
    validation: default from max, then defaultRequest from default, then from min; empty maps are not kept."""
    if item.get("type") != "Container":
        return
    default, request = dict(item.get("default") or {}), dict(item.get("defaultRequest") or {})
    for resource, value in (item.get("max") or {}).items():
        default.setdefault(resource, value)
    for source in (default, item.get("min") or {}):
        for resource, value in source.items():
            request.setdefault(resource, value)
    for key, value in (("default", default), ("defaultRequest", request)):
        if value:
            item[key] = value


@admission("", "limitranges")
def check_limit_range(review):
    if review.op == "DELETE":
        return
    for item in (review.obj.get("spec") or {}).get("limits") or []:
        if isinstance(item, dict):
            _default_container_item(item)
    causes = []
    for index, item in enumerate((review.obj.get("spec") or {}).get("limits") or []):
        values = {key: _values(LIMIT_RANGE, item.get(key)) for key in ("default", "defaultRequest", "max", "min")}
        check = container_name_problems if item.get("type") in ("Container", "Pod") else resource_name_problems
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            for resource in sorted(item.get(key) or {}):
                causes += _name_causes(f"spec.limits[{index}].{key}[{resource}]", resource, check)
        for resource, request in sorted(values["defaultRequest"].items()):
            # kube-apiserver defaults default from max first, hence the second cause.
            limit = values["default"].get(resource, values["max"].get(resource))
            text = item["defaultRequest"][resource]
            field = f"spec.limits[{index}].defaultRequest[{resource}]"
            if resource in values["max"] and request > values["max"][resource]:
                causes.append((field, go_quote(text), "default request value %s is greater than max value %s"
                               % (text, item["max"][resource]), "FieldValueInvalid"))
            if limit is not None and request > limit:
                shown = item.get("default", {}).get(resource, item.get("max", {}).get(resource))
                causes.append((field, go_quote(text), "default request value %s is greater than default limit "
                               "value %s" % (text, shown), "FieldValueInvalid"))
    if causes:
        raise errors.invalid(LIMIT_RANGE, review.obj["metadata"]["name"], causes)
    for item in (review.obj.get("spec") or {}).get("limits") or []:
        for key in ("default", "defaultRequest", "max", "min", "maxLimitRequestRatio"):
            if key in item:
                item[key] = canonical_map(item[key])


@admission("quota.kubesphere.io", "resourcequotas")
def check_workspace_quota(review):
    if review.op == "DELETE":
        return
    if review.op == "CREATE":
        review.obj["status"] = {"total": {}, "namespaces": None}
    hard = ((review.obj.get("spec") or {}).get("quota") or {}).get("hard")
    for text in (hard or {}).values():
        try:
            parse(text)
        except QuantityError as exc:
            raise errors.bad_request(str(exc)) from None
