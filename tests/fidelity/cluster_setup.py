"""The member-cluster recording (cluster-lifecycle.json, see record_cluster_lifecycle.py) against an emulator
with a joinable member, and clusters.json against one whose cluster controller is off, as it was on the
server that recorded it. replay.py adds these files, setups and hooks.

The recording sent kubeconfigs as `<kubeconfig NAME>` placeholders: each becomes the emulator's
equivalent (the joinable member's own, renamed, with a second token; the host's; an unreachable
server; a wrong token; text that is no kubeconfig). Cluster labels are named by the server at random:
the names the emulator gave are put where the recording used the real ones."""

import base64
import json
import re
import time

import yaml

CLUSTER_FILES = ("cluster-lifecycle.json",)
MEMBER = "realks-member"
CLUSTER = "c25-member"
CLUSTER_OPTIONS = {"cluster-lifecycle.json": dict(joinable=[MEMBER], cluster_join_ms=300)}
_PLACEHOLDER = re.compile(r"<kubeconfig ([a-z-]+)>")


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def _kubeconfigs(emu):
    member = yaml.safe_load(emu.member_kubeconfig(MEMBER))
    renamed = json.loads(json.dumps(member).replace(f'"{MEMBER}', f'"{MEMBER}-c25'))
    wrong = json.loads(json.dumps(member))
    wrong["users"][0]["user"] = {"token": "c25-wrong-token"}
    unreachable = json.loads(json.dumps(wrong))
    unreachable["clusters"][0]["cluster"] = {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}
    return {"member": _b64(yaml.safe_dump(member)), "member-renamed": _b64(yaml.safe_dump(renamed)),
            "member-token": _b64(emu.rotate_member_credential(MEMBER)), "host": _b64(emu.member_kubeconfig("host")),
            "unreachable": _b64(yaml.safe_dump(unreachable)), "bad-token": _b64(yaml.safe_dump(wrong)),
            "garbage": _b64("this is not a kubeconfig\n")}


def setup_lifecycle(replayer):
    """Sends each exchange with the emulator's kubeconfigs and label names."""
    kubeconfigs = _kubeconfigs(replayer.emu)
    names = {}                  # label name on the recording server -> on the emulator
    send = replayer.send

    def rewrite(text):
        text = _PLACEHOLDER.sub(lambda m: kubeconfigs[m.group(1)], text)
        for recorded, ours in names.items():
            text = text.replace(recorded, ours)
        return text

    def send_rewritten(original):
        exchange = json.loads(rewrite(json.dumps(original)))
        answer = send(exchange)
        # Compared with the names the emulator gave (the recorded response object itself is kept).
        original["response"]["body"] = json.loads(rewrite(json.dumps(original["response"]["body"])))
        recorded = exchange["response"]["body"]
        if exchange["request"]["path"].endswith("/v1alpha1/labels") and exchange["request"]["method"] == "POST" \
                and answer.status == 200 and isinstance(recorded, list):
            for old, new in zip(recorded, json.loads(answer.text)):
                names[old["metadata"]["name"]] = new["metadata"]["name"]
        return answer
    replayer.send = send_rewritten


def _member_annotation(value):
    """The recorder annotated the member's kubesphere-system by hand (kubectl with the member's kubeconfig)."""
    def annotate(replayer):
        emu = replayer.emu
        token = yaml.safe_load(emu.member_kubeconfig(MEMBER))["users"][0]["user"]["token"]
        answer = replayer.http.patch(
            f"{emu.url}/_emulator/members/{MEMBER}/kube/api/v1/namespaces/kubesphere-system",
            data=json.dumps({"metadata": {"annotations": {"cluster.kubesphere.io/host-cluster": value}}}),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/merge-patch+json"})
        answer.raise_for_status()
    return annotate


def _wait_cluster(predicate, what, timeout=10.0):
    def wait(replayer):
        headers = {"Authorization": "Bearer " + replayer.admin_token}
        url = f"{replayer.emu.url}/apis/cluster.kubesphere.io/v1alpha1/clusters/{CLUSTER}"
        deadline = time.monotonic() + timeout
        while True:
            answer = replayer.http.get(url, headers=headers)
            if predicate(answer):
                return
            assert time.monotonic() < deadline, f"{CLUSTER} never {what}"
            time.sleep(0.02)
    return wait


def _ready(answer):
    conditions = (answer.json().get("status") or {}).get("conditions") or [] if answer.ok else []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _hash_changed(answer):
    return answer.ok and (answer.json()["metadata"].get("annotations") or {}).get(
        "kubesphere.io/config-hash") not in (None, "cbf29ce484222325")


def _wait_label_gone(key, timeout=5.0):
    def wait(replayer):
        headers = {"Authorization": "Bearer " + replayer.admin_token}
        deadline = time.monotonic() + timeout
        while True:
            labels = replayer.http.get(f"{replayer.emu.url}/apis/cluster.kubesphere.io/v1alpha1/labels",
                                       headers=headers).json()["items"]
            if not any(label["spec"]["key"] == key for label in labels):
                return
            assert time.monotonic() < deadline, f"label {key} never gone"
            time.sleep(0.02)
    return wait


def _wait_active(user):
    def wait(replayer):
        from .replay import _wait_active as wait_active
        wait_active(replayer, [user])
    return wait


def _controller_off(replayer):
    replayer.emu.configure(cluster_controller=False)


CLUSTER_SETUP = {"cluster-lifecycle.json": setup_lifecycle, "clusters.json": _controller_off}
CLUSTER_BEFORE = {"cluster-lifecycle.json": {
    # The real controller had added its finalizer (status {}) within 10 ms of the create.
    f"GET {CLUSTER} until Ready (t+0.0s)": _wait_cluster(lambda a: a.ok and "status" in a.json(), "seen"),
    # ... and finished the deleted label within 20 ms.
    "GET label c25-env right after the DELETE": _wait_label_gone("c25-env"),
    "validation: a member another host manages": _member_annotation("c25-other-host"),
    "validation: the member again once the annotation is gone (200)": _member_annotation(None),
    f"GET {CLUSTER} 3 s after Ready": _wait_cluster(_ready, "Ready"),
    "c25-prov creates workspace c25-ws-pub placed on the public member": _wait_active("c25-prov"),
    f"GET {CLUSTER} 2 s after the config hash changed": _wait_cluster(_hash_changed, "reinstalled"),
    "GET workspacetemplate c25-ws after the unjoin": _wait_cluster(lambda a: a.status_code == 404, "gone"),
}}
