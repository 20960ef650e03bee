# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A workspace's Helm repository of the App Store (application.kubesphere.io/v2 Repo) as a converge
resource. What the real v4.1.3 imposes (docs/appstore-facts.md section 3):

* the workspace is the body's kubesphere.io/workspace label, never the path; names are unique across
  workspaces, and a GET under any workspace finds a repo of another one;
* create and every PATCH fetch <url>/index.yaml first; POST ?validate=true does only that (check mode);
* credentials are kept only as user:password@ in the URL, and every GET shows them in clear: they are
  compared, never shown;
* a PATCH replaces everything the create set (URL with credentials, label, alias, description, period);
* syncPeriod is required (0: never on its own); POST .../action syncs now; a PATCH does not resync."""

from __future__ import annotations

import copy

try:
    from urllib.parse import quote, unquote, urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urllib import quote, unquote  # type: ignore
    from urlparse import urlsplit, urlunsplit  # type: ignore

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import MASK, Field, ResourceFailure, wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import dns1123_label_error, first_error
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    ALIAS,
    WORKSPACE_LABEL,
    workspace_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_appstore import (
    BASE,
    UPLOAD_REPO,
    retry_conflicts,
    state_of,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import state_option, wait_options

APP_REPO_OPTIONS = dict(
    name=dict(type="str", required=True),
    workspace=dict(type="str", required=True),
    state=state_option(),
    url=dict(type="str"),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    alias_name=dict(type="str"),
    description=dict(type="str"),
    sync_period=dict(type="int"),
    sync=dict(type="bool", default=False),
    **wait_options(120)
)


def split_url(url):
    """(the URL without user:password@, username, password), the credentials unquoted."""
    parts = urlsplit(url or "")
    if "@" not in parts.netloc:
        return url or "", None, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _sep, password = userinfo.partition(":")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), unquote(user), unquote(password)


def with_credentials(url, username, password):
    if not username:
        return url
    parts = urlsplit(url)
    userinfo = quote(username, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit((parts.scheme, userinfo + "@" + parts.netloc, parts.path, parts.query, parts.fragment))


class _Compared(Field):
    """A secret KubeSphere shows in clear: compared with what is stored, shown only masked."""

    def same(self, desired, current):
        return (desired or None) == (current or None)


def masked_repo(obj):
    """A Repo with its credentials masked (spec.url without them, spec.credential.password masked)."""
    if not obj:
        return obj
    obj = copy.deepcopy(obj)
    spec = obj.get("spec") or {}
    if spec.get("url"):
        spec["url"] = split_url(spec["url"])[0]
    credential = spec.get("credential")
    if isinstance(credential, dict):
        for key in ("password", "keyFile", "certFile"):
            if credential.get(key):
                credential[key] = MASK
    return obj


# Every workspace's repos in one list: the kapis list shows only one workspace's (and system-workspace's).
REPOS = "/apis/application.kubesphere.io/v2/repos"


def workspace_repos(workspace):
    """Where a workspace's repos are made and listed (the list adds system-workspace's)."""
    return "%s/workspaces/%s/repos" % (BASE, workspace)


class AppRepoResource(KubeSphereResource):
    kind = "app repo"
    result_key = "repo"
    requires = ("app_store",)
    collection = REPOS
    fields = dict(
        url=Field(("spec", "url"), from_api=lambda url: split_url(url)[0]),
        username=Field(("spec", "credential", "username")),
        password=_Compared(("spec", "credential", "password"), secret=True),
        sync_period=Field(("spec", "syncPeriod")),
        description=Field(("spec", "description")),
        alias_name=Field(("metadata", "annotations", ALIAS)),
    )

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self._current = None
        self._written = False

    def validate(self, state):
        p = self.params
        problems = [dns1123_label_error(p.get("name"), "name"), dns1123_label_error(p.get("workspace"), "workspace")]
        if p.get("name") == UPLOAD_REPO:
            problems.append("name: %s is kept by KubeSphere for uploaded apps; a repo may not be named so" % UPLOAD_REPO)
        if state == "present":
            url = p.get("url")
            if url is not None:
                scheme = urlsplit(url).scheme
                if scheme not in ("http", "https", "s3"):
                    problems.append("url must be an http, https or s3 URL, not %r" % url)
                elif split_url(url)[1] is not None:
                    problems.append("url must not hold credentials: give them as username and password")
            if p.get("password") and not p.get("username"):
                problems.append("password needs username")
            if (p.get("sync_period") or 0) < 0:
                problems.append("sync_period must be 0 (never) or a number of seconds")
            if p.get("description") and len(p["description"]) > 512:
                problems.append("description: KubeSphere keeps at most 512 characters")
        return first_error(*problems)

    def desired(self):
        found = super().desired()
        if self.params.get("username") == "":
            found["password"] = None     # no credentials at all
        return found

    def _path(self, name=None):
        return "%s/%s" % (workspace_repos(self.params["workspace"]), name or self.params["name"])

    def read(self):
        self._current = self.client.get(self._path(), missing_ok=True)
        return self._current

    def read_listed(self, listed):
        self._current = super().read_listed(listed)
        return self._current

    def owned_elsewhere(self, current):
        owner = workspace_of(current)
        if owner == self.params["workspace"]:
            return None
        return ("app repo %s belongs to %s, not to workspace %s (repo names are unique across workspaces): pick "
                "another name" % (self.params["name"], ("workspace %s" % owner) if owner else "no workspace",
                                  self.params["workspace"]))

    def check_references(self, state, current):
        if current is None and not self.params.get("url"):
            return "app repo %s does not exist: url is needed to create it" % self.params["name"]
        if not self.check_mode:
            return None     # the write itself fetches the index and fails with the same words
        if current is not None and not self._connection_changed(current):
            return None
        # Check mode: the server's own dry run (fetches the index, saves nothing).
        body = self._body(self._merged(current))
        try:
            self.client.request("POST", workspace_repos(self.params["workspace"]), body=body,
                                query={"validate": "true"}, idempotent=True)
        except KubeSphereError as err:
            if err.status is None or err.status in (401, 403):
                raise
            return "app repo %s: KubeSphere cannot use %s: HTTP %s: %s" % (
                self.params["name"], split_url(body["spec"]["url"])[0], err.status, err.message)
        return None

    def _connection_changed(self, current):
        desired = self.desired()
        return any(not self.fields[opt].same(desired[opt], self.fields[opt].get(current))
                   for opt in ("url", "username", "password") if opt in desired)

    def _merged(self, current):
        body = copy.deepcopy(current) if current is not None else self.new_object()
        for opt, value in self.desired().items():
            self.fields[opt].set(body, value)
        return body

    def new_object(self):
        return {"apiVersion": "application.kubesphere.io/v2", "kind": "Repo",
                "metadata": {"name": self.params["name"], "labels": {WORKSPACE_LABEL: self.params["workspace"]}},
                "spec": {"syncPeriod": 0}}

    def _body(self, obj):
        """The whole body a create or PATCH sends (a PATCH replaces all of it): credentials go in the URL."""
        spec = obj.get("spec") or {}
        credential = spec.get("credential") or {}
        url = with_credentials(split_url(spec.get("url"))[0], credential.get("username"), credential.get("password"))
        body = {"apiVersion": "application.kubesphere.io/v2", "kind": "Repo",
                "metadata": {"name": self.params["name"], "labels": {WORKSPACE_LABEL: self.params["workspace"]},
                             "annotations": {ALIAS: (obj.get("metadata", {}).get("annotations") or {}).get(ALIAS) or ""}},
                "spec": {"url": url, "syncPeriod": spec.get("syncPeriod") or 0}}
        if spec.get("description"):
            body["spec"]["description"] = spec["description"]
        return body

    def create(self, body):
        self._written = True
        self.client.post(workspace_repos(self.params["workspace"]), self._body(body))
        return self.client.get(self._path(), missing_ok=True) or body

    def update(self, current, body, changed):
        self._written = True
        retry_conflicts(lambda: self.client.patch(self._path(), self._body(body), content_type="application/json"))
        return self.client.get(self._path(), missing_ok=True) or body

    def delete(self, current):
        self.client.delete(self._path(), missing_ok=True)

    def public(self, obj):
        return masked_repo(obj)

    def view(self, obj):
        """The fields the module manages, in the Repo's own shape, credentials masked."""
        if obj is None:
            return {}
        shown = masked_repo(obj)
        spec = shown.get("spec") or {}
        annotations = (shown.get("metadata") or {}).get("annotations") or {}
        out = {"metadata": {"name": self.params["name"], "labels": {WORKSPACE_LABEL: workspace_of(obj) or ""}},
               "spec": dict((k, spec[k]) for k in ("url", "credential", "syncPeriod", "description") if spec.get(k) is not None)}
        if annotations.get(ALIAS):
            out["metadata"]["annotations"] = {ALIAS: annotations[ALIAS]}
        password = self.params.get("password")
        if password and obj is not self._current and (spec.get("credential") or {}).get("password"):
            # A changed password is told apart from the one stored without showing either.
            if not self.fields["password"].same(password, self.fields["password"].get(self._current or {})):
                out["spec"]["credential"]["password"] = MASK + " (changed)"
        return out

    # Sync -----------------------------------------------------------------------------
    def finish(self, outcome, wait):
        """sync: a sync now when the repo has never synced successfully or this run changed it."""
        if not self.params.get("sync") or (self.params.get("state") or "present") == "absent":
            return {}
        current = outcome.obj
        if state_of(current) == "successful" and not outcome.changed:
            return {}
        outcome.changed = True
        if outcome.after is not None:
            outcome.after["synced"] = True
        if self.check_mode:
            return {}
        before = current if not self._written else self.client.get(self._path(), missing_ok=True)
        retry_conflicts(lambda: self.client.post(self._path() + "/action", {}, idempotent=True))
        if not wait:
            return {}
        return {"repo": masked_repo(self._wait_synced(before))}

    def _wait_synced(self, before):
        """Done once a sync later than the one before has succeeded."""
        last = {"obj": before}
        previous = ((before or {}).get("status") or {}).get("lastUpdateTime")
        seen_other = [state_of(before) != "successful"]

        def synced():
            found = self.client.get(self._path(), missing_ok=True)
            if found is None:
                raise ResourceFailure("app repo %s was deleted while it synced" % self.params["name"])
            last["obj"] = found
            state = state_of(found)
            if state != "successful":
                seen_other[0] = True
                return None
            fresh = seen_other[0] or (found.get("status") or {}).get("lastUpdateTime") != previous
            return found if fresh else None

        def describe(_last):
            return ("its state is %s; a repo stays syncing while KubeSphere cannot fetch %s/index.yaml (see its "
                    "events: GET %s/events)" % (state_of(last["obj"]) or "not set yet",
                                                split_url((last["obj"].get("spec") or {}).get("url"))[0],
                                                self._path()))
        try:
            return wait_for(synced, self.wait_timeout(), "app repo %s to sync" % self.params["name"], describe=describe)
        except ResourceFailure as err:
            err.changed = True
            raise
