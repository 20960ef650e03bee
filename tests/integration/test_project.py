"""ks_project through real ansible-playbook runs against the emulator."""

from ks_ansible import admin_call, api_requests, create_regular_user, create_users, unique

TEMPLATES = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def make_workspace(emulator, clusters=("host",)):
    name = unique("pws")
    status, body = admin_call(emulator, "POST", TEMPLATES, {
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": c} for c in clusters]}}})
    assert status == 200, body
    return name


def members_of(emulator, project, cluster=""):
    prefix = "/clusters/%s" % cluster if cluster else ""
    status, body = admin_call(emulator, "GET", "%s%s/namespaces/%s/namespacemembers" % (prefix, IAM, project))
    assert status == 200, body
    return dict((i["metadata"]["name"], i["metadata"]["annotations"]["iam.kubesphere.io/role"]) for i in body["items"])


def test_lifecycle_with_check_mode_and_diff(ansible, emulator, no_writes):
    ws, project = make_workspace(emulator), unique("pl")
    create_users(emulator, project + "-bob", project + "-carol")
    play = dict(extra_vars={"ws": ws, "project_name": project}, diff=True)

    with no_writes():
        run = ansible.playbook("project_lifecycle.yml", "--tags", "create", check=True, **play).assert_ok()
    predicted = run.result("Create")
    assert predicted["changed"]
    labels = {"kubesphere.io/workspace": ws, "kubesphere.io/managed": "true", "app": "lifecycle",
              "app.kubernetes.io/managed-by": "kubesphere.core"}
    assert predicted["project"]["metadata"]["labels"] == labels
    assert predicted["members"] == [{"user": project + "-bob", "role": "viewer"}]

    run = ansible.playbook("project_lifecycle.yml", "--tags", "create", **play).assert_ok()
    created = run.result("Create")
    assert created["changed"] and not run.result("Create again")["changed"]
    assert created["diff"]["before"] == {}          # a new object's diff starts from nothing
    assert created["diff"]["after"] == {"alias_name": "Lifecycle", "description": "created by the lifecycle test",
                                        "labels": {"app": "lifecycle"},
                                        "members": [{"user": project + "-bob", "role": "viewer"}]}
    assert created["project"]["metadata"]["labels"]["kubesphere.io/managed"] == "true"
    # The creator became project admin (kubesphere.io/creator), and the member was added after the roles appeared.
    assert members_of(emulator, project) == {"admin": "admin", project + "-bob": "viewer"}

    emulator.reset_counters()
    ansible.playbook("project_lifecycle.yml", "--tags", "create", **play).assert_ok()
    assert api_requests(emulator) == {"GET /kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/namespaces/%s"
                                      % (ws, project): 2,
                                      "GET %s/namespaces/%s/namespacemembers" % (IAM, project): 2}

    with no_writes():
        run = ansible.playbook("project_lifecycle.yml", check=True, **play).assert_ok()
    assert not run.result("Create")["changed"]
    assert run.result("Update")["changed"] and run.result("Remove")["changed"]
    assert run.result("Update")["diff"]["after"]["members"] == [
        {"user": "admin", "role": "admin"}, {"user": project + "-bob", "role": "operator"},
        {"user": project + "-carol", "role": "viewer"}]

    run = ansible.playbook("project_lifecycle.yml", "--tags", "update", **play).assert_ok()
    update = run.result("Update")
    assert update["changed"] and not run.result("Update again")["changed"]
    assert update["diff"]["before"]["alias_name"] == "Lifecycle"
    assert update["diff"]["after"]["alias_name"] == "Lifecycle (renamed)"
    assert update["project"]["metadata"]["labels"]["tier"] == "gold"
    assert update["project"]["metadata"]["labels"]["app"] == "lifecycle"        # labels not named are kept
    assert run.result("Purge members")["changed"] and not run.result("Purge members again")["changed"]
    assert members_of(emulator, project) == {project + "-bob": "operator"}

    run = ansible.playbook("project_lifecycle.yml", "--tags", "absent", **play).assert_ok()
    assert run.result("Remove")["changed"] and not run.result("Remove again")["changed"]
    assert admin_call(emulator, "GET", "/api/v1/namespaces/" + project)[0] == 404     # wait: gone, not Terminating


def test_project_of_another_workspace_is_an_error(ansible, emulator):
    ws, other, project = make_workspace(emulator), make_workspace(emulator), unique("po")
    status, body = admin_call(emulator, "POST", "/kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/namespaces" % ws,
                              {"metadata": {"name": project}})
    assert status == 200, body
    emulator.reset_counters()
    run = ansible.playbook("project_more.yml", "--tags", "other",
                           extra_vars={"project": project, "other_ws": other})
    message = run.result("Claim a project of another workspace")["msg"]
    assert ws in message and other in message and "does not move" in message
    assert "workspace is required" in run.result("A project without a workspace")["msg"]
    assert all(not k.startswith(("POST", "PUT", "PATCH", "DELETE")) for k in api_requests(emulator))


def test_project_on_a_member_cluster(ansible, emulator):
    ws, project = make_workspace(emulator, ("host", "member1")), unique("pm")
    create_users(emulator, "m1-bob")
    run = ansible.playbook("project_more.yml", "--tags", "member", extra_vars={"project": project, "ws": ws}).assert_ok()
    created = run.result("On member1")
    assert created["changed"] and not run.result("On member1 again")["changed"]
    assert created["members"] == [{"user": "m1-bob", "role": "viewer"}]
    assert run.result("Remove from member1")["changed"]
    assert admin_call(emulator, "GET", "/clusters/member1/api/v1/namespaces/%s-m1" % project)[0] == 404
    assert admin_call(emulator, "GET", "/api/v1/namespaces/%s-m1" % project)[0] == 404


def test_platform_regular_user_gets_a_clear_403_until_made_workspace_admin(ansible, emulator):
    ws, name = make_workspace(emulator), unique("pr")
    regular = create_regular_user(emulator, name)
    run = ansible.playbook("project_more.yml", "--tags", "regular", extra_vars={"project": name, "ws": ws},
                           env=regular)
    assert run.rc != 0 and "Traceback" not in run.output
    failed = run.result("Create one as a platform-regular user")
    assert failed["status"] == 403 and "forbidden" in failed["msg"].lower()
    # Made a workspace admin, the same user may create projects in that workspace.
    status, body = admin_call(emulator, "POST", "%s/workspaces/%s/workspacemembers" % (IAM, ws),
                              [{"username": name, "roleRef": ws + "-admin"}])
    assert status == 200, body
    run = ansible.playbook("project_more.yml", "--tags", "regular", extra_vars={"project": name, "ws": ws},
                           env=regular).assert_ok()
    assert run.result("Create one as a platform-regular user")["changed"]


def test_adopt_a_namespace_in_no_workspace(ansible, emulator, no_writes):
    ws, other_ws, orphan, member = make_workspace(emulator), make_workspace(emulator), unique("orphan"), unique("am")
    other_project = unique("owned")
    create_users(emulator, member)
    plain = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": orphan}}
    assert admin_call(emulator, "POST", "/api/v1/namespaces", plain)[0] == 201
    assert admin_call(emulator, "POST", "/kapis/tenant.kubesphere.io/v1beta1/workspaces/%s/namespaces" % other_ws,
                      {"metadata": {"name": other_project, "labels": {"kubesphere.io/managed": "true"}}})[0] == 200
    play = dict(extra_vars={"ws": ws, "orphan": orphan, "member": member, "other_project": other_project}, diff=True)

    with no_writes():
        plan = ansible.playbook("project_adopt.yml", check=True, **play).assert_ok()
    assert "belongs to no workspace; set adopt: true" in plan.result("Claim without adopt")["msg"]
    assert plan.result("Adopt")["changed"]
    assert plan.result("Adopt")["diff"]["after"]["workspace"] == ws

    run = ansible.playbook("project_adopt.yml", **play).assert_ok()
    assert run.result("Adopt")["changed"] and not run.result("Adopt again")["changed"]
    assert "workspace %s, not in workspace %s" % (other_ws, ws) in run.result("Adopt a project of another workspace")["msg"]
    status, namespace = admin_call(emulator, "GET", "/api/v1/namespaces/" + orphan)
    labels = namespace["metadata"]["labels"]
    assert labels["kubesphere.io/workspace"] == ws and labels["kubesphere.io/managed"] == "true"
    assert labels["app.kubernetes.io/managed-by"] == "kubesphere.core"
    assert namespace["metadata"]["annotations"]["kubesphere.io/alias-name"] == "Adopted"
    assert members_of(emulator, orphan) == {member: "operator"}
    status, other = admin_call(emulator, "GET", "/api/v1/namespaces/" + other_project)
    assert other["metadata"]["labels"]["kubesphere.io/workspace"] == other_ws
