"""Clusters a test can join as members (--joinable edge1,edge2), and what a kubeconfig reaches.

Each joinable member is a cluster of its own in the store (kube-system with its own uid,
kubesphere-system, ...), kept under an internal key ("~member/edge1") that no Cluster name can
take, so nothing reaches it through /clusters/{name} until a Cluster is joined to it. Its
kubeconfig points back at this emulator, at /_emulator/members/{id}/kube (that path serves the
member's own Kubernetes API to its token, as a member's kube-apiserver would), with a bearer token
of the member's. "host" is the host cluster seen the same way (its kubeconfig is another
cluster's kubeconfig for a member, and a duplicate for the validation).

When the cluster controller joins a Cluster to a member, the member's storage is renamed to the
Cluster's name (all other code keeps finding a cluster's objects under its name); the unjoin
renames it back. ks-core installed by a join stays, as Helm releases do on a real member.

resolve(app, kubeconfig bytes) says what a kubeconfig reaches; callers word the failures as the
real code path they stand for does (validation, kubeconfig PUT, controller)."""

import base64
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import List
from urllib.parse import urlsplit

import yaml

from .kinds.cluster import CLUSTER
from .kinds.core import NAMESPACE

MEMBER_PATH = "/_emulator/members/"
INTERNAL_PREFIX = "~member/"
HOST_ID = "host"
_KUBE_PATH = re.compile(r"^/_emulator/members/([^/]+)/kube/?$")
_GO_STRUCT = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'
_GO_TYPES = {str: "string", list: "array", bool: "bool", int: "number", float: "number"}
NO_CONFIGURATION = ("invalid configuration: no configuration has been provided, "
                    "try setting KUBERNETES_MASTER environment variable")


@dataclass
class Member:
    id: str
    store_key: str                      # where its objects are: the internal key, or the joined Cluster's name
    tokens: List[str] = field(default_factory=list)
    kubernetes_version: str = ""
    node_count: int = 1
    ks_core_revision: int = 0           # Helm revisions of ks-core installed by joins (0: never)
    ks_apiserver_at: float = 0.0        # monotonic time from which its ks-apiserver answers

    @property
    def joined_as(self):
        return "" if self.store_key.startswith(INTERNAL_PREFIX) or self.id == HOST_ID else self.store_key


class KubeconfigError(Exception):
    """The kubeconfig does not load (clientcmd's message)."""


@dataclass
class Target:
    """What a kubeconfig reaches."""
    server: str
    member: Member = None               # None: nothing answers there
    authorized: bool = False

    @property
    def dial_error(self):
        """Go's net error for a server nobody listens on."""
        split = urlsplit(self.server)
        host = split.hostname or ""
        port = split.port or (443 if split.scheme == "https" else 80)
        if re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", host):
            shown = f"[{host}]" if ":" in host else host
            return f"dial tcp {shown}:{port}: connect: connection refused"
        return f"dial tcp: lookup {host}: no such host"


class Members:
    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self.by_id = {}
        self.static = set()         # Clusters seeded with --members: they keep the status they were given

    def setup(self):
        """The host's view and every --joinable member (each with its own namespaces)."""
        settings = self.app.settings
        self.static = {m.name for m in settings.members}
        self.by_id[HOST_ID] = Member(HOST_ID, self.app.host, [_token()], settings.kubernetes_version, 1,
                                     ks_core_revision=1)
        for name in settings.joinable:
            member = Member(name, INTERNAL_PREFIX + name, [_token()], settings.kubernetes_version, 1)
            self.by_id[name] = member
            self.app.ensure_cluster(member.store_key)
        # The host Cluster's status.uid is its kube-system's (a kubeconfig of the host is a duplicate).
        uid = self.kube_system_uid(self.by_id[HOST_ID])
        self.app.store.mutate(self.app.host, CLUSTER, self.app.host, "",
                              lambda cluster: cluster.setdefault("status", {}).__setitem__("uid", uid))

    # ---- lookups ----------------------------------------------------------------------

    def get(self, member_id):
        return self.by_id.get(member_id)

    def joined(self, cluster_name):
        """The member a Cluster of that name is joined to, if any."""
        for member in self.by_id.values():
            if member.id != HOST_ID and member.store_key == cluster_name:
                return member
        return None

    def reached(self):
        """The clusters the host talks to: itself and every joined member (an unjoined member's objects live on,
        out of the host's sight)."""
        return [key for key in self.app.store.clusters() if not key.startswith(INTERNAL_PREFIX)]

    def kube_system_uid(self, member):
        namespace = self.app.api.view(member.store_key).get(NAMESPACE, "kube-system")
        return (namespace or {}).get("metadata", {}).get("uid", "")

    # ---- kubeconfigs and credentials ----------------------------------------------------

    def server(self, member):
        settings = self.app.settings
        scheme = "https" if settings.tls else "http"
        return f"{scheme}://{settings.host}:{settings.port}{MEMBER_PATH}{member.id}/kube"

    def kubeconfig(self, member, token=None):
        cluster = {"server": self.server(member)}
        ca_path = self.app.settings.tls_ca_path
        if ca_path:
            with open(ca_path, "rb") as handle:
                cluster["certificate-authority-data"] = base64.b64encode(handle.read()).decode()
        user = f"{member.id}-admin"
        config = {"apiVersion": "v1", "kind": "Config",
                  "clusters": [{"name": member.id, "cluster": cluster}],
                  "contexts": [{"name": member.id, "context": {"cluster": member.id, "user": user}}],
                  "current-context": member.id,
                  "users": [{"name": user, "user": {"token": token or member.tokens[-1]}}]}
        return yaml.safe_dump(config, sort_keys=False)

    def new_credential(self, member, revoke_others=False):
        """A second token for the same cluster (a rotated credential); the others stay valid unless revoked."""
        token = _token()
        with self._lock:
            member.tokens = [token] if revoke_others else member.tokens + [token]
        return token

    # ---- joining ----------------------------------------------------------------------

    def bind(self, member, cluster_name):
        """Make the member's objects the Cluster's: /clusters/{name} and the controllers find them there."""
        with self._lock:
            if member.store_key == cluster_name:
                return
            store = self.app.store
            if store.has_cluster(cluster_name):
                store.remove_cluster(cluster_name)      # what an earlier Cluster of that name left
            store.rename_cluster(member.store_key, cluster_name)
            member.store_key = cluster_name

    def unbind(self, member):
        with self._lock:
            if member.id == HOST_ID or member.store_key.startswith(INTERNAL_PREFIX):
                return
            self.app.store.rename_cluster(member.store_key, INTERNAL_PREFIX + member.id)
            member.store_key = INTERNAL_PREFIX + member.id

    def ks_apiserver_up(self, member):
        return member.ks_core_revision > 0 and time.monotonic() >= member.ks_apiserver_at


def _token():
    return "emu-" + secrets.token_hex(16)


def load_kubeconfig(raw):
    """(server, token) of the current context, or KubeconfigError with clientcmd's words."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KubeconfigError(f"error converting YAML to JSON: {exc}") from None
    if config is None:
        raise KubeconfigError(NO_CONFIGURATION)
    if not isinstance(config, dict):
        go_type = _GO_TYPES.get(type(config), "string")
        raise KubeconfigError(f"couldn't get version/kind; json parse error: json: cannot unmarshal {go_type} "
                              f"into Go value of type {_GO_STRUCT}")
    current = config.get("current-context") or ""
    contexts = {c.get("name"): c.get("context") or {} for c in config.get("contexts") or [] if isinstance(c, dict)}
    if not current:
        raise KubeconfigError(NO_CONFIGURATION)
    if current not in contexts:
        raise KubeconfigError(f"invalid configuration: [context was not found for specified context: {current}, "
                              "cluster has no server defined]")
    context = contexts[current]
    clusters = {c.get("name"): c.get("cluster") or {} for c in config.get("clusters") or [] if isinstance(c, dict)}
    users = {u.get("name"): u.get("user") or {} for u in config.get("users") or [] if isinstance(u, dict)}
    server = (clusters.get(context.get("cluster")) or {}).get("server") or ""
    if not server:
        raise KubeconfigError("invalid configuration: cluster has no server defined")
    return server.rstrip("/"), (users.get(context.get("user")) or {}).get("token") or ""


def resolve(app, raw):
    """The Target a kubeconfig (bytes) reaches; KubeconfigError when it does not load."""
    server, token = load_kubeconfig(raw)
    split = urlsplit(server)
    settings = app.settings
    ours = (split.hostname in ("127.0.0.1", "localhost", "::1") and split.port == settings.port
            and split.scheme == ("https" if settings.tls else "http"))
    match = _KUBE_PATH.match(split.path) if ours else None
    member = app.members.get(match.group(1)) if match else None
    if member is None:
        return Target(server)
    return Target(server, member, authorized=bool(token) and token in member.tokens)
