"""ks_cluster's kubeconfig comparison: the cluster reached and the credential held, not the text."""
import pytest
import yaml

from ansible_collections.kubesphere.core.plugins.module_utils._resources import ks_kubeconfig as kc

BASE = {"apiVersion": "v1", "kind": "Config", "current-context": "edge",
        "clusters": [{"name": "edge", "cluster": {"server": "https://Edge.example.com:443/",
                                                  "certificate-authority-data": "Q0E="}}],
        "contexts": [{"name": "edge", "context": {"cluster": "edge", "user": "admin"}}],
        "users": [{"name": "admin", "user": {"token": "token-one"}}]}


def text(config):
    return yaml.safe_dump(config)


def variant(**changes):
    config = yaml.safe_load(text(BASE))
    for key, value in changes.items():
        if key == "server":
            config["clusters"][0]["cluster"]["server"] = value
        elif key == "token":
            config["users"][0]["user"]["token"] = value
        elif key == "ca":
            config["clusters"][0]["cluster"]["certificate-authority-data"] = value
    return text(config)


def test_names_and_order_do_not_count():
    renamed = {"current-context": "other", "kind": "Config", "apiVersion": "v1",
               "users": [{"name": "someone", "user": {"token": "token-one"}}],
               "contexts": [{"name": "other", "context": {"user": "someone", "cluster": "c"}},
                            {"name": "unused", "context": {"user": "x", "cluster": "y"}}],
               "clusters": [{"name": "c", "cluster": {"certificate-authority-data": "Q0E=",
                                                      "server": "https://edge.example.com"}}]}
    assert kc.same(text(BASE), yaml.safe_dump(renamed, sort_keys=False))


@pytest.mark.parametrize("changes", [{"token": "token-two"}, {"server": "https://edge.example.com:6443"},
                                     {"ca": "T1RIRVI="}])
def test_credential_server_or_ca_count(changes):
    assert not kc.same(text(BASE), variant(**changes))


def test_servers_are_normalised():
    assert kc.normal_server("HTTPS://Edge.Example.com/") == "https://edge.example.com:443"
    assert kc.normal_server("http://10.0.0.1") == "http://10.0.0.1:80"
    assert kc.normal_server("https://[::1]:6443") == "https://[::1]:6443"


def test_content_or_path(tmp_path):
    path = tmp_path / "edge.yaml"
    path.write_text(text(BASE))
    assert kc.load_text(str(path)) == text(BASE)
    assert kc.load_text(text(BASE)) == text(BASE)
    with pytest.raises(kc.KubeconfigProblem, match="not a file"):
        kc.load_text(str(tmp_path / "missing.yaml"))


@pytest.mark.parametrize("config, words", [
    ({"clusters": []}, "no current-context"),
    (dict(BASE, **{"current-context": "gone"}), "not among its contexts"),
    ("just text", "not a kubeconfig"),
])
def test_problems_are_worded(config, words):
    assert words in kc.problem(text(config) if isinstance(config, dict) else config)


def test_secrets_cover_credentials_and_the_encoded_text():
    found = kc.secrets(text(BASE))
    assert "token-one" in found and kc.encode(text(BASE)) in found
    assert kc.decode(kc.encode(text(BASE))) == text(BASE)
