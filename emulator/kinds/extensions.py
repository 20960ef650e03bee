"""kubesphere.io/v1alpha1 extension kinds (all cluster-scoped, host only) and
the InstallPlan webhooks: defaulting trims trailing blanks on every line of
spec.config and of each override; validation denies (403) a config that is
not YAML, like ks-controller-manager's installplans.kubesphere.io webhook."""

import re

import yaml

from .. import errors
from ..admission import admission
from ..registry import Kind, register_kind

GROUP = "kubesphere.io"

REPOSITORY = register_kind(Kind(group=GROUP, version="v1alpha1", plural="repositories", kind="Repository",
                                host_only=True))
CATEGORY = register_kind(Kind(group=GROUP, version="v1alpha1", plural="categories", kind="Category",
                              host_only=True))
EXTENSION = register_kind(Kind(group=GROUP, version="v1alpha1", plural="extensions", kind="Extension",
                               host_only=True))
EXTENSION_VERSION = register_kind(Kind(group=GROUP, version="v1alpha1", plural="extensionversions",
                                       kind="ExtensionVersion", host_only=True))
INSTALL_PLAN = register_kind(Kind(group=GROUP, version="v1alpha1", plural="installplans", kind="InstallPlan",
                                  host_only=True))

EXTENSION_REF_LABEL = "kubesphere.io/extension-ref"
_WEBHOOK = "installplans.kubesphere.io"


def trim_lines(text):
    """The webhook's defaulting: trailing spaces and tabs go from every line."""
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


def _yaml_problem(text):
    """None, or the error in go-yaml's words (PyYAML's "expected X, but got Y"
    is go-yaml's "did not find expected X", reported at the construct's line)."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        problem = re.sub(r"^expected (.*?), but (?:found|got) .*$", r"did not find expected \1", problem)
        return f"error converting YAML to JSON: yaml: {line}{problem}"
    return None


@admission(GROUP, "installplans")
def installplan_webhook(review):
    if review.op == "DELETE":
        return
    spec = review.obj.setdefault("spec", {})
    # CRD defaults (the recorded create answers carry them, and an empty status)
    spec.setdefault("enabled", False)
    spec.setdefault("upgradeStrategy", "Manual")
    if review.op == "CREATE":
        review.obj.setdefault("status", {})
    texts = []
    if isinstance(spec.get("config"), str):
        spec["config"] = trim_lines(spec["config"])
        texts.append(spec["config"])
    overrides = (spec.get("clusterScheduling") or {}).get("overrides") or {}
    for cluster, text in list(overrides.items()):
        if isinstance(text, str):
            overrides[cluster] = trim_lines(text)
            texts.append(overrides[cluster])
    for text in texts:
        problem = _yaml_problem(text)
        if problem:
            raise errors.webhook_denied(_WEBHOOK, f"failed to unmarshal extension config: {problem}")
