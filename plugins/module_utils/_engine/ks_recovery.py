# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A write whose answer was lost, recovered by reading: the one way every write of kubesphere.core is
repeated (the engine's creates and updates, and the members, quotas and default limits converged beside
them).

The client marks an error `uncertain` when the write may have been applied although no answer says so (a
connection lost after the request went out, a gateway's 5xx, a conflict met when a write is sent again after
such a loss). Then the caller's landed() reads the server and says whether the change is in place: if it is,
nothing is sent again; if not, the write is sent again (send() may build it from what the read found), after
the client's backoff, within the task's retry count and budget. A write is never repeated blindly.
"""

from __future__ import annotations

# What landed() answers.
LANDED = "landed"           # the change is in place: do not send it again
NOT_LANDED = "not landed"   # it is not: send it again
UNKNOWN = "unknown"         # the read cannot tell (the object is gone): fail with the write's error


def write_recovering(client, kind, send, landed, done_words="applied", create=False):
    """send()'s answer, or landed()'s result when the answer of a send was lost and a read showed it landed.

    send(): sends the write, returns its answer. landed(): reads; returns (LANDED, result), (NOT_LANDED, None)
    or (UNKNOWN, None). kind names the object in the warning; done_words what a landed write did ("created",
    "applied"). create: an "already exists" answer to a write sent again after a lost one means the lost
    one went through (it is read back, never sent a third time)."""
    attempt = 0
    while True:
        try:
            return send()
        except Exception as err:  # pylint: disable=broad-except
            ours = create and attempt > 0 and already_exists(err)
            if not (getattr(err, "uncertain", False) or ours):
                raise
            state, result = landed()
            if state == LANDED:
                report_recovered(client, kind, err, "it had been %s, so it was not sent again" % done_words)
                return result
            if state != NOT_LANDED or ours:
                raise
            if not client.pause_before_retry(attempt, err):
                if attempt:
                    _gave_up(err, attempt)
                raise
            report_recovered(client, kind, err, "a read showed it had not been %s, so it was sent again" % done_words)
            attempt += 1


def already_exists(err):
    status = getattr(err, "status", None)
    return status == 409 or (status == 400 and "already exists" in (getattr(err, "message", "") or "").lower())


def report_recovered(client, kind, err, what):
    """Tell the user once per kind, cause and outcome, not once per object (the same words from every
    task, so Ansible shows them once per run)."""
    status = getattr(err, "status", None)
    cause = "HTTP %s from the server or a proxy" % status if status else "the connection was lost"
    client.report_once(("recovered", kind, status, what),
                       "The answer to a write of a %s was lost (%s); %s. Later writes of a %s recovered "
                       "this way are not reported" % (kind, cause, what, kind))


def _gave_up(err, attempts):
    give_up = getattr(err, "give_up", None)
    if give_up is not None:
        give_up(attempts)
