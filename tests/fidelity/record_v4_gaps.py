"""Records, from a real KubeSphere v4.1.3, the exchanges behind the emulator gaps of issue 21 into new files
of tests/fidelity/recordings (never an existing one):

* member-get-and-template-patch.json: a member GET right after the POST (built-in and custom role), a
  JSON Patch of a workspace template right after its creation, placement removes with and without value;
* custom-role-authz.json: the RoleTemplates, then users bound only to a custom workspace or project role,
  doing what its rules allow and what they do not;
* quota-names.json: ResourceQuota / LimitRange resource names kube-apiserver refuses (422) or takes, and a
  workspace quota (a CRD) that stores any name;
* system-workspace.json: the chart's system-workspace and system namespaces, and their protection
  (deletes as dry runs: a shared server's kube-system is never at risk).

    python -m tests.fidelity.record_v4_gaps --host http://127.0.0.1:9090 --out tests/fidelity/recordings

Objects are named i21-*; the script deletes them at the end (unrecorded)."""

import argparse
import os
import time

from .recorder import Recorder

T = "/kapis/tenant.kubesphere.io/v1beta1"
I = "/kapis/iam.kubesphere.io/v1beta1"
APIS_IAM = "/apis/iam.kubesphere.io/v1beta1"
PASSWORD = "I21-Member-Pass1"


def _user(r, name, label):
    r.exchange(f"create user {name}", "POST", I + "/users", {
        "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": f"{name}@example.com", "password": PASSWORD}})
    r.wait(f"wait until {name} is Active ({label})",
           lambda: (r.get(f"{I}/users/{name}")[1].get("status") or {}).get("state") == "Active")
    r.exchange(f"GET user {name} once Active", "GET", f"{I}/users/{name}")


def _workspace(r, name, name_in_log=None):
    return r.exchange(name_in_log or f"create workspace {name}", "POST", T + "/workspacetemplates", {
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})


def _roles_ready(r, workspace):
    return r.wait(f"wait for the roles of {workspace}",
                  lambda: r.get(f"{I}/workspaces/{workspace}/workspaceroles")[1].get("items") and
                  len(r.get(f"{I}/workspaces/{workspace}/workspaceroles")[1]["items"]) >= 4)


def member_get_and_template_patch(r):
    ws = "i21-mg"
    _workspace(r, ws)
    r.exchange("JSON Patch the template right after its creation (add a label)", "PATCH",
               f"{T}/workspacetemplates/{ws}", [{"op": "add", "path": "/metadata/labels", "value": {"i21": "yes"}}],
               content_type="application/json-patch+json")
    r.exchange("JSON Patch remove of the placed cluster without value, right after", "PATCH",
               f"{T}/workspacetemplates/{ws}", [{"op": "remove", "path": "/spec/placement/clusters/0"}],
               content_type="application/json-patch+json")
    r.exchange("JSON Patch remove of the placed cluster with its value", "PATCH", f"{T}/workspacetemplates/{ws}",
               [{"op": "remove", "path": "/spec/placement/clusters/0", "value": {"name": "host"}}],
               content_type="application/json-patch+json")
    r.exchange("JSON Patch add the cluster back", "PATCH", f"{T}/workspacetemplates/{ws}",
               [{"op": "add", "path": "/spec/placement/clusters/0", "value": {"name": "host"}}],
               content_type="application/json-patch+json")
    _roles_ready(r, ws)
    _user(r, "i21-mg-u1", "a member with a built-in role")
    r.exchange("add i21-mg-u1 as regular", "POST", f"{I}/workspaces/{ws}/workspacemembers",
               [{"username": "i21-mg-u1", "roleRef": f"{ws}-regular"}])
    r.exchange("GET member i21-mg-u1 right after", "GET", f"{I}/workspaces/{ws}/workspacemembers/i21-mg-u1")
    r.exchange("create custom workspace role i21-mg-custom", "POST", APIS_IAM + "/workspaceroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
        "metadata": {"name": "i21-mg-custom", "labels": {"kubesphere.io/workspace": ws}},
        "rules": [], "aggregationRoleTemplates": {"templateNames": ["workspace-view-members"]}})
    _user(r, "i21-mg-u2", "a member with a custom role")
    r.exchange("add i21-mg-u2 with the custom role", "POST", f"{I}/workspaces/{ws}/workspacemembers",
               [{"username": "i21-mg-u2", "roleRef": "i21-mg-custom"}])
    r.exchange("GET member i21-mg-u2 (custom role) right after", "GET",
               f"{I}/workspaces/{ws}/workspacemembers/i21-mg-u2")
    r.exchange("GET member admin (the manager)", "GET", f"{I}/workspaces/{ws}/workspacemembers/admin")
    r.note("GET of a member whose User has no annotations",
           "Seen while preparing this file: GET .../workspacemembers/{user} for a member whose User object has no "
           "metadata.annotations at all (created without any) got no answer: ks-apiserver v4.1.3 logged "
           "'http: panic serving ...: assignment to entry in nil map' (handler.go DescribeWorkspaceMember sets "
           "user.Annotations[...] on a nil map) and closed the connection. Not recorded as an exchange.")


def custom_role_authz(r):
    ws, project = "i21-cr", "i21-cr-p"
    r.exchange("LIST roletemplates", "GET", APIS_IAM + "/roletemplates")
    _workspace(r, ws)
    _roles_ready(r, ws)
    r.exchange(f"create project {project}", "POST", f"{T}/workspaces/{ws}/namespaces",
               {"metadata": {"name": project, "labels": {"kubesphere.io/managed": "true"}}})
    r.wait(f"wait for the roles of {project}",
           lambda: len(r.get(f"{APIS_IAM}/namespaces/{project}/roles")[1].get("items") or []) >= 3)
    r.exchange("create custom workspace role i21-cr-members (workspace-view-members)", "POST",
               APIS_IAM + "/workspaceroles", {
                   "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
                   "metadata": {"name": "i21-cr-members", "labels": {"kubesphere.io/workspace": ws}},
                   "rules": [], "aggregationRoleTemplates": {"templateNames": ["workspace-view-members"]}})
    r.exchange("create custom project role i21-cr-config (namespace-view-configmaps)", "POST",
               f"{APIS_IAM}/namespaces/{project}/roles", {
                   "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "Role",
                   "metadata": {"name": "i21-cr-config", "namespace": project},
                   "rules": [], "aggregationRoleTemplates": {"templateNames": ["namespace-view-configmaps"]}})
    r.wait("wait until both custom roles have their rules", lambda: (
        r.get(f"{APIS_IAM}/workspaceroles/i21-cr-members")[1].get("rules") and
        r.get(f"{APIS_IAM}/namespaces/{project}/roles/i21-cr-config")[1].get("rules")))
    r.exchange("GET the custom workspace role (rules aggregated)", "GET", f"{APIS_IAM}/workspaceroles/i21-cr-members")
    r.exchange("GET the custom project role (rules aggregated)", "GET",
               f"{APIS_IAM}/namespaces/{project}/roles/i21-cr-config")
    _user(r, "i21-cr-ws", "bound to the custom workspace role only")
    _user(r, "i21-cr-ns", "bound to the custom project role only")
    r.exchange("add i21-cr-ws with the custom workspace role", "POST", f"{I}/workspaces/{ws}/workspacemembers",
               [{"username": "i21-cr-ws", "roleRef": "i21-cr-members"}])
    r.exchange("add i21-cr-ns with the custom project role", "POST", f"{I}/namespaces/{project}/namespacemembers",
               [{"username": "i21-cr-ns", "roleRef": "i21-cr-config"}])
    r.login_as("i21-cr-ws", PASSWORD)
    r.login_as("i21-cr-ns", PASSWORD)
    ws_user, ns_user = "i21-cr-ws access_token", "i21-cr-ns access_token"
    r.exchange("custom workspace role: list the workspace members (allowed)", "GET",
               f"{I}/workspaces/{ws}/workspacemembers", as_user=ws_user)
    r.exchange("custom workspace role: add a member (forbidden)", "POST", f"{I}/workspaces/{ws}/workspacemembers",
               [{"username": "i21-cr-ns", "roleRef": f"{ws}-viewer"}], as_user=ws_user)
    r.exchange("custom workspace role: list the workspace roles (forbidden)", "GET",
               f"{I}/workspaces/{ws}/workspaceroles", as_user=ws_user)
    r.exchange("custom workspace role: list the project's configmaps (forbidden)", "GET",
               f"/api/v1/namespaces/{project}/configmaps", as_user=ws_user)
    r.exchange("custom project role: list the project's configmaps (allowed)", "GET",
               f"/api/v1/namespaces/{project}/configmaps", as_user=ns_user)
    r.exchange("custom project role: create a configmap (forbidden)", "POST",
               f"/api/v1/namespaces/{project}/configmaps",
               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "i21-cm"}, "data": {"a": "b"}},
               as_user=ns_user)
    r.exchange("custom project role: list the project's secrets (forbidden)", "GET",
               f"/api/v1/namespaces/{project}/secrets", as_user=ns_user)
    r.exchange("custom project role: list the project members (forbidden)", "GET",
               f"{I}/namespaces/{project}/namespacemembers", as_user=ns_user)


def quota_names(r):
    ws, project = "i21-qn", "i21-qn-p"
    _workspace(r, ws)
    r.exchange(f"create project {project}", "POST", f"{T}/workspaces/{ws}/namespaces",
               {"metadata": {"name": project, "labels": {"kubesphere.io/managed": "true"}}})
    time.sleep(1)
    quota = f"/clusters/host/api/v1/namespaces/{project}/resourcequotas"
    limits = f"/clusters/host/api/v1/namespaces/{project}/limitranges"

    def rq(name, hard):
        return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard}}

    def lr(name, item):
        return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name}, "spec": {"limits": [item]}}

    r.exchange("ResourceQuota with limits.cpus (a typo)", "POST", quota, rq("q1", {"limits.cpus": "2"}))
    r.exchange("ResourceQuota with cpuu (a typo)", "POST", quota, rq("q2", {"cpuu": "2"}))
    r.exchange("ResourceQuota with storage (a resource, not a quota one)", "POST", quota, rq("q3", {"storage": "1Gi"}))
    r.exchange("ResourceQuota with a bad prefix", "POST", quota, rq("q4", {"Example.com/gpu": "1"}))
    r.exchange("ResourceQuota with fully qualified names", "POST", quota, rq("q5", {
        "count/deployments.apps": "2", "requests.nvidia.com/gpu": "1", "example.com/foo": "3"}))
    r.exchange("LimitRange default with cpuu (defaultRequest defaulted from it)", "POST", limits,
               lr("l1", {"type": "Container", "default": {"cpuu": "1"}}))
    r.exchange("LimitRange default with limits.cpu (a quota name)", "POST", limits,
               lr("l2", {"type": "Container", "default": {"limits.cpu": "1"}}))
    r.exchange("LimitRange defaultRequest with Memory", "POST", limits,
               lr("l3", {"type": "Container", "default": {"memory": "1Gi"}, "defaultRequest": {"Memory": "1Gi"}}))
    r.exchange("LimitRange default with requests.example.com/gpu (not an extended resource name)", "POST", limits,
               lr("l4", {"type": "Container", "default": {"requests.example.com/gpu": "1"}}))
    r.exchange("LimitRange with an extended resource", "POST", limits,
               lr("l5", {"type": "Container", "default": {"cpu": "1", "example.com/gpu": "1"}}))
    r.exchange("workspace quota (quota.kubesphere.io) with limits.cpus: stored", "POST",
               f"{T}/workspaces/{ws}/resourcequotas",
               {"metadata": {"name": ws}, "spec": {"quota": {"hard": {"limits.cpus": "2"}}}})


def system_workspace(r):
    r.exchange("GET system-workspace (kapis)", "GET", f"{T}/workspacetemplates/system-workspace")
    r.exchange("GET the per-cluster Workspace system-workspace (/apis)", "GET",
               "/apis/tenant.kubesphere.io/v1beta1/workspaces/system-workspace")
    r.exchange("LIST the projects of system-workspace (kapis)", "GET", f"{T}/workspaces/system-workspace/namespaces")
    r.exchange("LIST the roles of system-workspace (kapis)", "GET", f"{I}/workspaces/system-workspace/workspaceroles")
    r.exchange("GET namespace kube-system", "GET", "/api/v1/namespaces/kube-system")
    r.exchange("GET namespace kubesphere-controls-system", "GET", "/api/v1/namespaces/kubesphere-controls-system")
    r.exchange("DELETE system-workspace (/apis, dry run)", "DELETE",
               "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/system-workspace?dryRun=All")
    r.exchange("DELETE namespace kube-system (dry run)", "DELETE", "/api/v1/namespaces/kube-system?dryRun=All")
    r.exchange("DELETE namespace kubesphere-system (dry run)", "DELETE",
               "/api/v1/namespaces/kubesphere-system?dryRun=All")


SCENARIOS = {"member-get-and-template-patch.json": member_get_and_template_patch,
             "custom-role-authz.json": custom_role_authz, "quota-names.json": quota_names,
             "system-workspace.json": system_workspace}
USERS = ("i21-mg-u1", "i21-mg-u2", "i21-cr-ws", "i21-cr-ns")
WORKSPACES = ("i21-mg", "i21-cr", "i21-qn")
PROJECTS = ("i21-cr-p", "i21-qn-p")


def clean_up(r):
    """Unrecorded: what the scenarios made, with what a kit without garbage collector keeps."""
    for user in USERS:
        r.call("DELETE", f"{I}/users/{user}")
    for project in PROJECTS:
        r.call("DELETE", f"/api/v1/namespaces/{project}")
        r.finish_namespace(project)
    for ws in WORKSPACES:
        r.call("DELETE", f"{T}/workspacetemplates/{ws}", {})
        # Without a garbage collector the workspace quota outlives its workspace, and the next recording's
        # POST of it then answers 500 "already exists".
        r.call("DELETE", f"/apis/quota.kubesphere.io/v1alpha2/resourcequotas/{ws}")
        for plural in ("workspaceroles", "workspacerolebindings"):
            for item in r.get(f"{APIS_IAM}/{plural}?labelSelector=kubesphere.io/workspace%3D{ws}")[1].get("items", []):
                r.call("DELETE", f"{APIS_IAM}/{plural}/{item['metadata']['name']}")
    for user in USERS:
        for item in r.get(f"{APIS_IAM}/globalrolebindings?labelSelector=iam.kubesphere.io/user-ref%3D{user}")[1].get(
                "items", []):
            r.call("DELETE", f"{APIS_IAM}/globalrolebindings/{item['metadata']['name']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="http://127.0.0.1:9090")
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for name, scenario in SCENARIOS.items():
        if args.only and name not in args.only:
            continue
        path = os.path.join(args.out, name)
        if os.path.exists(path):
            raise SystemExit(f"{path} exists: recordings are only ever added")
        recorder = Recorder(args.host)
        try:
            scenario(recorder)
        finally:
            recorder.save(path)
            print(f"{path}: {len(recorder.entries)} entries")
    clean_up(Recorder(args.host))


if __name__ == "__main__":
    main()
