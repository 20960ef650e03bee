"""When 3.x makes a new workspace's or project's built-in roles: after its finalizer, not before.

v3.4.1's workspacetemplate controller adds its finalizer first and makes the four WorkspaceRoles
later in the same pass (initWorkspaceRoles); its namespace controller adds the finalizer with the
creator's binding, then makes the project roles one by one from the role templates (initRoles).
Measured on a real v3.4.1 (lightly loaded; the notes of tests/fidelity/recordings-v3.4/v3-gaps.json
have busier runs, up to 0.6 s and 4.3 s): the workspace roles appeared together 50-140 ms after the
finalizer; the project roles operator, viewer and admin ~25, ~55 and ~85 ms after it. v4 makes the roles first and adds the finalizer last, so a client that
waits for the finalizer is safe there and not on 3.x.

builtin_roles_delay_ms is when the last role appears, counted from the finalizer; a project's
roles are spread evenly over it, in the real order."""

import time

_SINCE = {}      # (cluster, namespace, name, uid) -> monotonic time the finalizer was added


def delay(ctx):
    return float(getattr(ctx.settings, "builtin_roles_delay_ms", 0.0)) / 1000.0


def started(ref, uid):
    """The finalizer was added now: the roles are due from here."""
    _SINCE[(ref.cluster, ref.namespace, ref.name, uid)] = time.monotonic()


def remaining(ctx, ref, uid, share=1.0):
    """Seconds until share (0..1] of the delay has passed since the finalizer (<= 0: due). An object
    whose start was never seen (the emulator restarted) is due at once."""
    start = _SINCE.get((ref.cluster, ref.namespace, ref.name, uid))
    if start is None:
        return 0.0
    return start + share * delay(ctx) - time.monotonic()


def done(ref, uid):
    _SINCE.pop((ref.cluster, ref.namespace, ref.name, uid), None)
