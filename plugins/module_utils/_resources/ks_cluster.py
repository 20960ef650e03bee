# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A member cluster (cluster.kubesphere.io/v1alpha1 Cluster) as a converge resource: join, update, unjoin.
What KubeSphere 4.1 imposes (docs/cluster-facts.md, read in v4.1.3 and recorded on a real host and member):

* a join is a POST of the Cluster with spec.connection.type direct and the kubeconfig in base64; KubeSphere's
  validation (POST .../clusters/validation: reachable, not already a member, not managed by another host) is
  asked first, also in check mode (it writes nothing); the controller then installs ks-core into the member
  with Helm and sets Ready;
* a joined cluster's kubeconfig changes only through PUT .../clusters/{c}/kubeconfig, which refuses a kubeconfig
  of another cluster (a /apis write would re-target the Cluster); it is compared as the cluster it reaches and
  its credentials, never as text;
* description, provider, group, visibility and config are merge patches of the Cluster; the KubeSphere cluster
  labels and the workspaces placed on it are their own APIs (ks_cluster_labels, ks_cluster_use);
* nothing on the server refuses deleting the host Cluster, nor a cluster workspaces and projects still use:
  the protection rule refuses the first, check_delete the second (unless allow_in_use)."""

from __future__ import annotations

import copy
import re

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    APIS_CLUSTERS,
    CLUSTERS,
    CLUSTER_GROUP_LABEL,
    CLUSTER_VISIBILITY_LABEL,
    CONFIG_HASH,
    CREATOR,
    DESCRIPTION,
    KAPIS_CLUSTERS,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_fnv import fnv1a64_hex
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    MASK,
    Field,
    ResourceFailure,
    WaitTimeout,
    merge_patch,
    wait_for,
)
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import dns1123_label_error, first_error
from ansible_collections.kubesphere.core.plugins.module_utils._resources import ks_kubeconfig
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_labels import ClusterLabels, send_fresh
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_use import WorkspaceUse, projects_on
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import login_user, write_protection
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import (
    protection_options,
    references_options,
    state_option,
    wait_options,
)

CHANGED_MASK = MASK + " (changed)"
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_KNOWN_AS = re.compile(r"already exists \(([^)]*)\)")

CLUSTER_OPTIONS = dict(
    name=dict(type="str", required=True),
    state=state_option(),
    kubeconfig=dict(type="str", no_log=True),
    description=dict(type="str"),
    provider=dict(type="str"),
    group=dict(type="str"),
    visibility=dict(type="str", choices=["public", "private"]),
    labels=dict(type="dict"),
    purge_labels=dict(type="bool", default=False),
    workspaces=dict(type="list", elements="str"),
    purge_workspaces=dict(type="bool", default=False),
    config=dict(type="dict"),
    allow_in_use=dict(type="bool", default=False),
    **dict(wait_options(300), **dict(protection_options(), **references_options()))
)


def cluster_secrets(params):
    """The credentials the kubeconfig option holds (its content, or the file it names): masked everywhere."""
    value = params.get("kubeconfig")
    if not isinstance(value, str) or not value:
        return []
    try:
        return ks_kubeconfig.secrets(ks_kubeconfig.load_text(value))
    except ks_kubeconfig.KubeconfigProblem:
        return []


class KubeconfigField(Field):
    """spec.connection.kubeconfig: base64 text, compared as the cluster it reaches and its credentials."""

    def __init__(self):
        super(KubeconfigField, self).__init__(("spec", "connection", "kubeconfig"), to_api=ks_kubeconfig.encode,
                                              from_api=ks_kubeconfig.decode, secret=True)

    def same(self, desired, current):
        return ks_kubeconfig.same(desired, current)


class VisibilityField(Field):
    """The visibility label: public, or private (any other value, or none, as KubeSphere reads it)."""

    def __init__(self):
        super(VisibilityField, self).__init__(("metadata", "labels", CLUSTER_VISIBILITY_LABEL))

    def get(self, obj):
        value = super(VisibilityField, self).get(obj)
        return "public" if value == "public" else "private"


def _render_config(values):
    return ks_kubeconfig.encode(yaml.safe_dump(values, default_flow_style=False, sort_keys=True) if values else "")


def _parse_config(value):
    text = ks_kubeconfig.decode(value)
    try:
        return (yaml.safe_load(text) if text else None) or {}
    except yaml.YAMLError:
        return {"unparsed": text}


class ConfigField(Field):
    """spec.config: the member's ks-core Helm values, base64 YAML, compared as values."""

    def __init__(self):
        super(ConfigField, self).__init__(("spec", "config"), to_api=_render_config, from_api=_parse_config)

    def get(self, obj):
        value = super(ConfigField, self).get(obj)
        return {} if value is None else value


def conditions_of(obj):
    return ((obj or {}).get("status") or {}).get("conditions") or []


def condition(obj, kind):
    for entry in conditions_of(obj):
        if entry.get("type") == kind:
            return entry
    return None


def is_ready(obj):
    return (condition(obj, "Ready") or {}).get("status") == "True"


def describe_conditions(obj):
    shown = ["%s=%s%s" % (c.get("type"), c.get("status"), (": " + c["message"]) if c.get("message") else "")
             for c in conditions_of(obj)]
    return "conditions: " + "; ".join(shown) if shown else "no conditions yet (the controller has not reported)"


class ClusterResource(KubeSphereResource):
    kind = "cluster"
    result_key = "cluster"
    collection = CLUSTERS     # as ks-apiserver lists them (with their status), not the CRD the writes go to
    requires = ("member_clusters",)
    fields = dict(
        name=Field(("metadata", "name")),
        kubeconfig=KubeconfigField(),
        description=Field(("metadata", "annotations", DESCRIPTION)),
        provider=Field(("spec", "provider")),
        group=Field(("metadata", "labels", CLUSTER_GROUP_LABEL)),
        visibility=VisibilityField(),
        config=ConfigField(),
    )

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        params = dict(params)
        self.input_error = None
        if params.get("kubeconfig"):
            try:
                params["kubeconfig"] = ks_kubeconfig.load_text(params["kubeconfig"])
            except ks_kubeconfig.KubeconfigProblem as err:
                self.input_error = str(err)
        super(ClusterResource, self).__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self._current = None
        self._use = None
        self._labels = None

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        if not HAS_YAML:  # pragma: no cover
            return "PyYAML is required to read kubeconfigs"
        p = self.params
        problems = [dns1123_label_error(p.get("name"), "name"), self.input_error]
        if p.get("kubeconfig") and not self.input_error:
            problems.append(ks_kubeconfig.problem(p["kubeconfig"]))
        if p.get("group") is not None and (len(p["group"]) > 63 or not _LABEL_VALUE.match(p["group"])):
            problems.append("group %r is not a valid label value (at most 63 letters, digits, '-', '_' or '.', "
                            "starting and ending with a letter or digit)" % p["group"])
        for key, value in sorted((p.get("labels") or {}).items()):
            if not isinstance(value, str) or not value.strip() or not str(key).strip():
                problems.append("labels: %s must be a non-empty key with a non-empty string value" % key)
            elif value != value.strip() or key != key.strip():
                problems.append("labels: %r: %r has spaces around it, which KubeSphere would trim" % (key, value))
        for index, workspace in enumerate(p.get("workspaces") or []):
            problems.append(dns1123_label_error(workspace, "workspaces[%d]" % index))
        return first_error(*problems)

    # Reads ----------------------------------------------------------------------------
    def _path(self):
        return "%s/%s" % (APIS_CLUSTERS, self.params["name"])

    def read(self):
        self._current = self.client.get(self._path(), missing_ok=True)
        return self._current

    def protection(self, current):
        return write_protection("cluster", self.params["name"], current)

    def use(self):
        if self._use is None:
            self._use = WorkspaceUse(self.client, self.params["name"], check_mode=self.check_mode)
        return self._use

    # Checks before any write ----------------------------------------------------------
    def check_references(self, state, current):
        name = self.params["name"]
        kubeconfig = self.params.get("kubeconfig")
        if current is None:
            if not kubeconfig:
                return "kubeconfig is required to join cluster %s (it is not a member yet)" % name
            self._validate_join(self.new_body(kubeconfig))
        elif kubeconfig and self.check_mode and not self.fields["kubeconfig"].same(
                kubeconfig, self.fields["kubeconfig"].get(current)):
            self._predict_kubeconfig_update(kubeconfig)
        problems = []
        wanted = self.params.get("workspaces")
        if wanted:
            assumed = set(((self.params.get("assume_present") or {}).get("workspaces")) or [])
            missing = [w for w in self.use().missing(wanted) if w not in assumed]
            if missing:
                problems.append("workspaces: %s %s not exist" % (", ".join(missing),
                                                                 "does" if len(missing) == 1 else "do"))
        if current is not None and self.params.get("purge_workspaces") and not self.params.get("allow_in_use"):
            leaving = [w for w in self.use().placed() if w not in (wanted or [])]
            held = projects_on(self.client, name, workspaces=leaving, warn=self.warn) if leaving else []
            if held:
                problems.append("purge_workspaces would take cluster %s from workspaces whose projects are still in "
                                "it: %s; KubeSphere would leave those projects without a workspace. Remove them "
                                "first, or set allow_in_use: true" % (name, ", ".join(held)))
        return "; ".join(problems) or None

    def _validate_join(self, body):
        """KubeSphere's own validation of a join (what the console asks first): 200 empty, or 400 with why."""
        try:
            self.client.post(KAPIS_CLUSTERS + "/validation", body)
        except KubeSphereError as err:
            if err.status != 400:
                raise
            raise ResourceFailure("KubeSphere refuses to join cluster %s: %s" % (self.params["name"], err.message),
                                  status=err.status, server_message=err.message)

    def _predict_kubeconfig_update(self, kubeconfig):
        """Check mode: whether the kubeconfig API would take this kubeconfig. The validation names the Cluster
        that has the kube-system it reaches; this cluster's own name means the same cluster."""
        name = self.params["name"]
        try:
            self.client.post(KAPIS_CLUSTERS + "/validation", self.new_body(kubeconfig))
            known_as = None
        except KubeSphereError as err:
            if err.status != 400:
                raise
            match = _KNOWN_AS.search(err.message or "")
            if not match:
                raise ResourceFailure("KubeSphere would refuse the new kubeconfig of cluster %s: %s"
                                      % (name, err.message), status=err.status, server_message=err.message)
            known_as = match.group(1)
        if known_as != name:
            raise ResourceFailure(
                "KubeSphere would refuse the new kubeconfig of cluster %s: it reaches %s, not the cluster joined as "
                "%s (this kubeconfig corresponds to a different cluster than the previous one)"
                % (name, "cluster %s" % known_as if known_as else "a cluster KubeSphere does not manage", name))

    def check_delete(self, current):
        if self.params.get("allow_in_use"):
            return None
        name = self.params["name"]
        workspaces = self.use().placed()
        projects = projects_on(self.client, name, warn=self.warn)
        if not (workspaces or projects):
            return None
        used = []
        if workspaces:
            used.append("workspaces placed on it: %s" % ", ".join(workspaces))
        if projects:
            used.append("projects in it: %s" % ", ".join(projects))
        return ("cluster %s is still in use (%s). Unjoining takes it out of those workspaces and leaves the projects "
                "in the member without KubeSphere; set allow_in_use: true to unjoin it anyway"
                % (name, "; ".join(used)))

    # Writes ---------------------------------------------------------------------------
    def new_body(self, kubeconfig):
        body = {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
                "metadata": {"name": self.params["name"]},
                "spec": {"provider": "kubesphere",
                         "connection": {"type": "direct", "kubeconfig": ks_kubeconfig.encode(kubeconfig)}}}
        creator = login_user(self.params)
        if creator:
            # The controller makes {creator}-cluster-admin in the member from it.
            body["metadata"]["annotations"] = {CREATOR: creator}
        return body

    def new_object(self):
        body = self.new_body(self.params["kubeconfig"])
        del body["spec"]["connection"]["kubeconfig"]       # set by the engine from the option
        return body

    def create(self, body):
        return self.client.post(APIS_CLUSTERS, body)

    def update(self, current, body, changed):
        if "kubeconfig" in changed:
            text = ks_kubeconfig.encode(self.params["kubeconfig"])
            send_fresh(lambda: self.client.put("%s/%s/kubeconfig" % (KAPIS_CLUSTERS, self.params["name"]),
                                               {"kubeconfig": text}))
        rest = [opt for opt in changed if opt != "kubeconfig"]
        if rest:
            self.client.patch(self._path(), merge_patch(self, rest, body))
        return self.read() or body

    def delete(self, current):
        self.client.delete(self._path(), missing_ok=True)

    # Waits ----------------------------------------------------------------------------
    def settled(self, obj):
        """Ready, and for a member whose ks-core KubeSphere installs, installed with the current config."""
        if not is_ready(obj):
            return False
        if condition(obj, "KSCoreReady") is None:
            return True         # the host, or a cluster whose ks-core KubeSphere does not install
        wanted = fnv1a64_hex((ks_kubeconfig.decode((obj.get("spec") or {}).get("config") or "") or "").encode())
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return (condition(obj, "KSCoreReady") or {}).get("status") == "True" and \
            annotations.get(CONFIG_HASH, wanted) == wanted

    def wait_ready(self, obj):
        last = {"obj": obj}

        def check():
            last["obj"] = self.read()
            if last["obj"] is None:
                raise ResourceFailure("cluster %s disappeared while waiting for it to be Ready" % self.identity())
            return last["obj"] if self.settled(last["obj"]) else None
        try:
            return wait_for(check, self.wait_timeout(), "cluster %s to be Ready" % self.identity(),
                            describe=lambda _: describe_conditions(last["obj"]), first_sleep=0.5)
        except WaitTimeout as err:
            raise WaitTimeout(str(err), conditions=conditions_of(last["obj"]), cluster=self.public(last["obj"]))

    def finish(self, outcome, wait):
        """A cluster this run did not change is still waited for when it is not Ready (an earlier run did not
        wait, or its join is still going on)."""
        if (wait and not outcome.changed and not self.check_mode and outcome.obj is not None
                and (self.params.get("state") or "present") == "present" and not self.settled(outcome.obj)):
            outcome.obj = self.wait_ready(outcome.obj)
        return {}

    # Views ----------------------------------------------------------------------------
    def view(self, obj):
        out = super(ClusterResource, self).view(obj)
        current = self._current
        if out.get("kubeconfig") and obj is not None and current is not None and obj is not current:
            field = self.fields["kubeconfig"]
            if not field.same(field.get(obj), field.get(current)):
                out["kubeconfig"] = CHANGED_MASK
        return out

    def public(self, obj):
        """The Cluster without its kubeconfig."""
        if obj is None:
            return None
        shown = copy.deepcopy(obj)
        connection = (shown.get("spec") or {}).get("connection")
        if isinstance(connection, dict):
            connection.pop("kubeconfig", None)
        return shown

    # Labels and workspaces ---------------------------------------------------------------
    def children(self, obj, state):
        if state == "absent":
            return []
        out = []
        p = self.params
        if p.get("labels") is not None or p.get("purge_labels"):
            labels = ClusterLabels(self.client, p["name"], check_mode=self.check_mode)
            out.append(("labels", labels.converge(obj if self._current is not None else None,
                                                  dict((str(k), v) for k, v in (p.get("labels") or {}).items()),
                                                  purge=bool(p.get("purge_labels")))))
        if p.get("workspaces") is not None or p.get("purge_workspaces"):
            out.append(("workspaces", self.use().converge(p.get("workspaces") or [],
                                                          purge=bool(p.get("purge_workspaces")))))
        return out
