"""The Helm executor of App Store releases: a Job per action in the release's namespace (on the
release's cluster) and Helm's release Secrets, which are what the release controller reads.

Nothing runs a Job's pod here. A Job finishes either when a test (or a person) marks it Complete or
Failed through its status subresource, as was done by hand on the recording kit, or on its own after
settings.extension_job_ms (the same knob as the extensions' Helm jobs; a huge value keeps every Job
pending). A Job of a version annotated emulator.kubesphere.io/helm-job-fails fails on its own.
When a Job succeeds, what its pod would have done is done: the release Secret is written (install,
upgrade) or removed (uninstall)."""

import base64
import gzip
import json
import time

from .. import errors
from ..apiserver import random_suffix
from ..kinds.application import RELEASE_NAME_LABEL
from ..kinds.batch import JOB
from ..kinds.core import SECRET
from ..timeutil import rfc3339

ACTION = "executor.kubesphere.io/action"
CONFIG_HASH = "executor.kubesphere.io/config-hash"
FAILED_MESSAGE = "Job has reached the specified backoff limit"
DONE_MARK = "emulator.kubesphere.io/helm-done"     # set once the pod's work is done (or not, on failure)
IMAGE = "docker.io/kubesphere/kubectl:v1.27.16"


def fnv64a(data):
    value = 0xcbf29ce484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % value


def _due_times(app):
    found = getattr(app, "_appstore_jobs", None)
    if found is None:
        found = app._appstore_jobs = {}
    return found


def start_job(ctx, cluster, release, action, values=b"", fails=False):
    """Create the executor Job (pending) and its ConfigMap-less twin; returns the Job's name."""
    name = f"helm-{action}-{release['metadata']['name']}-{random_suffix(6)}"
    namespace = release_namespace(release)
    helm_args = {"install": "upgrade --history-max 0 --install", "upgrade": "upgrade --history-max 0 --install",
                 "uninstall": "uninstall"}[action]
    job = {"metadata": {"name": name, "namespace": namespace,
                        "labels": {RELEASE_NAME_LABEL: release["metadata"]["name"], "kubesphere.io/managed": "true",
                                   "name": name},
                        "annotations": {ACTION: action, CONFIG_HASH: fnv64a(values)}},
           "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 0, "completionMode": "NonIndexed",
                    "suspend": False,
                    "template": {"spec": {"containers": [{
                        "name": "helm", "image": IMAGE, "workingDir": "/tmp/helm-executor",
                        "command": ["/bin/sh", "-c", f"helm {helm_args} {release['metadata']['name']} "
                                                     f"--namespace {namespace}"]}],
                        "restartPolicy": "Never"}}},
           "status": {}}
    ctx.api.create(cluster, JOB, job, admit=False)
    _due_times(ctx.app)[(cluster, namespace, name)] = (
        time.monotonic() + ctx.settings.extension_job_ms / 1000.0, fails)
    return name


def release_namespace(release):
    return ((release.get("metadata") or {}).get("labels") or {}).get("kubesphere.io/namespace") or "default"


def job_outcome(ctx, cluster, namespace, name):
    """'missing', 'running', 'succeeded' or 'failed', from the Job's status."""
    job = ctx.api.store.get(cluster, JOB, name, namespace)
    if job is None:
        return "missing"
    status = job.get("status") or {}
    if status.get("succeeded"):
        return "succeeded"
    if status.get("failed"):
        return "failed"
    return "running"


def scheduled_end(ctx, cluster, namespace, name):
    """(seconds until this server finishes the Job on its own, fails) or (None, False) when it never will."""
    due, fails = _due_times(ctx.app).get((cluster, namespace, name), (None, False))
    return (None, False) if due is None else (max(due - time.monotonic(), 0.0), fails)


def forget(ctx, cluster, namespace, name):
    _due_times(ctx.app).pop((cluster, namespace, name), None)


def finish_job(ctx, cluster, namespace, name, ok):
    """Write a finished Job's status, as the Job controller would."""
    now = rfc3339()
    if ok:
        message = "Reached expected number of succeeded pods"
        conditions = [{"type": t, "status": "True", "reason": "CompletionsReached", "message": message,
                       "lastProbeTime": now, "lastTransitionTime": now} for t in ("SuccessCriteriaMet", "Complete")]
        counts = {"succeeded": 1, "completionTime": now}
    else:
        conditions = [{"type": t, "status": "True", "reason": "BackoffLimitExceeded", "message": FAILED_MESSAGE,
                       "lastProbeTime": now, "lastTransitionTime": now} for t in ("FailureTarget", "Failed")]
        counts = {"failed": 1}

    def finish(job):
        job["status"] = dict(counts, conditions=conditions, startTime=job["metadata"]["creationTimestamp"])
    ctx.store.mutate(cluster, JOB, name, namespace, finish)


# ---- Helm's release Secrets --------------------------------------------------------------

def release_secrets(ctx, cluster, namespace, name):
    return ctx.api.store.list(cluster, SECRET, namespace, where=lambda o: (o["metadata"].get("labels") or {}).get(
        "owner") == "helm" and o["metadata"]["labels"].get("name") == name)


def deployed_release(ctx, cluster, namespace, name):
    """The newest release Secret's decoded release, or None ("release: not found")."""
    secrets = release_secrets(ctx, cluster, namespace, name)
    if not secrets:
        return None
    newest = max(secrets, key=lambda s: int(s["metadata"]["labels"].get("version", "0")))
    try:
        raw = base64.b64decode(base64.b64decode(newest["data"]["release"]))
        return json.loads(gzip.decompress(raw))
    except (KeyError, ValueError, OSError):
        return {"info": {"status": newest["metadata"]["labels"].get("status", "unknown"), "description": ""}}


def write_release(ctx, cluster, namespace, name, chart, version, values, action):
    """What `helm upgrade --install` leaves behind: a new revision, the previous ones superseded."""
    existing = release_secrets(ctx, cluster, namespace, name)
    revision = 1 + max([int(s["metadata"]["labels"].get("version", "0")) for s in existing] or [0])
    for secret in existing:
        ctx.store.mutate(cluster, SECRET, secret["metadata"]["name"], namespace,
                         lambda o: o["metadata"]["labels"].__setitem__("status", "superseded"))
    now = rfc3339()
    description = "Install complete" if revision == 1 else "Upgrade complete"
    release = {"name": name, "namespace": namespace, "version": revision,
               "info": {"first_deployed": now, "last_deployed": now, "deleted": "", "description": description,
                        "status": "deployed"},
               "chart": {"metadata": {"name": chart, "version": version}}, "config": values, "manifest": ""}
    encoded = base64.b64encode(gzip.compress(json.dumps(release).encode())).decode()
    ctx.api.create(cluster, SECRET, {
        "metadata": {"name": f"sh.helm.release.v1.{name}.v{revision}", "namespace": namespace,
                     "labels": {"name": name, "owner": "helm", "status": "deployed", "version": str(revision)}},
        "type": "helm.sh/release.v1", "data": {"release": base64.b64encode(encoded.encode()).decode()}}, admit=False)


def remove_release(ctx, cluster, namespace, name):
    for secret in release_secrets(ctx, cluster, namespace, name):
        try:
            ctx.api.delete(cluster, SECRET, secret["metadata"]["name"], namespace, admit=False)
        except errors.ApiError:
            pass
