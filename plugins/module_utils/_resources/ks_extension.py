# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""KubeSphere extensions, managed through their InstallPlan.

An extension is installed, configured, upgraded, placed, enabled/disabled and
removed through one InstallPlan (kubesphere.io/v1alpha1) whose name is the
extension's name. The controller runs Helm jobs and reports in the plan's
status; the Extension mirrors it. What this resource adds to the engine:

* before a plan is created or changed, the Extension and the ExtensionVersion
  {name}-{version} are read: a plan for a missing version would hang for ever,
  a HostOnly version cannot be placed, and required extension dependencies
  must be installed;
* writes are merge patches of spec only (the controller writes status with full
  updates, so a PUT could undo its work);
* "done" is judged on status fields that name the request (version, config
  hash, enabled, per cluster), since the old Installed stays visible for a
  moment after a change.
"""

from __future__ import annotations

import copy

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_waiter import wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    EXTENSIONS_API,
    EXTENSION_REF_LABEL,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    Field,
    ResourceFailure,
    WaitTimeout,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_fnv import fnv1a64_hex
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import dns1123_label_error

FAILED_STATES = ("InstallFailed", "UpgradeFailed", "UninstallFailed")
# How often a wait polls: first after 0.5 s, then 1.5x longer each time, at most every 2 s
# (a Helm job takes tens of seconds; one GET every 2 s costs the server little).
POLL_FIRST, POLL_MAX = 0.5, 2.0


class ExtensionFailed(WaitTimeout):
    """The controller reported a failure (or a wait ran out); the plan's status facts go beside the message."""

    def __init__(self, message, plan):
        super(ExtensionFailed, self).__init__(message, installplan=plan, **diagnosis(plan))
        self.plan = plan


def trim_lines(text):
    """What the InstallPlan webhook stores: trailing spaces and tabs removed from every line."""
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


def render_values(value):
    """Helm values as the plan stores them: a dict rendered to YAML, a string trimmed like the webhook does."""
    if value is None:
        return None
    if isinstance(value, dict):
        text = yaml.safe_dump(value, default_flow_style=False, sort_keys=True) if value else ""
    else:
        text = str(value)
    return trim_lines(text)


def _yaml_error(text, what):
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as err:
        return "%s is not valid YAML (the server would refuse it): %s" % (what, " ".join(str(err).split()))
    return None


def _deep_merge(base, override):
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _deep_merge(base.get(key), value) if key in base else value
    return merged


def cluster_values(spec, cluster):
    """The values a cluster's agent is installed with: spec.config with the cluster's override merged over it."""
    config = spec.get("config") or ""
    override = ((spec.get("clusterScheduling") or {}).get("overrides") or {}).get(cluster)
    if not override:
        return config
    merged = _deep_merge(yaml.safe_load(config) or {}, yaml.safe_load(override) or {})
    return yaml.safe_dump(merged, default_flow_style=False, sort_keys=True)


def version_key(version):
    """Order versions like semantic versions (1.10.0 after 1.9.0, a pre-release before its release)."""
    core, _sep, pre = str(version).lstrip("v").partition("-")
    numbers = []
    for part in core.replace("+", ".").split(".")[:3]:
        numbers.append(int(part) if part.isdigit() else 0)
    return tuple(numbers) + ((1,) if not pre else (0, pre))


class Extension(KubeSphereResource):
    kind = "extension"
    result_key = "installplan"
    requires = ("extensions",)
    fields = dict(
        version=Field(("spec", "extension", "version")),
        enabled=Field(("spec", "enabled")),
        upgrade_strategy=Field(("spec", "upgradeStrategy")),
        config=Field(("spec", "config")),
        clusters=Field(("spec", "clusterScheduling", "placement", "clusters"), kind="set"),
        cluster_overrides=Field(("spec", "clusterScheduling", "overrides")),
    )

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        params = dict(params)
        self.raw_error = None
        try:
            params["config"] = render_values(params.get("config"))
            if params.get("cluster_overrides") is not None:
                params["cluster_overrides"] = dict(
                    (str(k), render_values(v)) for k, v in params["cluster_overrides"].items())
        except (AttributeError, TypeError, yaml.YAMLError) as err:
            self.raw_error = "config or cluster_overrides could not be rendered as YAML: %s" % err
        super(Extension, self).__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self.extension_obj = None
        self.extension_read = False
        self.replaced = None     # the plan as it was before this run's patch

    # ---- paths ---------------------------------------------------------------
    @property
    def name(self):
        return self.params["name"]

    def plan_path(self):
        return "%s/installplans/%s" % (EXTENSIONS_API, self.name)

    # ---- engine hooks -------------------------------------------------------
    def validate(self, state):
        if not HAS_YAML:  # pragma: no cover - PyYAML ships with ansible-core
            return "PyYAML is required to render extension config"
        problem = self.raw_error or dns1123_label_error(self.name, "name")
        if problem:
            return problem
        if state == "absent":
            return None
        if not self.params.get("version"):
            return "version is required when state is present (the exact version to install, for example 1.1.0)"
        if self.params.get("config"):
            problem = _yaml_error(self.params["config"], "config")
            if problem:
                return problem
        clusters = self.params.get("clusters")
        for cluster in clusters or []:
            problem = dns1123_label_error(cluster, "cluster name in clusters")
            if problem:
                return problem
        for cluster, text in sorted((self.params.get("cluster_overrides") or {}).items()):
            problem = dns1123_label_error(cluster, "cluster name in cluster_overrides")
            if problem:
                return problem
            if clusters is not None and cluster not in clusters:
                return ("cluster_overrides names cluster %r, which is not in clusters (%s); an override only "
                        "applies to a cluster the extension is placed on" % (cluster, ", ".join(clusters) or "none"))
            problem = _yaml_error(text or "", "cluster_overrides[%s]" % cluster)
            if problem:
                return problem
        return None

    def read(self):
        plan = self.client.get(self.plan_path(), missing_ok=True)
        if self.params.get("state", "present") == "present" and self._change_pending(plan):
            self.check_installable()
        return plan

    def new_object(self):
        return {"apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan",
                "metadata": {"name": self.name},
                "spec": {"extension": {"name": self.name, "version": self.params["version"]}}}

    def create(self, body):
        return self.client.post("%s/installplans" % EXTENSIONS_API, body)

    def update(self, current, body, changed):
        self.replaced = current
        return self.client.patch(self.plan_path(), self.spec_patch(current, changed))

    def delete(self, current):
        self.client.delete(self.plan_path(), missing_ok=True)

    def wait_timeout(self):
        return float(self.params.get("wait_timeout") or 600)

    def wait_ready(self, obj):
        what = "extension %s %s to be installed" % (self.name, self.params["version"])
        last = {"plan": obj}

        def check():
            plan = self.client.get(self.plan_path(), missing_ok=True)
            last["plan"] = plan
            if plan is None:
                raise ExtensionFailed("InstallPlan %s disappeared while waiting for it to be installed" % self.name,
                                      None)
            failure = self.failure(plan)
            if failure:
                raise ExtensionFailed("Extension %s %s failed: %s" % (self.name, self.params["version"], failure),
                                      plan)
            return plan if not self.pending(plan) else None
        try:
            return wait_for(check, self.wait_timeout(), what, describe=lambda _: self.pending(last["plan"]),
                            first_sleep=POLL_FIRST, max_sleep=POLL_MAX)
        except ExtensionFailed:
            raise
        except WaitTimeout as err:
            raise ExtensionFailed(str(err), last["plan"])

    def wait_gone(self):
        what = "extension %s to be uninstalled" % self.name
        last = {"plan": None}

        def check():
            last["plan"] = self.client.get(self.plan_path(), missing_ok=True)
            return last["plan"] is None
        return wait_for(check, self.wait_timeout(), what, describe=lambda _: describe_status(last["plan"]),
                        first_sleep=POLL_FIRST, max_sleep=POLL_MAX)

    # ---- what the request wants ---------------------------------------------
    def _change_pending(self, plan):
        if plan is None:
            return True
        for opt, value in self.desired().items():
            if not self.fields[opt].same(value, self.fields[opt].get(plan)):
                return True
        return False

    def spec_patch(self, current, changed):
        """A merge patch of spec holding only the changed options (removed overrides set to null)."""
        desired = self.desired()
        patch = {}
        for opt in changed:
            value = copy.deepcopy(desired[opt])
            if opt == "cluster_overrides":
                old = self.fields[opt].get(current) or {}
                value = dict(value)
                for cluster in old:
                    value.setdefault(cluster, None)
            Field(self.fields[opt].path).set(patch, value)
        return patch

    def wanted_clusters(self, plan):
        return list(((plan.get("spec") or {}).get("clusterScheduling") or {}).get("placement", {}).get("clusters")
                    or [])

    def pending(self, plan):
        """None when the plan's status shows the requested spec installed; otherwise what is still missing."""
        if plan is None:
            return "the InstallPlan does not exist"
        spec, status = plan.get("spec") or {}, plan.get("status") or {}
        want = dict(version=str((spec.get("extension") or {}).get("version", "")),
                    configHash=fnv1a64_hex(spec.get("config") or ""), enabled=bool(spec.get("enabled")))
        gap = _status_gap(status, want)
        if gap:
            return describe_status(plan, gap)
        per_cluster = status.get("clusterSchedulingStatuses") or {}
        overrides = (spec.get("clusterScheduling") or {}).get("overrides") or {}
        for cluster in self.wanted_clusters(plan):
            entry = per_cluster.get(cluster) or {}
            want_cluster = dict(want, configHash=fnv1a64_hex(cluster_values(spec, cluster)))
            if cluster in overrides and self._new_agent_run(cluster, entry):
                # The server hashes its own YAML rendering of config merged with the override, which
                # may differ from ours byte for byte; a new agent job for this cluster is proof enough.
                want_cluster["configHash"] = entry.get("configHash")
            gap = _status_gap(entry, want_cluster)
            if gap:
                described = describe_status({"status": per_cluster.get(cluster) or {}}, gap, agent=True)
                return "cluster %s: %s" % (cluster, described)
        return None

    def _new_agent_run(self, cluster, entry):
        """Whether a cluster's status comes from an agent job started after this run's patch
        (any job counts when this run wrote nothing, or the cluster had no agent before)."""
        if self.replaced is None:
            return True
        before = (((self.replaced.get("status") or {}).get("clusterSchedulingStatuses") or {}).get(cluster)) or {}
        return not before or entry.get("jobName") != before.get("jobName")

    def failure(self, plan):
        """A failure state that is about the requested spec (an older failure may linger right after a change)."""
        spec, status = plan.get("spec") or {}, plan.get("status") or {}
        version = str((spec.get("extension") or {}).get("version", ""))
        entries = [(None, status, spec.get("config") or "")]
        per_cluster = status.get("clusterSchedulingStatuses") or {}
        overrides = (spec.get("clusterScheduling") or {}).get("overrides") or {}
        for cluster in self.wanted_clusters(plan):
            entry = per_cluster.get(cluster) or {}
            values = cluster_values(spec, cluster)
            if cluster in overrides and self._new_agent_run(cluster, entry):
                values = None       # see pending(): the server's rendering of the merged values may differ
            entries.append((cluster, entry, values))
        for cluster, entry, values in entries:
            if (entry.get("state") in FAILED_STATES and entry.get("version") == version
                    and (values is None or entry.get("configHash") == fnv1a64_hex(values))):
                where = "" if cluster is None else "cluster %s: " % cluster
                return where + describe_status(plan if cluster is None else {"status": entry})
        return None

    # ---- checks before a write -------------------------------------------------
    def finish(self, outcome, wait):
        """Return the Extension beside the plan; wait for a plan an earlier run left unfinished."""
        waited = wait and outcome.changed and not self.check_mode
        if (self.params["state"] == "present" and wait and not outcome.changed and not self.check_mode
                and self.pending(outcome.obj)):
            # Unchanged but not (yet) installed: an earlier run did not wait, or the plan failed.
            outcome.obj = self.wait_ready(outcome.obj)
            waited = True
        return dict(extension=self.extension(refresh=waited))

    def extension(self, refresh=False):
        if refresh or not self.extension_read:
            self.extension_obj = self.client.get("%s/extensions/%s" % (EXTENSIONS_API, self.name), missing_ok=True)
            self.extension_read = True
        return self.extension_obj

    def check_installable(self):
        """Fail before any write when the plan could never be carried out."""
        version = self.params["version"]
        if self.extension() is None:
            raise CheckFailed("extension %s does not exist on this server (no Extension object %s); check the name "
                              "and that its repository has synced" % (self.name, self.name))
        found = self.client.get("%s/extensionversions/%s-%s" % (EXTENSIONS_API, self.name, version), missing_ok=True)
        if found is None:
            raise CheckFailed("extension %s has no version %s (no ExtensionVersion %s-%s); versions available: %s"
                              % (self.name, version, self.name, version, ", ".join(self.available_versions())
                                 or "none"))
        spec = found.get("spec") or {}
        mode = spec.get("installationMode") or "HostOnly"
        if mode != "Multicluster" and (self.params.get("clusters") or self.params.get("cluster_overrides")):
            raise CheckFailed("extension %s %s is installed on the host cluster only (installationMode %s): "
                              "clusters and cluster_overrides cannot be used" % (self.name, version, mode))
        missing = []
        for dep in spec.get("externalDependencies") or []:
            if not dep.get("required") or dep.get("type", "extension") != "extension" or dep.get("name") == self.name:
                continue
            other = self.client.get("%s/extensions/%s" % (EXTENSIONS_API, dep.get("name")), missing_ok=True)
            state = ((other or {}).get("status") or {}).get("state")
            if not state:
                state = "not available" if other is None else "not installed"
            if state != "Installed":
                missing.append("%s %s (%s)" % (dep.get("name"), dep.get("version") or "", state))
        if missing:
            raise CheckFailed("extension %s %s requires extensions that are not installed: %s; install them first"
                              % (self.name, version, "; ".join(m.replace("  ", " ") for m in missing)))

    def available_versions(self):
        status = (self.extension() or {}).get("status") or {}
        versions = [str(v.get("version")) for v in status.get("versions") or [] if v.get("version")]
        if not versions:
            items = self.client.list_all("%s/extensionversions" % EXTENSIONS_API,
                                         query={"labelSelector": "%s=%s" % (EXTENSION_REF_LABEL, self.name)})
            versions = [str((i.get("spec") or {}).get("version")) for i in items]
        return sorted(set(versions), key=version_key)


class CheckFailed(ResourceFailure):
    """The request could never be carried out; found by reads, before any write."""


def _status_gap(status, want):
    """Which requested facts a status (the plan's or one cluster's) does not show yet."""
    gap = []
    if status.get("state") != "Installed":
        gap.append("not Installed yet")
    if status.get("version") != want["version"]:
        gap.append("version is %s, not %s" % (status.get("version") or "not set", want["version"]))
    if status.get("configHash") != want["configHash"]:
        gap.append("config hash is %s, not %s" % (status.get("configHash") or "not set", want["configHash"]))
    if bool(status.get("enabled")) != want["enabled"]:
        gap.append("enabled is %s, not %s" % (bool(status.get("enabled")), want["enabled"]))
    return gap


def describe_status(plan, gap=None, agent=False):
    """State, condition messages, job and namespace: what a person needs to start diagnosing."""
    if plan is None:
        return "the InstallPlan is gone"
    status = plan.get("status") or {}
    unset = "not set yet (no agent job has started)" if agent else \
        "not set yet (the controller has not acted on the plan)"
    parts = ["state %s" % (status.get("state") or unset)]
    if gap:
        parts.append("; ".join(gap))
    messages = ["%s=%s: %s" % (c.get("type"), c.get("status"), c.get("message") or c.get("reason") or "")
                for c in status.get("conditions") or []]
    if messages:
        parts.append("conditions: " + "; ".join(messages))
    if status.get("jobName"):
        parts.append("Helm job %s" % status["jobName"])
    if status.get("targetNamespace"):
        parts.append("in namespace %s (kubectl -n %s logs job/%s)" % (
            status["targetNamespace"], status["targetNamespace"], status.get("jobName") or "<job>"))
    return ", ".join(parts)


def diagnosis(plan):
    """The status facts a failed or timed-out wait returns beside its message."""
    status = (plan or {}).get("status") or {}
    return dict(state=status.get("state"), job_name=status.get("jobName"),
                target_namespace=status.get("targetNamespace"),
                conditions=status.get("conditions") or [],
                cluster_statuses=status.get("clusterSchedulingStatuses") or {})
