"""What the second batch of recordings (roles, quotas, isolation) found on the
server before they started: workspace rec2-ws (manager admin, on host), its
managed project rec2-proj created by admin, and the platform-regular users
rec2-user1 and rec2-user3 (see the recordings' setup note). replay.py adds
these files and setups."""

import time

from .tenancy_setup import SETTLE, TENANT, _no_namespace_lifecycle, _post, _project, _users

SECOND_BATCH_FILES = ("roles.json", "quotas.json", "isolation-and-labels.json")


def setup_rec2(replayer):
    _no_namespace_lifecycle(replayer)
    _users(replayer, ["rec2-user1", "rec2-user3"])
    _post(replayer, TENANT + "/workspacetemplates",
          {"metadata": {"name": "rec2-ws", "annotations": {"kubesphere.io/creator": "admin"}},
           "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})
    time.sleep(SETTLE)
    _project(replayer, "rec2-ws", "rec2-proj")
    time.sleep(SETTLE)


SECOND_BATCH_SETUP = dict((name, setup_rec2) for name in SECOND_BATCH_FILES)
# The recording server had a member cluster "member" that never became Ready.
SECOND_BATCH_OPTIONS = dict((name, dict(members="member", not_ready="member")) for name in SECOND_BATCH_FILES)
