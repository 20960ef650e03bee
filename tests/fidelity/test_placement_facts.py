"""What the shape comparison of the replay does not see in placement.json (record_placement.py): which
workspace a project is in, and how many projects a workspace lists, at each step of the recording. The
real v4.1.3 takes a project on a cluster its workspace is not placed on, and a cluster dropped from the
placement takes the workspace's Workspace with it and orphans the projects there (the workspace label goes,
and does not come back when the cluster is placed again); see docs/cluster-facts.md."""
import json

import pytest

from .replay import exchanges, recording_path, replay_file

FILE = "placement.json"
pytestmark = pytest.mark.skipif(not __import__("os").path.exists(recording_path(FILE)), reason="no placement.json")


def _facts(status, body):
    """(status, workspace label, number of listed items) of a namespace or a project list."""
    if not isinstance(body, dict):
        return (status, None, None)
    labels = (body.get("metadata") or {}).get("labels") or {}
    items = body.get("items")
    return (status, labels.get("kubesphere.io/workspace"), None if items is None else len(items))


def test_the_emulator_places_and_orphans_projects_as_the_real_server_does():
    recorded = dict((e["name"], e["response"]) for e in exchanges(FILE))
    compared = 0
    for name, _recorded, answer in replay_file(FILE):
        if not ("namespace" in name.lower() or "list the projects" in name or "project" in name.split()[0:2]):
            continue
        want = recorded[name]
        try:
            body = json.loads(answer.text)
        except ValueError:
            body = answer.text
        assert _facts(answer.status, body) == _facts(want["status"], want["body"]), name
        compared += 1
    assert compared >= 8, compared
