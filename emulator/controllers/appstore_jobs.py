"""What the pod of an App Store executor Job would do (no pod runs here; see appstore/helm.py):
a Job this server finishes on its own is given its status when its time is up; a finished Job
(by this server, or marked Complete/Failed by a test) that succeeded writes the Helm release
(install, upgrade) or removes it (uninstall). The release is then woken, as its controller would
notice on its next check."""

from .. import errors
from ..appstore import helm
from ..kinds.application import APPLICATION_RELEASE, GROUP, RELEASE_NAME_LABEL
from ..kinds.batch import JOB
from .appstore_releases import chart_of, values_as_data
from .runtime import Ref, controller


@controller("batch", "jobs", name="appstore_executor_pod", all_clusters=True)
def run_executor_pod(ctx, ref):
    job = ctx.store.get(ref.cluster, JOB, ref.name, ref.namespace)
    if job is None:
        helm.forget(ctx, ref.cluster, ref.namespace, ref.name)
        return None
    release_name = (job["metadata"].get("labels") or {}).get(RELEASE_NAME_LABEL)
    annotations = job["metadata"].get("annotations") or {}
    if not release_name or helm.ACTION not in annotations or annotations.get(helm.DONE_MARK) == "true":
        return None
    outcome = helm.job_outcome(ctx, ref.cluster, ref.namespace, ref.name)
    if outcome == "running":
        left, fails = helm.scheduled_end(ctx, ref.cluster, ref.namespace, ref.name)
        if left is None:
            return None                       # pending until someone marks it finished
        if left > 0:
            return left
        helm.finish_job(ctx, ref.cluster, ref.namespace, ref.name, not fails)
        return None                           # the status write wakes this controller again
    if outcome == "succeeded":
        _do_helm_action(ctx, ref, annotations[helm.ACTION], release_name)
    ctx.store.mutate(ref.cluster, JOB, ref.name, ref.namespace,
                     lambda o: o["metadata"].setdefault("annotations", {}).__setitem__(helm.DONE_MARK, "true"))
    wake_release(ctx, release_name)
    return None


def _do_helm_action(ctx, ref, action, release_name):
    if action == "uninstall":
        helm.remove_release(ctx, ref.cluster, ref.namespace, release_name)
        return
    release = ctx.store.get(ctx.host, APPLICATION_RELEASE, release_name)
    if release is None:
        return
    chart, version = chart_of(ctx, release)
    try:
        helm.write_release(ctx, ref.cluster, ref.namespace, release_name, chart, version, values_as_data(release),
                           action)
    except errors.ApiError:
        pass


def wake_release(ctx, name):
    """Run the release controller for this release soon (it also re-checks on its own)."""
    for runner in ctx.app.controllers.runners.get((GROUP, "applicationreleases"), ()):
        runner.enqueue(Ref(ctx.host, "", name))
