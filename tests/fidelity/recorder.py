"""Records exchanges with a real KubeSphere in the recordings' format (../shared/ks-recordings/README.md,
"File format"): one real HTTP call per exchange, in order, with the same redactions (tokens, bcrypt
hashes, kubeconfigs) and credential placeholders (`Bearer <token>` for the admin, `Bearer <NAME
access_token>` for another user's). tests/fidelity/record_*.py use it; the replay reads the files."""

import json
import re
import time
from datetime import datetime, timezone

import requests

ADMIN_PASSWORD = "P@88w0rd"
_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$.{53}$")
_TOKEN_KEYS = {"access_token": "<access_token>", "refresh_token": "<refresh_token>", "id_token": "<jwt>"}


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def redact(data):
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in _TOKEN_KEYS and isinstance(value, str):
                out[key] = _TOKEN_KEYS[key]
            elif key in ("kubeconfig", "token") and isinstance(value, str) and value:
                out[key] = "<redacted>"
            else:
                out[key] = redact(value)
        return out
    if isinstance(data, list):
        return [redact(v) for v in data]
    if isinstance(data, str) and _BCRYPT.match(data):
        return "<bcrypt>"
    return data


class Recorder:
    def __init__(self, host, admin_password=ADMIN_PASSWORD):
        self.host = host.rstrip("/")
        self.http = requests.Session()
        self.entries = []
        self.tokens = {"token": self._login("admin", admin_password)}

    def _login(self, username, password):
        answer = self.http.post(self.host + "/oauth/token", data={
            "grant_type": "password", "username": username, "password": password,
            "client_id": "kubesphere", "client_secret": "kubesphere"})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def login_as(self, username, password):
        """A session for another user, sent as `Bearer <USERNAME access_token>`; the replay logs in with the
        password the recorded user create carried."""
        self.tokens[f"{username} access_token"] = self._login(username, password)

    def exchange(self, name, method, path, body=None, as_user="token", content_type=None, note=None):
        """One real call, recorded; returns (status, parsed body or text)."""
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
        shown = {"Authorization": "Bearer <%s>" % as_user}
        if content_type:
            shown = {"Content-Type": content_type, **shown}
        entry = {"name": name, "at": at,
                 "request": {"method": method, "path": path, "headers": shown, "body": body},
                 "response": {"status": response.status_code, "content_type": ctype, "body": redact(parsed)}}
        if note:
            entry["note"] = note
        self.entries.append(entry)
        return response.status_code, parsed

    def note(self, name, note):
        self.entries.append({"name": name, "at": _now(), "note": note})

    def wait(self, name, check, timeout=30.0, interval=0.1):
        """Poll (unrecorded) until check() is true; note how long it took."""
        start = time.monotonic()
        while not check():
            if time.monotonic() - start > timeout:
                self.note(name, "not reached within %.0f s" % timeout)
                return False
            time.sleep(interval)
        self.note(name, "reached after %.2f s" % (time.monotonic() - start))
        return True

    def get(self, path, as_user="token"):
        """An unrecorded read (setup, polling)."""
        response = self.http.get(self.host + path, headers={"Authorization": "Bearer " + self.tokens[as_user]})
        return response.status_code, (response.json() if response.headers.get("Content-Type", "").startswith(
            "application/json") else response.text)

    def call(self, method, path, body=None, content_type="application/json"):
        """An unrecorded write (clean-up)."""
        response = self.http.request(method, self.host + path, data=None if body is None else json.dumps(body),
                                     headers={"Authorization": "Bearer " + self.tokens["token"],
                                              "Content-Type": content_type})
        return response.status_code

    def finish_namespace(self, name):
        """Unrecorded: what Kubernetes' namespace controller would do for a deleted namespace (a kit without
        kube-controller-manager keeps it Terminating): its content goes, then its spec finalizer."""
        for base in ("/apis/iam.kubesphere.io/v1beta1", "/apis/iam.kubesphere.io/v1alpha2",
                     "/apis/rbac.authorization.k8s.io/v1", "/api/v1"):
            plurals = ("resourcequotas", "limitranges", "configmaps") if base == "/api/v1" else ("rolebindings", "roles")
            for plural in plurals:
                status, listed = self.get(f"{base}/namespaces/{name}/{plural}")
                for item in listed.get("items", []) if status == 200 and isinstance(listed, dict) else []:
                    self.call("DELETE", f"{base}/namespaces/{name}/{plural}/{item['metadata']['name']}")
        for _attempt in range(20):
            status, current = self.get(f"/api/v1/namespaces/{name}")
            if status != 200:
                return
            if current["metadata"].get("deletionTimestamp"):
                current["spec"]["finalizers"] = []
                self.http.put(f"{self.host}/api/v1/namespaces/{name}/finalize", data=json.dumps(current),
                              headers={"Authorization": "Bearer " + self.tokens["token"],
                                       "Content-Type": "application/json"})
            time.sleep(0.5)

    def save(self, path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.entries, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
