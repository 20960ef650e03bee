"""The InstallPlan controller, as ks-controller-manager runs it in v4.1
(see installplan-lifecycle.json): one status write per pass, each write
waking the next pass after controller_delay_ms.

create:  finalizer -> targetNamespace -> Preparing -> Initialized condition
         -> Installing (Helm Job, releaseName, version, configHash)
         -> Installed (condition Installed/InstallSuccessful) -> enabled
change:  (config hash or version differs, while Installed/…Failed) Preparing -> Upgrading -> Installed
         (condition Upgraded/UpgradeSuccessful); enabled follows spec once Installed
failure: InstallFailed / UpgradeFailed, condition message = the Job's; not retried until the spec changes
delete:  Uninstalling (uninstall Job, only when a release exists) -> Uninstalled -> finalizer removed
agents:  for Multicluster versions, each placed cluster gets the same walk in
         status.clusterSchedulingStatuses once the host part is Installed;
         a cluster that is not ready fails its agent Job.

A Helm Job "runs" for settings.extension_job_ms; it fails when the
ExtensionVersion carries the annotation emulator.kubesphere.io/helm-job-fails.
Deployed releases are kept as Helm release Secrets in the target namespace,
like Helm does. Every plan write is mirrored onto the Extension's status.
"""

import base64
import time

import yaml

from .. import errors
from ..apiserver import random_suffix
from ..kinds.batch import JOB
from ..kinds.cluster import CLUSTER, is_ready
from ..kinds.core import NAMESPACE, SECRET
from ..kinds.extensions import EXTENSION, EXTENSION_REF_LABEL, EXTENSION_VERSION, GROUP, INSTALL_PLAN
from ..objects import clone, is_deleting
from ..seed_extensions import HELM_JOB_FAILS
from ..timeutil import rfc3339
from .runtime import controller

FINALIZER = "kubesphere.io/installplan-protection"
PREPARING, INSTALLING, INSTALLED, UPGRADING = "Preparing", "Installing", "Installed", "Upgrading"
INSTALL_FAILED, UPGRADE_FAILED = "InstallFailed", "UpgradeFailed"
UNINSTALLING, UNINSTALLED = "Uninstalling", "Uninstalled"
JOB_FAILED = "Job has reached the specified backoff limit"
HISTORY_LIMIT = 10
_RUNNING = (INSTALLING, UPGRADING)
_SETTLED = (INSTALLED, INSTALL_FAILED, UPGRADE_FAILED)


def fnv64a(text):
    """64-bit FNV-1a of the UTF-8 bytes, lowercase hex (hashutil.FNVString)."""
    value = 0xcbf29ce484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%x" % value


def _deep_merge(base, override):
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _deep_merge(base.get(key), value) if key in base else value
    return merged


def cluster_config(spec, cluster):
    """The values a cluster's agent gets: spec.config, with that cluster's override merged over it."""
    config = spec.get("config") or ""
    override = ((spec.get("clusterScheduling") or {}).get("overrides") or {}).get(cluster)
    if not override:
        return config
    merged = _deep_merge(yaml.safe_load(config) or {}, yaml.safe_load(override) or {})
    return yaml.safe_dump(merged, default_flow_style=False, sort_keys=True)


@controller(GROUP, "installplans")
def reconcile_installplan(ctx, ref):
    plan = ctx.api.view(ctx.host).get(INSTALL_PLAN, ref.name)
    if plan is None:
        return None
    return _Pass(ctx, plan).run()


def _jobs(app):
    """Running Helm jobs of this server: job name -> (due, fails)."""
    jobs = getattr(app, "_installplan_jobs", None)
    if jobs is None:
        jobs = app._installplan_jobs = {}
    return jobs


class _Pass:
    def __init__(self, ctx, plan):
        self.ctx, self.plan = ctx, plan
        self.view = ctx.api.view(ctx.host)
        self.name = plan["metadata"]["name"]
        self.spec = plan.get("spec") or {}
        self.status = plan.get("status") or {}
        self.extension = (self.spec.get("extension") or {}).get("name", "")
        self.version = str((self.spec.get("extension") or {}).get("version", ""))

    # ---- the walk ------------------------------------------------------------

    def run(self):
        if is_deleting(self.plan):
            return self._remove()
        found = self.view.get(EXTENSION_VERSION, f"{self.extension}-{self.version}")
        if found is None or self.view.get(EXTENSION, self.extension) is None:
            return None          # "extension version not found": the real controller waits for ever
        self.found = found
        finalizers = self.plan["metadata"].get("finalizers") or []
        if FINALIZER not in finalizers:
            return self._write(lambda p: p["metadata"].__setitem__("finalizers", finalizers + [FINALIZER]))
        if not self.status.get("targetNamespace"):
            namespace = (found.get("spec") or {}).get("namespace") or f"extension-{self.extension}"
            self._ensure_namespace(namespace)
            return self._write(lambda p: _status(p).__setitem__("targetNamespace", namespace))
        state = self.status.get("state", "")
        if not state:
            return self._write(lambda p: _set_state(p, PREPARING))
        if state == PREPARING:
            return self._start_main_job()
        if state in _RUNNING:
            return self._finish_main_job(state)
        if state in _SETTLED and (self.status.get("configHash") != fnv64a(self.spec.get("config") or "")
                                  or self.status.get("version") != self.version):
            return self._write(lambda p: _set_state(p, PREPARING))
        if state == INSTALLED:
            if bool(self.status.get("enabled")) != bool(self.spec.get("enabled")):
                return self._write(lambda p: _set_enabled(_status(p), self.spec.get("enabled")))
            return self._sync_clusters()
        return None

    def _start_main_job(self):
        if not any(c.get("type") == "Initialized" for c in self.status.get("conditions") or []):
            message = f"The extension {self.extension} has been successfully initialized."
            return self._write(lambda p: _set_condition(_status(p), "Initialized", True, "Initialized", message))
        upgrade = self._release() is not None
        job = self._start_job("upgrade" if upgrade else "install", self.extension, create_object=True)
        config_hash = fnv64a(self.spec.get("config") or "")

        def start(plan):
            status = _set_state(plan, UPGRADING if upgrade else INSTALLING)
            status.update(jobName=job, releaseName=self.extension, version=self.version, configHash=config_hash)
        return self._write(start)

    def _finish_main_job(self, state):
        job = self.status.get("jobName", "")
        remaining, fails = self._job_outcome(job)
        if remaining > 0:
            return remaining
        upgrade = state == UPGRADING
        self._complete_job_object(job, fails)
        if not fails:
            self._deploy_release()

        def finish(plan):
            status = _status(plan)
            if fails:
                _set_state(plan, UPGRADE_FAILED if upgrade else INSTALL_FAILED)
                _set_condition(status, "Upgraded" if upgrade else "Installed", False,
                               UPGRADE_FAILED if upgrade else INSTALL_FAILED, JOB_FAILED)
            else:
                _set_state(plan, INSTALLED)
                if upgrade:
                    _set_condition(status, "Upgraded", True, "UpgradeSuccessful", "Upgrade complete")
                else:
                    _set_condition(status, "Installed", True, "InstallSuccessful", "Install complete")
        return self._write(finish)

    def _sync_clusters(self):
        if (self.found.get("spec") or {}).get("installationMode") != "Multicluster":
            return None
        placement = list(((self.spec.get("clusterScheduling") or {}).get("placement") or {}).get("clusters") or [])
        current = self.status.get("clusterSchedulingStatuses") or {}
        wanted, waits = {}, []
        for cluster in placement:
            entry, wait = self._cluster_step(cluster, dict(current.get(cluster) or {}))
            wanted[cluster] = entry
            if wait:
                waits.append(wait)
        for cluster, entry in current.items():
            if cluster in placement:
                continue
            entry = dict(entry)
            if entry.get("state") != UNINSTALLING:
                entry.update(state=UNINSTALLING, jobName=self._start_job("uninstall", self.extension + "-agent"))
                wanted[cluster] = entry
                continue
            remaining, _fails = self._job_outcome(entry.get("jobName", ""))
            if remaining > 0:
                wanted[cluster] = entry
                waits.append(remaining)
        if wanted != current:
            def store(plan):
                status = _status(plan)
                if wanted:
                    status["clusterSchedulingStatuses"] = wanted
                else:
                    status.pop("clusterSchedulingStatuses", None)
            self._write(store)
        return min(waits) if waits else None

    def _cluster_step(self, cluster, entry):
        """(the cluster's new status entry, seconds to wait or None)."""
        state = entry.get("state", "")
        want_hash = fnv64a(cluster_config(self.spec, cluster))
        if state in _RUNNING:
            remaining, fails = self._job_outcome(entry.get("jobName", ""))
            if remaining > 0:
                return entry, remaining
            fails = fails or not self._cluster_ready(cluster)
            upgrade = state == UPGRADING
            entry["state"] = (UPGRADE_FAILED if upgrade else INSTALL_FAILED) if fails else INSTALLED
            if not fails:
                _set_enabled(entry, self.spec.get("enabled"))
            return entry, None
        if state == UNINSTALLING:
            return entry, self._job_outcome(entry.get("jobName", ""))[0] or None
        if entry.get("configHash") != want_hash or entry.get("version") != self.version:
            upgrade = state in (INSTALLED, UPGRADE_FAILED)
            job = self._start_job("upgrade" if upgrade else "install", self.extension + "-agent")
            entry.update(state=UPGRADING if upgrade else INSTALLING, jobName=job, releaseName=f"{self.extension}-agent",
                         targetNamespace=self.status.get("targetNamespace", ""), version=self.version,
                         configHash=want_hash)
            return entry, self.ctx.settings.extension_job_ms / 1000.0
        if state == INSTALLED:
            _set_enabled(entry, self.spec.get("enabled"))
        return entry, None

    def _remove(self):
        if FINALIZER not in (self.plan["metadata"].get("finalizers") or []):
            return None
        state = self.status.get("state", "")
        if state == UNINSTALLING:
            remaining, _fails = self._job_outcome(self.status.get("jobName", ""))
            if remaining > 0:
                return remaining
            self._complete_job_object(self.status.get("jobName", ""), False)
            self._delete_release()
            return self._write(lambda p: _set_state(p, UNINSTALLED))
        if state == UNINSTALLED:
            def unfinalize(plan):
                plan["metadata"]["finalizers"] = [f for f in plan["metadata"].get("finalizers") or []
                                                  if f != FINALIZER]
            return self._write(unfinalize)
        if self._release() is not None:
            job = self._start_job("uninstall", self.extension, create_object=True)

            def start(plan):
                _set_state(plan, UNINSTALLING)["jobName"] = job
                _status(plan).pop("clusterSchedulingStatuses", None)    # agents go first
            return self._write(start)
        return self._write(lambda p: _set_state(p, UNINSTALLED))

    # ---- writes ----------------------------------------------------------------

    def _write(self, change):
        stored = self.ctx.store.mutate(self.ctx.host, INSTALL_PLAN, self.name, "", change)
        if stored is not None:
            _mirror(self.ctx, stored)
        return None

    def _ensure_namespace(self, namespace):
        if self.view.get(NAMESPACE, namespace) is not None:
            return
        labels = {EXTENSION_REF_LABEL: self.extension, "kubesphere.io/managed": "true",
                  "kubesphere.io/workspace": "system-workspace"}
        try:
            self.ctx.api.create(self.ctx.host, NAMESPACE, {"metadata": {"name": namespace, "labels": labels}})
        except errors.ApiError:
            pass

    # ---- Helm jobs and releases -----------------------------------------------

    def _start_job(self, action, release, create_object=False):
        name = f"helm-{action}-{release}-{random_suffix(6)}"
        fails = action != "uninstall" and (self.view.get(EXTENSION_VERSION, f"{self.extension}-{self.version}") or {}
                                           ).get("metadata", {}).get("annotations", {}).get(HELM_JOB_FAILS) == "true"
        _jobs(self.ctx.app)[name] = (time.monotonic() + self.ctx.settings.extension_job_ms / 1000.0, fails)
        namespace = self.status.get("targetNamespace")
        if create_object and namespace:
            self._create_job_object(name, namespace, action)
        return name

    def _job_outcome(self, name):
        """(seconds left, fails). A job this server does not know (restarted) counts as done."""
        due, fails = _jobs(self.ctx.app).get(name, (0.0, False))
        remaining = due - time.monotonic()
        if remaining <= 0:
            _jobs(self.ctx.app).pop(name, None)
        return max(remaining, 0.0), fails

    def _create_job_object(self, name, namespace, action):
        job = {"metadata": {"name": name, "namespace": namespace,
                            "labels": {EXTENSION_REF_LABEL: self.extension, "kubesphere.io/managed": "true",
                                       "name": name},
                            "annotations": {"executor.kubesphere.io/action": action,
                                            "executor.kubesphere.io/config-hash":
                                                fnv64a(self.spec.get("config") or "")},
                            "ownerReferences": [{"apiVersion": INSTALL_PLAN.api_version(), "kind": "InstallPlan",
                                                 "name": self.name, "uid": self.plan["metadata"]["uid"]}]},
               "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 0,
                        "template": {"spec": {"containers": [{
                            "name": "helm", "image": "kubesphere/kubectl:v1.27.16",
                            "command": ["/bin/sh", "-c", f"helm {action} {self.extension} --namespace {namespace}"]}],
                            "restartPolicy": "Never"}}},
               "status": {}}
        try:
            self.ctx.api.create(self.ctx.host, JOB, job, admit=False)
        except errors.ApiError:
            pass

    def _complete_job_object(self, name, fails):
        namespace = self.status.get("targetNamespace", "")
        now = rfc3339()
        if fails:
            conditions = [{"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                           "message": JOB_FAILED, "lastProbeTime": now, "lastTransitionTime": now},
                          {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                           "message": JOB_FAILED, "lastProbeTime": now, "lastTransitionTime": now}]
            counts = {"failed": 1}
        else:
            message = "Reached expected number of succeeded pods"
            conditions = [{"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                           "message": message, "lastProbeTime": now, "lastTransitionTime": now},
                          {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                           "message": message, "lastProbeTime": now, "lastTransitionTime": now}]
            counts = {"succeeded": 1, "completionTime": now}

        def finish(job):
            job["status"] = dict(counts, conditions=conditions, startTime=job["metadata"]["creationTimestamp"])
        self.ctx.store.mutate(self.ctx.host, JOB, name, namespace, finish)

    def _release_secrets(self):
        namespace = self.status.get("targetNamespace", "")
        return self.view.list(SECRET, namespace, where=lambda o: (o["metadata"].get("labels") or {}).get("owner")
                              == "helm" and o["metadata"]["labels"].get("name") == self.extension)

    def _release(self):
        deployed = [s for s in self._release_secrets() if s["metadata"]["labels"].get("status") == "deployed"]
        return deployed[-1] if deployed else None

    def _deploy_release(self):
        namespace = self.status.get("targetNamespace", "")
        existing = self._release_secrets()
        revision = 1 + max([int(s["metadata"]["labels"].get("version", "0")) for s in existing] or [0])
        for secret in existing:
            self.ctx.store.mutate(self.ctx.host, SECRET, secret["metadata"]["name"], namespace,
                                  lambda o: o["metadata"]["labels"].__setitem__("status", "superseded"))
        for secret in existing[:-1]:     # --history-max 2
            self.ctx.api.delete(self.ctx.host, SECRET, secret["metadata"]["name"], namespace, admit=False)
        release = base64.b64encode(f"{self.extension} {self.version} rev {revision}".encode()).decode()
        self.ctx.api.create(self.ctx.host, SECRET, {
            "metadata": {"name": f"sh.helm.release.v1.{self.extension}.v{revision}", "namespace": namespace,
                         "labels": {"modifiedAt": str(int(time.time())), "name": self.extension, "owner": "helm",
                                    "status": "deployed", "version": str(revision)}},
            "type": "helm.sh/release.v1", "data": {"release": release}}, admit=False)

    def _delete_release(self):
        namespace = self.status.get("targetNamespace", "")
        for secret in self._release_secrets():
            try:
                self.ctx.api.delete(self.ctx.host, SECRET, secret["metadata"]["name"], namespace, admit=False)
            except errors.ApiError:
                pass

    def _cluster_ready(self, cluster):
        if cluster == self.ctx.host:
            return True
        found = self.view.get(CLUSTER, cluster)
        return found is not None and is_ready(found)


# ---- status helpers -------------------------------------------------------------

def _status(plan):
    if not isinstance(plan.get("status"), dict):
        plan["status"] = {}
    return plan["status"]


def _set_state(plan, state):
    status = _status(plan)
    status["state"] = state
    history = list(status.get("stateHistory") or [])
    history.append({"lastTransitionTime": rfc3339(), "state": state})
    status["stateHistory"] = history[-HISTORY_LIMIT:]
    return status


def _set_condition(status, kind, ok, reason, message):
    """One condition per type; the one just written goes to the front."""
    others = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    status["conditions"] = [{"lastTransitionTime": rfc3339(), "message": message, "reason": reason,
                             "status": "True" if ok else "False", "type": kind}] + others


def _set_enabled(status, enabled):
    if enabled:
        status["enabled"] = True
    else:
        status.pop("enabled", None)     # false is omitted


_MIRRORED = ("state", "enabled", "conditions", "plannedInstallVersion", "installedVersion",
             "clusterSchedulingStatuses")


def _mirror(ctx, plan):
    """Copy the plan's progress onto its Extension (cleared once Uninstalled)."""
    spec, status = plan.get("spec") or {}, plan.get("status") or {}
    extension = (spec.get("extension") or {}).get("name", "")

    def change(obj):
        target = obj.setdefault("status", {})
        for key in _MIRRORED:
            target.pop(key, None)
        if status.get("state") == UNINSTALLED:
            return
        for key in ("state", "enabled", "conditions", "clusterSchedulingStatuses"):
            if key in status:
                target[key] = clone(status[key])
        target["plannedInstallVersion"] = str((spec.get("extension") or {}).get("version", ""))
        if status.get("version"):
            target["installedVersion"] = status["version"]
    ctx.store.mutate(ctx.host, EXTENSION, extension, "", change)
