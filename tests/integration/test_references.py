"""References to users, workspaces and roles that do not exist fail before any write, and
--check predicts the same failures (ks_references, the engine's check_references hook)."""

from ks_ansible import admin_call, api_requests, unique

TENANT = "/kapis/tenant.kubesphere.io/v1beta1"
IAM = "/kapis/iam.kubesphere.io/v1beta1"


def setup_objects(emulator, prefix):
    """A workspace with a custom role, a custom global role, and a user to make a member."""
    workspace, user, role = prefix + "-real", prefix + "-user", prefix + "-custom"
    assert admin_call(emulator, "POST", TENANT + "/workspacetemplates", {
        "metadata": {"name": workspace},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})[0] == 200
    assert admin_call(emulator, "POST", IAM + "/users", {
        "metadata": {"name": user}, "spec": {"email": user + "@example.com"}})[0] == 200
    status, body = admin_call(emulator, "POST", "/apis/iam.kubesphere.io/v1beta1/workspaceroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
        "metadata": {"name": role, "labels": {"kubesphere.io/workspace": workspace}}, "rules": []})
    assert status == 201, body
    status, body = admin_call(emulator, "POST", "/apis/iam.kubesphere.io/v1beta1/globalroles", {
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "GlobalRole", "metadata": {"name": prefix + "-gr"},
        "rules": []})
    assert status == 201, body
    return dict(prefix=prefix, workspace=workspace, user=user, custom_role=role, custom_global_role=prefix + "-gr")


def assert_refused(run, prefix, user):
    assert "workspace %s-nows does not exist" % prefix in run.result("A project in a workspace that does not exist")["msg"]
    assert "manager: user %s-ghost does not exist" % prefix in run.result("A manager who is not a user")["msg"]
    msg = run.result("A member who is not a user and a role that does not exist")["msg"]
    assert "members[0].user: user %s-ghost does not exist" % prefix in msg
    assert "members[1].role: workspace role owner does not exist" in msg and "admin, regular" in msg
    msg = run.result("A project member with a role that does not exist")["msg"]
    assert "members[0].role: project role superuser does not exist" in msg
    for task in ("A new user with a global role that does not exist", "A user given a global role that does not exist"):
        msg = run.result(task)["msg"]
        assert "global_role: global role %s-no-such-global-role does not exist" % prefix in msg, msg
        assert "platform-admin, platform-regular, platform-self-provisioner" in msg, msg
    for task in ("A project in a workspace that does not exist", "A manager who is not a user",
                 "A member who is not a user and a role that does not exist",
                 "A project member with a role that does not exist",
                 "A new user with a global role that does not exist", "A user given a global role that does not exist"):
        assert not run.result(task)["changed"], task


def test_missing_references_fail_before_any_write_and_check_mode_predicts_it(ansible, emulator, no_writes):
    objects = setup_objects(emulator, unique("ref"))
    prefix = objects["prefix"]

    with no_writes():
        run = ansible.playbook("references.yml", extra_vars=objects, check=True).assert_ok()
    assert_refused(run, prefix, objects["user"])
    assert run.result("A custom workspace role that exists")["changed"]
    assert run.result("A custom global role that exists")["changed"]

    emulator.reset_counters()
    run = ansible.playbook("references.yml", extra_vars=objects).assert_ok()
    assert_refused(run, prefix, objects["user"])
    # The only writes are the good tasks': one members POST, one user PUT; nothing half-made, no retry loop.
    writes = dict((k, v) for k, v in api_requests(emulator).items() if not k.startswith("GET "))
    assert writes == {"POST %s/workspaces/%s/workspacemembers" % (IAM, objects["workspace"]): 1,
                      "PUT %s/users/%s" % (IAM, objects["user"]): 1}, writes
    for path in (TENANT + "/workspacetemplates/%s-ws" % prefix, "/api/v1/namespaces/%s-proj" % prefix,
                 IAM + "/users/%s-newuser" % prefix):
        assert admin_call(emulator, "GET", path)[0] == 404, path
    added = run.result("A custom workspace role that exists")
    assert added["changed"] and {"user": objects["user"], "role": objects["custom_role"]} in added["members"]
    user = run.result("A custom global role that exists")
    assert user["changed"] and user["user"]["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] == objects[
        "custom_global_role"]
