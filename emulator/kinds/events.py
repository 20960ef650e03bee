"""core/v1 Events: what controllers record about an object (the App Store's repo controller does)."""

from ..registry import Kind, register_kind

EVENT = register_kind(Kind(group="", version="v1", plural="events", kind="Event", namespaced=True, custom=False,
                           kapis_generic=False))
