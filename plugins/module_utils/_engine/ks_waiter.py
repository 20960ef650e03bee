# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The one waiter: polling until a readiness predicate holds, and bounded retries of a request while an
answer says "not yet" (a role its controller has not made, an informer that has not seen an object).

Every wait of the collection goes through these two, so the back-off, the time bound and the words of a
time-out are the same everywhere. The predicates themselves (what "initialised" means for a workspace,
which answer means "not yet") belong to the kinds; the waiter knows none of them."""

from __future__ import annotations

import time

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_failures import WaitTimeout


def wait_for(check, timeout, what, describe=None, first_sleep=0.1, max_sleep=2.0, sleep=None):
    """Poll check() until it returns something truthy, and return that; back off from first_sleep to
    max_sleep. describe(last) words the last state for the time-out message."""
    sleep = sleep or time.sleep
    deadline = time.monotonic() + timeout
    delay = first_sleep
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            detail = describe(last) if describe else None
            raise WaitTimeout("Timed out after %ss waiting for %s%s" % (
                _num(timeout), what, (": " + detail) if detail else ""))
        sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, max_sleep)


def retry_while(send, not_yet, timeout, first_sleep=0.05, max_sleep=0.5, sleep=None):
    """send() again while it fails with an error not_yet(err) calls transient, for at most timeout seconds;
    then (or for any other error) the error itself is raised, with the server's status and message."""
    sleep = sleep or time.sleep
    deadline = time.monotonic() + timeout
    delay = first_sleep
    while True:
        try:
            return send()
        except KubeSphereError as err:
            if not not_yet(err) or time.monotonic() >= deadline:
                raise
        sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, max_sleep)


def _num(value):
    return int(value) if float(value).is_integer() else value
