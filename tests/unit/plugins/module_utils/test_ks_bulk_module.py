"""Items of the wrong shape are named with the shape expected (Ansible's own validator names internal
classes), and what that validator accepts is left to it."""
from ansible_collections.kubesphere.core.plugins.module_utils.ks_bulk_module import check_options, shape_errors
from ansible_collections.kubesphere.core.plugins.module_utils._bulk.ks_tenancy import KINDS

WORKSPACE = next(kind for kind in KINDS if kind.option == "workspaces").options


def test_members_of_the_wrong_shape_are_named_with_the_shape_expected():
    assert shape_errors(WORKSPACE, {"name": "w", "members": "bob"}) == [
        "members must be a list of {user: ..., role: ...}, not a string"]
    assert shape_errors(WORKSPACE, {"name": "w", "members": {"user": "bob", "role": "admin"}}) == [
        "members must be a list of {user: ..., role: ...}, not a mapping"]
    assert sorted(shape_errors(WORKSPACE, {"name": "w", "members": ["bob", 3], "labels": ["team"]})) == [
        "labels must be a mapping, not a list",
        "members[0] must be a mapping such as {user: ..., role: ...}, not a string",
        "members[1] must be a mapping such as {user: ..., role: ...}, not a number"]


def test_what_ansible_accepts_is_left_to_it():
    assert shape_errors(WORKSPACE, {"name": "w", "members": "user=bob role=admin", "labels": "team=a"}) == []
    params, errors = check_options(WORKSPACE, {"name": "w", "members": [{"user": "bob", "role": "admin"}]})
    assert errors == [] and params["members"] == [{"user": "bob", "role": "admin"}]
