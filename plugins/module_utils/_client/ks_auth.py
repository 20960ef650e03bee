# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Logging in to KubeSphere: OAuth password and refresh grants, and the on-disk token cache.

Every Ansible task is a new process and a KubeSphere login is a bcrypt check plus a LoginRecord
write (ten failures lock the account), so tokens are kept between processes: one JSON file per
(host, username, client_id) in a 0700 directory, mode 0600, written atomically. Many processes
starting at once serialise on an flock of a per-key lock file and re-read the cache inside it,
so that between them they log in once.

An entry is tagged with a salted, slow hash of the password that made it (PBKDF2; never the password):
a cached token is used only by a caller with that same password, so a changed or wrong password logs
in afresh. A refused password login is remembered for 5 minutes (the server's answer, the time and
the tag of the refused password), so that the other processes waiting on the lock, and later calls,
fail with the same answer instead of each sending the same wrong password again, while a different
(corrected) password is tried at once. A cache directory that others may write or that belongs to
another user, or any file of the cache in it that others may read (every entry, lock and version file),
is repaired to 0700/0600 when it is ours and refused (with a warning, tokens then kept in memory) when
it is not. The entry is a JSON object, so more
facts about the host can sit beside the token.

With token_cache: false no token is kept, but the memory of a refused password still is (in the default
directory, the same entry without a token): without it every task would send the wrong password again,
and a dozen tasks lock the account.
"""

import base64
import errno
import hashlib
import hmac
import json
import os
import re
import stat
import tempfile
import threading
import time

try:
    from urllib.parse import urlencode, urlsplit
except ImportError:  # pragma: no cover
    from urllib import urlencode
    from urlparse import urlsplit

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    HAS_FCNTL = False

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_errors import (
    KubeSphereAuthError,
    KubeSphereError,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_transport import bump

TRUE_STRINGS = ("true", "yes", "on", "1", "y")
FALSE_STRINGS = ("false", "no", "off", "0", "n")
CACHE_FORMAT = 1
# Seconds a refused password login is replayed instead of sent again. It is tied to that password, so a
# corrected one is tried at once; 30 s was shorter than a 20-item loop on a busy controller, which then
# spent a second attempt towards KubeSphere's 10-failure lock-out (10 minutes).
FAILURE_MEMORY = 300.0
TOKEN_PATH = "/oauth/token"
TAG_ITERATIONS = 20000  # PBKDF2 rounds of the password tag: a few ms per process, slow to brute-force


def password_tag(password, salt=None):
    """{salt, hash} of password (PBKDF2-SHA256, random salt unless given): what a cache entry keeps."""
    salt = salt or base64.b64encode(os.urandom(16)).decode("ascii")
    digest = hashlib.pbkdf2_hmac("sha256", (password or "").encode("utf-8"), salt.encode("ascii"), TAG_ITERATIONS)
    return dict(salt=salt, hash=base64.b64encode(digest).decode("ascii"))


def tag_matches(tag, password):
    """Whether tag (from a cache entry) was made from password. An entry without a tag never matches."""
    if not isinstance(tag, dict) or not isinstance(tag.get("salt"), str) or not isinstance(tag.get("hash"), str):
        return False
    try:
        expected = password_tag(password, tag["salt"])["hash"]
    except (UnicodeEncodeError, ValueError):
        return False
    return hmac.compare_digest(expected, tag["hash"])


class CacheRefused(OSError):
    """The cache directory or file is not private to this user and cannot be made so."""


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kubesphere.core", "tokens")


def resolve_cache_dir(value):
    """The token_cache option as a directory path, or None when caching is off."""
    if value is None:
        return default_cache_dir()
    if isinstance(value, bool):
        return default_cache_dir() if value else None
    if isinstance(value, str):
        text = value.strip()
        if not text or text.lower() in TRUE_STRINGS:
            return default_cache_dir()
        if text.lower() in FALSE_STRINGS:
            return None
        path = os.path.expanduser(text)
        if not os.path.isabs(path):
            # Resolved against the current directory, a relative path would scatter token files over
            # every directory a play is started from (often a checkout that gets packaged).
            raise KubeSphereError("token_cache must be true, false or an absolute directory path (~ is expanded), "
                                  "not the relative path %r" % text)
        return os.path.normpath(path)
    raise KubeSphereError("token_cache must be true, false or a directory path, not %s" % type(value).__name__)


def jwt_expiry(token):
    """The exp claim of a JWT (not verified: only used to know when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        exp = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8")).get("exp")
        return float(exp) if exp else None
    except Exception:  # pylint: disable=broad-except
        return None


def make_entry(data, now):
    access = data["access_token"]
    refresh = data.get("refresh_token") or None
    expires_in = data.get("expires_in")
    try:
        expires_at = now + float(expires_in) if expires_in else jwt_expiry(access)
    except (TypeError, ValueError):
        expires_at = jwt_expiry(access)
    return dict(format=CACHE_FORMAT, access_token=access, refresh_token=refresh, obtained_at=now,
                expires_at=expires_at, refresh_expires_at=jwt_expiry(refresh) if refresh else None)


def is_fresh(entry, now, rejected=None):
    """The entry holds an access token that is not the rejected one and not about to expire."""
    if not entry or not entry.get("access_token") or entry.get("access_token") == rejected:
        return False
    expires_at = entry.get("expires_at")
    if expires_at is None:
        return True
    lifetime = max(0.0, expires_at - (entry.get("obtained_at") or expires_at - 7200))
    margin = min(max(60.0, 0.1 * lifetime), 0.5 * lifetime)
    return now < expires_at - margin


def can_refresh(entry, now):
    if not entry or not entry.get("refresh_token"):
        return False
    refresh_expires_at = entry.get("refresh_expires_at")
    return refresh_expires_at is None or now < refresh_expires_at - 5


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _valid_entry(data):
    if not isinstance(data, dict):
        return None
    for key in ("access_token", "refresh_token"):
        if data.get(key) is not None and not isinstance(data.get(key), str):
            return None
    for key in ("expires_at", "refresh_expires_at", "obtained_at", "failed_at"):
        if data.get(key) is not None and not isinstance(data.get(key), (int, float)):
            return None
    return data


DEFAULT_PORTS = {"http": "80", "https": "443"}
# The files a cache directory holds: entries, their locks, the version files (ks_detect), temporary files.
CACHE_FILE = re.compile(r"^([0-9a-f]{64}(\.lock|\.json|\.version\.json)|\.tmp-.*\.json)$")


def _chmod_file(path, mode):
    """chmod that never follows a symbolic link put in the file's place after it was checked."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if hasattr(os, "getuid") and os.fstat(fd).st_uid != os.getuid():
            raise CacheRefused(errno.EPERM, "%s belongs to another user" % path)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def host_key(host):
    """The host as a cache key: scheme and name in lower case, without the scheme's default port, so that
    https://KS.example.com:443 shares the entry of https://ks.example.com (URLs do not care, the cache must not)."""
    try:
        parts = urlsplit(host or "")
        port = parts.port
    except ValueError:
        return host
    if not parts.scheme or not parts.hostname:
        return host
    scheme = parts.scheme.lower()
    name = "[%s]" % parts.hostname if ":" in parts.hostname else parts.hostname   # hostname is lower case
    if port is not None and str(port) != DEFAULT_PORTS.get(scheme):
        name += ":%d" % port
    return "%s://%s%s" % (scheme, name, parts.path.rstrip("/"))


class CacheFile(object):
    """One private JSON file in the private cache directory: read (None when absent or corrupt), written
    atomically as 0600, and the directory kept ours. validate(data) returns the entry or None."""

    def __init__(self, directory, path, validate=None):
        self.directory = directory
        self.path = path
        self._validate = validate or (lambda data: data if isinstance(data, dict) else None)

    def secure(self):
        """Make sure the directory and everything of the cache in it (every entry, lock and version file,
        whoever's login they hold) are private (ours, 0700/0600): repair the modes of what we own, raise
        CacheRefused for what belongs to someone else or is a symbolic link. Other files are left alone."""
        self.ensure_directory()
        self._secure_one(self.directory, 0o700, directory=True)
        for name in sorted(os.listdir(self.directory)):
            if CACHE_FILE.match(name):
                self._secure_one(os.path.join(self.directory, name), 0o600)

    def _secure_one(self, path, private, directory=False):
        try:
            info = os.lstat(path)
        except OSError as exc:
            if exc.errno == errno.ENOENT:   # removed meanwhile (a temporary file renamed by another process)
                return
            raise
        if stat.S_ISLNK(info.st_mode) and not directory:
            raise CacheRefused(errno.EPERM, "%s is a symbolic link" % path)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise CacheRefused(errno.EPERM, "%s belongs to another user (uid %d)" % (path, info.st_uid))
        if stat.S_IMODE(info.st_mode) & 0o077:
            if directory:
                os.chmod(path, private)
            else:
                _chmod_file(path, private)

    def ensure_directory(self):
        """Create the directory (and missing parents) as 0700; directories that exist are left alone."""
        missing = []
        path = self.directory
        while path and not os.path.isdir(path):
            missing.append(path)
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
        for path in reversed(missing):
            try:
                os.mkdir(path, 0o700)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
            else:
                os.chmod(path, 0o700)

    def read(self):
        """The cached entry, or None when absent, unreadable or corrupt (never fatal)."""
        try:
            with open(self.path, "r") as handle:
                return self._validate(json.load(handle))
        except (OSError, IOError, ValueError, UnicodeDecodeError):
            return None

    def write(self, entry):
        self.ensure_directory()
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(entry, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise

    def remove(self):
        try:
            os.unlink(self.path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise


class TokenCache(CacheFile):
    """The cache file (and its lock file) of one (host, username, client_id)."""

    def __init__(self, directory, host, username, client_id, lock_timeout=60.0):
        key = hashlib.sha256("\n".join((host_key(host), username, client_id)).encode("utf-8")).hexdigest()
        super(TokenCache, self).__init__(directory, os.path.join(directory, key + ".json"), _valid_entry)
        self.lock_path = os.path.join(directory, key + ".lock")
        self.lock_timeout = lock_timeout

    def acquire(self, sleep=time.sleep):
        """Take the exclusive lock; return a handle for release(), or None when it timed out."""
        self.ensure_directory()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if not HAS_FCNTL:
            return fd
        deadline = time.time() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except (OSError, IOError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
            if time.time() >= deadline:
                os.close(fd)
                return None
            sleep(0.01)

    def release(self, fd):
        if fd is None:
            return
        try:
            if HAS_FCNTL:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class Authenticator(object):
    """Holds the access token of one client: a given token, or one obtained by password login."""

    def __init__(self, host, transport, username=None, password=None, client_id="kubesphere",
                 client_secret="kubesphere", static_token=None, cache_dir=None, warn=None, stats=None,
                 refusals_dir=None):
        self.host = host
        self.transport = transport
        self.username = username
        self.password = password
        self.client_id = client_id
        self.client_secret = client_secret
        self.static_token = static_token
        self._warn = warn or (lambda message: None)
        self.stats = stats if stats is not None else {}
        self._entry = None
        self._refused = None  # (time, KubeSphereAuthError) of this process's last refused password login
        self._seen = []  # every token this client held, so that none can leak into a message
        self._lock = threading.RLock()
        self.cache = None
        # With a given token and a password too (the roles hand ks_login's token to every task, the
        # password is in the environment), the cache is there for the one login after a restart.
        self._cache_checked = False
        # cache_dir None (token_cache: false): refusals_dir keeps refused logins only, never a token.
        self.keeps_tokens = bool(cache_dir)
        self._memory_problem = None     # why refused logins cannot be remembered on disk (token_cache: false)
        directory = cache_dir or refusals_dir
        if directory and username and (password or not static_token):
            self.cache = TokenCache(directory, host, username, client_id,
                                    lock_timeout=2 * float(transport.timeout) + 10)

    def may_replace_static(self):
        """Whether a refused given token may be replaced by a password login: only a token that this
        collection obtained for the same user (ks_login's, in the cache or renewed from there), never a
        token from elsewhere, and only with a password at hand."""
        if not (self.static_token and self.username and self.password and self.cache is not None
                and self.keeps_tokens):
            return False
        entry = self.cache.read() or {}
        return entry.get("access_token") == self.static_token or \
            _digest(self.static_token) in (entry.get("renewed_from") or [])

    def refused_token_advice(self):
        """What to do about a given token that was refused and may not be replaced."""
        if self.username and self.password:
            # A token from elsewhere (a stale KUBESPHERE_TOKEN, a service account's) is not swapped for a
            # password login behind the user's back: the two may be different users with different rights.
            return ("the ks_token given was rejected; it comes before ks_username and ks_password, which were not "
                    "tried: unset KUBESPHERE_TOKEN (or remove ks_token) to log in as %s with the password"
                    % self.username)
        return ("the ks_token given was rejected; it is used as is and never refreshed: give a valid token, or "
                "ks_username and ks_password instead")

    def drop_static(self):
        """The given token was refused (KubeSphere restarted): log in with the password from now on."""
        with self._lock:
            if self.static_token and self.static_token not in self._seen:
                self._seen.append(self.static_token)
            self.static_token = None

    def _usable_cache(self):
        """The cache once its modes are checked (repaired, or the cache refused with a warning)."""
        if self.cache is not None and not self._cache_checked:
            self._cache_checked = True
            try:
                self.cache.secure()
            except (OSError, IOError) as exc:
                self._cache_failed(exc)
        return self.cache

    def _mine(self, entry):
        """A cached entry made with this caller's password (anything else must not be used)."""
        return entry if entry and tag_matches(entry.get("password_tag"), self.password) else None

    def secrets(self):
        values = [self.password, self.static_token] + list(self._seen)
        if self.client_secret and self.client_secret != "kubesphere":
            values.append(self.client_secret)
        return [value for value in values if value]

    def _use(self, entry):
        self._entry = self._remember(entry)
        return entry

    def _remember(self, entry):
        for key in ("access_token", "refresh_token"):
            value = (entry or {}).get(key)
            if value and value not in self._seen:
                self._seen.append(value)
        return entry

    def current_token(self):
        """The token in use, without logging in (None if there is none)."""
        if self.static_token:
            return self.static_token
        with self._lock:
            if self._entry and self._entry.get("access_token"):
                return self._entry["access_token"]
            if self.keeps_tokens and self._usable_cache() is not None:
                entry = self._mine(self.cache.read())
                if entry and entry.get("access_token"):
                    return self._use(entry)["access_token"]
        return None

    def token(self, force=False, rejected=None):
        """A valid access token: the given one, a cached one, a refreshed one, or a new login."""
        if self.static_token:
            return self.static_token
        with self._lock:
            now = time.time()
            if not force and is_fresh(self._entry, now, rejected):
                return self._entry["access_token"]
            self._check_credentials()
            if self._refused is not None and 0 <= now - self._refused[0] < FAILURE_MEMORY:
                raise self._refused[1]
            if self._usable_cache() is not None and not force and self.keeps_tokens:
                entry = self._mine(self.cache.read())
                if is_fresh(entry, now, rejected):
                    return self._use(entry)["access_token"]
            if self.cache is None:
                return self._use(self._renew(self._entry))["access_token"]
            return self._use(self._renew_with_cache(force, rejected))["access_token"]

    def forget(self, token=None):
        """Drop the token (after a logout): from memory and, if it is the cached one, from the cache."""
        with self._lock:
            self._entry = None
            cache = self.cache
            if cache is None or not self.keeps_tokens:
                return
            try:
                handle = cache.acquire()
                try:
                    entry = cache.read()
                    if entry is not None and (token is None or entry.get("access_token") in (token, None)):
                        cache.remove()
                finally:
                    cache.release(handle)
            except (OSError, IOError) as exc:
                self._cache_failed(exc)

    def _check_credentials(self):
        if not self.username or not self.password:
            pairs = (("ks_username", self.username), ("ks_password", self.password))
            missing = " and ".join(name for name, value in pairs if not value)
            raise KubeSphereAuthError(
                "no credentials to log in to %s: %s not set" % (self.host, missing),
                advice="set ks_username and ks_password (or KUBESPHERE_USERNAME and KUBESPHERE_PASSWORD), "
                       "or give an access token as ks_token")

    def _renew_with_cache(self, force, rejected):
        cache = self.cache
        try:
            handle = cache.acquire()
        except (OSError, IOError) as exc:
            self._cache_failed(exc)
            return self._renew(self._entry)
        if handle is None:
            self._warn("timed out waiting for the token cache lock %s; logging in without it" % cache.lock_path)
        try:
            now = time.time()
            # Only an entry made with this password counts: its token, its refresh token, its failure.
            entry = self._mine(cache.read())
            if self.keeps_tokens and not force and is_fresh(entry, now, rejected):
                return entry
            failed_at = (entry or {}).get("failed_at")
            if failed_at is not None and 0 <= now - failed_at < FAILURE_MEMORY:
                raise self._remembered_failure(entry, now - failed_at)
            tag = (entry or {}).get("password_tag") or password_tag(self.password)
            try:
                fresh = self._renew(entry if self.keeps_tokens and can_refresh(entry, now) else self._entry)
            except KubeSphereAuthError as err:
                if self._refused is not None and err is self._refused[1]:  # refused credentials, not a hiccup
                    self._cache_write(dict(format=CACHE_FORMAT, failed_at=time.time(), password_tag=tag, failure=dict(
                        status=err.status, reason=err.reason, message=err.message, advice=err.advice, url=err.url)))
                raise
            if not self.keeps_tokens:
                return fresh
            fresh = dict(fresh, password_tag=tag)
            if rejected:  # so that tasks still holding the refused token (a role's ks_token) may follow
                fresh["renewed_from"] = list((entry or {}).get("renewed_from") or [])[-4:] + [_digest(rejected)]
            self._cache_write(fresh)
            return fresh
        finally:
            cache.release(handle)

    def _renew(self, entry):
        """Refresh with the entry's refresh token if it has a usable one, else log in with the password."""
        self._remember(entry)
        if can_refresh(entry, time.time()):
            try:
                return self._grant(dict(grant_type="refresh_token", refresh_token=entry["refresh_token"]), False)
            except KubeSphereAuthError as err:
                if err.status not in (400, 401):
                    raise
        try:
            return self._grant(dict(grant_type="password", username=self.username, password=self.password), True)
        except KubeSphereAuthError as err:
            if err.status in (400, 401, 429):
                self._refused = (time.time(), err)
                if self._memory_problem:
                    self._warn("the refused login could not be remembered in %s (%s): other tasks may send the "
                               "same password again" % self._memory_problem)
            raise

    def _grant(self, fields, password_grant):
        if password_grant:
            self._check_credentials()
        fields.update(client_id=self.client_id, client_secret=self.client_secret)
        bump(self.stats, "logins" if password_grant else "refreshes")
        url = self.host + TOKEN_PATH
        # A login sent twice only logs in twice, so a gateway error or a lost answer is retried; a
        # refused one (400/401) never is, nor KubeSphere's own 429 (its lock-out).
        resp = self.transport.send(
            "POST", url, data=urlencode(fields), idempotent=True, login=True,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        if resp.status != 200:
            err = KubeSphereAuthError.from_response("POST", resp.url, resp.status, resp.text)
            err.advice = self._advice(err, password_grant)
            err.args = (str(err),)
            raise err
        data = resp.json
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
            raise KubeSphereAuthError("the token endpoint answered HTTP 200 without an access token",
                                      method="POST", url=resp.url, status=resp.status,
                                      advice="is ks_host the KubeSphere API server?")
        return self._remember(make_entry(data, time.time()))

    def _advice(self, err, password_grant):
        message = (err.message or "").lower()
        if err.status == 429:
            return ("KubeSphere has locked the account of %s after repeated failed logins; wait until the lock "
                    "expires (10 minutes by default) and check ks_password. Not retried. Tokens issued before the "
                    "lock keep working" % self.username)
        if err.reason == "invalid_grant":
            if "suspended" in message:
                return ("the user %s is disabled, or was created moments ago and is not active yet" % self.username)
            if password_grant:
                return ("check ks_username (%s) and ks_password. Not retried: KubeSphere locks an account after "
                        "repeated failed logins" % self.username)
            return "the refresh token was refused"
        if err.reason in ("invalid_client", "unauthorized_client"):
            return ("check ks_client_id (%s) and ks_client_secret; KubeSphere's default OAuth client is "
                    "kubesphere with secret kubesphere" % self.client_id)
        if err.reason == "unsupported_grant_type":
            return "the OAuth client %s does not allow the password grant (it must be trusted)" % self.client_id
        if err.status in (404, 405, 415):
            return "is ks_host (%s) the KubeSphere API server (ks-apiserver or the console)?" % self.host
        return None

    def _remembered_failure(self, entry, age):
        failure = entry.get("failure") or {}
        advice = failure.get("advice")
        note = ("not sent: the same login failed %.0f s ago in another task or process; retry after %.0f s"
                % (age, FAILURE_MEMORY - age))
        return KubeSphereAuthError(failure.get("message") or "login failed", method="POST",
                                   url=failure.get("url") or self.host + TOKEN_PATH, status=failure.get("status"),
                                   reason=failure.get("reason"), advice="%s; %s" % (advice, note) if advice else note)

    def _cache_write(self, entry):
        try:
            self.cache.write(entry)
        except (OSError, IOError) as exc:
            self._cache_failed(exc)

    def _cache_failed(self, exc):
        if self.cache is not None:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            if self.keeps_tokens:
                self._warn("token cache %s is not usable (%s); tokens are kept in memory only"
                           % (self.cache.directory, reason))
            else:   # token_cache: false; said only if a login is refused (the directory may be read-only)
                self._memory_problem = (self.cache.directory, reason)
        self.cache = None
