"""The host's clusterlabel controller (pkg/controller/clusterlabel, v4.1.3), woken by Label changes
only (a deleted Cluster stays in the labels that named it, as recorded):

* no finalizer: add finalizers.kubesphere.io/cluster-label;
* each cluster of spec.clusters that exists gets label.cluster.kubesphere.io/<label>: "";
  spec.clusters becomes the sorted set of those that exist when that differs (duplicates from
  label bindings, clusters that are gone);
* deletion: the label leaves the clusters it names, then the finalizers go."""

from ..kinds.cluster import CLUSTER, LABEL, LABEL_FINALIZER, LABEL_ON_CLUSTER
from ..objects import is_deleting
from .runtime import controller


@controller("cluster.kubesphere.io", "labels")
def reconcile_label(ctx, ref):
    label = ctx.api.view(ctx.host).get(LABEL, ref.name)
    if label is None:
        return None
    key = LABEL_ON_CLUSTER % ref.name
    clusters = (label.get("spec") or {}).get("clusters") or []
    if is_deleting(label):
        for name in clusters:
            ctx.store.mutate(ctx.host, CLUSTER, name, "",
                             lambda o: o["metadata"].get("labels", {}).pop(key, None) is not None)
        ctx.store.mutate(ctx.host, LABEL, ref.name, "", lambda o: o["metadata"].pop("finalizers", None) is not None)
        return None
    if not label["metadata"].get("finalizers"):
        ctx.store.mutate(ctx.host, LABEL, ref.name, "",
                         lambda o: o["metadata"].__setitem__("finalizers", [LABEL_FINALIZER]))
        return None
    existing = []
    for name in sorted(set(clusters)):
        if ctx.api.view(ctx.host).get(CLUSTER, name) is None:
            continue
        existing.append(name)
        ctx.store.mutate(ctx.host, CLUSTER, name, "", lambda o: _labelled(o, key))
    if len(existing) != len(clusters):
        ctx.store.mutate(ctx.host, LABEL, ref.name, "", lambda o: _clusters(o, existing))
    return None


def _labelled(cluster, key):
    labels = cluster["metadata"].setdefault("labels", {})
    if key in labels:
        return False
    labels[key] = ""
    return True


def _clusters(label, names):
    if names:
        label["spec"]["clusters"] = names
    else:
        label["spec"].pop("clusters", None)
