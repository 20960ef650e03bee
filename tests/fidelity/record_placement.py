"""Records, from a real KubeSphere v4.1.3, what it does with projects and the placement of their workspace
(issue 21, item 5), into tests/fidelity/recordings/placement.json (a new file, never an existing one):

* a project created on a cluster its workspace is not placed on (a workspace placed on no cluster, a
  project on the host): is it refused, and is it in the workspace afterwards;
* a cluster dropped from a workspace's placement while it still holds a project of the workspace: what
  becomes of the workspace's Workspace on that cluster and of the project (its workspace label);
* the cluster added back: the Workspace comes back, and the project is in the workspace again.

The host stands for "a cluster": the server treats the host like any placed cluster (a Workspace per
placed cluster, made and removed by the workspacetemplate controller), and no member has to be joined.

    python -m tests.fidelity.record_placement --host http://127.0.0.1:9090 --out tests/fidelity/recordings

Objects are named h21b-pl-*; the script deletes them at the end (unrecorded)."""

import argparse
import os

from .recorder import Recorder

T = "/kapis/tenant.kubesphere.io/v1beta1"
APIS_TENANT = "/apis/tenant.kubesphere.io/v1beta1"
APIS_IAM = "/apis/iam.kubesphere.io/v1beta1"
UNPLACED, PLACED = "h21b-pl-none", "h21b-pl-host"
PROJECTS = ("h21b-pl-none-p1", "h21b-pl-host-p1")
WORKSPACES = (UNPLACED, PLACED)


def _workspace_on_host(r, name):
    return r.get(f"{APIS_TENANT}/workspaces/{name}")[0] == 200


def _label(r, project):
    status, namespace = r.get(f"/api/v1/namespaces/{project}")
    return ((namespace.get("metadata") or {}).get("labels") or {}).get("kubesphere.io/workspace") \
        if status == 200 else None


def project_on_an_unplaced_cluster(r):
    r.exchange(f"create workspace {UNPLACED} placed on no cluster", "POST", T + "/workspacetemplates", {
        "metadata": {"name": UNPLACED}, "spec": {"template": {"spec": {"manager": "admin"}}}})
    r.wait(f"wait for the roles of {UNPLACED}",
           lambda: len(r.get(f"/kapis/iam.kubesphere.io/v1beta1/workspaces/{UNPLACED}/workspaceroles")[1]
                       .get("items") or []) >= 4)
    r.exchange(f"GET the template {UNPLACED} (no placement)", "GET", f"{T}/workspacetemplates/{UNPLACED}")
    r.exchange(f"GET the Workspace {UNPLACED} on the host (not placed there)", "GET",
               f"{APIS_TENANT}/workspaces/{UNPLACED}")
    r.exchange(f"create project {PROJECTS[0]} on the host, where {UNPLACED} is not placed", "POST",
               f"{T}/workspaces/{UNPLACED}/namespaces",
               {"metadata": {"name": PROJECTS[0], "labels": {"kubesphere.io/workspace": UNPLACED}}})
    r.wait(f"wait until {PROJECTS[0]} is served through {UNPLACED} (informer)",
           lambda: r.get(f"{T}/workspaces/{UNPLACED}/namespaces/{PROJECTS[0]}")[0] == 200)
    r.exchange(f"GET project {PROJECTS[0]} through its workspace", "GET",
               f"{T}/workspaces/{UNPLACED}/namespaces/{PROJECTS[0]}")
    r.exchange(f"list the projects of {UNPLACED}", "GET", f"{T}/workspaces/{UNPLACED}/namespaces")
    r.exchange(f"GET namespace {PROJECTS[0]}", "GET", f"/api/v1/namespaces/{PROJECTS[0]}")


def drop_a_cluster_that_holds_projects(r):
    r.exchange(f"create workspace {PLACED} placed on the host", "POST", T + "/workspacetemplates", {
        "metadata": {"name": PLACED},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    r.wait(f"wait for the Workspace {PLACED} on the host", lambda: _workspace_on_host(r, PLACED))
    r.wait(f"wait for the roles of {PLACED}",
           lambda: len(r.get(f"/kapis/iam.kubesphere.io/v1beta1/workspaces/{PLACED}/workspaceroles")[1]
                       .get("items") or []) >= 4)
    r.exchange(f"create project {PROJECTS[1]} in {PLACED}", "POST", f"{T}/workspaces/{PLACED}/namespaces",
               {"metadata": {"name": PROJECTS[1], "labels": {"kubesphere.io/workspace": PLACED}}})
    r.wait(f"wait until {PROJECTS[1]} is served through {PLACED} (informer)",
           lambda: r.get(f"{T}/workspaces/{PLACED}/namespaces/{PROJECTS[1]}")[0] == 200)
    r.exchange(f"drop the host from the placement of {PLACED}, which holds {PROJECTS[1]}", "PATCH",
               f"{T}/workspacetemplates/{PLACED}",
               [{"op": "remove", "path": "/spec/placement/clusters/0", "value": {"name": "host"}}],
               content_type="application/json-patch+json")
    r.wait(f"wait until the Workspace {PLACED} on the host is gone", lambda: not _workspace_on_host(r, PLACED))
    r.wait(f"wait until the workspace controller has released {PROJECTS[1]} (if it does)",
           lambda: _label(r, PROJECTS[1]) != PLACED, timeout=5.0)
    r.wait(f"wait until {PLACED} serves no project (informer)",
           lambda: not r.get(f"{T}/workspaces/{PLACED}/namespaces")[1].get("items"), timeout=5.0)
    r.exchange(f"GET the template {PLACED} after the drop", "GET", f"{T}/workspacetemplates/{PLACED}")
    r.exchange(f"GET the Workspace {PLACED} on the host after the drop", "GET", f"{APIS_TENANT}/workspaces/{PLACED}")
    r.exchange(f"GET namespace {PROJECTS[1]} after the drop", "GET", f"/api/v1/namespaces/{PROJECTS[1]}")
    r.exchange(f"list the projects of {PLACED} after the drop", "GET", f"{T}/workspaces/{PLACED}/namespaces")
    r.exchange(f"GET project {PROJECTS[1]} through {PLACED} after the drop", "GET",
               f"{T}/workspaces/{PLACED}/namespaces/{PROJECTS[1]}")
    r.exchange(f"add the host back to {PLACED}", "PATCH", f"{T}/workspacetemplates/{PLACED}",
               [{"op": "add", "path": "/spec/placement/clusters/-", "value": {"name": "host"}}],
               content_type="application/json-patch+json")
    r.wait(f"wait for the Workspace {PLACED} on the host again", lambda: _workspace_on_host(r, PLACED))
    r.exchange(f"GET the Workspace {PLACED} on the host once back", "GET", f"{APIS_TENANT}/workspaces/{PLACED}")
    r.exchange(f"GET namespace {PROJECTS[1]} once the host is back", "GET", f"/api/v1/namespaces/{PROJECTS[1]}")
    r.exchange(f"list the projects of {PLACED} once the host is back", "GET", f"{T}/workspaces/{PLACED}/namespaces")


def clean_up(r):
    """Unrecorded: what the scenarios made, with what a kit without garbage collector keeps."""
    for project in PROJECTS:
        r.call("DELETE", f"/api/v1/namespaces/{project}")
        r.finish_namespace(project)
    for ws in WORKSPACES:
        r.call("DELETE", f"{T}/workspacetemplates/{ws}", {})
        for plural in ("workspaceroles", "workspacerolebindings"):
            for item in r.get(f"{APIS_IAM}/{plural}?labelSelector=kubesphere.io/workspace%3D{ws}")[1].get("items", []):
                r.call("DELETE", f"{APIS_IAM}/{plural}/{item['metadata']['name']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="http://127.0.0.1:9090")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    path = os.path.join(args.out, "placement.json")
    if os.path.exists(path):
        raise SystemExit(f"{path} exists: recordings are only ever added")
    recorder = Recorder(args.host)
    try:
        project_on_an_unplaced_cluster(recorder)
        drop_a_cluster_that_holds_projects(recorder)
    finally:
        recorder.save(path)
        print(f"{path}: {len(recorder.entries)} entries")
        clean_up(Recorder(args.host))


if __name__ == "__main__":
    main()
