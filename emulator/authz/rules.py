"""Kubernetes PolicyRule matching."""


def _has(values, wanted):
    return "*" in values or wanted in values


def rule_allows(rule, info):
    verbs = rule.get("verbs") or []
    if not info.is_resource:
        urls = rule.get("nonResourceURLs") or []
        if not urls:
            return False
        verb_ok = "*" in verbs or info.method.lower() in (v.lower() for v in verbs)
        return verb_ok and any(_url_matches(u, info.path) for u in urls)
    if rule.get("nonResourceURLs"):
        return False
    if not _has(verbs, info.verb) or not _has(rule.get("apiGroups") or [], info.api_group):
        return False
    resource = info.resource + ("/" + info.subresource if info.subresource else "")
    resources = rule.get("resources") or []
    if not (_has(resources, resource) or (info.subresource and f"*/{info.subresource}" in resources)):
        return False
    names = rule.get("resourceNames") or []
    return not names or info.name in names


def _url_matches(pattern, path):
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern
