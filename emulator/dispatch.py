"""Multi-cluster dispatch: /clusters/{c}/... (v4) and the legacy infix forms
/kapis/clusters/{c}/..., /apis/clusters/{c}/..., /api/clusters/{c}/...

Runs after authentication and before authorization, so its errors come back
even without a token. They are the Status struct wrapped in "ErrStatus":
unknown cluster 400, cluster not Ready 503. "host" always means the host.
"""

from .errors import err_status_response
from .kinds.cluster import CLUSTER, is_ready

_INFIX = ("/kapis/clusters/", "/apis/clusters/", "/api/clusters/")


def split_cluster(path):
    """(cluster name or None, path without the cluster part)."""
    if path.startswith("/clusters/"):
        name, _sep, tail = path[len("/clusters/"):].partition("/")
        return name, "/" + tail
    for prefix in _INFIX:
        if path.startswith(prefix):
            name, _sep, tail = path[len(prefix):].partition("/")
            return name, prefix[:-len("clusters/")] + tail
    return None, path


def resolve(app, path):
    """(cluster, inner path), or an error Response."""
    name, inner = split_cluster(path)
    if name is None or name in ("host", app.host):
        return app.host, inner
    cluster = app.api.view(app.host).get(CLUSTER, name)
    if cluster is None:
        return err_status_response(400, "BadRequest", f"cluster {name} not exists")
    if not is_ready(cluster):
        return err_status_response(503, "ServiceUnavailable", f"cluster {name} is not ready")
    app.ensure_cluster(name)
    return name, inner
