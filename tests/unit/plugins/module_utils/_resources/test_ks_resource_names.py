"""Resource names a quota and a container's default limits may name: kube-apiserver's rules, as a real
v4.1.3 (kube-apiserver v1.36.2) answered them (quota-names.json: 422 for cpuu, limits.cpus, a container's
limits.cpu and Memory; 201 for count/deployments.apps, requests.nvidia.com/gpu, example.com/foo)."""

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_quota import limits_error, quota_error
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_resource_names import (
    container_name_error,
    quota_name_error,
)


@pytest.mark.parametrize("name", ["cpu", "limits.cpu", "requests.memory", "pods", "services.loadbalancers",
                                  "count/deployments.apps", "requests.nvidia.com/gpu", "example.com/foo",
                                  "hugepages-2Mi", "requests.hugepages-1Gi", "requests.storage"])
def test_names_a_quota_may_limit(name):
    assert quota_name_error(name) is None


@pytest.mark.parametrize("name", ["cpuu", "limits.cpus", "storage", "Memory", "a/b/c", "Example.com/gpu", "/gpu",
                                  "example.com/"])
def test_names_a_quota_may_not_limit(name):
    assert name in quota_name_error(name)


@pytest.mark.parametrize("name", ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu",
                                  "kubernetes.io/foo"])
def test_container_resources(name):
    assert container_name_error(name) is None


@pytest.mark.parametrize("name", ["limits.cpu", "cpuu", "Memory", "pods", "requests.example.com/gpu", "a/b/c"])
def test_not_container_resources(name):
    assert name in container_name_error(name)


def test_the_options_name_the_key_at_fault():
    assert quota_error({"cpu": "1", "limits.cpus": "2"}).startswith("quota[limits.cpus]: limits.cpus is not a resource")
    assert limits_error({"requests": {"cpu": "1"}, "limits": {"limits.cpu": "1"}}).startswith(
        "default_limits.limits[limits.cpu]: limits.cpu is not a container resource")
    assert "'two' is not a Kubernetes quantity" in quota_error({"limits.cpu": "two"})
    assert limits_error({"requests": {"cpu": "1"}, "limits": {"cpu": "2", "example.com/gpu": "1"}}) is None
