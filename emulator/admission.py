"""Admission: per-kind hooks that default and validate objects on their way into
the store, like CRD schema validation and KubeSphere's webhooks. A hook edits
``review.obj`` in place to default it, or raises an ApiError (422 for schema
problems, 403 via errors.webhook_denied for webhook denials)::

    @admission("iam.kubesphere.io", "users")
    def check_user(review):
        if review.op in ("CREATE", "UPDATE"): ...
"""

from dataclasses import dataclass
from typing import Any, Optional

_HOOKS = {}


@dataclass
class Review:
    op: str                 # CREATE | UPDATE | DELETE
    kind: Any
    cluster: str
    obj: Optional[dict]     # the incoming object (None on DELETE); hooks may edit it
    old: Optional[dict]     # the stored object (None on CREATE)
    user: Any               # the requesting UserInfo, or None for internal writes
    api: Any                # the ApiServer, to look at other objects


def admission(group, plural):
    def register(hook):
        _HOOKS.setdefault((group, plural), []).append(hook)
        return hook
    return register


def run(review):
    for hook in _HOOKS.get(review.kind.key, ()):
        hook(review)
