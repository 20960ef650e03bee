"""Parse /api and /apis paths."""

from dataclasses import dataclass
from typing import Optional


@dataclass
class KubePath:
    group: str
    version: str
    plural: str = ""
    name: Optional[str] = None
    namespace: Optional[str] = None
    subresource: Optional[str] = None
    discovery: str = ""       # "" | "api" | "apis" | "group" | "resources"


def parse(path):
    """A KubePath, or None for paths kube-apiserver does not serve."""
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        return None
    if parts[0] == "api":
        if len(parts) == 1:
            return KubePath("", "", discovery="api")
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) == 1:
            return KubePath("", "", discovery="apis")
        if len(parts) == 2:
            return KubePath(parts[1], "", discovery="group")
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        return KubePath(group, version, discovery="resources")
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and not (group == "" and rest[2] in ("status", "finalize")):
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    return KubePath(group, version, rest[0], rest[1] if len(rest) > 1 else None, namespace,
                    rest[2] if len(rest) > 2 else None)
