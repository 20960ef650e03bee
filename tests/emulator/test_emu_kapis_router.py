"""kapis routing: misses, method and media type errors, the v4 generic handler."""

USERS = "/kapis/iam.kubesphere.io/v1beta1/users"


def test_router_answers(admin):
    def answer(method, path, **kwargs):
        response = admin.request(method, path, **kwargs)
        return response.status_code, response.text
    assert answer("GET", "/kapis/iam.kubesphere.io/v1beta1/nosuchthings") == (404, "404: Page Not Found")
    assert answer("GET", "/kapis/iam.kubesphere.io/v1alpha2/users") == (404, "404: Page Not Found")
    assert answer("GET", "/foo/bar") == (404, "404: Page Not Found")
    assert answer("DELETE", USERS) == (405, "405: Method Not Allowed")
    assert answer("POST", "/version", json={}) == (405, "405: Method Not Allowed")
    assert answer("GET", USERS + "/admin", headers={"Accept": "application/xml"}) == \
        (406, "406: Not Acceptable\n\nAvailable representations: application/json")
    assert answer("POST", USERS, data="{}", headers={"Content-Type": "text/plain"}) == \
        (400, "[ServiceError:400] Unable to unmarshal content of type:text/plain\n")
    assert answer("GET", "/healthz") == (200, "ok")
    head = admin.request("HEAD", "/openapi/v2")
    assert head.status_code == 200 and head.text == ""


def test_generic_handler(admin):
    listed = admin.get("/kapis/iam.kubesphere.io/v1beta1/globalroles?sortBy=name&ascending=true").json()
    assert set(listed) == {"metadata", "items"}
    names = [r["metadata"]["name"] for r in listed["items"]]
    assert names == sorted(names) and "platform-admin" in names
    assert listed["metadata"] == {"continue": str(len(names)), "remainingItemCount": 0}
    paged = admin.get("/kapis/iam.kubesphere.io/v1beta1/globalroles?limit=2&page=1").json()
    assert len(paged["items"]) == 2 and paged["metadata"]["remainingItemCount"] == len(names) - 2
    one = admin.get("/kapis/iam.kubesphere.io/v1beta1/globalroles/platform-regular").json()
    assert one["kind"] == "GlobalRole"
    missing = admin.get("/kapis/iam.kubesphere.io/v1beta1/globalroles/nope")
    assert (missing.status_code, missing.text) == (404, 'GlobalRole.iam.kubesphere.io "nope" not found\n')
    clusters = admin.get("/kapis/cluster.kubesphere.io/v1alpha1/clusters").json()
    assert all(c["spec"]["connection"].get("kubeconfig") for c in clusters["items"])
