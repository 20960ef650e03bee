"""Records a member cluster's whole life on a real KubeSphere v4.1.3 host into a NEW file of
tests/fidelity/recordings (format: ../shared/ks-recordings/README.md, "File format"): validation (accepted and every
refusal), the join and the Cluster's states until Ready, cluster labels and label bindings, group and
visibility, grant requests, the kubeconfig API, the member's proxied reads, the unjoin and what it leaves.

    python -m tests.fidelity.record_cluster_lifecycle --host http://127.0.0.1:9090 \\
        --member-kubeconfig ~/realks/member/kubeconfig --host-kubeconfig ~/realks/host/kubeconfig \\
        --out tests/fidelity/recordings/cluster-lifecycle.json

The member can be joined once at a time: the script waits while another non-host Cluster exists, and never
deletes a Cluster it did not create. Objects are named c25-*; they are deleted at the end (unrecorded).
Kubeconfigs sent are recorded as `<kubeconfig NAME>` placeholders (the replay builds its own);
kubeconfigs and tokens in answers as `<redacted>`."""

import argparse
import base64
import json
import os
import re
import subprocess
import threading
import time
from datetime import datetime, timezone

import requests
import yaml

CLUSTER = "c25-member"
APIS = "/apis/cluster.kubesphere.io/v1alpha1"
KAPIS = "/kapis/cluster.kubesphere.io/v1alpha1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"
PROV_USER, PROV_PASSWORD = "c25-prov", "C25-Prov-Pass1"
_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$.{53}$")


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def redact_answer(data):
    """Tokens, kubeconfigs and password hashes out of an answer."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in ("access_token", "refresh_token"):
                out[key] = f"<{key}>"
            elif key in ("kubeconfig", "token") and isinstance(value, str) and value:
                out[key] = "<redacted>"
            else:
                out[key] = redact_answer(value)
        return out
    if isinstance(data, list):
        return [redact_answer(v) for v in data]
    if isinstance(data, str) and _BCRYPT.match(data):
        return "<bcrypt>"
    return data


class Session:
    """Real calls, each kept as one recorded exchange (or a note)."""

    def __init__(self, host, kubeconfigs):
        self.host = host.rstrip("/")
        self.http = requests.Session()
        self.entries = []
        self.kubeconfigs = kubeconfigs          # placeholder name -> base64 sent
        self.tokens = {"token": self.login("admin", "P@88w0rd")}

    def login(self, user, password):
        answer = self.http.post(self.host + "/oauth/token", data={
            "grant_type": "password", "username": user, "password": password,
            "client_id": "kubesphere", "client_secret": "kubesphere"})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def _shown(self, body):
        """The request body as recorded: each kubeconfig sent becomes its placeholder."""
        if body is None or isinstance(body, str):
            return body
        text = json.dumps(body)
        for name, value in self.kubeconfigs.items():
            if value:
                text = text.replace(json.dumps(value), json.dumps(f"<kubeconfig {name}>"))
        return json.loads(text)

    def call(self, name, method, path, body=None, as_user="token", content_type=None, note=None, keep=True):
        headers = {"Authorization": "Bearer " + self.tokens[as_user]}
        data = None
        if body is not None:
            content_type = content_type or "application/json"
            data = body if isinstance(body, str) else json.dumps(body)
        if content_type:
            headers["Content-Type"] = content_type
        at = _now()
        response = self.http.request(method, self.host + path, data=data, headers=headers, allow_redirects=False)
        ctype = response.headers.get("Content-Type", "")
        try:
            parsed = response.json() if ctype.startswith("application/json") else response.text
        except ValueError:
            parsed = response.text
        if keep:
            shown_headers = {"Authorization": f"Bearer <{as_user}>"}
            if content_type:
                shown_headers = {"Content-Type": content_type, **shown_headers}
            entry = {"name": name, "at": at,
                     "request": {"method": method, "path": path, "headers": shown_headers, "body": self._shown(body)},
                     "response": {"status": response.status_code, "content_type": ctype,
                                  "body": redact_answer(parsed)}}
            if note:
                entry["note"] = note
            self.entries.append(entry)
        return response.status_code, parsed

    def get(self, path, as_user="token"):
        """An unrecorded read."""
        return self.call("", "GET", path, as_user=as_user, keep=False)

    def note(self, name, note):
        self.entries.append({"name": name, "at": _now(), "note": note})

    def save(self, path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.entries, handle, indent=1, ensure_ascii=False)
            handle.write("\n")


# ---- kubeconfigs -------------------------------------------------------------------------------

def _load(path):
    with open(os.path.expanduser(path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _renamed(config, suffix):
    """The same cluster and credentials under other names (another text, the same cluster)."""
    config = json.loads(json.dumps(config))
    renames = {}
    for section, key in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
        for item in config[section]:
            renames.setdefault(section, {})[item["name"]] = item["name"] + suffix
            item["name"] += suffix
    for item in config["contexts"]:
        item["context"]["cluster"] = renames["clusters"].get(item["context"]["cluster"], item["context"]["cluster"])
        item["context"]["user"] = renames["users"].get(item["context"]["user"], item["context"]["user"])
    config["current-context"] += suffix
    return config


def _with_token(config, token, server=None):
    config = json.loads(json.dumps(config))
    for item in config["users"]:
        item["user"] = {"token": token}
    if server:
        for item in config["clusters"]:
            item["cluster"] = {"server": server, "insecure-skip-tls-verify": True}
    return config


def _text(config):
    return yaml.safe_dump(config, sort_keys=False)


def kubectl(kubeconfig, *args, check=True, stdin=None):
    result = subprocess.run(["kubectl", "--kubeconfig", os.path.expanduser(kubeconfig), *args],
                            capture_output=True, text=True, input=stdin, timeout=60, check=False)
    if check and result.returncode:
        raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr}")
    return result.stdout


def rotated_token(member_kubeconfig):
    """A second credential for the member: a ServiceAccount token bound to cluster-admin."""
    manifest = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "c25-rotate", "namespace": "kube-system"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "c25-rotate"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [{"kind": "ServiceAccount", "name": "c25-rotate", "namespace": "kube-system"}]}]}
    kubectl(member_kubeconfig, "apply", "-f", "-", stdin=json.dumps(manifest))
    return kubectl(member_kubeconfig, "create", "token", "c25-rotate", "-n", "kube-system", "--duration", "2h").strip()


# ---- watching the Cluster ----------------------------------------------------------------------

class ClusterWatch:
    """kubectl watch of one Cluster on the host: every write the controller makes, in order."""

    def __init__(self, host_kubeconfig, name):
        self.events, self.started = [], time.monotonic()
        self.process = subprocess.Popen(
            ["kubectl", "--kubeconfig", os.path.expanduser(host_kubeconfig), "get", "clusters.cluster.kubesphere.io",
             "--field-selector", f"metadata.name={name}", "-w", "-o", "json", "--output-watch-events"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        decoder, buffer = json.JSONDecoder(), ""
        for line in self.process.stdout:
            buffer += line
            while buffer.strip():
                try:
                    event, end = decoder.raw_decode(buffer.lstrip())
                except ValueError:
                    break
                buffer = buffer.lstrip()[end:]
                self.events.append((round(time.monotonic() - self.started, 2), event))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.thread.join(timeout=5)

    def summary(self):
        """One line per write: seconds since the watch began, event, resourceVersion and what changed."""
        lines, previous = [], None
        for seconds, event in self.events:
            obj = event.get("object") or {}
            metadata = obj.get("metadata") or {}
            state = {"finalizers": metadata.get("finalizers"), "labels": metadata.get("labels"),
                     "annotations": {k: v for k, v in (metadata.get("annotations") or {}).items()
                                     if k != "kubectl.kubernetes.io/last-applied-configuration"},
                     "deletionTimestamp": metadata.get("deletionTimestamp"),
                     "spec": redact_answer(obj.get("spec")), "status": obj.get("status")}
            changed = state if previous is None else {k: v for k, v in state.items() if previous.get(k) != v}
            lines.append({"t": seconds, "type": event.get("type"), "resourceVersion": metadata.get("resourceVersion"),
                          "changed": changed})
            previous = state
        return lines


# ---- the lifecycle -----------------------------------------------------------------------------

def wait_for_member_free(s):
    """Only one Cluster may point at the member: wait while a non-host Cluster exists."""
    while True:
        _status, listed = s.get(APIS + "/clusters")
        others = [c["metadata"]["name"] for c in listed.get("items", [])
                  if "cluster-role.kubesphere.io/host" not in (c["metadata"].get("labels") or {})]
        if not others:
            return
        print(f"waiting: other member Cluster(s) {others} exist")
        time.sleep(30)


def cluster_body(name, kubeconfig, labels=None, annotations=None):
    return {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "labels": labels or {},
                         "annotations": {"kubesphere.io/creator": "admin", **(annotations or {})}},
            "spec": {"provider": "kubesphere", "connection": {"type": "direct", "kubeconfig": kubeconfig}}}


def _conditions(obj):
    return {c["type"]: c["status"] for c in (obj.get("status") or {}).get("conditions") or []}


def poll_cluster(s, label, until, timeout=120.0):
    """GET the Cluster every 0.2 s; keep each answer whose resourceVersion is new. Returns seconds taken."""
    start, last_rv = time.monotonic(), None
    while True:
        elapsed = time.monotonic() - start
        status, body = s.call(f"GET {CLUSTER} {label} (t+{elapsed:.1f}s)", "GET", f"{APIS}/clusters/{CLUSTER}")
        rv = body.get("metadata", {}).get("resourceVersion") if isinstance(body, dict) else status
        if rv == last_rv:
            s.entries.pop()
        last_rv = rv
        if until(status, body):
            return elapsed
        if elapsed > timeout:
            s.note(f"{label}: gave up", f"not reached within {timeout:.0f} s")
            return None
        time.sleep(0.2)


def validation(s, name, title, kubeconfig_name, connection_type="direct", raw_kubeconfig=None):
    kubeconfig = s.kubeconfigs.get(kubeconfig_name, "") if raw_kubeconfig is None else raw_kubeconfig
    body = cluster_body(name, kubeconfig)
    body["spec"]["connection"]["type"] = connection_type
    return s.call(f"validation: {title}", "POST", KAPIS + "/clusters/validation", body)


def record(s, args, made):
    member_kc, host_kc = args.member_kubeconfig, args.host_kubeconfig
    wait_for_member_free(s)
    s.note("setup", "Host v4.1.3 at 127.0.0.1:9090 (cluster controller on), member kube-apiserver at "
           "127.0.0.1:36443 (never joined before this recording, kubesphere-system pre-created with no "
           "annotations, no ks-core release). Kubeconfigs sent are placeholders: member (the kit's member "
           "kubeconfig: client certificate), member-renamed (the same cluster and certificate under other "
           "context/cluster/user names), member-token (a ServiceAccount token of the member bound to "
           "cluster-admin), host (the host's own kubeconfig), unreachable (server https://127.0.0.1:1), "
           "bad-token (the member's server with a wrong bearer token), garbage (text that is no kubeconfig).")

    # A. the host as it is
    s.call("LIST clusters (/apis) before the join", "GET", APIS + "/clusters")
    s.call("DELETE the host Cluster as a dry run (does anything refuse it?)", "DELETE",
           APIS + "/clusters/host?dryRun=All")

    # B. cluster labels before the join
    s.call("LIST cluster labels (kapis) before any", "GET", KAPIS + "/labels")
    _status, created = s.call("POST cluster labels c25-env=prod and c25-tier=gold", "POST", KAPIS + "/labels",
                              [{"key": "c25-env", "value": "prod"}, {"key": "c25-tier", "value": "gold"}])
    env_id, tier_id = created[0]["metadata"]["name"], created[1]["metadata"]["name"]
    made += [env_id, tier_id]
    s.call("POST cluster label c25-env=prod again (duplicate)", "POST", KAPIS + "/labels",
           [{"key": "c25-env", "value": "prod"}])
    s.call("POST cluster label with spaces around key and value", "POST", KAPIS + "/labels",
           [{"key": " c25-zone ", "value": " a "}])
    s.call("LIST cluster labels (kapis) after creates", "GET", KAPIS + "/labels")
    s.call("GET label c25-env (/apis) right after the create", "GET", f"{APIS}/labels/{env_id}")
    _status, labels = s.get(APIS + "/labels")
    zone_id = next(item["metadata"]["name"] for item in labels["items"] if item["spec"]["key"] == "c25-zone")
    made.append(zone_id)

    # C. validation
    validation(s, CLUSTER, "the member (200)", "member")
    validation(s, "c25-dup", "the host's own kubeconfig (already a Cluster)", "host")
    validation(s, "c25-x", "an unreachable server", "unreachable")
    validation(s, "c25-x", "a wrong bearer token", "bad-token")
    validation(s, "c25-x", "text that is no kubeconfig", "garbage")
    validation(s, "c25-x", "an empty kubeconfig", "", raw_kubeconfig="")
    validation(s, "c25-x", "connection type proxy", "member", connection_type="proxy")
    s.call("validation: kubeconfig that is not base64", "POST", KAPIS + "/clusters/validation",
           cluster_body("c25-x", "%%% not base64 %%%"))
    s.call("validation: no body fields ({})", "POST", KAPIS + "/clusters/validation", {})
    kubectl(member_kc, "annotate", "--overwrite", "namespace", "kubesphere-system",
            "cluster.kubesphere.io/host-cluster=c25-other-host")
    s.note("member annotated by hand", "kubectl annotate namespace kubesphere-system "
           "cluster.kubesphere.io/host-cluster=c25-other-host on the member (as another host's join leaves it)")
    validation(s, CLUSTER, "a member another host manages", "member")
    kubectl(member_kc, "annotate", "namespace", "kubesphere-system", "cluster.kubesphere.io/host-cluster-")
    s.note("member annotation removed by hand", "kubectl annotate namespace kubesphere-system "
           "cluster.kubesphere.io/host-cluster- on the member")
    validation(s, CLUSTER, "the member again once the annotation is gone (200)", "member")

    # D. the join
    watch = ClusterWatch(host_kc, CLUSTER)
    time.sleep(1.0)
    body = cluster_body(CLUSTER, s.kubeconfigs["member"], labels={"cluster.kubesphere.io/group": "production"},
                        annotations={"kubesphere.io/description": "c25 member joined by the recorder",
                                     "cluster.kubesphere.io/label-ids": env_id})
    joined_at = time.monotonic()
    s.call(f"POST Cluster {CLUSTER} (direct, group production, description, label-ids)", "POST",
           APIS + "/clusters", body)
    s.call(f"POST Cluster {CLUSTER} again (same name)", "POST", APIS + "/clusters", body)
    ready_after = poll_cluster(s, "until Ready", lambda _st, b: _conditions(b).get("Ready") == "True")
    s.note("time to Ready", f"Ready=True {time.monotonic() - joined_at:.2f} s after the POST "
           f"(poll saw it after {ready_after:.2f} s)")
    time.sleep(3.0)
    s.call(f"GET {CLUSTER} 3 s after Ready", "GET", f"{APIS}/clusters/{CLUSTER}")
    watch.stop()
    s.note("controller write sequence (kubectl watch of the Cluster during the join)",
           json.dumps(watch.summary()))

    # E. what the join made
    s.call("LIST clusters (kapis resources v1alpha3) with the member", "GET",
           "/kapis/resources.kubesphere.io/v1alpha3/clusters")
    s.call("LIST clusters (kapis resources v1alpha3) by group label", "GET",
           "/kapis/resources.kubesphere.io/v1alpha3/clusters?labelSelector=cluster.kubesphere.io%2Fgroup%3Dproduction")
    s.call(f"GET {CLUSTER} (kapis resources v1alpha3)", "GET",
           f"/kapis/resources.kubesphere.io/v1alpha3/clusters/{CLUSTER}")
    s.call("LIST clusters (kapis tenant v1beta1) as admin", "GET", TENANT + "/clusters")
    validation(s, "c25-member2", "the joined member under another name", "member")
    s.call(f"GET /clusters/{CLUSTER}/version", "GET", f"/clusters/{CLUSTER}/version")
    s.call(f"GET /clusters/{CLUSTER}/kapis/version", "GET", f"/clusters/{CLUSTER}/kapis/version")
    s.call("GET the member's kubesphere-system namespace (annotations)", "GET",
           f"/clusters/{CLUSTER}/api/v1/namespaces/kubesphere-system")
    s.call("GET the member's kube-system namespace (its uid is the Cluster's status.uid)", "GET",
           f"/clusters/{CLUSTER}/api/v1/namespaces/kube-system")
    s.call("GET admin-cluster-admin in the member", "GET",
           f"/clusters/{CLUSTER}/apis/iam.kubesphere.io/v1beta1/clusterrolebindings/admin-cluster-admin")
    s.call("GET user admin (granted-clusters)", "GET", IAM + "/users/admin")
    s.call("LIST the member's namespaces (kapis resources v1alpha3)", "GET",
           f"/clusters/{CLUSTER}/kapis/resources.kubesphere.io/v1alpha3/namespaces")
    s.call("LIST the member's namespaces (/api)", "GET", f"/clusters/{CLUSTER}/api/v1/namespaces")
    s.call("GET label c25-env (/apis) after the join (label-ids synced)", "GET", f"{APIS}/labels/{env_id}")

    # F. label bindings
    s.call("POST labelbindings c25-tier -> member", "POST", KAPIS + "/labelbindings",
           {"labels": [tier_id], "clusters": [CLUSTER]})
    s.call("GET label c25-tier (/apis) right after the binding", "GET", f"{APIS}/labels/{tier_id}")
    time.sleep(1.0)
    s.call(f"GET {CLUSTER} 1 s after the binding (label.cluster.kubesphere.io/<id>)", "GET",
           f"{APIS}/clusters/{CLUSTER}")
    s.call("POST labelbindings c25-tier -> member again", "POST", KAPIS + "/labelbindings",
           {"labels": [tier_id], "clusters": [CLUSTER]})
    s.call("GET label c25-tier (/apis) right after the second binding", "GET", f"{APIS}/labels/{tier_id}")
    time.sleep(1.0)
    s.call("GET label c25-tier (/apis) 1 s after the second binding", "GET", f"{APIS}/labels/{tier_id}")
    s.call("POST labelbindings with an unknown label", "POST", KAPIS + "/labelbindings",
           {"labels": ["c25nope"], "clusters": [CLUSTER]})
    s.call("POST labelbindings with an unknown cluster", "POST", KAPIS + "/labelbindings",
           {"labels": [zone_id], "clusters": ["c25-nope"]})
    s.call("GET label c25-zone right after binding an unknown cluster", "GET", f"{APIS}/labels/{zone_id}")
    time.sleep(1.0)
    s.call("GET label c25-zone 1 s after binding an unknown cluster", "GET", f"{APIS}/labels/{zone_id}")
    s.call("PUT label c25-tier ?action=unbind member", "PUT", f"{KAPIS}/labels/{tier_id}?action=unbind",
           {"clusters": [CLUSTER]})
    s.call(f"GET {CLUSTER} right after the unbind", "GET", f"{APIS}/clusters/{CLUSTER}")
    s.call("PUT label c25-tier ?action=unbind member again", "PUT", f"{KAPIS}/labels/{tier_id}?action=unbind",
           {"clusters": [CLUSTER]})
    s.call("PUT label c25-tier value silver (rename)", "PUT", f"{KAPIS}/labels/{tier_id}",
           {"key": "c25-tier", "value": "silver"})
    s.call("PUT label c25-tier to c25-env=prod (taken)", "PUT", f"{KAPIS}/labels/{tier_id}",
           {"key": "c25-env", "value": "prod"})
    s.call("PUT unknown label", "PUT", f"{KAPIS}/labels/c25nope", {"key": "c25-x", "value": "y"})
    s.call("LIST cluster labels (kapis) with bindings", "GET", KAPIS + "/labels")

    # G. group, description, visibility (merge patches of the Cluster, as the console sends them)
    s.call("PATCH Cluster group development and description (merge)", "PATCH", f"{APIS}/clusters/{CLUSTER}",
           {"metadata": {"labels": {"cluster.kubesphere.io/group": "development"},
                         "annotations": {"kubesphere.io/description": "c25 member, edited"}}},
           content_type="application/merge-patch+json")
    s.call("PATCH Cluster visibility public (merge)", "PATCH", f"{APIS}/clusters/{CLUSTER}",
           {"metadata": {"labels": {"cluster.kubesphere.io/visibility": "public"}}},
           content_type="application/merge-patch+json")
    s.call(f"create user {PROV_USER} (platform-self-provisioner)", "POST", IAM + "/users", {
        "metadata": {"name": PROV_USER, "annotations": {"iam.kubesphere.io/globalrole": "platform-self-provisioner"}},
        "spec": {"email": f"{PROV_USER}@example.com", "password": PROV_PASSWORD}})
    deadline = time.monotonic() + 20
    while (s.get(f"{IAM}/users/{PROV_USER}")[1].get("status") or {}).get("state") != "Active":
        assert time.monotonic() < deadline, "user never Active"
        time.sleep(0.2)
    s.note(f"wait until {PROV_USER} is Active", "polled (unrecorded) until status.state was Active")
    s.tokens[f"{PROV_USER} access_token"] = s.login(PROV_USER, PROV_PASSWORD)
    prov = f"{PROV_USER} access_token"
    s.call(f"{PROV_USER} creates workspace c25-ws-pub placed on the public member", "POST",
           TENANT + "/workspacetemplates",
           {"metadata": {"name": "c25-ws-pub"},
            "spec": {"template": {"spec": {"manager": PROV_USER}}, "placement": {"clusters": [{"name": CLUSTER}]}}},
           as_user=prov)
    s.call("PATCH Cluster visibility private (merge, as the console does)", "PATCH", f"{APIS}/clusters/{CLUSTER}",
           {"metadata": {"labels": {"cluster.kubesphere.io/visibility": "private"}}},
           content_type="application/merge-patch+json")
    time.sleep(0.5)
    s.call(f"{PROV_USER} creates workspace c25-ws-priv placed on the private member", "POST",
           TENANT + "/workspacetemplates",
           {"metadata": {"name": "c25-ws-priv"},
            "spec": {"template": {"spec": {"manager": PROV_USER}}, "placement": {"clusters": [{"name": CLUSTER}]}}},
           as_user=prov)
    s.call(f"{PROV_USER} creates workspace c25-ws-host placed on host (never public)", "POST",
           TENANT + "/workspacetemplates",
           {"metadata": {"name": "c25-ws-host"},
            "spec": {"template": {"spec": {"manager": PROV_USER}}, "placement": {"clusters": [{"name": "host"}]}}},
           as_user=prov)
    s.call(f"LIST clusters (kapis tenant v1beta1) as {PROV_USER}", "GET", TENANT + "/clusters", as_user=prov)
    s.call("PATCH Cluster: remove the visibility label (merge null)", "PATCH", f"{APIS}/clusters/{CLUSTER}",
           {"metadata": {"labels": {"cluster.kubesphere.io/visibility": None}}},
           content_type="application/merge-patch+json")

    # H. grant requests (a workspace's placement on the cluster)
    s.call("create workspace c25-ws (placement host)", "POST", TENANT + "/workspacetemplates",
           {"metadata": {"name": "c25-ws"},
            "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    s.call("create workspace c25-ws2 (no placement)", "POST", TENANT + "/workspacetemplates",
           {"metadata": {"name": "c25-ws2"}, "spec": {"template": {"spec": {"manager": "admin"}}}})
    s.call("POST grantrequests add c25-ws and c25-ws2", "POST", f"{KAPIS}/clusters/{CLUSTER}/grantrequests",
           [{"op": "add", "workspace": "c25-ws"}, {"op": "add", "workspace": "c25-ws2"}])
    s.call("GET workspacetemplate c25-ws right after the grant", "GET", f"{TENANT}/workspacetemplates/c25-ws")
    s.call("GET workspacetemplate c25-ws2 right after the grant", "GET", f"{TENANT}/workspacetemplates/c25-ws2")
    s.call("LIST the clusters of workspace c25-ws", "GET", f"{TENANT}/workspaces/c25-ws/clusters")
    time.sleep(1.5)
    s.call("GET Workspace c25-ws in the member 1.5 s after the grant", "GET",
           f"/clusters/{CLUSTER}/apis/tenant.kubesphere.io/v1beta1/workspaces/c25-ws")
    s.call("POST grantrequests add c25-ws again", "POST", f"{KAPIS}/clusters/{CLUSTER}/grantrequests",
           [{"op": "add", "workspace": "c25-ws"}])
    s.call("POST grantrequests with op replace", "POST", f"{KAPIS}/clusters/{CLUSTER}/grantrequests",
           [{"op": "replace", "workspace": "c25-ws"}])
    s.call("POST grantrequests for an unknown workspace", "POST", f"{KAPIS}/clusters/{CLUSTER}/grantrequests",
           [{"op": "add", "workspace": "c25-nope"}])
    s.call("POST grantrequests for an unknown cluster", "POST", f"{KAPIS}/clusters/c25-nope/grantrequests",
           [{"op": "add", "workspace": "c25-ws2"}])
    s.call("GET workspacetemplate c25-ws2 after the grant for an unknown cluster", "GET",
           f"{TENANT}/workspacetemplates/c25-ws2")
    s.call("POST grantrequests remove for c25-ws2 (unknown cluster)", "POST",
           f"{KAPIS}/clusters/c25-nope/grantrequests", [{"op": "remove", "workspace": "c25-ws2"}])
    s.call("POST grantrequests with a JSON object body", "POST", f"{KAPIS}/clusters/{CLUSTER}/grantrequests",
           {"op": "add", "workspace": "c25-ws"})
    s.call("create project c25-proj in the member under c25-ws", "POST",
           f"/clusters/{CLUSTER}{TENANT}/workspaces/c25-ws/namespaces",
           {"metadata": {"name": "c25-proj", "labels": {"kubesphere.io/managed": "true"},
                         "annotations": {"kubesphere.io/creator": "admin"}}})

    # I. the kubeconfig API
    s.call("PUT kubeconfig: the same cluster and credentials, renamed (200)", "PUT",
           f"{KAPIS}/clusters/{CLUSTER}/kubeconfig", {"kubeconfig": s.kubeconfigs["member-renamed"]})
    status, _body = s.call("PUT kubeconfig: the same cluster with a ServiceAccount token, right after", "PUT",
                           f"{KAPIS}/clusters/{CLUSTER}/kubeconfig", {"kubeconfig": s.kubeconfigs["member-token"]})
    if status != 200:
        time.sleep(2.0)
        s.call("PUT kubeconfig: the ServiceAccount token again, 2 s later", "PUT",
               f"{KAPIS}/clusters/{CLUSTER}/kubeconfig", {"kubeconfig": s.kubeconfigs["member-token"]})
    time.sleep(2.0)
    s.call(f"GET {CLUSTER} 2 s after the kubeconfig PUT", "GET", f"{APIS}/clusters/{CLUSTER}")
    s.call(f"GET /clusters/{CLUSTER}/version through the token kubeconfig", "GET", f"/clusters/{CLUSTER}/version")
    s.call("PUT kubeconfig: another cluster (the host's)", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig",
           {"kubeconfig": s.kubeconfigs["host"]})
    s.call("PUT kubeconfig: empty", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig", {"kubeconfig": ""})
    s.call("PUT kubeconfig: unreachable server", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig",
           {"kubeconfig": s.kubeconfigs["unreachable"]})
    s.call("PUT kubeconfig: wrong bearer token", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig",
           {"kubeconfig": s.kubeconfigs["bad-token"]})
    s.call("PUT kubeconfig of the host cluster", "PUT", f"{KAPIS}/clusters/host/kubeconfig",
           {"kubeconfig": s.kubeconfigs["host"]})
    s.call("PUT kubeconfig of an unknown cluster", "PUT", f"{KAPIS}/clusters/c25-nope/kubeconfig",
           {"kubeconfig": s.kubeconfigs["member"]})
    # A real PATCH would re-target the Cluster at the host (seen in a first run): a dry run only.
    s.call("PATCH Cluster spec.connection.kubeconfig to another cluster's (/apis merge, dryRun=All)", "PATCH",
           f"{APIS}/clusters/{CLUSTER}?dryRun=All", {"spec": {"connection": {"kubeconfig": s.kubeconfigs["host"]}}},
           content_type="application/merge-patch+json")
    time.sleep(1.0)
    status, _body = s.call("PUT kubeconfig: back to the member's own", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig",
                           {"kubeconfig": s.kubeconfigs["member"]})
    if status != 200:
        time.sleep(2.0)
        s.call("PUT kubeconfig: back to the member's own, 2 s later", "PUT", f"{KAPIS}/clusters/{CLUSTER}/kubeconfig",
               {"kubeconfig": s.kubeconfigs["member"]})
    time.sleep(2.0)

    # J. the member's ks-core values (spec.config)
    _status, before = s.get(f"{APIS}/clusters/{CLUSTER}")
    old_hash = (before["metadata"].get("annotations") or {}).get("kubesphere.io/config-hash")
    config = b64("c25Probe: \"1\"\n")
    changed_at = time.monotonic()
    s.call("PATCH Cluster spec.config (merge)", "PATCH", f"{APIS}/clusters/{CLUSTER}", {"spec": {"config": config}},
           content_type="application/merge-patch+json")
    took = poll_cluster(s, "after the config change", lambda _st, b: (b["metadata"].get("annotations") or {}).get(
        "kubesphere.io/config-hash") not in (None, old_hash), timeout=90)
    s.note("config change", f"kubesphere.io/config-hash changed {time.monotonic() - changed_at:.2f} s after the "
           f"PATCH (poll: {took})")
    time.sleep(2.0)
    s.call(f"GET {CLUSTER} 2 s after the config hash changed", "GET", f"{APIS}/clusters/{CLUSTER}")

    # K. the unjoin
    deleted_at = time.monotonic()
    s.call(f"DELETE Cluster {CLUSTER}", "DELETE", f"{APIS}/clusters/{CLUSTER}")
    gone = poll_cluster(s, "after the DELETE", lambda st, _b: st == 404, timeout=60)
    s.note("time to gone", f"404 {time.monotonic() - deleted_at:.2f} s after the DELETE (poll: {gone})")
    s.call("GET workspacetemplate c25-ws after the unjoin", "GET", f"{TENANT}/workspacetemplates/c25-ws")
    s.call("GET workspacetemplate c25-ws2 after the unjoin", "GET", f"{TENANT}/workspacetemplates/c25-ws2")
    s.call("GET workspacetemplate c25-ws-pub after the unjoin (its only cluster)", "GET",
           f"{TENANT}/workspacetemplates/c25-ws-pub")
    s.call("GET user admin after the unjoin (granted-clusters)", "GET", IAM + "/users/admin")
    s.call("GET label c25-env after the unjoin", "GET", f"{APIS}/labels/{env_id}")
    s.call(f"GET /clusters/{CLUSTER}/version after the unjoin", "GET", f"/clusters/{CLUSTER}/version")
    s.call("LIST clusters (kapis resources v1alpha3) after the unjoin", "GET",
           "/kapis/resources.kubesphere.io/v1alpha3/clusters")
    validation(s, CLUSTER, "the member after the unjoin (200)", "member")
    left = {"kubesphere-system annotations": json.loads(kubectl(
        member_kc, "get", "namespace", "kubesphere-system", "-o", "jsonpath={.metadata.annotations}") or "{}"),
        "namespaces": kubectl(member_kc, "get", "namespaces", "-o", "name").split(),
        "workspaces": kubectl(member_kc, "get", "workspaces.tenant.kubesphere.io", "-o", "name", check=False).split(),
        "c25-proj labels": json.loads(kubectl(member_kc, "get", "namespace", "c25-proj", "-o",
                                              "jsonpath={.metadata.labels}", check=False) or "{}"),
        "iam clusterrolebindings": kubectl(member_kc, "get", "clusterrolebindings.iam.kubesphere.io", "-o", "name",
                                           check=False).split(),
        "helm releases": kubectl(member_kc, "get", "secrets", "-n", "kubesphere-system", "-l", "owner=helm",
                                 "-o", "name").split()}
    left["kubesphere-system annotations"].pop("kubectl.kubernetes.io/last-applied-configuration", None)
    s.note("what the unjoin left in the member (kubectl on the member)", json.dumps(left))

    # L. labels go
    s.call("DELETE cluster labels (kapis, all three)", "DELETE", KAPIS + "/labels", [env_id, tier_id, zone_id])
    s.call("GET label c25-env right after the DELETE", "GET", f"{APIS}/labels/{env_id}")
    time.sleep(1.0)
    s.call("GET label c25-env 1 s after the DELETE", "GET", f"{APIS}/labels/{env_id}")
    s.call("DELETE cluster labels (kapis) that are gone", "DELETE", KAPIS + "/labels", [env_id])
    s.call("LIST cluster labels (kapis) at the end", "GET", KAPIS + "/labels")


def cleanup(s, args, label_ids):
    """Unrecorded: everything c25-* on the host and in the member."""
    for name in ("c25-ws", "c25-ws2", "c25-ws-pub", "c25-ws-priv", "c25-ws-host"):
        s.call("", "DELETE", f"{TENANT}/workspacetemplates/{name}", {}, keep=False)
    s.call("", "DELETE", f"{IAM}/users/{PROV_USER}", keep=False)
    for label_id in label_ids:
        s.call("", "DELETE", KAPIS + "/labels", [label_id], keep=False)
    member = args.member_kubeconfig
    kubectl(member, "delete", "clusterrolebinding", "c25-rotate", "--ignore-not-found", check=False)
    kubectl(member, "delete", "serviceaccount", "c25-rotate", "-n", "kube-system", "--ignore-not-found", check=False)
    kubectl(member, "delete", "workspaces.tenant.kubesphere.io", "c25-ws", "c25-ws2", "c25-ws-pub",
            "--ignore-not-found", check=False)
    kubectl(member, "delete", "namespace", "c25-proj", "--ignore-not-found", "--wait=false", check=False)
    for _attempt in range(20):
        status = kubectl(member, "get", "namespace", "c25-proj", "-o", "json", check=False)
        if not status.strip():
            break
        namespace = json.loads(status)
        if namespace["metadata"].get("deletionTimestamp"):
            for kind in ("rolebindings.iam.kubesphere.io", "roles.iam.kubesphere.io", "rolebindings", "roles"):
                kubectl(member, "delete", kind, "--all", "-n", "c25-proj", check=False)
            namespace["spec"]["finalizers"] = []
            kubectl(member, "replace", "--raw", "/api/v1/namespaces/c25-proj/finalize", "-f", "-",
                    stdin=json.dumps(namespace), check=False)
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="http://127.0.0.1:9090")
    parser.add_argument("--member-kubeconfig", default="~/realks/member/kubeconfig")
    parser.add_argument("--host-kubeconfig", default="~/realks/host/kubeconfig")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if os.path.exists(args.out):
        raise SystemExit(f"{args.out} exists: recordings are never overwritten")
    member, host = _load(args.member_kubeconfig), _load(args.host_kubeconfig)
    server = member["clusters"][0]["cluster"]["server"]
    kubeconfigs = {
        "member": b64(_text(member)), "member-renamed": b64(_text(_renamed(member, "-c25"))),
        "host": b64(_text(host)),
        "unreachable": b64(_text(_with_token(member, "c25-not-a-token", server="https://127.0.0.1:1"))),
        "bad-token": b64(_text(_with_token(member, "c25-wrong-token"))),
        "garbage": b64("this is not a kubeconfig\n"),
    }
    s = Session(args.host, kubeconfigs)
    wait_for_member_free(s)
    kubeconfigs["member-token"] = b64(_text(_with_token(member, rotated_token(args.member_kubeconfig))))
    label_ids = []
    try:
        record(s, args, label_ids)
    finally:
        s.save(args.out)
        _status, listed = s.get(APIS + "/clusters")
        if any(c["metadata"]["name"] == CLUSTER for c in listed.get("items", [])):
            s.call("", "DELETE", f"{APIS}/clusters/{CLUSTER}", keep=False)
        cleanup(s, args, label_ids)


if __name__ == "__main__":
    main()
