"""Kubernetes API semantics shared by the /api, /apis handler and the kapis
handlers: naming rules, namespace existence, admission, optimistic concurrency,
patches and deletion. Failures are raised as errors.ApiError in the shape
kube-apiserver uses; kapis handlers re-render them as plain text."""

import random
import uuid

from . import admission, errors, registry
from .objects import clone, meta
from .patch import PatchError, json_patch, merge_patch
from .store import AlreadyExists, Conflict, NotFound
from .timeutil import rfc3339
from .validation import go_quote, name_problem

_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(length=5):
    return "".join(random.choice(_NAME_CHARS) for _index in range(length))


class ObjectView:
    """Reads of one cluster, either live or as an informer cache sees them."""

    def __init__(self, store, cluster, lag=0.0):
        self.store, self.cluster, self.lag = store, cluster, lag

    def get(self, kind, name, namespace=""):
        return self.store.get(self.cluster, kind, name, namespace, self.lag)

    def list(self, kind, namespace=None, where=None, labels=None, index=None, copy=True):
        return self.store.list(self.cluster, kind, namespace, self.lag, where, labels, index, copy)


class LaggingView(ObjectView):
    """An informer cache under the lag fault: counts the reads it answers stale."""

    def __init__(self, store, cluster, lag, faults):
        super().__init__(store, cluster, lag)
        self.faults = faults

    def get(self, kind, name, namespace=""):
        seen = super().get(kind, name, namespace)
        if _version(seen) != _version(self.store.get(self.cluster, kind, name, namespace)):
            self.faults.count("stale_reads")
        return seen

    def list(self, kind, namespace=None, where=None, labels=None, index=None, copy=True):
        seen = super().list(kind, namespace, where, labels, index, copy)
        live = self.store.list(self.cluster, kind, namespace, 0.0, where, labels, index, False)
        if [_version(o) for o in seen] != [_version(o) for o in live]:
            self.faults.count("stale_reads")
        return seen


def _version(obj):
    return obj["metadata"].get("resourceVersion") if obj else None


class ApiServer:
    def __init__(self, store, settings):
        self.store = store
        self.settings = settings
        self.authorizer = None      # set by the App; admission hooks may ask it questions
        self.faults = None          # set by the App: the lag fault raises the informer lag

    def may(self, user, verb, group, resource, subresource=""):
        """Whether a requesting user holds a global permission (internal writes: yes)."""
        from .authz.request_info import resource_info
        if user is None or self.authorizer is None:
            return True
        return self.authorizer.allowed(user, resource_info(verb, group, resource, subresource=subresource))

    # ---- reads -----------------------------------------------------------------

    def view(self, cluster):
        return ObjectView(self.store, cluster)

    def cached_view(self, cluster):
        """What a kapis handler reading through the informer cache sees."""
        lag = self.faults.lag() if self.faults is not None else None
        if lag:
            return LaggingView(self.store, cluster, max(lag, self.settings.informer_lag_ms / 1000.0), self.faults)
        return ObjectView(self.store, cluster, self.settings.informer_lag_ms / 1000.0)

    # ---- writes ----------------------------------------------------------------

    def create(self, cluster, kind, obj, user=None, admit=True, dry_run=False):
        obj = clone(obj)
        obj["apiVersion"], obj["kind"] = kind.api_version(), kind.kind
        metadata = meta(obj)
        metadata.pop("managedFields", None)     # not emulated
        if kind.namespaced:
            self._check_namespace(cluster, kind, metadata)
        else:
            metadata.pop("namespace", None)
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + random_suffix()
        name = metadata.get("name") or ""
        if not name:
            raise errors.invalid(kind, "", [("metadata.name", None,
                                             "Required value: name or generateName is required",
                                             "FieldValueRequired")])
        problem = name_problem(name, kind.name_format)
        if problem:
            raise errors.invalid(kind, name, [("metadata.name", go_quote(name), problem, "FieldValueInvalid")])
        if metadata.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        if kind.status_subresource:
            obj.pop("status", None)
        if admit:
            admission.run(admission.Review("CREATE", kind, cluster, obj, None, user, self))
        if dry_run:          # ?dryRun=All: every check, nothing stored
            if self.store.get(cluster, kind, name, metadata.get("namespace", "")) is not None:
                raise errors.already_exists(kind, name)
            metadata["uid"], metadata["creationTimestamp"] = str(uuid.uuid4()), rfc3339()
            return obj
        try:
            return self.store.create(cluster, kind, obj)
        except AlreadyExists:
            raise errors.already_exists(kind, name) from None

    def update(self, cluster, kind, obj, user=None, admit=True, require_version=None, dry_run=False):
        obj = clone(obj)
        obj["apiVersion"], obj["kind"] = kind.api_version(), kind.kind
        metadata = meta(obj)
        metadata.pop("managedFields", None)
        name, namespace = metadata.get("name", ""), metadata.get("namespace", "")
        current = self.store.get(cluster, kind, name, namespace)
        if current is None:
            raise errors.not_found(kind, name)
        if require_version is None:
            require_version = kind.custom
        if require_version and not metadata.get("resourceVersion"):
            raise errors.invalid(kind, name, [("metadata.resourceVersion", "0",
                                               "must be specified for an update", "FieldValueInvalid")],
                                 by_kind=False)
        if kind.status_subresource:
            _keep_status(obj, current)
        return self._store_update(cluster, kind, obj, current, user, admit, dry_run=dry_run)

    def patch(self, cluster, kind, name, namespace, patch_type, body, user=None, dry_run=False):
        """patch_type: merge | json | strategic | apply."""
        for _attempt in range(3):
            current = self.store.get(cluster, kind, name, namespace)
            if current is None:
                raise errors.not_found(kind, name)
            try:
                if patch_type == "json":
                    new = json_patch(current, body)
                elif isinstance(body, dict):
                    new = merge_patch(current, body)
                else:
                    raise errors.bad_request(f"json: cannot unmarshal {type(body).__name__} into Go value "
                                             f"of type map[string]interface {{}}")
            except PatchError as exc:
                raise errors.ApiError(422, "Invalid", str(exc)) from None
            if not isinstance(new, dict):
                raise errors.bad_request("patch produced a non-object document")
            metadata = meta(new)
            metadata.pop("managedFields", None)
            metadata["name"] = name
            if kind.namespaced:
                metadata["namespace"] = namespace
            new["apiVersion"], new["kind"] = kind.api_version(), kind.kind
            if kind.status_subresource:
                _keep_status(new, current)
            explicit_version = metadata.get("resourceVersion") != current["metadata"]["resourceVersion"]
            try:
                return self._store_update(cluster, kind, new, current, user, True, retry_conflicts=True,
                                          dry_run=dry_run)
            except _Retry:
                if explicit_version:
                    raise errors.conflict(kind, name) from None
        raise errors.conflict(kind, name)

    def update_status(self, cluster, kind, name, namespace, status, user=None):
        """The /status subresource: replace only status."""
        current = self.store.get(cluster, kind, name, namespace)
        if current is None:
            raise errors.not_found(kind, name)
        new = clone(current)
        new["status"] = status
        return self._store_update(cluster, kind, new, current, user, False)

    def delete(self, cluster, kind, name, namespace="", user=None, admit=True, dry_run=False):
        """Returns (object, removed)."""
        current = self.store.get(cluster, kind, name, namespace)
        if current is None:
            raise errors.not_found(kind, name)
        if admit:
            admission.run(admission.Review("DELETE", kind, cluster, None, current, user, self))
        if dry_run:
            return _deleted_preview(kind, current)
        try:
            return self.store.delete(cluster, kind, name, namespace)
        except NotFound:
            raise errors.not_found(kind, name) from None

    # ---- internals -------------------------------------------------------------

    def _store_update(self, cluster, kind, obj, current, user, admit, retry_conflicts=False, dry_run=False):
        if admit:
            admission.run(admission.Review("UPDATE", kind, cluster, obj, current, user, self))
        name = obj["metadata"]["name"]
        if dry_run:
            sent = obj["metadata"].get("resourceVersion")
            if sent and sent != current["metadata"]["resourceVersion"]:
                raise errors.conflict(kind, name)
            for field in ("uid", "creationTimestamp", "deletionTimestamp", "resourceVersion", "generation"):
                if field in current["metadata"]:
                    obj["metadata"][field] = current["metadata"][field]
            return obj
        try:
            return self.store.update(cluster, kind, obj)
        except NotFound:
            raise errors.not_found(kind, name) from None
        except Conflict as exc:
            if retry_conflicts and not str(exc).startswith("Precondition"):
                raise _Retry() from None
            detail = str(exc) if str(exc).startswith("Precondition") else None
            raise errors.conflict(kind, name, detail) from None

    def _check_namespace(self, cluster, kind, metadata):
        namespace = metadata.get("namespace") or ""
        if not namespace:
            raise errors.bad_request("the namespace of the object is required")
        ns_obj = self.store.get(cluster, registry.find("", "namespaces"), namespace)
        if ns_obj is None:
            raise errors.not_found(registry.find("", "namespaces"), namespace)
        if ns_obj["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(kind, metadata.get("name", ""),
                                   f"unable to create new content in namespace {namespace} "
                                   "because it is being terminated")


class _Retry(Exception):
    pass


def _deleted_preview(kind, current):
    """What a DELETE would leave: the object marked for deletion while finalizers remain, else gone."""
    from .store import _pending_finalizers
    if not _pending_finalizers(kind, current):
        return clone(current), True
    preview = clone(current)
    preview["metadata"]["deletionTimestamp"] = rfc3339()
    preview["metadata"]["deletionGracePeriodSeconds"] = 0
    return preview, False


def _keep_status(obj, current):
    if "status" in current:
        obj["status"] = clone(current["status"])
    else:
        obj.pop("status", None)
