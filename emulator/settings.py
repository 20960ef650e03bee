"""Emulator settings: defaults, the YAML config file, and the subset that
POST /_emulator/config may change while running."""

from dataclasses import dataclass, field, fields
from typing import List, Optional

import yaml

DEFAULT_VERSION = {
    "gitVersion": "v4.1.3",
    "gitCommit": "3ef3a6bc98b790480577e87fbc75bee5b3438862",
    "gitTreeState": "dirty",
    "buildDate": "2026-11-22T13:44:25Z",
    "goVersion": "go1.27.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}
DEFAULT_KUBERNETES_VERSION = "v1.36.2"


@dataclass
class ClusterSpec:
    """A member cluster (the host cluster is always there)."""
    name: str
    ready: bool = True
    provider: str = "kubesphere"
    connection: str = "direct"          # direct | proxy
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    node_count: int = 3
    region: str = ""
    zones: List[str] = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    description: str = ""


@dataclass
class UserSpec:
    """A user that exists at start (hashed and Active), like a pre-seeded account."""
    name: str
    password: str = ""
    email: str = ""
    globalrole: str = "platform-regular"
    state: str = "Active"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 0
    port_file: Optional[str] = None
    ks_version: str = "4.1"                    # the profile (emulator/profiles.py): 4.1 or 3.4
    git_version: str = ""                      # empty: the profile's (v4.1.3 or v3.4.1)
    git_commit: str = ""
    list_total_key: str = "totalItems"         # total_count: the kapis list envelope of 4.2 Enterprise
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    admin_password: str = "P@88w0rd"
    bcrypt_cost: int = 10
    jwt_secret: str = "kubesphere-emulator-jwt-secret"
    oauth_client_id: str = "kubesphere"
    oauth_client_secret: str = "kubesphere"
    token_ttl: float = 7200.0                  # accessTokenMaxAge, seconds
    token_inactivity_timeout: float = 1800.0   # added to the refresh token's lifetime
    lockout_max: int = 10                      # authenticateRateLimiterMaxTries
    lockout_window: float = 600.0              # authenticateRateLimiterDuration, seconds
    controller_delay_ms: float = 30.0
    informer_lag_ms: float = 20.0
    namespace_deletion_delay_ms: float = 300.0   # how long a deleted namespace stays Terminating
    extension_job_ms: float = 1000.0           # how long each emulated Helm job (install/upgrade/uninstall) runs
    password_hash_ms: float = 0.0              # extra time before the user controller hashes a new password
    builtin_roles_delay_ms: float = 100.0      # 3.4: a new workspace's/project's roles this long after its finalizer
    cluster_join_ms: float = 1000.0            # how long the join's Helm install of ks-core into a member runs
    cluster_controller: bool = True            # False: like a server started with --controllers='*,-cluster'
    forbid_writes: bool = False
    controllers_held: bool = False             # controllers wait (a replay holds them across "right after" reads)
    log_size: int = 1000
    tls: bool = False                          # serve HTTPS (emulator/tls.py)
    tls_dir: Optional[str] = None              # where the generated CA (ca.crt) and certificate go
    tls_cert: Optional[str] = None             # a given certificate and key instead
    tls_key: Optional[str] = None
    tls_names: List[str] = field(default_factory=list)   # names in the generated certificate
    tls_expired: bool = False                  # generate a certificate that has expired
    tls_ca_path: Optional[str] = None          # set at start: the generated CA's file
    faults: dict = field(default_factory=dict)  # faults on at start (emulator/faults.py)
    members: List[ClusterSpec] = field(default_factory=list)
    joinable: List[str] = field(default_factory=list)   # clusters a test may join as members (emulator/members.py)
    users: List[UserSpec] = field(default_factory=list)

    RUNTIME_KEYS = ("token_ttl", "token_inactivity_timeout", "lockout_max", "lockout_window",
                    "controller_delay_ms", "informer_lag_ms", "extension_job_ms", "forbid_writes",
                    "namespace_deletion_delay_ms", "password_hash_ms", "controllers_held", "cluster_join_ms",
                    "cluster_controller", "builtin_roles_delay_ms")

    def runtime_view(self):
        return {key: getattr(self, key) for key in self.RUNTIME_KEYS}

    def apply_runtime(self, changes):
        """Apply POST /_emulator/config; raises ValueError on an unknown key or bad value."""
        unknown = [key for key in changes if key not in self.RUNTIME_KEYS]
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}; "
                             f"changeable: {', '.join(self.RUNTIME_KEYS)}")
        converted = {}
        for key, value in changes.items():
            current = getattr(self, key)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                converted[key] = value
            else:
                converted[key] = type(current)(value)
                if converted[key] < 0:
                    raise ValueError(f"{key} must not be negative")
        for key, value in converted.items():
            setattr(self, key, value)


_AUTH_KEYS = {"token_ttl", "token_inactivity_timeout", "lockout_max", "lockout_window",
              "jwt_secret", "oauth_client_id", "oauth_client_secret", "bcrypt_cost", "admin_password"}


def load_config_file(path, settings):
    """Merge a YAML config file into settings. Shape::

        clusters:            # member clusters
          - {name: member1, ready: true, provider: aws, connection: proxy,
             kubernetes_version: v1.30.4, node_count: 3, region: eu, labels: {env: prod}}
        joinable: [edge1, edge2]   # clusters a test may join (emulator/members.py)
        users:
          - {name: alice, password: Alice-Pass1, email: alice@example.com, globalrole: platform-regular}
        auth: {token_ttl: 7200, lockout_max: 10, lockout_window: 600, admin_password: "P@88w0rd"}
        version: {git_version: v4.1.3, kubernetes_version: v1.36.2}
        delays: {controller_delay_ms: 30, informer_lag_ms: 20, extension_job_ms: 1000, cluster_join_ms: 1000,
                 builtin_roles_delay_ms: 100}
    """
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the top level must be a mapping")
    cluster_fields = {f.name for f in fields(ClusterSpec)}
    for entry in data.get("clusters") or []:
        entry = dict(entry)
        entry = {k.replace("-", "_"): v for k, v in entry.items()}
        bad = set(entry) - cluster_fields
        if bad:
            raise ValueError(f"{path}: unknown cluster field(s) {sorted(bad)}")
        settings.members.append(ClusterSpec(**entry))
    for name in data.get("joinable") or []:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{path}: joinable holds member names")
        settings.joinable.append(name)
    user_fields = {f.name for f in fields(UserSpec)}
    for entry in data.get("users") or []:
        bad = set(entry) - user_fields
        if bad:
            raise ValueError(f"{path}: unknown user field(s) {sorted(bad)}")
        settings.users.append(UserSpec(**entry))
    for section, allowed in (("auth", _AUTH_KEYS),
                             ("version", {"git_version", "kubernetes_version"}),
                             ("delays", {"controller_delay_ms", "informer_lag_ms", "extension_job_ms", "password_hash_ms",
                                         "cluster_join_ms", "builtin_roles_delay_ms"})):
        for key, value in (data.get(section) or {}).items():
            if key not in allowed:
                raise ValueError(f"{path}: unknown {section} setting {key!r}")
            setattr(settings, key, type(getattr(settings, key))(value))
    return settings
