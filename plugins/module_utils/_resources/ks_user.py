# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A KubeSphere user (iam.kubesphere.io/v1beta1 User) as a converge resource.

How the real server shapes this code (see the API reference, sections 5 and 11):
* kapis never shows the password; /apis shows the stored bcrypt hash, so with
  update_password=always the user is read there and the password compared locally
  (a login to test it would count toward the lock-out);
* a kapis PUT replaces everything it is not given, so updates PUT the object just
  read, with its resourceVersion, and read again on a 409 conflict;
* the platform role is the iam.kubesphere.io/globalrole annotation on write, but the
  truth is the user's GlobalRoleBindings that are not being deleted (the annotation
  can lag while a member cluster is down);
* deletion waits on a finalizer that needs every member cluster Ready.
"""

from __future__ import annotations

import copy
import time

try:
    import bcrypt
    HAS_BCRYPT = True
except ImportError:  # pragma: no cover - depends on the controller's Python
    bcrypt = None
    HAS_BCRYPT = False

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import (
    CLUSTERS,
    GLOBALROLE_ANNOTATION,
    GLOBAL_ROLE_BINDINGS,
    IDENTITY_PREFIX,
    RAW_USERS,
    ROLE_REF_LABEL,
    USERS,
    USER_REF_LABEL,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_kind import KubeSphereResource
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import (
    MASK,
    Field,
    ValidationError,
)
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_waiter import retry_while, wait_for
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_identity_provider import provider_secrets
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils.ks_options import protection_options, state_option, wait_options
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import login_user, write_protection
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    email_error,
    first_error,
    identities_error,
    is_bcrypt_hash,
    password_error,
)

NEW_ROLE_TIMEOUT = 5.0        # how long a GlobalRole made a moment ago may stay unseen by the users API
PASSWORD_HASH_TIMEOUT = 10.0   # the controller hashed a new password ~0.14 s after the PUT (recorded)
STALE_CACHE_TIMEOUT = 10.0     # how long ks-apiserver's cache may lag behind a write just made to the user
DEFAULT_GLOBAL_ROLE = "platform-regular"   # least privilege: no rights until invited
# The platform roles every KubeSphere (3.4 and 4.x) ships: known without a request.
PLATFORM_ROLES = ("platform-admin", "platform-regular", "platform-self-provisioner")
ACTIVE, DISABLED = "Active", "Disabled"
CONFLICT_RETRIES = 5

# The options of one user: ks_user's argument spec and the items of ks_tenancy's users.
USER_OPTIONS = dict(
    name=dict(type="str", required=True),
    state=state_option(),
    email=dict(type="str"),
    password=dict(type="str", no_log=True),
    update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
    global_role=dict(type="str"),
    display_name=dict(type="str"),
    description=dict(type="str"),
    lang=dict(type="str"),
    enabled=dict(type="bool"),
    identities=dict(type="list", elements="dict", options=dict(
        provider=dict(type="str", required=True),
        uid=dict(type="str", required=True),
    )),
    purge_identities=dict(type="bool", default=False),
    **dict(wait_options(120), **protection_options())
)


class _Enabled(Field):
    """status.state as a boolean: only Disabled is off (a locked-out user is still enabled)."""

    def __init__(self):
        super().__init__(("status", "state"))

    def get(self, obj):
        return ((obj or {}).get("status") or {}).get("state") != DISABLED

    def set(self, obj, value):
        obj.setdefault("status", {})["state"] = ACTIVE if value else DISABLED


class _Password(Field):
    """Write-only unless update_password=always; then compared with the stored hash, locally."""

    def __init__(self, resource):
        super().__init__(("spec", "password"), secret=True)
        self.resource = resource

    def same(self, desired, current):
        return not self.resource.password_changes


class _Identities(Field):
    """Links to identities at identity providers: annotations iam.kubesphere.io/identity-provider.<provider>
    set to the identity's uid (what KubeSphere v4 matches at login). The listed links are made (one uid per
    provider); links to other providers stay unless purge_identities."""

    def __init__(self, resource):
        super().__init__(("metadata", "annotations"), kind="set")
        self.resource = resource

    def _purge(self):
        return bool(self.resource.params.get("purge_identities"))

    def get(self, obj):
        annotations = ((obj or {}).get("metadata") or {}).get("annotations") or {}
        return sorted(({"provider": k[len(IDENTITY_PREFIX):], "uid": v} for k, v in annotations.items()
                       if k.startswith(IDENTITY_PREFIX)), key=lambda i: i["provider"])

    def merged(self, desired, current):
        wanted = dict((i["provider"], i["uid"]) for i in desired or [])
        kept = [] if self._purge() else [i for i in current or [] if i["provider"] not in wanted]
        return sorted(kept + [{"provider": p, "uid": u} for p, u in wanted.items()], key=lambda i: i["provider"])

    def same(self, desired, current):
        return self.merged(desired, current) == sorted(current or [], key=lambda i: i["provider"])

    def set(self, obj, value):
        annotations = obj.setdefault("metadata", {}).setdefault("annotations", {})
        for key in [k for k in annotations if k.startswith(IDENTITY_PREFIX)]:
            del annotations[key]
        for link in value or []:
            annotations[IDENTITY_PREFIX + link["provider"]] = link["uid"]


class UserResource(KubeSphereResource):
    kind = "user"
    result_key = "user"
    collection = USERS

    def __init__(self, client, params, check_mode=False, warn=None, refs=None):
        super().__init__(client, params, check_mode=check_mode, warn=warn, refs=refs)
        self.fields = dict(
            email=Field(("spec", "email")),
            display_name=Field(("spec", "displayName")),
            description=Field(("metadata", "annotations", "kubesphere.io/description")),
            lang=Field(("spec", "lang")),
            global_role=Field(("metadata", "annotations", GLOBALROLE_ANNOTATION)),
            enabled=_Enabled(),
            # No module option: the export's adoption sets the management label through it.
            labels=Field(("metadata", "labels"), kind="map"),
            password=_Password(self),
            identities=_Identities(self),
        )
        self._current = None
        self._stored_role = None       # the annotation as stored (the effective role replaces it in reads)
        self._live_bindings = []
        self.password_changes = False   # decided once per read (bcrypt is slow, and it may warn)

    # Input --------------------------------------------------------------------------------
    def validate(self, state):
        p = self.params
        return first_error(
            dns1123_label_error(p.get("name"), "name"),
            email_error(p["email"]) if p.get("email") is not None else None,
            password_error(p["password"]) if p.get("password") is not None and state == "present" else None,
            dns1123_subdomain_error(p["global_role"], "global_role") if p.get("global_role") is not None else None,
            identities_error(p.get("identities")),
        )

    def check_references(self, state, current):
        """A global role to give must be a platform role or a GlobalRole made first. KubeSphere answers 404
        for a new user with one that does not exist (recordings: users.json); checked here, --check predicts
        it, and a change of an existing user's role meets the same rule before its PUT."""
        role = self.params.get("global_role")
        if role is None or role in PLATFORM_ROLES or (current and self.fields["global_role"].get(current) == role):
            return None
        if self.refs.role_exists("global", role):
            return None
        return ("global_role: global role %s does not exist (the built-in ones are %s; any other name must be "
                "a GlobalRole made first, with kubesphere.core.ks_role)" % (role, ", ".join(PLATFORM_ROLES)))

    def protection(self, current):
        name = self.params["name"]
        reason = write_protection("user", name, current)
        if not reason and name == login_user(self.params):
            reason = "it is the user this task logs in as, and a change could lock this automation out"
        return reason

    def _wants_present(self):
        return (self.params.get("state") or "present") == "present"

    def _compares_password(self):
        return (self._wants_present() and self.params.get("password") is not None
                and self.params.get("update_password") == "always")

    # Reads --------------------------------------------------------------------------------
    def _path(self, base=USERS):
        return "%s/%s" % (base, self.params["name"])

    def read(self):
        # Only /apis shows the hash; it also needs platform-admin rights, so it is used only when needed.
        return self._took(self.client.get(self._path(RAW_USERS if self._compares_password() else USERS),
                                          missing_ok=True))

    def read_listed(self, listed):
        """From a bulk run's lists: the user as /kapis lists it, or as /apis does (fact raw) when the password
        is compared; the role bindings it holds (fact global_role_bindings) when its global role is managed."""
        raw = self._compares_password()
        if not listed.covered or (raw and "raw" not in listed.facts):
            return self.read()
        return self._took(listed.facts["raw"] if raw else listed.obj, listed.facts.get("global_role_bindings"))

    def _took(self, obj, bindings=None):
        """The user read (or listed) as the current object: one being deleted is waited out or refused."""
        if obj is not None and self._wants_present() and self.is_terminating(obj):
            if not self.params.get("wait") or self.check_mode:
                raise ValidationError("user %s is being deleted (%s); it can be created again once it is gone: "
                                      "run with wait=true to wait for that" % (self.params["name"],
                                                                               self.describe_deleting()))
            self.wait_gone()
            obj = None
        self._current = obj
        self.check_providers()
        if obj is None:
            return None
        self._stored_role = (obj.get("metadata", {}).get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
        if self._wants_present() and self.params.get("global_role") is not None and not self.is_terminating(obj):
            self._read_effective_role(obj, bindings)
        if self._compares_password():
            self.password_changes = self.password_differs(self.params["password"], obj.get("spec", {}).get("password"))
        return obj

    def _read_effective_role(self, obj, bindings=None):
        """Replace the annotation in obj by the role the live GlobalRoleBindings grant (read here unless given)."""
        if bindings is None:
            bindings = self.client.list_all(GLOBAL_ROLE_BINDINGS,
                                            query={"labelSelector": "%s=%s" % (USER_REF_LABEL, self.params["name"])})
        self._live_bindings = apply_effective_role(obj, bindings)

    def password_differs(self, desired, stored):
        if not self._compares_password():
            return False
        if not stored:
            return True
        if is_bcrypt_hash(desired) or not is_bcrypt_hash(stored):
            # A hash given as the password, or a plain password the controller has not hashed yet.
            return desired != stored
        if not HAS_BCRYPT:
            self.warn("update_password=always: the Python 'bcrypt' library is not installed where the module runs, "
                      "so the stored password cannot be compared; it is set again and reported as changed")
            return True
        try:
            return not bcrypt.checkpw(desired.encode("utf-8"), stored.encode("utf-8"))
        except ValueError:
            return True

    # Writes -------------------------------------------------------------------------------
    def new_object(self):
        if not self.params.get("password") and not self.params.get("identities"):
            # KubeSphere accepts it and makes it Active (recordings: identity.json), but no password works;
            # one linked to a provider logs in there instead.
            self.warn("user %s is created without a password: nobody can log in as %s with a password until one "
                      "is set (give password, with update_password=always for an existing user)"
                      % (self.params["name"], self.params["name"]))
        return mark_managed({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
                             "metadata": {"name": self.params["name"],
                                          "annotations": {GLOBALROLE_ANNOTATION: DEFAULT_GLOBAL_ROLE}},
                             "spec": {}})

    def create(self, body):
        body = copy.deepcopy(body)
        if body.get("status", {}).get("state") == ACTIVE:
            # The controller sets Active once the password is hashed; sending it early would
            # allow logins before that.
            del body["status"]
        # The users API looks the global role up in its informer cache, which can lag a role made a moment ago
        # (ks_tenancy makes the roles just before the users). The reference check has already found the role,
        # so a "not found" naming it is that lag, waited out for a few seconds.
        return retry_while(lambda: self.client.post(USERS, body),
                           lambda err: err.not_found and self._names_global_role(err), NEW_ROLE_TIMEOUT,
                           first_sleep=0.1, max_sleep=0.1)

    def _names_global_role(self, err):
        role = (self.params.get("global_role") or "").lower()
        message = (err.message or "").lower()
        return bool(role) and "globalrole" in message and '"%s"' % role in message

    def update(self, current, body, changed):
        result = copy.deepcopy(current)
        fields = [opt for opt in changed if opt != "password"]
        role_only_in_bindings = ("global_role" in changed and self._stored_role == self.params["global_role"])
        if role_only_in_bindings:
            # The annotation already names the role, so a PUT would not rebind: fix the bindings.
            self._bind_global_role(self.params["global_role"])
            fields.remove("global_role")
        if fields:
            result = self._put(current, fields)
        elif role_only_in_bindings:
            result = body
        if "password" in changed:
            # After the object PUT: a password change bumps the resourceVersion (the controller hashes it).
            # ks-apiserver writes its cached copy of the user, which lags behind the PUT just made (or the
            # controller's hashing): the 409 that follows wrote nothing, so the same request is sent again.
            retry_while(lambda: self.client.put(self._path() + "/password", {"password": self.params["password"]}),
                        lambda err: err.stale_write, STALE_CACHE_TIMEOUT, first_sleep=0.2, max_sleep=1.0)
            self._wait_hashed()
        return result

    def _wait_hashed(self):
        """KubeSphere stores the new password in plain text until its controller hashes it; a login in
        between fails with both passwords. Wait for the hash, so the next task can log in with it."""
        def hashed():
            try:
                user = self.client.get(self._path(RAW_USERS), missing_ok=True)
            except KubeSphereError as err:
                if err.status == 403:
                    return True       # only platform admins see the stored password: nothing to wait on
                raise
            return user is None or is_bcrypt_hash((user.get("spec") or {}).get("password"))
        wait_for(hashed, PASSWORD_HASH_TIMEOUT, "KubeSphere to hash the new password of user %s" % self.params["name"],
                 first_sleep=0.05)

    def check_providers(self):
        """The providers named in identities must exist (in check mode one made earlier in the play may only
        be predicted, so that is a warning); without the rights to read them, the links are made unchecked."""
        links = self.params.get("identities") or []
        if not links or not self._wants_present():
            return
        try:
            known = set((c or {}).get("name") for _s, c in provider_secrets(self.client))
        except KubeSphereError as err:
            if err.status != 403:
                raise
            return
        missing = sorted(set(i["provider"] for i in links) - known)
        if not missing:
            return
        message = ("user %s: identities name %s %s, which %s not exist; create %s first (ks_identity_provider)"
                   % (self.params["name"], "identity provider" if len(missing) == 1 else "identity providers",
                      ", ".join(missing), "does" if len(missing) == 1 else "do", "it" if len(missing) == 1 else "them"))
        if self.check_mode:
            self.warn(message)
        else:
            raise ValidationError(message)

    def _put(self, current, fields):
        """PUT the whole object with the changed fields applied; on 409, read again and re-apply."""
        desired = self.desired()
        for attempt in range(CONFLICT_RETRIES):
            body = copy.deepcopy(current)
            for opt in fields:
                field = self.fields[opt]
                field.set(body, field.merged(desired[opt], field.get(current)))
            body.get("spec", {}).pop("password", None)   # kapis keeps the stored password anyway
            if "global_role" not in fields:   # undo the effective-role view: send the annotation as stored
                annotations = body.setdefault("metadata", {}).setdefault("annotations", {})
                annotations.pop(GLOBALROLE_ANNOTATION, None)
                if self._stored_role is not None:
                    annotations[GLOBALROLE_ANNOTATION] = self._stored_role
            try:
                return self.client.put(self._path(), body)
            except KubeSphereError as err:
                if not err.conflict or attempt == CONFLICT_RETRIES - 1:
                    raise
            time.sleep(0.1 * (attempt + 1))
            current = self.client.get(self._path())
            self._stored_role = (current.get("metadata", {}).get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
        return current  # pragma: no cover (the loop returns or raises)

    def _bind_global_role(self, role):
        name = self.params["name"]
        if not any((b.get("roleRef") or {}).get("name") == role for b in self._live_bindings):
            binding = {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "GlobalRoleBinding",
                       "metadata": {"name": "%s-%s" % (name, role),
                                    "labels": {USER_REF_LABEL: name, ROLE_REF_LABEL: role}},
                       "subjects": [{"apiGroup": "iam.kubesphere.io", "kind": "User", "name": name}],
                       "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": role}}
            try:
                self.client.post(GLOBAL_ROLE_BINDINGS, binding)
            except KubeSphereError as err:
                if err.status != 409:
                    raise
        for binding in self._live_bindings:
            if (binding.get("roleRef") or {}).get("name") != role:
                self.client.delete("%s/%s" % (GLOBAL_ROLE_BINDINGS, binding["metadata"]["name"]), missing_ok=True)

    def delete(self, current):
        self.client.delete(self._path(), missing_ok=True)

    # Waiting ------------------------------------------------------------------------------
    def wait_ready(self, obj):
        """After a create: until the controller has hashed the password and set Active
        (before that a login answers "Account suspended.")."""
        if self.params.get("enabled") is False or _state(obj):
            return obj

        def active():
            user = self.client.get(self._path(), missing_ok=True)
            return user if _state(user) else None
        return wait_for(active, self.wait_timeout(), "user %s to become Active" % self.params["name"],
                        describe=lambda _: "status.state is still empty (the password is not hashed yet)")

    def wait_gone(self):
        # Not through read(): read() itself waits here when a user being deleted is wanted back.
        return wait_for(lambda: self.client.get(self._path(), missing_ok=True) is None, self.wait_timeout(),
                        "user %s to be deleted" % self.params["name"], describe=lambda _: self.describe_deleting())

    def describe_deleting(self):
        try:
            clusters = self.client.list_all(CLUSTERS)
        except KubeSphereError:
            clusters = []
        down = sorted(c.get("metadata", {}).get("name") for c in clusters if not cluster_ready(c))
        reason = "it is still there, held by the finalizer finalizers.kubesphere.io/users"
        if down:
            return "%s; KubeSphere removes a user only once every member cluster is Ready, and %s %s not" % (
                reason, ", ".join(down), "is" if len(down) == 1 else "are")
        return reason + "; the likely cause is a member cluster that is not Ready"

    # Output -------------------------------------------------------------------------------
    def public(self, obj):
        if obj is None:
            return None
        obj = copy.deepcopy(obj)
        (obj.get("spec") or {}).pop("password", None)
        return obj

    def view(self, obj):
        out = super().view(obj)
        if not obj:
            return out
        out.pop("password", None)
        if self.params.get("password") is not None:
            after = obj is not self._current
            out["password"] = MASK + (" (changed)" if after and self.password_changes else "")
        return out


def apply_effective_role(user, bindings):
    """Replace the globalrole annotation of user by the roles its live GlobalRoleBindings grant
    (bindings: that user's); return those bindings."""
    live = [b for b in bindings if not b.get("metadata", {}).get("deletionTimestamp")]
    roles = sorted(set((b.get("roleRef") or {}).get("name") for b in live))
    annotations = user.setdefault("metadata", {}).setdefault("annotations", {})
    if roles:
        annotations[GLOBALROLE_ANNOTATION] = ",".join(roles)
    else:
        annotations.pop(GLOBALROLE_ANNOTATION, None)
    return live


def _state(user):
    return ((user or {}).get("status") or {}).get("state")


def cluster_ready(cluster):
    for condition in (cluster.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False
