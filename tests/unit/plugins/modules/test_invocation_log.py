"""What AnsibleModule writes to the system log ("Invoked with ...", to syslog or journald on the host the
module runs on) holds no secret, for every module of the collection, whatever way the secret arrives: an
option, a key of a free-form dict, a request body, an item of ks_tenancy, an environment variable.

Each planted secret carries the marker S3CR3T, so that it is found also when Ansible writes it escaped
(the invocation line shows a dict through repr(), a body string holds JSON escapes)."""
import base64
import importlib
import json
import pkgutil

import pytest

from ansible.module_utils import basic
from stub_server import closed_port

import ansible_collections.kubesphere.core.plugins.modules as modules_package

MARKER = "S3CR3T"
LDAP_CONFIG = ("host: ldap.example.com:389\nmanagerDN: cn=admin\nmanagerPassword: ldap-%s-in-yaml\n"
               "userSearchBase: dc=example\nloginAttribute: uid\n" % MARKER)
LDAP_BLOB = base64.b64encode(LDAP_CONFIG.encode()).decode()     # the marker cannot be seen in it: looked for whole
PROVIDER_SECRET = {
    "apiVersion": "v1", "kind": "Secret", "type": "config.kubesphere.io/identityprovider",
    "metadata": {"name": "corp", "namespace": "kubesphere-system",
                 "labels": {"config.kubesphere.io/type": "identityprovider"}},
}
LDAP_OPTIONS = {"host": "ldap.example.com:389", "managerDN": "cn=admin", "userSearchBase": "dc=example",
                "loginAttribute": "uid"}

MEMBER_KUBECONFIG = ("apiVersion: v1\nkind: Config\ncurrent-context: edge\n"
                     "clusters: [{name: edge, cluster: {server: 'https://127.0.0.1:1'}}]\n"
                     "contexts: [{name: edge, context: {cluster: edge, user: admin}}]\n"
                     "users: [{name: admin, user: {token: member-%s-token}}]\n" % MARKER)

# Per module, the argument sets to plant secrets in (every module of the collection must be listed).
CASES = {
    "ks_api": [
        {"path": "/kapis/iam.kubesphere.io/v1beta1/users", "method": "POST", "body": {
            "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User", "metadata": {"name": "bob"},
            "spec": {"email": "bob@example.com", "password": "user-%s-\"quoted\"" % MARKER}}},
        {"path": "/kapis/iam.kubesphere.io/v1beta1/users", "method": "POST",
         "body": json.dumps({"spec": {"password": "string-%s-back\\slash" % MARKER}})},
        {"path": "/apis/iam.kubesphere.io/v1beta1/users", "method": "PUT",
         "body": {"items": [{"spec": {"password": "item-%s" % MARKER}}]}},
        {"path": "/kapis/iam.kubesphere.io/v1beta1/users/bob/password", "method": "PUT",
         "body": {"currentPassword": "old-%s" % MARKER, "password": "new-%s" % MARKER}},
        {"path": "/api/v1/namespaces/kubesphere-system/secrets", "method": "POST",
         "body": dict(PROVIDER_SECRET, stringData={"configuration.yaml": LDAP_CONFIG})},
        {"path": "/api/v1/namespaces/kubesphere-system/secrets/corp", "method": "PUT",
         "body": dict(PROVIDER_SECRET, data={"configuration.yaml": LDAP_BLOB})},
        {"path": "/oauth/token", "method": "POST", "content_type": "application/x-www-form-urlencoded",
         "body": "grant_type=password&username=admin&password=form-%s%%21&client_secret=client-%s" % (MARKER, MARKER)},
    ],
    "ks_cluster": [{"name": "edge", "kubeconfig": MEMBER_KUBECONFIG, "labels": {"env": "prod"}}],
    "ks_app": [{"name": "hello", "workspace": "team"}],
    "ks_app_release": [{"name": "hello", "workspace": "team", "project": "web", "app": "hello", "version": "1.0.0"}],
    "ks_app_repo": [{"name": "charts", "workspace": "team", "url": "https://charts.example.com",
                     "username": "reader", "password": "repo-%s-back\\slash'quote" % MARKER}],
    "ks_export": [{}],
    "ks_extension": [{"name": "metrics-server", "version": "0.7.2"}],
    "ks_identity_provider": [
        {"name": "corp", "type": "LDAPIdentityProvider",
         "options": dict(LDAP_OPTIONS, managerPassword="bind-%s-back\\slash'quote" % MARKER)},
        {"name": "sso", "type": "OIDCIdentityProvider", "options": {
            "issuer": "https://sso.example.com", "clientID": "ks", "clientSecret": "oidc-%s" % MARKER,
            "redirectURL": "https://ks.example.com/oauth/redirect/sso"}},
        # A validation failure (unknown type) fails before Ansible logs anything: its result must be clean too.
        {"name": "corp", "type": "NoSuchProvider", "options": {"clientSecret": "early-%s" % MARKER}},
    ],
    "ks_info": [{"kind": "user"}],
    "ks_login": [{}],
    "ks_project": [{"name": "web", "workspace": "team"}],
    "ks_role": [{"name": "viewer", "scope": "global"}],
    "ks_tenancy": [{"users": [{"name": "alice", "password": "tenancy-%s-back\\slash'quote" % MARKER},
                              {"name": "bob", "password": "tenancy2-%s" % MARKER}],
                    "app_repos": [{"name": "charts", "workspace": "team", "username": "reader",
                                   "password": "repo-%s" % MARKER}]}],
    "ks_user": [{"name": "alice", "password": "user-%s-\"q\"\\" % MARKER}],
    "ks_workspace": [{"name": "team"}],
}


def module_names():
    return sorted(name for _finder, name, _pkg in pkgutil.iter_modules(modules_package.__path__))


def test_every_module_has_cases():
    assert sorted(CASES) == module_names()


class Sink(object):
    """Stands in for syslog and systemd.journal; keeps every text handed to them."""

    LOG_INFO = 6
    LOG_USER = 8

    def __init__(self):
        self.texts = []

    def openlog(self, *args):
        self.texts.extend(str(arg) for arg in args)

    def syslog(self, _priority, message):
        self.texts.append(str(message))

    def send(self, **fields):
        self.texts.extend("%s=%s" % (key, value) for key, value in fields.items())


def run_module(name, args, monkeypatch, capsys, journal):
    sink = Sink()
    monkeypatch.setattr(basic, "syslog", sink, raising=False)
    monkeypatch.setattr(basic, "HAS_SYSLOG", True, raising=False)
    monkeypatch.setattr(basic, "journal", sink, raising=False)
    monkeypatch.setattr(basic, "has_journal", journal)
    module = importlib.import_module("ansible_collections.kubesphere.core.plugins.modules." + name)
    with patched_args(args):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr()
    return sink.texts, out.out + out.err


def patched_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:      # ansible-core before 2.19
        from unittest import mock
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    return patch_module_args(args)


def connection(tmp_path):
    return dict(ks_host="http://127.0.0.1:%d" % closed_port(), ks_username="admin",
                ks_password="password-%s" % MARKER, ks_client_secret="kubesphere",
                token_cache=str(tmp_path / "tokens"), retries=0, request_timeout=2)


CASE_IDS = [(name, index) for name in sorted(CASES) for index in range(len(CASES[name]))]


@pytest.mark.parametrize("journal", [False, True], ids=["syslog", "journald"])
@pytest.mark.parametrize("name,index", CASE_IDS, ids=["%s-%d" % case for case in CASE_IDS])
def test_no_secret_in_what_ansible_logs(name, index, journal, monkeypatch, capsys, tmp_path):
    args = dict(connection(tmp_path), **CASES[name][index])
    logged, output = run_module(name, args, monkeypatch, capsys, journal)
    assert MARKER in json.dumps(args)
    early = args.get("type") == "NoSuchProvider"
    assert early or any("Invoked with" in text for text in logged), logged   # the log line was really written
    leaks = [text for text in logged if MARKER in text or LDAP_BLOB in text]
    assert not leaks, leaks
    assert MARKER not in output and LDAP_BLOB not in output, output


@pytest.mark.parametrize("name", ["ks_login", "ks_api"])
def test_secrets_from_the_environment_and_in_ks_host(name, monkeypatch, capsys, tmp_path):
    args = connection(tmp_path)
    args.pop("ks_client_secret")
    monkeypatch.setenv("KUBESPHERE_CLIENT_SECRET", "env-client-%s" % MARKER)
    args["ks_host"] = args["ks_host"].replace("http://", "http://admin:host-%s@" % MARKER)
    if name == "ks_api":
        args["path"] = "/version"
    logged, output = run_module(name, args, monkeypatch, capsys, journal=False)
    assert any("Invoked with" in text for text in logged)
    assert not [text for text in logged if MARKER in text]
    assert MARKER not in output, output


def test_the_stock_client_secret_stays_readable(monkeypatch, capsys, tmp_path):
    args = dict(connection(tmp_path), ks_client_secret="kubesphere", path="/kapis/tenant.kubesphere.io/v1beta1")
    logged, _output = run_module("ks_api", args, monkeypatch, capsys, journal=False)
    assert "tenant.kubesphere.io" in " ".join(logged)


def test_a_secret_option_given_as_a_number_is_masked(monkeypatch, capsys, tmp_path):
    args = dict(connection(tmp_path), name="corp", type="LDAPIdentityProvider",
                options=dict(LDAP_OPTIONS, managerPassword=73313373))
    logged, output = run_module("ks_identity_provider", args, monkeypatch, capsys, journal=False)
    assert any("Invoked with" in text for text in logged)
    assert "73313373" not in " ".join(logged) and "73313373" not in output
