"""Quotas and default container limits (ks_quota) and the quantities they hold (ks_quantity): compared by
value, purged only when asked, names checked before any write, and check mode predicting without writing."""
from fractions import Fraction

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_quantity import (
    as_text,
    parse,
    quantity_error,
    same,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import (
    DefaultLimits,
    ProjectQuota,
    WorkspaceQuota,
    larger_than,
    limits_error,
    merged_hard,
    quota_error,
)
from fake_client import FakeClient

WS_QUOTAS = "/kapis/tenant.kubesphere.io/v1beta1/workspaces/team/resourcequotas"
WS_QUOTA = WS_QUOTAS + "/team"
P_QUOTAS = "/api/v1/namespaces/web/resourcequotas"
P_QUOTA = P_QUOTAS + "/web"
LIMITRANGES = "/api/v1/namespaces/web/limitranges"


# --- quantities ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("left, right", [
    ("1000m", "1"), ("1", 1), ("0.5", "500m"), ("1Gi", "1024Mi"), ("1Ki", "1024"), ("2e3", "2k"),
    ("1.5Gi", "1536Mi"), ("1E3", "1k"), ("100n", "0.1u"), ("+1", "1"), (".5", "500m"), ("1M", "1000k"),
])
def test_quantities_equal_by_value(left, right):
    assert parse(left) == parse(right) and same(left, right)


@pytest.mark.parametrize("left, right", [("1G", "1Gi"), ("1m", "1M"), ("1", "1001m"), ("100Mi", "100M")])
def test_quantities_that_only_look_alike_differ(left, right):
    assert not same(left, right)


def test_parse_is_exact():
    assert parse("1m") == Fraction(1, 1000) and parse("3Ti") == 3 * 1024 ** 4


@pytest.mark.parametrize("value", ["", "lots", "1.2.3", "1 Gi", "Gi", "1gi", "1KB", True, None, [1], "1e"])
def test_what_is_no_quantity_is_refused_with_examples(value):
    with pytest.raises(ValueError) as err:
        parse(value)
    assert "is not a Kubernetes quantity (for example 500m" in str(err.value)
    assert quantity_error(value, "quota[cpu]").startswith("quota[cpu]: ")


def test_negative_quantities_are_refused_and_zero_is_fine():
    assert quantity_error("-1", "quota[pods]") == "quota[pods]: '-1' is negative"
    assert quantity_error(0, "quota[pods]") is None and quantity_error("0.5", "x") is None


def test_unparsable_values_compare_by_text_and_integers_are_stored_as_text():
    assert same("x", "x") and not same("x", "y")
    assert as_text(2) == "2" and as_text("500m") == "500m"


# --- input checks ------------------------------------------------------------------------------------

@pytest.mark.parametrize("quota, message", [
    ({"limits.cpus": "2"}, "quota[limits.cpus]: limits.cpus is not a resource a quota can limit"),
    ({"cpu": "lots"}, "quota[cpu]: 'lots' is not a Kubernetes quantity"),
    ({"pods": -3}, "quota[pods]: -3 is negative"),
    ({"count//x": "1"}, "count//x is not a valid resource name"),
])
def test_quota_errors_name_the_key(quota, message):
    assert message in quota_error(quota)


def test_quota_accepts_kubernetes_names_and_qualified_ones():
    assert quota_error({"limits.cpu": "2", "count/deployments.apps": 5, "requests.nvidia.com/gpu": 1,
                        "hugepages-2Mi": "1Gi", "requests.storage": "10Gi"}) is None
    assert quota_error(None) is None and quota_error({}) is None


@pytest.mark.parametrize("limits, message", [
    ({"requests": {"pods": "1"}}, "default_limits.requests[pods]: pods is not a container resource"),
    ({"limits": {"cpu": "x"}}, "default_limits.limits[cpu]: 'x' is not a Kubernetes quantity"),
    ({"requests": {"memory": "2Gi"}, "limits": {"memory": "1024Mi"}},
     "default_limits: the request for memory (2Gi) is larger than its limit (1024Mi); Kubernetes refuses that"),
])
def test_default_limits_errors(limits, message):
    assert message in limits_error(limits)


def test_default_limits_equal_request_and_limit_by_value_is_fine():
    assert limits_error({"requests": {"cpu": "1000m", "example.com/gpu": 1}, "limits": {"cpu": "1"}}) is None


# --- merging -----------------------------------------------------------------------------------------

def test_merged_hard_keeps_the_stored_spelling_of_equal_values():
    changed, hard = merged_hard({"cpu": "1000m", "pods": "10"}, {"cpu": "1", "memory": "1Gi"}, purge=False)
    assert changed and hard == {"cpu": "1000m", "pods": "10", "memory": "1Gi"}
    assert merged_hard({"cpu": "1000m"}, {"cpu": 1}, purge=False) == (False, {"cpu": "1000m"})


def test_merged_hard_with_purge_drops_the_resources_not_named():
    assert merged_hard({"cpu": "1", "pods": "10"}, {"cpu": "1"}, purge=True) == (True, {"cpu": "1"})
    assert merged_hard({"cpu": "1"}, {"cpu": "1"}, purge=True) == (False, {"cpu": "1"})
    assert merged_hard({"cpu": "1"}, {}, purge=True) == (True, {})


def test_larger_than_compares_values_and_skips_what_cannot_be_compared():
    assert larger_than({"cpu": "2", "memory": "1Gi", "pods": "x", "secrets": "5"},
                       {"cpu": "1500m", "memory": "1024Mi", "pods": "3"}) == {"cpu": ("2", "1500m")}


# --- a workspace quota -------------------------------------------------------------------------------

def ws_quota(hard):
    return {"apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota",
            "metadata": {"name": "team", "resourceVersion": "9"}, "spec": {"quota": {"hard": dict(hard)}}}


def test_another_spelling_of_the_same_quota_is_no_change():
    client = FakeClient().add(WS_QUOTA, ws_quota({"limits.cpu": "2", "limits.memory": "4Gi"}))
    out = WorkspaceQuota(client, "team").converge({"limits.cpu": "2000m", "limits.memory": "4096Mi"})
    assert not out.changed and client.writes == []
    assert out.before == out.after == {"limits.cpu": "2", "limits.memory": "4Gi"}


def test_a_change_is_one_put_keeping_the_resources_not_named_and_their_resource_version():
    client = FakeClient().add(WS_QUOTA, ws_quota({"limits.cpu": "2", "limits.memory": "4Gi"}))
    out = WorkspaceQuota(client, "team").converge({"limits.cpu": 4})
    (write,) = client.writes
    assert write[:2] == ("PUT", WS_QUOTA)
    assert write[2]["spec"]["quota"]["hard"] == {"limits.cpu": "4", "limits.memory": "4Gi"}
    assert write[2]["metadata"]["resourceVersion"] == "9"
    assert out.before == {"limits.cpu": "2"} and out.after == {"limits.cpu": "4"}   # only what the task names


def test_purge_shows_and_drops_everything_else():
    client = FakeClient().add(WS_QUOTA, ws_quota({"limits.cpu": "2", "pods": "10"}))
    out = WorkspaceQuota(client, "team").converge({"limits.cpu": "2"}, purge=True)
    assert out.changed and out.before == {"limits.cpu": "2", "pods": "10"} and out.after == {"limits.cpu": "2"}
    assert client.writes[0][2]["spec"]["quota"]["hard"] == {"limits.cpu": "2"}


def test_a_purge_that_leaves_nothing_deletes_the_quota_object():
    client = FakeClient().add(WS_QUOTA, ws_quota({"pods": "10"}))
    out = WorkspaceQuota(client, "team").converge({}, purge=True)
    assert out.changed and out.obj is None and client.writes == [("DELETE", WS_QUOTA, None)]


def test_a_missing_quota_is_posted_to_the_collection_in_the_console_shape():
    client = FakeClient()
    out = WorkspaceQuota(client, "team").converge({"limits.cpu": 2})
    (write,) = client.writes
    assert write[:2] == ("POST", WS_QUOTAS)
    assert write[2] == {"apiVersion": "quota.kubesphere.io/v1alpha2", "kind": "ResourceQuota",
                        "metadata": {"name": "team"}, "spec": {"quota": {"hard": {"limits.cpu": "2"}}}}
    assert out.before == {} and out.after == {"limits.cpu": "2"}


def test_known_missing_reads_nothing():
    client = FakeClient(read_only=True)
    out = WorkspaceQuota(client, "team", check_mode=True).converge({"pods": 1}, known_missing=True)
    assert out.changed and client.calls == []
    assert out.obj["spec"]["quota"]["hard"] == {"pods": "1"}


@pytest.mark.parametrize("stored, desired, purge, changed, hard", [
    ({"pods": "10"}, {"pods": "20"}, False, True, {"pods": "20"}),
    ({"pods": "10", "cpu": "1"}, {"pods": "10"}, False, False, {"pods": "10", "cpu": "1"}),
    ({"pods": "10", "cpu": "1"}, {"pods": "10"}, True, True, {"pods": "10"}),
    (None, {"pods": "10"}, False, True, {"pods": "10"}),
])
def test_check_mode_predicts_the_object_and_writes_nothing(stored, desired, purge, changed, hard):
    client = FakeClient(read_only=True)
    if stored is not None:
        client.add(WS_QUOTA, ws_quota(stored))
    out = WorkspaceQuota(client, "team", check_mode=True).converge(desired, purge=purge)
    assert out.changed is changed
    assert out.obj["spec"]["quota"]["hard"] == hard


def test_check_mode_predicts_a_purge_to_nothing_as_no_object():
    client = FakeClient(read_only=True).add(WS_QUOTA, ws_quota({"pods": "10"}))
    out = WorkspaceQuota(client, "team", check_mode=True).converge({}, purge=True)
    assert out.changed and out.obj is None and out.after == {}


# --- a project quota and default limits --------------------------------------------------------------

def test_a_project_quota_is_the_namespace_resource_quota_on_its_cluster():
    client = FakeClient()
    ProjectQuota(client, "web", cluster="member1").converge({"pods": "5"})
    assert client.calls[0][:3] == ("GET", P_QUOTA, "member1")
    assert client.calls[1][:3] == ("POST", P_QUOTAS, "member1")
    assert client.writes[0][2] == {"apiVersion": "v1", "kind": "ResourceQuota",
                                   "metadata": {"name": "web", "namespace": "web"}, "spec": {"hard": {"pods": "5"}}}


def limit_range(name, container=None, others=()):
    items = list(others)
    if container is not None:
        items.append(dict(container, type="Container"))
    return {"metadata": {"name": name, "namespace": "web", "resourceVersion": "4"}, "spec": {"limits": items}}


def test_the_limit_range_named_after_the_project_wins_else_the_first():
    first, named = limit_range("a-first"), limit_range("web")
    assert DefaultLimits.pick([first, named], "web") is named
    assert DefaultLimits.pick([first, limit_range("b")], "web") is first
    assert DefaultLimits.pick([], "web") is None


def test_default_limits_change_only_the_container_defaults_of_the_existing_limit_range():
    pod_item = {"type": "Pod", "max": {"cpu": "4"}}
    client = FakeClient().add(LIMITRANGES + "/console-made", limit_range(
        "console-made", {"default": {"cpu": "1", "memory": "512Mi"}, "defaultRequest": {"cpu": "100m"}}, [pod_item]))
    out = DefaultLimits(client, "web").converge({"limits": {"cpu": "1000m", "memory": "1Gi"}})
    (write,) = client.writes
    assert write[:2] == ("PUT", LIMITRANGES + "/console-made")
    body = write[2]
    assert body["kind"] == "LimitRange" and body["apiVersion"] == "v1"      # list items come without them
    assert body["spec"]["limits"][0] == pod_item
    assert body["spec"]["limits"][1] == {"type": "Container", "default": {"cpu": "1", "memory": "1Gi"},
                                         "defaultRequest": {"cpu": "100m"}}
    assert out.before == {"limits": {"cpu": "1", "memory": "512Mi"}}
    assert out.after == {"limits": {"cpu": "1", "memory": "1Gi"}}


def test_default_limits_by_value_are_no_change():
    client = FakeClient().add(LIMITRANGES + "/web", limit_range("web", {"defaultRequest": {"memory": "1Gi"}}))
    out = DefaultLimits(client, "web").converge({"requests": {"memory": "1024Mi"}})
    assert not out.changed and client.writes == []


def test_default_limits_without_a_limit_range_create_one_named_after_the_project():
    client = FakeClient()
    DefaultLimits(client, "web", cluster="member1").converge({"requests": {"cpu": "100m"}, "limits": {"cpu": 1}})
    (call,) = [c for c in client.calls if c[0] == "POST"]
    assert call[:3] == ("POST", LIMITRANGES, "member1")
    assert call[3]["metadata"] == {"name": "web", "namespace": "web"}
    assert call[3]["spec"]["limits"] == [{"type": "Container", "defaultRequest": {"cpu": "100m"},
                                          "default": {"cpu": "1"}}]


def test_default_limits_in_check_mode_predict_and_write_nothing():
    client = FakeClient(read_only=True)
    out = DefaultLimits(client, "web", check_mode=True).converge({"limits": {"cpu": "2"}})
    assert out.changed and out.obj["spec"]["limits"] == [{"type": "Container", "default": {"cpu": "2"}}]


def test_declared_is_the_option_a_limit_range_holds():
    obj = limit_range("web", {"default": {"memory": "1Gi", "cpu": "1"}}, [{"type": "Pod"}])
    assert DefaultLimits.declared(obj) == {"limits": {"cpu": "1", "memory": "1Gi"}}
    assert DefaultLimits.declared(None) == {}
