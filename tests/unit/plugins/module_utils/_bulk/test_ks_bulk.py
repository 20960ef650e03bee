# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The bulk runner's planning and ordering (ks_tenancy), over a fake server of two kinds."""

import threading

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_names import USERS
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_bulk import BulkRun, Kind, Listing, summarize
from ansible_collections.kubesphere.core.plugins.module_utils.ks_bulk_module import check_options, secrets_of
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import Field, Outcome, Resource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_managed import mark_managed
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_tenancy import KINDS
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_user import USER_OPTIONS, UserResource


class FakeServer:
    """Objects by path; records every request; can refuse writes to chosen paths."""

    def __init__(self, objects=None, refuse=()):
        self.objects = dict(objects or {})
        self.refuse = set(refuse)
        self.requests = []
        self.logins = 0
        self.lock = threading.Lock()
        self.thread = threading.local()

    def login(self):
        self.logins += 1

    def _log(self, method, path):
        with self.lock:
            self.requests.append((method, path))

    def get(self, path, cluster=None, query=None, missing_ok=False):
        self._log("GET", path)
        if path not in self.objects:
            if missing_ok:
                return None
            raise KubeSphereError("not found", status=404)
        return self.objects[path]

    def list_all(self, path, cluster=None, query=None, page_size=500):
        self._log("LIST", path)
        return [o for p, o in sorted(self.objects.items()) if p.rsplit("/", 1)[0] == path]

    def writes_in_thread(self):
        return getattr(self.thread, "writes", 0)

    def _write(self, method, path, body=None):
        self._log(method, path)
        if path in self.refuse:
            raise KubeSphereError("refused", method=method, url=path, status=500)
        self.thread.writes = self.writes_in_thread() + 1
        if method == "DELETE":
            self.objects.pop(path, None)
        else:
            self.objects[path] = body
        return body

    def post(self, path, body, cluster=None):
        return self._write("POST", path + "/" + body["metadata"]["name"], body)

    def put(self, path, body, cluster=None):
        return self._write("PUT", path, body)

    def delete(self, path, cluster=None, body=None, missing_ok=False):
        return self._write("DELETE", path)


class Thing(Resource):
    """A minimal kind: /things/{name} with a colour, and optional parent / friends."""

    base = "/things"
    kind = "thing"
    fields = dict(colour=Field(("spec", "colour")))

    def validate(self, state):
        return None if self.params["name"].islower() else "name %r must be lower case" % self.params["name"]

    def path(self):
        return "%s/%s" % (self.base, self.params["name"])

    def read(self):
        return self.client.get(self.path(), missing_ok=True)

    def new_object(self):
        return mark_managed({"metadata": {"name": self.params["name"]}, "spec": {}})

    def create(self, body):
        return self.client.post(self.base, body)

    def update(self, current, body, changed):
        return self.client.put(self.path(), body)

    def delete(self, current):
        self.client.delete(self.path())

    def children(self, obj, state):
        if state == "absent" or not self.params.get("friends"):
            return []
        for friend in self.params["friends"]:
            self.client.put("%s/%s/friends/%s" % (self.base, self.params["name"], friend), {})
        return [("friends", Outcome(True, [], self.params["friends"], None))]


class Box(Thing):
    base = "/boxes"
    kind = "box"


OPTIONS = dict(name=dict(type="str", required=True),
               state=dict(type="str", default="present", choices=["present", "absent"]),
               colour=dict(type="str"), secret=dict(type="str", no_log=True),
               parent=dict(type="str"), friends=dict(type="list", elements="str"))


def load(base):
    def loader(client, run):
        return Listing(dict(((None, o["metadata"]["name"]), o) for o in client.list_all(base)))
    return loader


TABLE = (
    Kind("things", "thing", Thing, OPTIONS, load=load("/things"),
         refs=lambda p: [("thing", (None, f)) for f in p.get("friends") or []]),
    Kind("boxes", "box", Box, OPTIONS, load=load("/boxes"),
         refs=lambda p: [("thing", (None, p["parent"]))] if p.get("parent") else []),
)


def run_of(items, server, **kwargs):
    run = BulkRun(TABLE, items, {"ks_username": "me"}, check_options, **kwargs)
    assert run.validate() == []
    return run, run.execute(server)


def obj(name, managed=True, colour=None):
    body = {"metadata": {"name": name}, "spec": {"colour": colour} if colour else {}}
    return mark_managed(body) if managed else body


def test_every_input_error_of_every_item_at_once():
    run = BulkRun(TABLE, {"things": [{"name": "Bad"}, {"name": "a", "colur": "red"}, {"name": "a"}, {"name": "a"}],
                          "boxes": [{"state": "gone"}, "not a dict"]},
                  {}, check_options, concurrency=40, prune=["things", "cats"])
    errors = run.validate()
    text = "\n".join(errors)
    assert "things[0] (Bad): name 'Bad' must be lower case" in text
    assert "things[1] (a): " in text and "colur" in text
    assert "things[3] (a): thing a is declared twice (also at things[2])" in text
    assert "boxes[0]" in text and "name" in text and "state" in text
    assert "boxes[1] must be a dictionary" in text
    assert "concurrency must be between 1 and 32" in text and "'cats'" in text


def test_order_objects_then_children_then_removals_in_reverse():
    server = FakeServer({"/things/old": obj("old"), "/boxes/oldbox": obj("oldbox")})
    items = {"things": [{"name": "a", "friends": ["b"]}, {"name": "b"}, {"name": "old", "state": "absent"}],
             "boxes": [{"name": "x", "parent": "a"}, {"name": "oldbox", "state": "absent", "parent": "old"}]}
    results = run_of(items, server, concurrency=1)[1]
    writes = [r for r in server.requests if r[0] not in ("GET", "LIST")]
    assert writes == [("POST", "/things/a"), ("POST", "/things/b"), ("POST", "/boxes/x"),
                      ("PUT", "/things/a/friends/b"), ("DELETE", "/boxes/oldbox"), ("DELETE", "/things/old")]
    assert [(r["name"], r["action"]) for r in results] == [
        ("a", "created"), ("b", "created"), ("x", "created"), ("oldbox", "deleted"), ("old", "deleted")]
    assert server.logins == 1


def test_reads_come_from_the_lists_one_request_per_collection():
    server = FakeServer({"/things/a": obj("a", colour="red"), "/boxes/x": obj("x")})
    items = {"things": [{"name": "a", "colour": "red"}, {"name": "n"}], "boxes": [{"name": "x"}]}
    results = run_of(items, server, check_mode=True)[1]
    assert sorted(server.requests) == [("LIST", "/boxes"), ("LIST", "/things")]
    assert [r["action"] for r in results] == ["unchanged", "created", "unchanged"]


def test_a_failed_item_skips_its_dependants_and_the_rest_go_on():
    server = FakeServer(refuse={"/things/a"})
    items = {"things": [{"name": "a"}, {"name": "b"}],
             "boxes": [{"name": "x", "parent": "a"}, {"name": "y", "parent": "b"}, {"name": "z", "parent": "ghost"}]}
    results = run_of(items, server)[1]
    by_name = dict((r["name"], r) for r in results)
    assert by_name["a"]["action"] == "failed" and "refused" in by_name["a"]["msg"] and not by_name["a"]["changed"]
    assert by_name["x"]["action"] == "skipped" and "thing a, which failed" in by_name["x"]["msg"]
    assert by_name["z"]["action"] == "failed" and "thing ghost, which does not exist" in by_name["z"]["msg"]
    assert by_name["b"]["action"] == by_name["y"]["action"] == "created"
    assert ("POST", "/boxes/x") not in server.requests and ("POST", "/boxes/z") not in server.requests
    assert summarize(TABLE, results)["boxes"] == dict(created=1, updated=0, deleted=0, unchanged=0, failed=1, skipped=1)


def test_declared_earlier_counts_as_existing_also_in_check_mode():
    server = FakeServer()
    results = run_of({"things": [{"name": "a"}], "boxes": [{"name": "x", "parent": "a"}]}, server, check_mode=True)[1]
    assert [r["action"] for r in results] == ["created", "created"]
    assert all(request[0] in ("GET", "LIST") for request in server.requests)


def test_a_reference_to_an_object_this_run_removes_fails():
    server = FakeServer({"/things/a": obj("a")})
    results = run_of({"things": [{"name": "a", "state": "absent"}], "boxes": [{"name": "x", "parent": "a"}]}, server)[1]
    assert results[0]["action"] == "failed" and "which this task removes" in results[0]["msg"]


def test_prune_removes_only_undeclared_managed_objects():
    server = FakeServer({"/things/keep": obj("keep"), "/things/stale": obj("stale"), "/things/hand": obj("hand", False),
                         "/things/used": obj("used"), "/boxes/stale": obj("stale")})
    run, results = run_of({"things": [{"name": "keep", "friends": ["used"]}]}, server, prune=["things"])
    assert [(r["name"], r["action"], r.get("pruned")) for r in results] == [
        ("keep", "updated", None), ("stale", "deleted", True)]
    assert "/boxes/stale" in server.objects and "/things/hand" in server.objects     # another kind; unmanaged
    assert "/things/used" in server.objects                                            # a declared item names it
    assert any("used" in w for w in run.warnings)


def test_prune_never_removes_the_user_the_task_runs_as():
    users = Kind("users", "user", UserResource, USER_OPTIONS, load=load(USERS))
    server = FakeServer({USERS + "/me": obj("me"), USERS + "/admin": obj("admin"), USERS + "/old": obj("old"),
                         USERS + "/kept": obj("kept")})
    run = BulkRun([users], {"users": [{"name": "kept"}]}, {"ks_username": "me"}, check_options, prune=["users"])
    assert run.validate() == []
    assert [r["name"] for r in run.execute(server) if r["action"] == "deleted"] == ["old"]  # not me, nor admin


def test_concurrency_keeps_the_order_of_phases():
    server = FakeServer()
    items = {"things": [{"name": "t%02d" % i} for i in range(30)],
             "boxes": [{"name": "b%02d" % i, "parent": "t%02d" % i} for i in range(30)]}
    results = run_of(items, server, concurrency=8)[1]
    posts = [p for m, p in server.requests if m == "POST"]
    assert max(i for i, p in enumerate(posts) if p.startswith("/things")) < \
        min(i for i, p in enumerate(posts) if p.startswith("/boxes"))
    assert [r["name"] for r in results] == [i["name"] for i in items["things"] + items["boxes"]]


def test_item_secrets_are_found_for_masking():
    assert secrets_of(OPTIONS, {"name": "a", "secret": "S3cret"}) == {"S3cret"}
    user_kind = next(k for k in KINDS if k.option == "users")
    assert secrets_of(user_kind.options, {"name": "a", "password": "Pa55word-x"}) == {"Pa55word-x"}


def test_the_tenancy_items_take_the_modules_own_options():
    from ansible_collections.kubesphere.core.plugins.module_utils._resources import (
        ks_app_repo, ks_project, ks_role, ks_user, ks_workspace)
    assert [(k.option, k.options) for k in KINDS] == [("users", ks_user.USER_OPTIONS),
                                                      ("workspaces", ks_workspace.WORKSPACE_OPTIONS),
                                                      ("projects", ks_project.PROJECT_OPTIONS),
                                                      ("roles", ks_role.ROLE_OPTIONS),
                                                      ("app_repos", ks_app_repo.APP_REPO_OPTIONS)]


@pytest.mark.parametrize("item, problem", [
    ({"name": "w", "labels": {"app.kubernetes.io/managed-by": "me"}}, "must not set app.kubernetes.io/managed-by"),
])
def test_the_management_label_is_not_the_users_to_set(item, problem):
    from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_workspace import WorkspaceResource
    assert problem in WorkspaceResource(None, dict(item)).validate("present")


def test_references_come_from_the_lists_and_the_declaration():
    from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_bulk import BulkReferences
    run = BulkRun(KINDS, {"users": [{"name": "new"}, {"name": "gone", "state": "absent"}],
                          "workspaces": [{"name": "fresh"}]}, {}, check_options)
    assert run.validate() == []
    run.inventory = {"users": {(None, "old"): {}, (None, "gone"): {}}, "workspaces": None, "projects": {}}
    asked = []

    class Server:
        def workspace_exists(self, name):
            asked.append(name)
            return False

        def role_exists(self, *args, **kwargs):
            asked.append(args)
            return False
    refs = BulkReferences(run, fallback=Server())
    assert refs.user_exists("new") and refs.user_exists("old")            # declared; listed
    assert not refs.user_exists("gone") and not refs.user_exists("ghost")  # declared absent; not listed
    assert refs.workspace_exists("fresh") and not refs.workspace_exists("other") and asked == ["other"]
    assert not refs.role_exists("workspace", "custom", workspace="fresh") and asked[-1] == ("workspace", "custom")
    assert not refs.role_exists("global", "custom") and asked[-1] == ("global", "custom")
    assert BulkReferences(run).role_exists("global", "custom")              # no fallback: the server judges


def test_declared_and_listed_roles_answer_the_role_references():
    from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_bulk import BulkReferences
    run = BulkRun(KINDS, {"roles": [{"name": "auditor", "templates": ["global-view-users"]},
                                    {"name": "releaser", "scope": "workspace", "workspace": "pay"},
                                    {"name": "old", "scope": "workspace", "workspace": "pay", "state": "absent"},
                                    {"name": "deployer", "scope": "project", "project": "api", "cluster": "m1"}]},
                  {}, check_options)
    assert run.validate() == []
    run.role_lists = {"global": {"listed": {}}}

    class Server:
        def role_exists(self, *args, **kwargs):
            return "asked"
    refs = BulkReferences(run, fallback=Server())
    assert refs.role_exists("global", "auditor") is True
    assert refs.role_exists("global", "listed") is True and refs.role_exists("global", "ghost") is False
    assert refs.role_exists("workspace", "releaser", workspace="pay") is True
    assert refs.role_exists("workspace", "releaser", workspace="other") == "asked"   # another workspace's
    assert refs.role_exists("workspace", "old", workspace="pay") is False           # declared absent
    assert refs.role_exists("project", "deployer", namespace="api", cluster="m1") is True
    assert refs.role_exists("project", "deployer", namespace="api", cluster=None) == "asked"


def test_roles_run_right_after_what_they_live_in_and_go_in_reverse():
    run = BulkRun(KINDS, {"users": [{"name": "u"}], "workspaces": [{"name": "w"}, {"name": "x", "state": "absent"}],
                          "projects": [{"name": "p", "workspace": "w"}],
                          "roles": [{"name": "g"}, {"name": "wr", "scope": "workspace", "workspace": "w"},
                                    {"name": "pr", "scope": "project", "project": "p"},
                                    {"name": "xr", "scope": "workspace", "workspace": "x", "state": "absent"}]},
                  {}, check_options)
    assert run.validate() == []
    order = [(step, [i.label for i in items]) for step, items in run.phases()]
    assert order == [("object", ["role g (global)"]), ("object", ["user u"]), ("object", ["workspace w"]),
                     ("object", ["role wr (workspace) in workspace w"]), ("object", ["project p"]),
                     ("object", ["role pr (project) in project p"]),
                     ("children", ["user u"]), ("children", ["workspace w"]), ("children", ["project p"]),
                     ("children", ["role g (global)", "role wr (workspace) in workspace w",
                                   "role pr (project) in project p"]),
                     ("object", ["role xr (workspace) in workspace x"]), ("object", ["workspace x"])]


def test_an_item_that_failed_after_a_write_went_through_reports_changed():
    server = FakeServer({"/things/a": obj("a"), "/things/b": obj("b"), "/things/c": obj("c")},
                        refuse={"/things/a/friends/c"})
    results = run_of({"things": [{"name": "a", "friends": ["b", "c"]}, {"name": "b"}, {"name": "c"}]}, server)[1]
    by_name = dict((r["name"], r) for r in results)
    assert by_name["a"]["action"] == "failed" and by_name["a"]["changed"]        # friends/b was written
    assert not by_name["b"]["changed"] and ("PUT", "/things/a/friends/b") in server.requests


def test_a_kind_that_cannot_be_pruned_is_refused_with_its_reason():
    table = TABLE + (Kind("crates", "crate", Thing, OPTIONS, load=load("/crates"), not_prunable="no label sticks"),)
    run = BulkRun(table, {"crates": [{"name": "a"}]}, {}, check_options, prune=["crates", "things"],
                  allow_empty_prune=True)
    assert run.validate() == ["prune names crates, which cannot be pruned: no label sticks"]


class Synced(Thing):
    """A kind whose module does more once converged (as a repo's sync): finish runs after its members."""

    def finish(self, outcome, wait):
        self.client.put("%s/sync" % self.path(), {"wait": wait})
        outcome.changed = True
        return {}


def test_the_resources_finish_runs_last_and_counts_as_a_change():
    table = (Kind("things", "thing", Synced, OPTIONS, load=load("/things")),)
    server = FakeServer({"/things/a": obj("a", colour="red"), "/things/b": obj("b")})
    run = BulkRun(table, {"things": [{"name": "a", "colour": "red", "friends": ["b"]}, {"name": "b", "state": "absent"}]},
                  {}, check_options)
    assert run.validate() == []
    results = run.execute(server)
    writes = [r for r in server.requests if r[0] != "LIST" and r[0] != "GET"]
    assert writes == [("PUT", "/things/a/friends/b"), ("PUT", "/things/a/sync"), ("DELETE", "/things/b"),
                      ("PUT", "/things/b/sync")]
    assert [(r["name"], r["changed"]) for r in results] == [("a", True), ("b", True)]
