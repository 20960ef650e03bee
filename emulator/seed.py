"""What exists when the server starts: the host Cluster and member Clusters,
the system namespaces of each cluster in system-workspace, the built-in GlobalRoles and bindings, the admin
user and any users from the config file (already hashed and Active, as if the
controllers had run)."""

import base64

from .auth.passwords import hash_password
from .iam.bindings import GLOBAL_ROLE_BINDING_FINALIZER, binding_object
from .iam.users import GLOBALROLE_ANNOTATION, PASSWORD_CHANGED_ANNOTATION, USER_FINALIZER
from .kinds.cluster import CLUSTER, HOST_LABEL
from .kinds.iam import GLOBAL_ROLE, GLOBAL_ROLE_BINDING, USER
from .seed_extensions import seed_extensions
from .seed_role_templates import seed_role_templates
from .seed_system_workspace import seed_system_namespaces, seed_system_workspace
from .timeutil import rfc3339

_READ = ["get", "list"]
GLOBAL_ROLES = {
    "platform-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                       {"nonResourceURLs": ["*"], "verbs": ["*"]}],
    "platform-regular": [],
    "platform-self-provisioner": [{"apiGroups": ["tenant.kubesphere.io"],
                                   "resources": ["workspaces", "workspacetemplates"],
                                   "verbs": ["create", "watch"]}],
    "authenticated": [
        {"apiGroups": ["config.kubesphere.io"], "resources": ["configs"], "verbs": _READ},
        {"apiGroups": ["iam.kubesphere.io"], "resources": ["users", "roletemplates", "categories"],
         "verbs": ["list"]},
        {"apiGroups": ["resources.kubesphere.io"], "resources": ["registry", "git"], "verbs": ["get", "create"]},
        {"apiGroups": ["resources.kubesphere.io"], "resources": ["clusters"], "verbs": _READ},
        {"apiGroups": ["*"], "resources": ["storageclasses", "storageclasscapabilities", "nodes"], "verbs": _READ},
        {"apiGroups": ["resources.kubesphere.io"], "resources": ["namespaces", "services"], "verbs": ["list"]},
        {"apiGroups": ["tenant.kubesphere.io"], "resources": ["workspacetemplates"], "verbs": ["patch"]},
        {"apiGroups": ["kubesphere.io"], "resources": ["extensions"], "verbs": _READ},
        {"apiGroups": ["cluster.kubesphere.io"], "resources": ["labels"], "verbs": _READ},
        {"nonResourceURLs": ["/static/images/*"], "verbs": ["GET"]},
    ],
    "anonymous": [
        {"apiGroups": ["config.kubesphere.io"], "resources": ["configs"], "verbs": _READ},
        {"apiGroups": ["extensions.kubesphere.io"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
        {"nonResourceURLs": ["/static/images/*"], "verbs": ["GET"]},
    ],
    "pre-registration": [{"apiGroups": ["iam.kubesphere.io"], "resources": ["users"], "verbs": ["create", "list"]}],
}
# name -> (subject kind, subject name, role)
BUILTIN_BINDINGS = {
    "anonymous": ("Group", "system:unauthenticated", "anonymous"),
    "authenticated": ("Group", "system:authenticated", "authenticated"),
    "pre-registration": ("User", "pre-registration", "pre-registration"),
}


def seed(app):
    host = app.host
    app.store.add_cluster(host)
    seed_namespaces(app, host)
    for name, rules in GLOBAL_ROLES.items():
        _create(app, GLOBAL_ROLE, {"metadata": {"name": name, "annotations": {"kubesphere.io/creator": "admin"},
                                                "finalizers": ["finalizers.kubesphere.io/globalroles"]},
                                   "rules": rules})
    for name, (subject_kind, subject, role) in BUILTIN_BINDINGS.items():
        _create(app, GLOBAL_ROLE_BINDING, {
            "metadata": {"name": name, "finalizers": [GLOBAL_ROLE_BINDING_FINALIZER]},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": subject_kind, "name": subject}],
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": role}})
    _create(app, CLUSTER, host_cluster(app.settings))
    for member in app.settings.members:
        _create(app, CLUSTER, member_cluster(member, app.settings))
        app.ensure_cluster(member.name)
    admin_annotations = {GLOBALROLE_ANNOTATION: "platform-admin", "iam.kubesphere.io/uninitialized": "true",
                         "kubesphere.io/creator": "system"}
    seed_user(app, "admin", app.settings.admin_password, "admin@kubesphere.io", "platform-admin",
              annotations=admin_annotations, binding_name="admin")
    for user in app.settings.users:
        seed_user(app, user.name, user.password, user.email, user.globalrole, state=user.state)
    seed_extensions(app)
    seed_role_templates(app)
    seed_system_workspace(app)


def seed_namespaces(app, cluster):
    seed_system_namespaces(app, cluster)


def seed_user(app, name, password, email, role, state="Active", annotations=None, binding_name=None):
    annotations = dict(annotations or {GLOBALROLE_ANNOTATION: role})
    spec = {"email": email}
    if password:
        spec["password"] = hash_password(password, app.settings.bcrypt_cost)
        annotations[PASSWORD_CHANGED_ANNOTATION] = rfc3339()
    _create(app, USER, {"metadata": {"name": name, "annotations": annotations, "finalizers": [USER_FINALIZER]},
                        "spec": spec, "status": {"state": state, "lastTransitionTime": rfc3339()}})
    if role:
        binding = binding_object(name, role)
        if binding_name:
            binding["metadata"]["name"] = binding_name
        binding["metadata"]["finalizers"] = [GLOBAL_ROLE_BINDING_FINALIZER]
        _create(app, GLOBAL_ROLE_BINDING, binding)


def _create(app, kind, obj):
    return app.api.create(app.host, kind, obj, admit=False)


def fake_kubeconfig(name):
    """A kubeconfig that looks real but holds no credentials."""
    text = (f"apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: REDACTED\n"
            f"    server: https://{name}.cluster.local:6443\n  name: {name}\ncontexts:\n- context:\n"
            f"    cluster: {name}\n    user: kubernetes-admin\n  name: kubernetes-admin@{name}\n"
            f"current-context: kubernetes-admin@{name}\nusers:\n- name: kubernetes-admin\n  user:\n"
            f"    token: REDACTED\n")
    return base64.b64encode(text.encode()).decode()


def _condition(kind, ready, reason, message, now):
    return {"type": kind, "status": "True" if ready else "False", "lastUpdateTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message}


def host_cluster(settings):
    now = rfc3339()
    return {"metadata": {"name": "host",
                         "labels": {HOST_LABEL: "", "kubesphere.io/managed": "true"},
                         "annotations": {"kubesphere.io/creator": "admin",
                                         "kubesphere.io/description": "The description was created by KubeSphere "
                                         "automatically. It is recommended that you use the Host Cluster to "
                                         "manage clusters only and deploy workloads on Member Clusters."},
                         "finalizers": ["finalizer.cluster.kubesphere.io"]},
            "spec": {"provider": "kubesphere",
                     "connection": {"type": "direct", "kubernetesAPIEndpoint": "https://127.0.0.1:6443",
                                    "kubeconfig": fake_kubeconfig("host")}},
            "status": {"conditions": [_condition("Initialized", True, "Initialized", "Cluster has been initialized", now),
                                      _condition("KSCoreReady", True, "KSCoreReady", "KS-core is available now", now),
                                      _condition("Ready", True, "Ready", "Cluster is available now", now),
                                      _condition("Schedulable", True, "Schedulable", "Cluster is schedulable", now)],
                       "kubernetesVersion": settings.kubernetes_version, "kubeSphereVersion": settings.git_version,
                       "nodeCount": 1, "uid": "66d66eff-33ba-400a-8f6e-d906766fdf4a"}}


def member_cluster(member, settings):
    now = rfc3339()
    labels = {"kubesphere.io/managed": "true", "cluster.kubesphere.io/visibility": "public"}
    if member.region:
        labels["cluster.kubesphere.io/region"] = member.region
    labels.update(member.labels or {})
    connection = {"type": member.connection, "kubeconfig": fake_kubeconfig(member.name)}
    if member.connection == "proxy":
        connection["token"] = "REDACTED"
        connection["kubesphereAPIEndpoint"] = f"http://{member.name}-ks-apiserver.kubesphere-system.svc:80"
    else:
        connection["kubernetesAPIEndpoint"] = f"https://{member.name}.cluster.local:6443"
    ready = member.ready
    down = "Unable to connect to the member cluster: the agent is not connected"
    conditions = [_condition("Initialized", True, "Initialized", "Cluster has been initialized", now)]
    if member.connection == "proxy":
        conditions.append(_condition("AgentAvailable", ready, "AgentAvailable" if ready else "AgentUnavailable",
                                     "Agent is available now" if ready else down, now))
    conditions += [_condition("KSCoreReady", ready, "KSCoreReady" if ready else "KSCoreNotReady",
                              "KS-core is available now" if ready else down, now),
                   _condition("Ready", ready, "Ready" if ready else "NotReady",
                              "Cluster is available now" if ready else down, now),
                   _condition("Schedulable", ready, "Schedulable" if ready else "Unschedulable",
                              "Cluster is schedulable" if ready else down, now)]
    status = {"conditions": conditions, "kubernetesVersion": member.kubernetes_version,
              "kubeSphereVersion": settings.git_version, "nodeCount": member.node_count}
    if member.region:
        status["region"] = member.region
    if member.zones:
        status["zones"] = list(member.zones)
    annotations = {"kubesphere.io/creator": "admin"}
    if member.description:
        annotations["kubesphere.io/description"] = member.description
    return {"metadata": {"name": member.name, "labels": labels, "annotations": annotations,
                         "finalizers": ["finalizer.cluster.kubesphere.io"]},
            "spec": {"provider": member.provider, "connection": connection},
            "status": status}
