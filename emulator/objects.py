"""Small helpers over plain-dict Kubernetes objects."""

_META_ORDER = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation",
               "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
               "labels", "annotations", "ownerReferences", "finalizers", "managedFields")


def clone(obj):
    """A deep copy of JSON-like data (faster than copy.deepcopy)."""
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone(v) for v in obj]
    return obj


def meta(obj):
    return obj.setdefault("metadata", {})


def name_of(obj):
    return (obj.get("metadata") or {}).get("name", "")


def namespace_of(obj):
    return (obj.get("metadata") or {}).get("namespace", "") or ""


def labels_of(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def annotations_of(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def set_label(obj, key, value):
    meta(obj).setdefault("labels", {})[key] = value


def set_annotation(obj, key, value):
    meta(obj).setdefault("annotations", {})[key] = value


def finalizers_of(obj):
    return list((obj.get("metadata") or {}).get("finalizers") or [])


def add_finalizer(obj, finalizer):
    """Returns True when the finalizer was missing and has been added."""
    finalizers = meta(obj).setdefault("finalizers", [])
    if finalizer in finalizers:
        return False
    finalizers.append(finalizer)
    return True


def remove_finalizer(obj, finalizer):
    finalizers = (obj.get("metadata") or {}).get("finalizers") or []
    if finalizer not in finalizers:
        return False
    finalizers.remove(finalizer)
    if not finalizers:
        obj["metadata"].pop("finalizers", None)
    return True


def is_deleting(obj):
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def go_ordered(obj, with_type=True):
    """Field order of a Go struct marshalled by a typed client: kind, apiVersion,
    metadata (in ObjectMeta order), then the rest as stored."""
    out = {}
    if with_type:
        for key in ("kind", "apiVersion"):
            if key in obj:
                out[key] = obj[key]
    if "metadata" in obj:
        metadata = obj["metadata"]
        ordered = {k: metadata[k] for k in _META_ORDER if k in metadata}
        ordered.update({k: v for k, v in metadata.items() if k not in ordered})
        out["metadata"] = ordered
    for key, value in obj.items():
        if key not in ("kind", "apiVersion", "metadata"):
            out[key] = value
    return out


def without_type(obj):
    """kapis create responses carry no kind/apiVersion (recorded)."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
