"""User rules: the CRD schema (password policy, name), the users webhook
(e-mail format and uniqueness) and how kapis shows a user (no password)."""

from .. import errors
from ..admission import admission
from ..auth.passwords import is_bcrypt_hash
from ..kinds.iam import USER
from ..objects import clone, go_ordered
from ..validation import go_quote, is_email

GLOBALROLE_ANNOTATION = "iam.kubesphere.io/globalrole"
PASSWORD_CHANGED_ANNOTATION = "iam.kubesphere.io/last-password-change-time"
USER_FINALIZER = "finalizers.kubesphere.io/users"
USER_REF_LABEL = "iam.kubesphere.io/user-ref"
ROLE_REF_LABEL = "iam.kubesphere.io/role-ref"
WEBHOOK = "users.iam.kubesphere.io"

# Objects removed with a user (labelled iam.kubesphere.io/user-ref=<user>), by
# (group, plural); kinds that are not registered are skipped.
USER_OWNED_KINDS = [
    ("iam.kubesphere.io", "globalrolebindings"),
    ("iam.kubesphere.io", "workspacerolebindings"),
    ("iam.kubesphere.io", "clusterrolebindings"),
    ("iam.kubesphere.io", "rolebindings"),
    ("iam.kubesphere.io", "loginrecords"),
]

PASSWORD_PATTERN = ("^(.*[a-z].*[A-Z].*[0-9].*)$|^(.*[a-z].*[0-9].*[A-Z].*)$|^(.*[A-Z].*[a-z].*[0-9].*)$|"
                    "^(.*[A-Z].*[0-9].*[a-z].*)$|^(.*[0-9].*[a-z].*[A-Z].*)$|^(.*[0-9].*[A-Z].*[a-z].*)$|"
                    "^(\\$2[ayb]\\$.{56})$")


def password_problem(password):
    """The first CRD schema complaint about a password, or None."""
    if is_bcrypt_hash(password):
        return None
    if len(password) < 8:
        return "spec.password in body should be at least 8 chars long"
    if len(password) > 64:
        return "spec.password in body should be at most 64 chars long"
    has = (any(c.islower() for c in password), any(c.isupper() for c in password),
           any(c.isdigit() for c in password))
    if not all(has):
        return f"spec.password in body should match '{PASSWORD_PATTERN}'"
    return None


def check_password(name, password):
    """Raise the 422 kube-apiserver gives for a password the CRD rejects."""
    problem = password_problem(password)
    if problem:
        raise errors.invalid(USER, name, [("spec.password", go_quote(password), problem, "FieldValueInvalid")])


@admission("iam.kubesphere.io", "users")
def validate_user(review):
    if review.op == "DELETE":
        return
    user = review.obj
    name = user["metadata"]["name"]
    if review.op == "UPDATE":
        _keep_role_unless_privileged(review)
    spec = user.setdefault("spec", {})
    if "email" not in spec:
        raise errors.invalid(USER, name, [("spec.email", None, "Required value", "FieldValueRequired")])
    if "password" in spec and spec["password"] is not None:
        check_password(name, spec["password"])
    email = spec.get("email") or ""
    if email:
        if not is_email(email):
            raise errors.webhook_denied(WEBHOOK, f"invalid email address:{email}")
        others = review.api.view(review.cluster).list(
            USER, index=("email", email), where=lambda u: u["metadata"]["name"] != name, copy=False)
        if others:
            raise errors.webhook_denied(WEBHOOK, f"user email: {email} already exists")


def _keep_role_unless_privileged(review):
    """Only those who may update users in general may change a global role
    (the controller binds whatever the annotation names)."""
    old_role = ((review.old.get("metadata") or {}).get("annotations") or {}).get(GLOBALROLE_ANNOTATION)
    annotations = review.obj["metadata"].get("annotations") or {}
    if annotations.get(GLOBALROLE_ANNOTATION) == old_role:
        return
    if review.api.may(review.user, "update", "iam.kubesphere.io", "users"):
        return
    if old_role is None:
        annotations.pop(GLOBALROLE_ANNOTATION, None)
    else:
        review.obj["metadata"].setdefault("annotations", {})[GLOBALROLE_ANNOTATION] = old_role


def typed(user):
    """The user as ks-apiserver's typed struct marshals it (email and status always present)."""
    user = clone(user)
    spec = user.setdefault("spec", {})
    spec.setdefault("email", "")
    user.setdefault("status", {})
    return user


def public(user, with_type=True):
    """What kapis returns: the typed user without the password."""
    user = typed(user)
    user["spec"].pop("password", None)
    spec = user.pop("spec")
    status = user.pop("status")
    user["spec"] = {"email": spec.pop("email"), **spec}
    user["status"] = status
    return go_ordered(user, with_type=with_type)
