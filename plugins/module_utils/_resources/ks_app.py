# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""An app of a workspace in the App Store (application.kubesphere.io/v2 Application), one version of it
uploaded from a local package, and its review state, as a converge resource. What the real v4.1.3 imposes
(docs/appstore-facts.md sections 3 and 4):

* an upload needs repoName "upload", the app's name (else the server makes a random one) and, for YAML,
  the version; the app's workspace is the body's "workspace"; without S3 the package goes into a
  ConfigMap of extension-openpitrix, and a missing namespace fails only after the app and the version
  were written, so the namespace is checked first;
* the store keeps the first package of a version (a second upload answers 200 and changes nothing), so a
  version's package is compared with the stored one and a different one is refused;
* the review is on versions (POST .../versions/{v}/action, any state accepted, none checked): the module
  walks the store's own order, draft -> submitted -> passed -> active; the app's own action (POST
  /apps/{app}/action, never under /workspaces) checks active (from draft or suspended, with an active or
  passed version) and suspended (from active), and carries the app's active and suspended versions along;
* the app PATCH empties every field it is not sent, so it is sent all of them."""

from __future__ import annotations

import base64
import time

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, Outcome
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    first_error,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_package import (
    Package,
    PackageError,
    version_object_name,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    ALIAS,
    DESCRIPTION,
    WORKSPACE_LABEL,
    labels_of,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_appstore import (
    APP_TYPE_LABEL,
    BASE,
    CATEGORY_LABEL,
    REPO_LABEL,
    UPLOAD_REPO,
    packages_namespace_problem,
    retry_conflicts,
    state_of,
    versions_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource

UNCATEGORIZED = "kubesphere-app-uncategorized"
STATES = ["draft", "submitted", "active", "suspended", "absent"]

APP_OPTIONS = dict(
    name=dict(type="str", required=True),
    workspace=dict(type="str", required=True),
    state=dict(type="str", default="draft", choices=STATES),
    app_type=dict(type="str", default="helm", choices=["helm", "yaml"]),
    package=dict(type="path"),
    version=dict(type="str"),
    category=dict(type="str"),
    alias_name=dict(type="str"),
    description=dict(type="str"),
    review_message=dict(type="str"),
)

# The version actions that take a version from its state to the state asked (the store's review order).
_TO_SUBMITTED = {"": ["submitted"], "draft": ["submitted"], "rejected": ["submitted"]}
_TO_ACTIVE = {"": ["submitted", "passed", "active"], "draft": ["submitted", "passed", "active"],
              "rejected": ["submitted", "passed", "active"], "submitted": ["passed", "active"],
              "passed": ["active"], "suspended": ["active"], "active": []}


def _summary(version):
    return dict(name=version["metadata"]["name"], version=(version.get("spec") or {}).get("versionName"),
                state=state_of(version))


class AppResource(KubeSphereResource):
    kind = "app"
    result_key = "app"
    requires = ("app_store",)
    fields = dict(
        alias_name=Field(("metadata", "annotations", ALIAS)),
        description=Field(("metadata", "annotations", DESCRIPTION)),
        category=Field(("metadata", "labels", CATEGORY_LABEL)),
    )

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self._package = None
        self._current = None
        self._versions = {}         # versionName -> ApplicationVersion, as read
        self._plan = None

    # Input ----------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        problems = [dns1123_subdomain_error(p.get("name"), "name"), dns1123_label_error(p.get("workspace"), "workspace")]
        if p.get("category"):
            problems.append(dns1123_subdomain_error(p["category"], "category"))
        if state != "absent" and p.get("package") and p.get("app_type") == "yaml" and not p.get("version"):
            problems.append("a YAML app needs version: YAML documents carry no version to take it from")
        if state != "absent" and p.get("review_message") and state != "submitted":
            problems.append("review_message goes with state=submitted")
        problem = first_error(*problems)
        if problem or state == "absent" or not p.get("package"):
            return problem
        try:
            self._package = Package(p["package"], p.get("app_type") or "helm")
        except PackageError as err:
            return str(err)
        return None

    def _version_label(self):
        if self.params.get("version"):
            return self.params["version"]
        return self._package.chart_version if self._package else None

    # Reads ----------------------------------------------------------------------------
    def _path(self):
        return "%s/workspaces/%s/apps/%s" % (BASE, self.params["workspace"], self.params["name"])

    def read(self):
        self._current = self.client.get(self._path(), missing_ok=True)
        if self._current is not None and workspace_of(self._current) == self.params["workspace"]:
            self._versions = versions_of(self.client, self.params["workspace"], self.params["name"])
        return self._current

    def owned_elsewhere(self, current):
        owner = workspace_of(current)
        if owner == self.params["workspace"]:
            return None
        return ("app %s belongs to %s, not to workspace %s (app names are unique across workspaces): pick another "
                "name" % (self.params["name"], ("workspace %s" % owner) if owner else "no workspace",
                          self.params["workspace"]))

    # The plan: what the run uploads and which actions it sends, decided before any write ----------------
    def check_references(self, state, current):
        p = self.params
        label = self._version_label()
        problems = []
        if current is None and not self._package:
            return ("app %s does not exist in workspace %s: give package to upload it" % (p["name"], p["workspace"]))
        if current is not None:
            problems.append(self._type_problem(current))
        if p.get("category") and p["category"] != self.fields["category"].get(current or {}):
            if self.client.get("%s/categories/%s" % (BASE, p["category"]), missing_ok=True) is None:
                problems.append("category %s does not exist: categories are objects of their own (make it in the "
                                "App Store's categories first)" % p["category"])
        version = self._versions.get(label) if label else None
        if label and version is None and not self._package:
            problems.append("app %s has no version %s (it has %s): give package to upload it"
                            % (p["name"], label, ", ".join(sorted(self._versions)) or "none"))
        if version is not None and self._package:
            problems.append(self._package_problem(version))
        problem = first_error(*problems)
        if problem:
            return problem
        upload = None
        if self._package and version is None:
            upload = "app" if current is None else "version"
            problem = packages_namespace_problem(self.client, "Uploading %s %s" % (p["name"], label))
            if problem:
                return problem
        self._plan = self._decide(state, current, label, version, upload)
        return self._plan.get("problem")

    def _type_problem(self, current):
        labels = labels_of(current)
        repo = labels.get(REPO_LABEL)
        if self._package and repo and repo != UPLOAD_REPO:
            return ("app %s comes from the repository %s: its versions are the repository's charts, synced by "
                    "KubeSphere, not uploaded" % (self.params["name"], repo))
        have = (current.get("spec") or {}).get("appType") or labels.get(APP_TYPE_LABEL)
        if self._package and have and have != self.params["app_type"]:
            return "app %s is a %s app, not %s (app_type)" % (self.params["name"], have, self.params["app_type"])
        return None

    def _package_problem(self, version):
        path = "%s/versions/%s/package" % (self._path(), version["metadata"]["name"])
        stored = (self.client.get(path) or {}).get("package") or ""
        try:
            data = base64.b64decode(stored)
        except (TypeError, ValueError):
            data = b""
        if self._package.same_as(data):
            return None
        return ("version %s of app %s exists with another package than %s; KubeSphere keeps a version's first "
                "package (a new upload would change nothing): give the package a new version, or remove the "
                "version first" % (self._version_label(), self.params["name"], self.params["package"]))

    def _decide(self, state, current, label, version, upload):
        """The version actions and the app action this run sends, and the states it leaves."""
        p = self.params
        app_state = state_of(current) if current is not None else "draft"
        version_state = "draft" if upload else (state_of(version) if version is not None else None)
        actions = []
        if label and state == "submitted":
            actions = _TO_SUBMITTED.get(version_state, [])
        elif label and state == "active":
            actions = _TO_ACTIVE.get(version_state, _TO_ACTIVE[""])
        app_action = None
        problem = None
        if state == "active" and app_state != "active":
            if not label and not any(state_of(v) in ("active", "passed", "suspended") for v in self._versions.values()):
                problem = ("app %s has no version that passed its review: give version (or package) to take one "
                           "through it" % p["name"])
            app_action = "active"
        elif state == "suspended" and app_state != "suspended":
            if app_state != "active":
                problem = ("app %s is %s: only an app in the store (active) can be suspended"
                           % (p["name"], app_state or "in no state"))
            app_action = "suspended"
        name = version["metadata"]["name"] if version is not None else (
            version_object_name(p["name"], label) if label else None)
        return dict(upload=upload, label=label, name=name, version_state=version_state, actions=actions,
                    app_action=app_action, app_state=app_state, problem=problem)

    # Writes ---------------------------------------------------------------------------
    def _upload_body(self, for_app):
        p, package = self.params, self._package
        body = {"repoName": UPLOAD_REPO, "appName": p["name"], "versionName": self._version_label(),
                "workspace": p["workspace"], "appType": p["app_type"],
                "package": base64.b64encode(package.data).decode("ascii")}
        if for_app:
            body.update(originalName=package.chart_name or p["name"], aliasName=p.get("alias_name") or "",
                        description=p.get("description") or "", categoryName=p.get("category") or "")
        return body

    def new_object(self):
        p = self.params
        return {"apiVersion": "application.kubesphere.io/v2", "kind": "Application",
                "metadata": {"name": p["name"], "labels": {
                    WORKSPACE_LABEL: p["workspace"], REPO_LABEL: UPLOAD_REPO, APP_TYPE_LABEL: p["app_type"],
                    CATEGORY_LABEL: UNCATEGORIZED}, "annotations": {}},
                "spec": {"appType": p["app_type"]}, "status": {"state": "draft"}}

    def create(self, body):
        self.client.post("%s/workspaces/%s/apps" % (BASE, self.params["workspace"]), self._upload_body(True))
        return self._read_back() or body

    def _read_back(self):
        for pause in (0, 0.2, 0.5, 1.0):
            time.sleep(pause)
            found = self.client.get(self._path(), missing_ok=True)
            if found is not None:
                return found
        return None

    def update(self, current, body, changed):
        spec = body.get("spec") or {}
        annotations = (body.get("metadata") or {}).get("annotations") or {}
        patch = {"categoryName": labels_of(body).get(CATEGORY_LABEL) or "", "aliasName": annotations.get(ALIAS) or "",
                 "description": annotations.get(DESCRIPTION) or "", "abstraction": spec.get("abstraction") or "",
                 "appHome": spec.get("appHome") or "", "icon": spec.get("icon") or "",
                 "attachments": spec.get("attachments") or []}
        return retry_conflicts(lambda: self.client.patch(self._path(), patch, content_type="application/json"))

    def delete(self, current):
        """The versions first, then the app: a cluster's garbage collector would remove the versions (the app
        owns them), but not every cluster runs one, and a version left behind keeps its package."""
        for version in self._versions.values():
            self.client.delete("%s/versions/%s" % (self._path(), version["metadata"]["name"]), missing_ok=True)
        self.client.delete(self._path(), missing_ok=True)

    # The version and the review -----------------------------------------------------------
    def children(self, obj, state):
        if state == "absent" or self._plan is None:
            return []
        plan = self._plan
        before_versions = sorted((_summary(v) for v in self._versions.values()), key=lambda v: v["name"])
        after = dict((v["name"], dict(v)) for v in before_versions)
        if plan["upload"]:
            after[plan["name"]] = dict(name=plan["name"], version=plan["label"], state="draft")
        for action in plan["actions"]:
            after[plan["name"]]["state"] = action
        if plan["app_action"]:
            for version in after.values():
                if version["state"] in ("active", "suspended"):
                    version["state"] = plan["app_action"]
        if not self.check_mode:
            self._apply(plan)
        after_versions = sorted(after.values(), key=lambda v: v["name"])
        versions = Outcome(before_versions != after_versions, before_versions, after_versions, after_versions)
        final = plan["app_action"] or plan["app_state"]
        app_state = Outcome(final != plan["app_state"], plan["app_state"], final, final)
        return [("versions", versions), ("state", app_state)]

    def _apply(self, plan):
        if plan["upload"] == "version":
            self._upload_version(plan)
        path = "%s/versions/%s/action" % (self._path(), plan["name"])
        for action in plan["actions"]:
            body = {"state": action}
            if action == "submitted" and self.params.get("review_message"):
                body["message"] = self.params["review_message"]
            # A version uploaded a moment ago may not be in the server's cache yet (404).
            retry_conflicts(lambda b=body: self.client.post(path, b, idempotent=True), stale=[(404, "not found")])
        if plan["actions"] and plan["app_action"]:
            self._until_seen(path[:-len("/action")], plan["actions"][-1])
        if plan["app_action"]:
            self._app_action(plan["app_action"])

    def _until_seen(self, path, state):
        """Read the version until it shows the state just set: KubeSphere's reads and the app action's check go
        through the same cache, so the app action then sees it too."""
        for pause in (0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5):
            time.sleep(pause)
            if state_of(self.client.get(path, missing_ok=True)) == state:
                return

    def _upload_version(self, plan):
        path = "%s/versions" % self._path()
        try:
            self.client.post(path, self._upload_body(False))
        except KubeSphereError as err:
            # A lost answer: read whether it arrived before anything is sent again.
            if not err.uncertain or plan["label"] not in versions_of(self.client, self.params["workspace"],
                                                                     self.params["name"]):
                raise

    def _app_action(self, state):
        """The app's own action; the server checks its versions through the cache, which may not yet show
        the version actions just sent."""
        path = "%s/apps/%s/action" % (BASE, self.params["name"])
        stale = [(500, "has no active or passed appversion")]
        try:
            retry_conflicts(lambda: self.client.post(path, {"state": state}), stale=stale)
        except KubeSphereError as err:
            if err.uncertain and state_of(self.client.get(self._path(), missing_ok=True)) == state:
                return
            raise

    def finish(self, outcome, wait):
        """The app as it is after the actions (the cache may show the older copy for a moment)."""
        if self.check_mode or not outcome.changed or outcome.obj is None:
            return {}
        wanted = outcome.after.get("state")
        found = None
        for pause in (0, 0.1, 0.2, 0.4, 0.8, 1.5):
            time.sleep(pause)
            found = self.client.get(self._path(), missing_ok=True) or found
            if found is not None and (not wanted or state_of(found) == wanted):
                break
        return {"app": found} if found is not None else {}

    def public(self, obj):
        return obj

    def title(self):
        return "app %s" % self.params["name"]
