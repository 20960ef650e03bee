"""Quotas, default limits and network isolation on ks_workspace and ks_project, through real runs."""

from ks_ansible import admin_call, api_requests, unique

WS_QUOTA = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/resourcequotas/%s"
ISOLATE = "kubesphere.io/network-isolate"


def _get(emulator, path):
    status, body = admin_call(emulator, "GET", path)
    assert status == 200, (path, body)
    return body


def test_quota_lifecycle_spellings_and_isolation(ansible, emulator, no_writes):
    ws, project = unique("qws"), unique("qp")
    play = dict(extra_vars={"ws": ws, "project": project}, diff=True)

    with no_writes():
        run = ansible.playbook("quota_lifecycle.yml", "--tags", "create", check=True, **play)
    assert run.result("Create the workspace")["changed"]
    assert run.result("Create the project")["diff"]["after"]["quota"] == {"limits.cpu": "8", "pods": "10"}

    run = ansible.playbook("quota_lifecycle.yml", "--tags", "create", **play).assert_ok()
    created = run.result("Create the project")
    assert created["changed"] and "quota" not in created["diff"]["before"]     # a new object's diff starts from {}
    # KubeSphere accepts a project quota above the workspace's: a warning, not a failure.
    assert any("larger than workspace" in w and "limits.cpu (8 > 2)" in w for w in created.get("warnings", [])), created
    assert not run.result("Workspace in other spellings")["changed"]
    assert not run.result("Project in other spellings")["changed"]
    quota = _get(emulator, WS_QUOTA % (ws, ws))
    assert quota["spec"]["quota"]["hard"] == {"limits.cpu": "2", "limits.memory": "4Gi"}
    template = _get(emulator, "/apis/tenant.kubesphere.io/v1beta1/workspacetemplates/" + ws)
    assert template["spec"]["template"]["metadata"]["annotations"][ISOLATE] == "enabled"
    namespace = _get(emulator, "/api/v1/namespaces/" + project)
    assert namespace["metadata"]["annotations"][ISOLATE] == "enabled"
    limits = _get(emulator, "/api/v1/namespaces/%s/limitranges/%s" % (project, project))["spec"]["limits"]
    assert limits == [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                       "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]

    emulator.reset_counters()
    run = ansible.playbook("quota_lifecycle.yml", "--tags", "create", **play).assert_ok()
    assert not run.changed_tasks()
    requests = api_requests(emulator)
    assert requests["GET " + WS_QUOTA % (ws, ws)] == 4        # two workspace tasks + the two projects' checks

    with no_writes():
        run = ansible.playbook("quota_lifecycle.yml", "--tags", "update", check=True, **play)
    assert run.result("Update the project")["diff"]["after"]["quota"] == {"pods": "20"}

    run = ansible.playbook("quota_lifecycle.yml", "--tags", "update", **play).assert_ok()
    assert run.result("Update the workspace")["changed"] and run.result("Update the project")["changed"]
    assert not run.result("Update the workspace again")["changed"]
    assert not run.result("Update the project again")["changed"]
    assert "quota[limits.cpu]: 'two' is not a Kubernetes quantity" in run.result("Bad quantity")["msg"]
    with no_writes():       # misspelt resource names: refused before any request, so before any write
        run = ansible.playbook("quota_lifecycle.yml", "--tags", "names", **play)
    assert "quota[cpuu]: cpuu is not a resource a quota can limit" in run.result("Bad project quota resource name")["msg"]
    assert ("default_limits.limits[limits.cpu]: limits.cpu is not a container resource"
            in run.result("Bad default limit resource name")["msg"])
    assert ("quota[limits.cpus]: limits.cpus is not a resource a quota can limit"
            in run.result("Bad workspace quota resource name")["msg"])
    assert _get(emulator, WS_QUOTA % (ws, ws))["spec"]["quota"]["hard"] == {
        "limits.cpu": "3", "limits.memory": "4Gi", "pods": "20"}      # not purged: named ones changed
    assert _get(emulator, "/api/v1/namespaces/%s/resourcequotas/%s" % (project, project))["spec"]["hard"] == {
        "pods": "20"}                                                    # purged
    namespace = _get(emulator, "/api/v1/namespaces/" + project)
    assert namespace["metadata"]["annotations"][ISOLATE] == "disabled"
