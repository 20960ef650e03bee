"""A platform made the way a console user makes one (straight through the API, not through the
collection): users with every platform role (one locked out, one disabled, one being deleted),
workspaces on one and two clusters (one being deleted), projects on the host and a member, members
with every built-in role, a namespace in no workspace, and an extension with config and placement."""
import time

from real_server import needs_installable_extension

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"
USERS = IAM + "/users"
PASSWORD = "Console-Passw0rd"

USERS_MADE = {   # name -> (platform role, extra spec)
    "alice": ("platform-self-provisioner", {"displayName": "Alice A", "lang": "en"}),
    "bob": ("platform-regular", {}),
    "carol": ("platform-admin", {"displayName": "Carol C"}),
    "dave": ("platform-regular", {}),       # locked out by failed logins
    "erin": ("platform-regular", {}),       # disabled
    "frank": ("platform-regular", {}),      # being deleted (member2 is not ready)
}
WORKSPACE_MEMBERS = {
    "ws-one": [("bob", "regular"), ("carol", "viewer"), ("dave", "self-provisioner")],
    "ws-two": [("alice", "admin"), ("bob", "viewer"), ("erin", "regular")],
}
PROJECT_MEMBERS = {
    ("one-web", "host"): [("bob", "operator"), ("carol", "viewer")],
    ("two-api", "host"): [("alice", "viewer")],
    ("two-batch", "member1"): [("bob", "admin"), ("erin", "operator")],
}


def _ok(answer, *codes):
    status, body = answer
    assert status in (codes or (200, 201)), (status, body)
    return body


def _wait(check, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.05)


def build(emu):
    needs_installable_extension(emu, "metrics-server")
    token = emu.login()

    def call(method, path, body=None):
        return emu.call(method, path, body, token=token)

    for name, (role, spec) in USERS_MADE.items():
        spec = dict(spec, email=name + "@example.com", password=PASSWORD)
        _ok(call("POST", USERS, {"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
                                 "metadata": {"name": name, "annotations": {
                                     "iam.kubesphere.io/globalrole": role,
                                     "kubesphere.io/description": "made in the console",
                                     "kubesphere.io/creator": "admin"}},
                                 "spec": spec}))
    for name in USERS_MADE:
        _wait(lambda: "Active" in str(call("GET", USERS + "/" + name)[1]), name + " Active")

    for name, clusters, manager in (("ws-one", ["host"], "alice"), ("ws-two", ["host", "member1"], "admin"),
                                    ("ws-dying", ["host", "member2"], "admin")):
        metadata = {"name": name, "annotations": {"kubesphere.io/creator": "admin"}}
        if name == "ws-one":
            metadata["annotations"].update({"kubesphere.io/alias-name": "Team One",
                                            "kubesphere.io/description": "the first team"})
            metadata["labels"] = {"team": "one"}
        _ok(call("POST", TENANT + "/workspacetemplates", {
            "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate", "metadata": metadata,
            "spec": {"template": {"spec": {"manager": manager}}, "placement": {"clusters": [{"name": c} for c in clusters]}}}))
    for name in WORKSPACE_MEMBERS:
        _wait(lambda: "cascading-deletion" in str(call("GET", TENANT + "/workspacetemplates/" + name)[1]), name)
        _ok(call("POST", "%s/workspaces/%s/workspacemembers" % (IAM, name),
                 [{"username": u, "roleRef": "%s-%s" % (name, r)} for u, r in WORKSPACE_MEMBERS[name]]))

    for (name, cluster), workspace in ((("one-web", "host"), "ws-one"), (("two-api", "host"), "ws-two"),
                                       (("two-batch", "member1"), "ws-two")):
        metadata = {"name": name, "labels": {"kubesphere.io/managed": "true"},
                    "annotations": {"kubesphere.io/creator": "admin"}}
        if name == "one-web":
            metadata["labels"]["tier"] = "web"
            metadata["annotations"].update({"kubesphere.io/alias-name": "Web", "kubesphere.io/description": "front"})
        _ok(call("POST", "/clusters/%s%s/workspaces/%s/namespaces" % (cluster, TENANT, workspace),
                 {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}))
    for (name, cluster), members in PROJECT_MEMBERS.items():
        path = "/clusters/%s%s/namespaces/%s/namespacemembers" % (cluster, IAM, name)
        _wait(lambda: call("POST", path, [{"username": u, "roleRef": r} for u, r in members])[0] == 200,
              name + " members")
    _ok(call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "legacy"}}))

    _ok(call("POST", "/apis/kubesphere.io/v1alpha1/installplans", {
        "apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan", "metadata": {"name": "metrics-server"},
        "spec": {"extension": {"name": "metrics-server", "version": "0.7.2"}, "enabled": True,
                 "upgradeStrategy": "Manual", "config": "replicas: 1\n",
                 "clusterScheduling": {"placement": {"clusters": ["host", "member1"]},
                                       "overrides": {"member1": "replicas: 2\n"}}}}))

    # dave locked out, erin disabled, frank and ws-dying held in deletion by member2.
    for _attempt in range(10):
        emu.call("POST", "/oauth/token", b"grant_type=password&username=dave&password=wrong&client_id=kubesphere"
                 b"&client_secret=kubesphere", headers={"Content-Type": "application/x-www-form-urlencoded"})
    _wait(lambda: "AuthLimitExceeded" in str(call("GET", USERS + "/dave")[1]), "dave locked out")
    erin = _ok(call("GET", USERS + "/erin"))
    erin["status"] = {"state": "Disabled"}
    _ok(call("PUT", USERS + "/erin", erin))
    _ok(call("DELETE", USERS + "/frank"))
    _ok(call("DELETE", TENANT + "/workspacetemplates/ws-dying", {}))
    _wait(lambda: call("GET", "/apis/kubesphere.io/v1alpha1/installplans/metrics-server")[1]
          .get("status", {}).get("state") == "Installed", "metrics-server installed", timeout=60)
