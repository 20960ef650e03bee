"""The release controller (pkg/controller/application/apprelease_controller.go, executor.go), with
the states and messages appstore.json recorded. One status write per pass:

* finalizer, then state creating (with specHash, the md5 of the spec's JSON); a changed spec
  hash means upgrading;
* creating/upgrading: a YAML release is applied into its namespace on its cluster and becomes
  created "Deploying"; a Helm release gets an executor Job (helm-install-<name>-<6 chars>, also for
  an upgrade) and becomes created, or upgraded when a Helm release already exists;
* created/upgraded: the state follows Helm's release (active with its description, failed) and
  the Job: an install Job that failed, or is gone, without a release gives deployFailed; an
  upgrade is active ("Upgrade succeeful", sic) once its Job succeeded. A YAML release is active
  at once and keeps the message "Deploying";
* deletion: deleting "Uninstalling", the YAML objects deleted or an uninstall Job started (only
  when a Helm release exists); every executor Job of the release must be finished, then they are
  deleted and the finalizers cleared."""

import base64
import hashlib
import json

import yaml

from .. import errors
from ..appstore import helm, manifests, packages
from ..kinds.application import (APPLICATION, APPLICATION_RELEASE, APPLICATION_VERSION, APP_ID_LABEL,
                                 APP_VERSION_LABEL, GROUP, ORIGINAL_NAME, RELEASE_FINALIZER, RELEASE_NAME_LABEL)
from ..kinds.batch import JOB
from ..kinds.cluster import CLUSTER
from ..objects import is_deleting
from ..seed_extensions import HELM_JOB_FAILS
from ..timeutil import rfc3339
from .runtime import controller

RECHECK_SECONDS = 5.0      # verificationAgain


def spec_hash(spec):
    """md5 of json.Marshal(ApplicationReleaseSpec): Go's field order, empty optional fields left out."""
    ordered = {"appID": spec.get("appID", ""), "appVersionID": spec.get("appVersionID", "")}
    for key in ("values", "appType", "icon"):
        if spec.get(key):
            ordered[key] = spec[key]
    return hashlib.md5(json.dumps(ordered, separators=(",", ":")).encode()).hexdigest()


@controller(GROUP, "applicationreleases")
def reconcile_release(ctx, ref):
    release = ctx.store.get(ctx.host, APPLICATION_RELEASE, ref.name)
    if release is None:
        return None
    cluster = _cluster(ctx, release)
    if cluster is None:
        return RECHECK_SECONDS
    return _Pass(ctx, release, cluster).run()


def _cluster(ctx, release):
    name = ((release["metadata"].get("labels") or {}).get("kubesphere.io/cluster")) or "host"
    if name in ("host", ctx.host):
        return ctx.host
    if ctx.store.get(ctx.host, CLUSTER, name) is None:
        return None
    ctx.app.ensure_cluster(name)
    return name


class _Pass:
    def __init__(self, ctx, release, cluster):
        self.ctx, self.release, self.cluster = ctx, release, cluster
        self.name = release["metadata"]["name"]
        self.namespace = helm.release_namespace(release)
        self.spec = release.get("spec") or {}
        self.status = release.get("status") or {}
        self.helm = self.spec.get("appType") == "helm"

    def run(self):
        finalizers = self.release["metadata"].get("finalizers") or []
        if is_deleting(self.release):
            return self._remove()
        if RELEASE_FINALIZER not in finalizers:
            self.ctx.store.mutate(self.ctx.host, APPLICATION_RELEASE, self.name, "",
                                  lambda o: o["metadata"].__setitem__("finalizers", finalizers + [RELEASE_FINALIZER]))
            return None
        state = self.status.get("state", "")
        if not state:
            return self._write("creating", specHash=spec_hash(self.spec))
        if spec_hash(self.spec) != self.status.get("specHash"):
            return self._write("upgrading", specHash=spec_hash(self.spec))
        if state in ("created", "upgraded", "timeout"):
            return self._settle(state)
        if state in ("creating", "upgrading"):
            return self._deploy()
        return None

    # ---- deploy and settle -----------------------------------------------------------------

    def _deploy(self):
        values = _decoded(self.spec.get("values"))
        if not self.helm:
            try:
                manifests.apply(self.ctx.api, self.cluster, packages.read_manifests(values))
            except (manifests.ManifestError, packages.PackageError) as exc:
                return self._write("failed", message=str(exc))
            except errors.ApiError as exc:
                return self._write("failed", message=exc.message)
            return self._write("created", message="Deploying")
        upgrade = helm.deployed_release(self.ctx, self.cluster, self.namespace, self.name) is not None
        job = helm.start_job(self.ctx, self.cluster, self.release, "install", values, fails=self._version_fails())
        return self._write("upgraded" if upgrade else "created", message="Deploying", installJobName=job)

    def _version_fails(self):
        version = self.ctx.store.get(self.ctx.host, APPLICATION_VERSION, self.spec.get("appVersionID", "")) or {}
        return (version.get("metadata", {}).get("annotations") or {}).get(HELM_JOB_FAILS) == "true"

    def _settle(self, state):
        if not self.helm:
            return self._write("active")
        job = self.status.get("installJobName", "")
        outcome = helm.job_outcome(self.ctx, self.cluster, self.namespace, job)
        deployed = helm.deployed_release(self.ctx, self.cluster, self.namespace, self.name)
        failed_message = f"deploy failed, job {job} has failed 1 times "
        if deployed is None:
            if outcome == "missing":
                return self._write("deployFailed", message="deploy failed, job not found")
            if outcome == "failed":
                return self._write("deployFailed", message=failed_message)
            return RECHECK_SECONDS
        if state == "upgraded":
            if outcome == "missing":
                return self._write("deployFailed", message="deploy failed, job not found")
            if outcome == "succeeded" and _done(self.ctx, self.cluster, self.namespace, job):
                return self._write("active", message="Upgrade succeeful")
            if outcome == "failed":
                return self._write("deployFailed", message=failed_message)
            return RECHECK_SECONDS
        info = deployed.get("info") or {}
        if info.get("status") == "deployed":
            return self._write("active", message=info.get("description", ""))
        if info.get("status") == "failed":
            return self._write("failed", message=info.get("description", ""))
        return RECHECK_SECONDS

    # ---- deletion ------------------------------------------------------------------------------

    def _remove(self):
        if self.status.get("state") != "deleting":
            fields = {"message": "Uninstalling"}
            if self.helm:
                if helm.deployed_release(self.ctx, self.cluster, self.namespace, self.name) is not None:
                    fields["uninstallJobName"] = helm.start_job(self.ctx, self.cluster, self.release, "uninstall")
            else:
                try:
                    manifests.delete(self.ctx.api, self.cluster,
                                     packages.read_manifests(_decoded(self.spec.get("values"))))
                except (packages.PackageError, errors.ApiError):
                    pass
            self._clean_store()
            return self._write("deleting", **fields)
        jobs = self.ctx.store.list(self.cluster, JOB, self.namespace, labels={RELEASE_NAME_LABEL: self.name})
        for job in jobs:
            name = job["metadata"]["name"]
            outcome = helm.job_outcome(self.ctx, self.cluster, self.namespace, name)
            if outcome == "running" or not _done(self.ctx, self.cluster, self.namespace, name):
                return RECHECK_SECONDS
        for job in jobs:
            try:
                self.ctx.api.delete(self.cluster, JOB, job["metadata"]["name"], self.namespace, admit=False)
            except errors.ApiError:
                pass
            helm.forget(self.ctx, self.cluster, self.namespace, job["metadata"]["name"])
        self.ctx.store.mutate(self.ctx.host, APPLICATION_RELEASE, self.name, "",
                              lambda o: o["metadata"].pop("finalizers", None))
        return None

    def _clean_store(self):
        """cleanStore: the package of a version that is gone is removed with its last release."""
        version = (self.release["metadata"].get("labels") or {}).get(APP_VERSION_LABEL, "")
        if version and self.ctx.store.get(self.ctx.host, APPLICATION_VERSION, version) is None:
            try:
                packages.delete(self.ctx.api, self.ctx.host, [version])
            except errors.ApiError:
                pass

    # ---- status --------------------------------------------------------------------------------

    def _write(self, state, **fields):
        """A merge of the new fields into status (an empty message leaves the old one)."""
        status = dict(self.status, state=state, lastUpdate=rfc3339())
        status.update({k: v for k, v in fields.items() if v not in ("", None)})
        try:
            self.ctx.api.update_status(self.ctx.host, APPLICATION_RELEASE, self.name, "", status)
        except errors.ApiError:
            return 0.5
        return None


def _decoded(values):
    try:
        return base64.b64decode(values or "")
    except ValueError:
        return b""


def _done(ctx, cluster, namespace, job_name):
    """Whether what the Job's pod does has been done (see controllers/appstore_jobs.py)."""
    job = ctx.store.get(cluster, JOB, job_name, namespace)
    if job is None:
        return True
    annotations = job["metadata"].get("annotations") or {}
    return annotations.get(helm.DONE_MARK) == "true" or bool((job.get("status") or {}).get("failed"))


def chart_of(ctx, release):
    """(chart name, version) a Helm release deploys, from its app and version."""
    spec = release.get("spec") or {}
    version = ctx.store.get(ctx.host, APPLICATION_VERSION, spec.get("appVersionID", "")) or {}
    app_id = (version.get("metadata", {}).get("labels") or {}).get(APP_ID_LABEL, spec.get("appID", ""))
    app = ctx.store.get(ctx.host, APPLICATION, app_id) or {}
    chart = (app.get("metadata", {}).get("annotations") or {}).get(ORIGINAL_NAME) or app_id
    return chart, (version.get("spec") or {}).get("versionName", "")


def values_as_data(release):
    try:
        loaded = yaml.safe_load(_decoded((release.get("spec") or {}).get("values")))
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
