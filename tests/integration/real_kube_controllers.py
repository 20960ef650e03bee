"""Two controllers of kube-controller-manager, for a real KubeSphere run without one.

The ../shared/realks kit runs no kube-controller-manager. On it a deleted namespace stays Terminating
forever, and an object deleted with propagationPolicy Orphan (how KubeSphere 3.4 deletes a workspace
that keeps its projects) keeps its "orphan" finalizer forever; on every real installation both go
within seconds. A test that deletes a project or a workspace and waits would fail on the kit for a
reason no user meets. This thread does those two jobs: the namespace controller's for namespaces that
are Terminating, on the host and on each joined member (their content, then their spec finalizer),
and the garbage collector's "orphan" finalizer for workspaces. It talks to the server directly, not
through the harness proxy, so the tests' request counters and write guard never see it."""

import json
import threading
import urllib.parse

NAMESPACED = {"/api/v1": ("resourcequotas", "limitranges", "secrets", "configmaps", "serviceaccounts"),
              "/apis/rbac.authorization.k8s.io/v1": ("rolebindings", "roles")}
CLUSTERS = "/apis/cluster.kubesphere.io/v1alpha1/clusters"
WORKSPACES = ("/apis/tenant.kubesphere.io/v1beta1/workspacetemplates",      # 4.x
              "/apis/tenant.kubesphere.io/v1alpha2/workspacetemplates",     # 3.x, and its Workspaces
              "/apis/tenant.kubesphere.io/v1alpha1/workspaces")
PERIOD = 1.0


class KubeControllerStandIn:
    def __init__(self, forward, username, password, iam_version):
        self._forward = forward                  # RealServer.forward: straight to the upstream server
        self._credentials = (username, password)
        self._groups = dict(NAMESPACED, **{f"/apis/iam.kubesphere.io/{iam_version}": ("rolebindings", "roles")})
        self._token = None
        self._stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self):
        self._stopped.set()

    def _run(self):
        while not self._stopped.wait(PERIOD):
            try:
                for prefix in self._clusters():
                    self._finish_terminating(prefix)
                self._release_orphans()
            except (OSError, ValueError, KeyError):
                pass                              # the server restarting, a token expiring: the next round

    def _call(self, method, path, body=None, content_type="application/json"):
        if self._token is None:
            self._token = self._login()
        headers = {"Authorization": "Bearer " + self._token, "Content-Type": content_type}
        status, _ctype, raw, _headers = self._forward(method, path, headers, json.dumps(body).encode() if body else b"")
        if status == 401:
            self._token = None
        return status, (json.loads(raw) if raw and status == 200 else None)

    def _login(self):
        form = urllib.parse.urlencode({"grant_type": "password", "username": self._credentials[0],
                                       "password": self._credentials[1], "client_id": "kubesphere",
                                       "client_secret": "kubesphere"}).encode()
        status, _ctype, raw, _headers = self._forward(
            "POST", "/oauth/token", {"Content-Type": "application/x-www-form-urlencoded"}, form)
        if status != 200:
            raise ValueError("login refused")
        return json.loads(raw)["access_token"]

    def _clusters(self):
        """"" for the host, /clusters/<name> for each joined member that is Ready."""
        prefixes = [""]
        status, listed = self._call("GET", CLUSTERS)
        for cluster in (listed or {}).get("items") or [] if status == 200 else []:
            labels = cluster["metadata"].get("labels") or {}
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in (cluster.get("status") or {}).get("conditions") or [])
            if ready and "cluster-role.kubesphere.io/host" not in labels:
                prefixes.append("/clusters/" + cluster["metadata"]["name"])
        return prefixes

    def _finish_terminating(self, prefix):
        status, listed = self._call("GET", prefix + "/api/v1/namespaces")
        for namespace in (listed or {}).get("items") or [] if status == 200 else []:
            if namespace["metadata"].get("deletionTimestamp") and namespace["spec"].get("finalizers"):
                self._finish(prefix, namespace)

    def _release_orphans(self):
        for collection in WORKSPACES:
            status, listed = self._call("GET", collection)
            for item in (listed or {}).get("items") or [] if status == 200 else []:
                metadata = item["metadata"]
                if metadata.get("deletionTimestamp") and "orphan" in (metadata.get("finalizers") or []):
                    kept = [f for f in metadata["finalizers"] if f != "orphan"]
                    self._call("PATCH", f"{collection}/{metadata['name']}",
                               {"metadata": {"finalizers": kept, "resourceVersion": metadata["resourceVersion"]}},
                               content_type="application/merge-patch+json")

    def _finish(self, prefix, namespace):
        name = namespace["metadata"]["name"]
        for group, plurals in self._groups.items():
            for plural in plurals:
                base = f"{prefix}{group}/namespaces/{name}/{plural}"
                status, listed = self._call("GET", base)
                for item in (listed or {}).get("items") or [] if status == 200 else []:
                    self._call("DELETE", f"{base}/{item['metadata']['name']}")
        namespace["spec"]["finalizers"] = []
        self._call("PUT", f"{prefix}/api/v1/namespaces/{name}/finalize", namespace)
