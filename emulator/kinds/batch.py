"""batch/v1 Jobs: the InstallPlan controller's Helm executor runs in them."""

from ..registry import Kind, register_kind

JOB = register_kind(Kind(group="batch", version="v1", plural="jobs", kind="Job", namespaced=True, custom=False,
                         status_subresource=True, kapis_generic=False))
