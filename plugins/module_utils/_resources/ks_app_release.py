# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""An app version deployed into a project (application.kubesphere.io/v2 ApplicationRelease) as a converge
resource. What the real v4.1.3 imposes (docs/appstore-facts.md sections 3 and 5):

* the release carries the app, cluster, workspace and namespace labels (400 without them); names are
  unique across projects and clusters, and the namespace in the path only filters lists;
* a webhook refuses any version that is not active, so the version is read first (check mode too);
* spec.values is base64 of the Helm values' YAML, or of a YAML app's documents, each of which must carry
  the release's namespace and match the version's package one by one (same count, kind, apiVersion):
  the module puts them in the project and checks that before sending;
* an update is a POST of the whole release to .../applications/{name}; a lost answer is recovered by
  reading the release again (its spec shows whether it arrived);
* the controller reports creating/created/upgrading/upgraded then active, or failed, deployFailed,
  timeout (Helm's executor Job named in installJobName)."""

from __future__ import annotations

import copy

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, ResourceFailure, wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    ALIAS,
    WORKSPACE_LABEL,
    labels_of,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_appstore import (
    APP_ID_LABEL,
    APP_TYPE_LABEL,
    BASE,
    CLUSTER_LABEL,
    NAMESPACE_LABEL,
    decode_values,
    dump_documents,
    encode_values,
    load_documents,
    masked_document,
    masked_documents,
    retry_conflicts,
    state_of,
    versions_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import state_option, wait_options

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None

APP_RELEASE_OPTIONS = dict(
    name=dict(type="str", required=True),
    workspace=dict(type="str", required=True),
    project=dict(type="str", required=True),
    cluster=dict(type="str", default="host"),
    state=state_option(),
    app=dict(type="str"),
    version=dict(type="str"),
    values=dict(type="raw"),
    manifests=dict(type="raw"),
    alias_name=dict(type="str"),
    **wait_options(300)
)

DONE = "active"
FAILED = ("failed", "deployFailed", "timeout", "clusterDeleted")


def _parse_values(given):
    """Helm values given as a mapping or as YAML text: a mapping (None stays None)."""
    if given is None or isinstance(given, dict):
        return given
    if isinstance(given, str):
        parsed = yaml.safe_load(given) if given.strip() else {}
        return parsed if parsed is not None else {}
    return given


def _parse_manifests(given):
    if given is None:
        return None
    if isinstance(given, str):
        return load_documents(given)
    if isinstance(given, dict):
        return [given]
    return [doc for doc in given if doc is not None]


class _Values(Field):
    """Helm values: base64 of YAML text in the object, a mapping in the option; compared as data."""

    def __init__(self):
        super().__init__(("spec", "values"), from_api=lambda text: yaml.safe_load(decode_values(text)) or {},
                         to_api=lambda value: encode_values(yaml.safe_dump(value, default_flow_style=False) if value else ""))


class _Manifests(Field):
    """A YAML app's documents: base64 of the YAML stream in the object, a list in the option; compared as data."""

    def __init__(self):
        super().__init__(("spec", "values"), from_api=lambda text: load_documents(decode_values(text)),
                         to_api=lambda docs: encode_values(dump_documents(docs)))


def masked_release(obj):
    """A release with a YAML app's Secrets masked, in spec.values (shown as the documents) and in the live
    objects the server adds (status.realTimeResources); Helm values are shown as data."""
    if not obj:
        return obj
    obj = copy.deepcopy(obj)
    spec = obj.get("spec") or {}
    if spec.get("values"):
        text = decode_values(spec["values"])
        try:
            if spec.get("appType") == "helm":
                spec["values"] = yaml.safe_load(text) or {}
            else:
                spec["values"] = masked_documents(load_documents(text))
        except yaml.YAMLError:
            spec["values"] = "(not shown: not valid YAML)"
    status = obj.get("status") or {}
    if isinstance(status.get("realTimeResources"), list):
        status["realTimeResources"] = [masked_document(doc) for doc in status["realTimeResources"]]
    return obj


class AppReleaseResource(KubeSphereResource):
    kind = "app release"
    result_key = "release"
    requires = ("app_store",)

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self._current = None
        self._app = None
        self._version = None
        self._versions = {}
        self._manifests = None
        self._before_write = None
        self.fields = dict(
            app=Field(("spec", "appID")),
            version=Field(("spec", "appVersionID"), from_api=self._label_of, to_api=self._object_name_of),
            alias_name=Field(("metadata", "annotations", ALIAS)),
            values=_Values(),
            manifests=_Manifests(),
        )

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        problems = [dns1123_subdomain_error(p.get("name"), "name"), dns1123_label_error(p.get("workspace"), "workspace"),
                    dns1123_label_error(p.get("project"), "project"), dns1123_label_error(p.get("cluster"), "cluster")]
        if state == "present":
            if not p.get("app") or not p.get("version"):
                problems.append("app and version are needed to deploy a release")
            if p.get("values") is not None and p.get("manifests") is not None:
                problems.append("values (Helm apps) and manifests (YAML apps) are mutually exclusive")
            try:
                values = _parse_values(p.get("values"))
                if values is not None and not isinstance(values, dict):
                    problems.append("values must be a mapping (or YAML text of one)")
                manifests = _parse_manifests(p.get("manifests"))
                if manifests is not None and not all(isinstance(d, dict) and d.get("kind") and d.get("apiVersion")
                                                     for d in manifests):
                    problems.append("manifests must be Kubernetes objects, each with kind and apiVersion")
            except yaml.YAMLError as err:
                problems.append("values or manifests are not valid YAML: %s" % err)
        return first_error(*problems)

    def _label_of(self, object_name):
        for label, version in self._versions.items():
            if version["metadata"]["name"] == object_name:
                return label
        return object_name

    def _object_name_of(self, label):
        version = self._versions.get(label)
        return version["metadata"]["name"] if version else label

    def _app_type(self):
        spec = (self._app or {}).get("spec") or {}
        app_type = spec.get("appType") or labels_of(self._app).get(APP_TYPE_LABEL) or "helm"
        return "helm" if app_type == "helm" else "yaml"

    # Reads ----------------------------------------------------------------------------
    def _path(self):
        return "%s/namespaces/%s/applications/%s" % (BASE, self.params["project"], self.params["name"])

    def read(self):
        self._current = self.client.get(self._path(), missing_ok=True)
        return self._current

    def owned_elsewhere(self, current):
        labels = labels_of(current)
        where = (labels.get(NAMESPACE_LABEL), labels.get(CLUSTER_LABEL) or "host")
        if where == (self.params["project"], self.params["cluster"]):
            return None
        return ("app release %s is deployed in project %s on cluster %s, not in project %s on cluster %s (release "
                "names are unique across projects and clusters): pick another name"
                % (self.params["name"], where[0], where[1], self.params["project"], self.params["cluster"]))

    def check_references(self, state, current):
        p = self.params
        self._app = self.client.get("%s/apps/%s" % (BASE, p["app"]), missing_ok=True)
        if self._app is None:
            return "app %s does not exist" % p["app"]
        self._versions = versions_of(self.client, workspace_of(self._app) or p["workspace"], p["app"])
        self._version = self._versions.get(p["version"])
        if self._version is None:
            return "app %s has no version %s (it has %s)" % (p["app"], p["version"], ", ".join(sorted(self._versions)) or
                                                             "none")
        if state_of(self._version) != "active":
            return ("version %s of app %s is %s: KubeSphere deploys only active versions (ks_app state=active puts it "
                    "in the store)" % (p["version"], p["app"], state_of(self._version) or "not reviewed"))
        problem = self._project_problem()
        if problem:
            return problem
        if self._app_type() == "helm":
            if p.get("manifests") is not None:
                return "app %s is a Helm app: give values, not manifests" % p["app"]
            return None
        if p.get("values") is not None:
            return "app %s is a YAML app: give manifests, not values" % p["app"]
        return self._prepare_manifests()

    def _project_problem(self):
        p = self.params
        cluster = None if p["cluster"] == "host" else p["cluster"]
        try:
            project = self.client.get("/api/v1/namespaces/%s" % p["project"], cluster=cluster, missing_ok=True)
        except KubeSphereError as err:
            if err.status in (401, 403):
                return None     # not ours to read: KubeSphere's own answer to the write will say what is wrong
            raise
        if project is None:
            return "project %s does not exist on cluster %s" % (p["project"], p["cluster"])
        owner = workspace_of(project)
        if owner != p["workspace"]:
            return "project %s belongs to %s, not to workspace %s" % (
                p["project"], ("workspace %s" % owner) if owner else "no workspace", p["workspace"])
        return None

    def _prepare_manifests(self):
        """A YAML app's documents, the given ones or the version's package, each put in the project; they must
        match the package one by one, as KubeSphere checks."""
        p = self.params
        path = "%s/workspaces/%s/apps/%s/versions/%s/package" % (
            BASE, workspace_of(self._app) or p["workspace"], p["app"], self._version["metadata"]["name"])
        template = load_documents(decode_values((self.client.get(path) or {}).get("package")))
        given = _parse_manifests(p.get("manifests"))
        docs = copy.deepcopy(given if given is not None else template)
        for index, doc in enumerate(docs):
            metadata = doc.setdefault("metadata", {})
            if metadata.get("namespace") not in (None, p["project"]):
                return ("manifests[%d] (%s %s) is in namespace %s: every object of a YAML app is in the release's "
                        "project (%s)" % (index, doc.get("kind"), metadata.get("name"), metadata["namespace"], p["project"]))
            metadata["namespace"] = p["project"]
        kinds = [(d.get("apiVersion"), d.get("kind")) for d in docs]
        expected = [(d.get("apiVersion"), d.get("kind")) for d in template]
        if kinds != expected:
            return ("manifests must match version %s of app %s object by object (%s), not %s"
                    % (p["version"], p["app"], ", ".join("%s %s" % k for k in expected),
                       ", ".join("%s %s" % k for k in kinds)))
        self._manifests = docs
        return None

    # Desired, view --------------------------------------------------------------------
    def desired(self):
        p = self.params
        found = dict(app=p["app"], version=p["version"])
        if p.get("alias_name") is not None:
            found["alias_name"] = p["alias_name"]
        if self._app_type() == "helm":
            values = _parse_values(p.get("values"))
            if values is not None:
                found["values"] = values
        elif self._manifests is not None:
            found["manifests"] = self._manifests
        return found

    def view(self, obj):
        if obj is None:
            return {}
        labels = labels_of(obj)
        out = dict(project=labels.get(NAMESPACE_LABEL), cluster=labels.get(CLUSTER_LABEL),
                   app=self.fields["app"].get(obj), version=self.fields["version"].get(obj))
        alias = self.fields["alias_name"].get(obj)
        if alias is not None:
            out["alias_name"] = alias
        if ((obj.get("spec") or {}).get("appType") or "helm") == "helm":
            out["values"] = self.fields["values"].get(obj)
        else:
            out["manifests"] = masked_documents(self.fields["manifests"].get(obj))
        return out

    # Writes ---------------------------------------------------------------------------
    def new_object(self):
        p = self.params
        app_type = self._app_type()
        return {"apiVersion": "application.kubesphere.io/v2", "kind": "ApplicationRelease",
                "metadata": {"name": p["name"],
                             "labels": {APP_ID_LABEL: p["app"], CLUSTER_LABEL: p["cluster"],
                                        WORKSPACE_LABEL: p["workspace"], NAMESPACE_LABEL: p["project"],
                                        APP_TYPE_LABEL: app_type},
                             "annotations": {ALIAS: p.get("alias_name") or p["name"]}},
                "spec": {"appType": app_type, "values": ""}}

    def _body(self, obj):
        metadata = obj.get("metadata") or {}
        body = {"apiVersion": "application.kubesphere.io/v2", "kind": "ApplicationRelease",
                "metadata": dict((k, copy.deepcopy(metadata[k])) for k in ("name", "labels", "annotations", "finalizers")
                                 if metadata.get(k)),
                "spec": copy.deepcopy(obj.get("spec") or {})}
        body["metadata"]["labels"] = dict(body["metadata"].get("labels") or {}, **{
            APP_ID_LABEL: self.params["app"], CLUSTER_LABEL: self.params["cluster"],
            WORKSPACE_LABEL: self.params["workspace"], NAMESPACE_LABEL: self.params["project"],
            APP_TYPE_LABEL: self._app_type()})
        body["spec"]["appType"] = self._app_type()
        return body

    def create(self, body):
        self.client.post("%s/namespaces/%s/applications" % (BASE, self.params["project"]), self._body(body))
        return self.client.get(self._path(), missing_ok=True) or body

    def update(self, current, body, changed):
        self._before_write = current
        retry_conflicts(lambda: self.client.post(self._path(), self._body(body)))
        return self.client.get(self._path(), missing_ok=True) or body

    def delete(self, current):
        self.client.delete(self._path(), missing_ok=True)

    def public(self, obj):
        return masked_release(obj)

    # Waits ----------------------------------------------------------------------------
    def wait_ready(self, obj):
        """Active once the controller has worked on this spec: right after an update the previous active
        state may still show, so the state must first have moved (or the status changed) since the write."""
        before = self._before_write
        before_status = ((before or {}).get("status") or {})
        moved = [before is None]
        last = {"obj": obj}

        def ready():
            found = self.client.get(self._path(), missing_ok=True)
            if found is None:
                raise ResourceFailure("app release %s was deleted while it was deployed" % self.params["name"])
            last["obj"] = found
            state = state_of(found)
            status = found.get("status") or {}
            if not moved[0]:
                moved[0] = state != DONE or status.get("lastUpdate") != before_status.get("lastUpdate")
                if not moved[0]:
                    return None
            if state in FAILED:
                raise self._failure(found)
            return found if state == DONE else None

        return wait_for(ready, self.wait_timeout(), "app release %s to be active" % self.params["name"],
                        describe=lambda _: self._describe(last["obj"]))

    def _describe(self, obj):
        status = (obj or {}).get("status") or {}
        words = "its state is %s" % (status.get("state") or "not set yet")
        if status.get("message"):
            words += " (%s)" % status["message"]
        if status.get("installJobName"):
            words += "; the executor Job is %s in namespace %s" % (status["installJobName"], self.params["project"])
        elif self._app_type() == "helm":
            words += "; Helm apps are deployed by an executor Job in the project, which needs a node to run on"
        return words

    def _failure(self, obj):
        status = obj.get("status") or {}
        failure = ResourceFailure("app release %s is %s: %s" % (self.params["name"], status.get("state"),
                                                                self._describe(obj)),
                                  release=masked_release(obj))
        failure.changed = True
        return failure

    def finish(self, outcome, wait):
        """With wait, a release this run did not change is waited for too (an earlier run did not wait), and a
        failed one fails the task."""
        if not wait or outcome.changed or self.check_mode or outcome.obj is None:
            return {}
        if (self.params.get("state") or "present") == "absent":
            return {}
        state = state_of(outcome.obj)
        if state in FAILED:
            failure = self._failure(outcome.obj)
            failure.changed = False
            raise failure
        if state == DONE:
            return {}
        self._before_write = None
        return {"release": masked_release(self.wait_ready(outcome.obj))}

    def describe_deleting(self):
        current = self.client.get(self._path(), missing_ok=True)
        return ("it is %s; KubeSphere keeps a release while any of its executor Jobs is unfinished"
                % (state_of(current) or "being deleted"))
