"""The end-to-end onboarding play: run twice, the second run changes nothing."""
import re
import uuid

ROLE_CHANGES = ["Promote the newcomer on the platform", "Promote the newcomer in the workspace",
                "Promote the newcomer in the project"]


def recap_changed(output):
    return int(re.search(r"localhost\s+:\s+ok=\d+\s+changed=(\d+)", output).group(1))


def test_onboarding_converges(ansible, emulator):
    tag = uuid.uuid4().hex[:6]
    names = dict(workspace_name="team-" + tag, project_name="web-" + tag,
                 manager_name="lead-" + tag, newcomer_name="dev-" + tag)

    first = ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    changed = first.changed_tasks()
    for task in ["The team lead exists", "The workspace exists on the host, managed by the lead",
                 "The project exists in the workspace", "The newcomer exists, with the default platform role",
                 "Invite the newcomer to the workspace as regular",
                 "Invite the newcomer to the project as viewer"] + ROLE_CHANGES:
        assert task in changed, (task, changed)
    assert first.result("The newcomer exists, with the default platform role")["user"]["metadata"][
        "annotations"]["iam.kubesphere.io/globalrole"] == "platform-regular"

    emulator.reset_counters()
    second = ansible.playbook("onboarding.yml", extra_vars=names).assert_ok()
    assert second.changed_tasks() == [] and recap_changed(second.output) == 0
    assert emulator.counters()["writes"] == 0
    skipped = [r["task"] for r in second.records if r["status"] == "skipped"]
    assert skipped == ["Invite the newcomer to the workspace as regular",
                       "Invite the newcomer to the project as viewer"]
