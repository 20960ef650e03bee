"""ks_extension's pure parts: the config hash, how values are rendered, and when a plan counts as done."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_extension import (
    Extension, cluster_values, describe_status, render_values, version_key)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_fnv import fnv1a64_hex


@pytest.mark.parametrize("text, digest", [
    ("", "cbf29ce484222325"),                       # recorded: a plan without config
    ("message: changed\n", "e292d03144e87bf0"),     # recorded config change
    ("message: will-fail\n", "d9c5498324f4f889"),   # recorded failed upgrade
])
def test_hash_matches_the_recorded_status(text, digest):
    assert fnv1a64_hex(text) == digest


def test_values_render_like_the_webhook_stores_them():
    assert render_values("replicas: 2   \nimage:\n  tag: v1\t\n") == "replicas: 2\nimage:\n  tag: v1\n"
    assert render_values({"b": 1, "a": {"c": [1, 2]}}) == "a:\n  c:\n  - 1\n  - 2\nb: 1\n"
    assert render_values({}) == "" and render_values(None) is None


def test_cluster_values_merge_the_override_over_the_config():
    spec = {"config": "a: 1\nb: {c: 2}\n", "clusterScheduling": {"overrides": {"m1": "b: {d: 3}\n"}}}
    assert cluster_values(spec, "host") == "a: 1\nb: {c: 2}\n"      # no override: the bytes as stored
    assert cluster_values(spec, "m1") == "a: 1\nb:\n  c: 2\n  d: 3\n"


def test_versions_sort_semantically():
    assert sorted(["1.10.0", "1.9.0", "1.10.0-rc.1"], key=version_key) == ["1.9.0", "1.10.0-rc.1", "1.10.0"]


def plan(status, **spec):
    base = {"extension": {"name": "x", "version": "1.0.0"}, "enabled": True}
    base.update(spec)
    return {"metadata": {"name": "x"}, "spec": base, "status": status}


DONE = {"state": "Installed", "version": "1.0.0", "configHash": "cbf29ce484222325", "enabled": True}


def res():
    return Extension(None, dict(name="x", version="1.0.0", state="present", config=None, cluster_overrides=None))


def test_done_needs_version_hash_and_enabled_not_just_the_state():
    assert res().pending(plan(DONE)) is None
    # Right after a config change the old Installed is still there: not done.
    gap = res().pending(plan(DONE, config="a: 1\n"))
    assert "config hash is cbf29ce484222325, not" in gap
    assert "enabled is True, not False" in res().pending(plan(DONE, enabled=False))
    assert res().pending(plan(dict(DONE, enabled=None), enabled=False)) is None    # false is omitted


def test_each_placed_cluster_must_be_done_too():
    placed = {"clusterScheduling": {"placement": {"clusters": ["host", "m1"]}}}
    status = dict(DONE, clusterSchedulingStatuses={"host": dict(DONE)})
    assert res().pending(plan(status, **placed)).startswith("cluster m1: state not set yet (no agent job has started), not Installed yet")
    status["clusterSchedulingStatuses"]["m1"] = dict(DONE)
    assert res().pending(plan(status, **placed)) is None


def test_a_failure_counts_only_for_the_requested_spec():
    failed = dict(DONE, state="UpgradeFailed", conditions=[
        {"type": "Upgraded", "status": "False", "message": "Job has reached the specified backoff limit"}],
        jobName="helm-upgrade-x-abc123", targetNamespace="extension-x")
    message = res().failure(plan(failed))
    assert "state UpgradeFailed" in message and "helm-upgrade-x-abc123" in message and "extension-x" in message
    assert res().failure(plan(failed, config="fixed: true\n")) is None   # the old failure, before the controller reacts


def test_a_plan_without_status_is_described_as_not_started():
    assert "not set yet" in describe_status({"status": {}})


def test_an_override_cluster_does_not_hang_on_the_servers_own_yaml_rendering():
    placed = {"config": "a: 1\n", "clusterScheduling": {"placement": {"clusters": ["m1"]},
                                                        "overrides": {"m1": "b: 2\n"}}}
    theirs = dict(DONE, configHash=fnv1a64_hex("a: 1\n"), jobName="helm-upgrade-x-agent-new")
    status = dict(DONE, configHash=fnv1a64_hex("a: 1\n"), clusterSchedulingStatuses={"m1": theirs})
    unchanged = res()
    assert unchanged.pending(plan(status, **placed)) is None              # this run wrote nothing
    patched = res()
    patched.replaced = plan(dict(status, clusterSchedulingStatuses={"m1": dict(theirs, jobName="helm-old")}))
    assert patched.pending(plan(status, **placed)) is None                # a new agent job ran
    patched.replaced = plan(status)
    assert "config hash" in patched.pending(plan(status, **placed))       # still the old agent job
