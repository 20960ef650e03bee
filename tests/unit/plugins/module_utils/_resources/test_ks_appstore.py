"""The App Store kinds' pure parts: credentials in repo URLs, masking, version names, packages, the review plan."""
import base64
import gzip
import io
import tarfile

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import MASK
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app import AppResource
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_package import (
    Package,
    PackageError,
    format_version,
)
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_release import masked_release
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_app_repo import (
    masked_repo,
    split_url,
    with_credentials,
)


def test_credentials_go_into_the_url_quoted_and_come_back_unquoted():
    url = with_credentials("https://charts.example.com/team", "reader", "p@ss:w/rd")
    assert url == "https://reader:p%40ss%3Aw%2Frd@charts.example.com/team"
    assert split_url(url) == ("https://charts.example.com/team", "reader", "p@ss:w/rd")
    assert split_url("http://127.0.0.1:8080/x") == ("http://127.0.0.1:8080/x", None, None)
    assert with_credentials("http://h/x", None, None) == "http://h/x"


def test_a_repo_is_shown_without_its_password_anywhere():
    repo = {"spec": {"url": "http://u:Secret-1@h/x", "credential": {"username": "u", "password": "Secret-1"}}}
    shown = masked_repo(repo)
    assert "Secret-1" not in repr(shown)
    assert shown["spec"] == {"url": "http://h/x", "credential": {"username": "u", "password": MASK}}
    assert repo["spec"]["credential"]["password"] == "Secret-1"      # the object read is left as it was


def test_a_yaml_release_shows_its_documents_with_secrets_masked():
    text = "kind: ConfigMap\napiVersion: v1\ndata: {a: b}\n---\nkind: Secret\napiVersion: v1\nstringData: {token: t1}\n"
    release = {"spec": {"appType": "yaml", "values": base64.b64encode(text.encode()).decode()},
               "status": {"realTimeResources": [{"kind": "Secret", "data": {"token": "dDE="}}]}}
    shown = masked_release(release)
    assert shown["spec"]["values"][0]["data"] == {"a": "b"}
    assert shown["spec"]["values"][1]["stringData"] == {"token": MASK}
    assert shown["status"]["realTimeResources"][0]["data"] == {"token": MASK}
    helm = masked_release({"spec": {"appType": "helm", "values": base64.b64encode(b"replicas: 2\n").decode()}})
    assert helm["spec"]["values"] == {"replicas": 2}


@pytest.mark.parametrize("version, name", [("1.0.0", "1.0.0"), ("v2", "v2"),
                                           ("1.0.0+Build", "%s" % __import__("hashlib").sha1(b"1.0.0+Build").hexdigest()[:12])])
def test_version_names_as_the_server_makes_them(version, name):
    assert format_version(version) == name


def _chart(tmp_path, chart_yaml="name: hello\nversion: 1.2.3\n"):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        data = chart_yaml.encode()
        info = tarfile.TarInfo("hello/Chart.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "hello.tgz"
    path.write_bytes(gzip.compress(raw.getvalue()))
    return str(path)


def test_a_chart_gives_its_name_and_version(tmp_path):
    package = Package(_chart(tmp_path), "helm")
    assert (package.chart_name, package.chart_version) == ("hello", "1.2.3")
    assert package.same_as(package.data) and not package.same_as(b"other")


def test_bad_packages_are_refused_before_anything_is_sent(tmp_path):
    text = tmp_path / "a.yaml"
    text.write_text("kind: ConfigMap\napiVersion: v1\n")
    with pytest.raises(PackageError, match="not a Helm chart archive"):
        Package(str(text), "helm")
    with pytest.raises(PackageError, match="no name or version"):
        Package(_chart(tmp_path, "name: hello\n"), "helm")
    no_kind = tmp_path / "b.yaml"
    no_kind.write_text("metadata: {name: x}\n")
    with pytest.raises(PackageError, match="kind and apiVersion"):
        Package(str(no_kind), "yaml")
    with pytest.raises(PackageError, match="is not a file"):
        Package(str(tmp_path / "missing.tgz"), "helm")


def test_yaml_packages_are_compared_as_data(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("kind: ConfigMap\napiVersion: v1\ndata: {a: b}\n")
    package = Package(str(path), "yaml")
    assert package.same_as(b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n")
    assert not package.same_as(b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: c\n")


def _plan(state, app_state, version_state, others=()):
    res = AppResource(None, dict(name="hello", workspace="ws", version="1.0.0", app_type="helm", state=state))
    version = {"metadata": {"name": "hello-1.0.0"}, "spec": {"versionName": "1.0.0"}, "status": {"state": version_state}}
    res._versions = dict(("o%d" % i, {"status": {"state": s}}) for i, s in enumerate(others))
    res._versions["1.0.0"] = version
    return res._decide(state, {"status": {"state": app_state}}, "1.0.0", version, None)


@pytest.mark.parametrize("state, app_state, version_state, actions, app_action", [
    ("draft", "draft", "submitted", [], None),                 # a version is never moved back
    ("submitted", "draft", "draft", ["submitted"], None),
    ("submitted", "draft", "rejected", ["submitted"], None),
    ("submitted", "active", "active", [], None),
    ("active", "draft", "draft", ["submitted", "passed", "active"], "active"),
    ("active", "draft", "passed", ["active"], "active"),
    ("active", "suspended", "suspended", ["active"], "active"),  # the version first: the app needs an active one
    ("active", "active", "active", [], None),
    ("suspended", "active", "active", [], "suspended"),
    ("suspended", "suspended", "suspended", [], None),
])
def test_the_review_is_walked_in_the_stores_order(state, app_state, version_state, actions, app_action):
    plan = _plan(state, app_state, version_state)
    assert (plan["actions"], plan["app_action"], plan["problem"]) == (actions, app_action, None)


def test_only_an_active_app_is_suspended():
    assert "only an app in the store (active) can be suspended" in _plan("suspended", "draft", "draft")["problem"]
