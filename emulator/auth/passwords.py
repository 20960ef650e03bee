"""Password authentication shared by the OAuth password grant and HTTP Basic:
user lookup (by name or e-mail), state checks, bcrypt, LoginRecords and the
lock-out rule, in the order ks-apiserver applies them."""

import threading

import bcrypt

from ..kinds.iam import LOGIN_RECORD, USER
from ..store import register_index
from ..timeutil import go_duration, parse_rfc3339, rfc3339
from ..validation import is_email

INCORRECT = "incorrect password"
LOCKED = "auth rate limit exceeded"
INACTIVE = "account is not active"

ACTIVE, DISABLED, AUTH_LIMIT_EXCEEDED = "Active", "Disabled", "AuthLimitExceeded"


class LoginFailure(Exception):
    """str() is the Go error text (used by HTTP Basic's 401 body)."""


def hash_password(password, cost):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=cost)).decode()


def is_bcrypt_hash(value):
    return isinstance(value, str) and len(value) == 60 and value[:4] in ("$2a$", "$2b$", "$2y$")


def password_matches(stored, password):
    if not is_bcrypt_hash(stored):
        return False
    try:
        return bcrypt.checkpw(password.encode(), stored.encode())
    except ValueError:
        return False


def _email(user):
    email = (user.get("spec") or {}).get("email")
    return [email] if email else []


register_index("email", _email)      # logins by e-mail and the users webhook's uniqueness check


class PasswordLogin:
    def __init__(self, app):
        self.app = app

    def find_user(self, username):
        view = self.app.api.view(self.app.host)
        if is_email(username):
            matches = view.list(USER, index=("email", username))
            return matches[0] if matches else None
        return view.get(USER, username)

    def authenticate(self, username, password, login_type, request):
        """The user object, or LoginFailure. Failed password checks of an existing
        user are recorded and count toward the lock-out."""
        user = self.find_user(username) if username else None
        if not username or not password:
            if user is not None:
                self._failed(user, login_type, request)
            raise LoginFailure(INCORRECT)
        if user is None:
            raise LoginFailure(INCORRECT)
        state = (user.get("status") or {}).get("state")
        if state == AUTH_LIMIT_EXCEEDED:
            raise LoginFailure(LOCKED)
        if state != ACTIVE:
            raise LoginFailure(INACTIVE)
        if not password_matches((user.get("spec") or {}).get("password"), password):
            self._failed(user, login_type, request)
            raise LoginFailure(INCORRECT)
        return user

    def succeeded(self, user, login_type, request):
        """Record a successful token login and the user's lastLoginTime."""
        name = user["metadata"]["name"]
        self.record(name, login_type, True, "authenticated successfully", request)

        def touch(obj):
            obj.setdefault("status", {})["lastLoginTime"] = rfc3339()
        self.app.store.mutate(self.app.host, USER, name, "", touch)

    def record(self, username, login_type, success, reason, request):
        record = {"metadata": {"generateName": f"{username}-",
                               "labels": {"iam.kubesphere.io/user-ref": username}},
                  "spec": {"type": login_type, "provider": "",
                           "sourceIP": request.client_ip if request else "",
                           "userAgent": (request.header("user-agent", "") if request else ""),
                           "success": success, "reason": reason}}
        self.app.api.create(self.app.host, LOGIN_RECORD, record, admit=False)

    def _failed(self, user, login_type, request):
        name = user["metadata"]["name"]
        self.record(name, login_type, False, INCORRECT, request)
        settings = self.app.settings
        since = parse_rfc3339((user.get("status") or {}).get("lastTransitionTime")) or 0.0
        count = self.app.lockout.record_failure(name, since)
        if count < settings.lockout_max:
            return
        profile = self.app.profile
        if profile.lockout_async:
            # 3.x: the user controller counts the LoginRecords and locks a few seconds later.
            timer = threading.Timer(profile.lockout_delay, self._lock_user, (name, None))
            timer.daemon = True
            timer.start()
            return
        self._lock_user(name, settings.lockout_max)

    def _lock_user(self, name, count):
        """count None: the failures counted when the lock happens (3.x's controller)."""
        settings = self.app.settings
        if count is None:
            count = self.app.lockout.count(name)

        def lock(obj):
            status = obj.setdefault("status", {})
            if status.get("state") != ACTIVE:
                return False
            status["state"] = AUTH_LIMIT_EXCEEDED
            status["reason"] = (f"Failed login attempts exceed {count} "
                                f"in last {go_duration(settings.lockout_window)}")
            status["lastTransitionTime"] = rfc3339()
        self.app.store.mutate(self.app.host, USER, name, "", lock)
        self.app.lockout.mark_locked(name)
