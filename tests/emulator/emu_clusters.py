"""Helpers for the emulator's member-cluster tests: an emulator with joinable members, and a join as
the console does it (validation, then the Cluster through /apis)."""

import base64

from emu_helpers import Client, wait_for
from emulator.testing import EmulatorProcess

APIS = "/apis/cluster.kubesphere.io/v1alpha1"
KAPIS = "/kapis/cluster.kubesphere.io/v1alpha1"
TENANT = "/kapis/tenant.kubesphere.io/v1beta1"


def start(joinable=("edge1", "edge2"), **options):
    options.setdefault("bcrypt_cost", 4)
    options.setdefault("controller_delay_ms", 10)
    options.setdefault("informer_lag_ms", 5)
    options.setdefault("cluster_join_ms", 200)
    return EmulatorProcess(joinable=list(joinable), **options).start()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def cluster_body(name, kubeconfig, labels=None, annotations=None, config=None):
    body = {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "labels": labels or {},
                         "annotations": {"kubesphere.io/creator": "admin", **(annotations or {})}},
            "spec": {"provider": "kubesphere", "connection": {"type": "direct", "kubeconfig": b64(kubeconfig)}}}
    if config is not None:
        body["spec"]["config"] = b64(config)
    return body


def conditions(cluster):
    return {c["type"]: c["status"] for c in (cluster.get("status") or {}).get("conditions") or []}


def get(admin, name):
    return admin.get(f"{APIS}/clusters/{name}")


def ready(admin, name):
    answer = get(admin, name)
    return answer.status_code == 200 and conditions(answer.json()).get("Ready") == "True"


def join(emu, admin, name, member, timeout=10.0, **body):
    kubeconfig = emu.member_kubeconfig(member)
    answers = []
    # The validation lists Clusters from ks-apiserver's cache: an unjoin just before is still there for a moment.
    wait_for(lambda: answers.append(admin.post(f"{KAPIS}/clusters/validation", json=cluster_body(
        name, kubeconfig, **body))) or answers[-1].status_code == 200, timeout=5, message="validation 200")
    answer = admin.post(f"{APIS}/clusters", json=cluster_body(name, kubeconfig, **body))
    assert answer.status_code == 201, answer.text
    wait_for(lambda: ready(admin, name), timeout=timeout, message=f"{name} Ready")
    return get(admin, name).json()


def unjoin(admin, name, timeout=5.0):
    answer = admin.delete(f"{APIS}/clusters/{name}")
    assert answer.status_code == 200, answer.text
    wait_for(lambda: get(admin, name).status_code == 404, timeout=timeout, message=f"{name} gone")


def admin_client(emu):
    return Client(emu.url, emu.login())
