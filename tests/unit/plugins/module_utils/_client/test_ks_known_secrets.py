"""What ks_api keeps out of its output: the values the collection knows to be secret, as listed in
ks_known_secrets, found in requests and answers of every shape (object, list, JSON text, form)."""
import base64
import json

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_known_secrets import known_secrets

PROVIDER_YAML = "name: corp\ntype: LDAPIdentityProvider\nprovider:\n  host: ldap:389\n  managerPassword: Bind-Pa55\n"
PROVIDER_SECRET = {"metadata": {"name": "corp", "namespace": "kubesphere-system"},
                   "type": "config.kubesphere.io/identityprovider",
                   "data": {"configuration.yaml": base64.b64encode(PROVIDER_YAML.encode()).decode()}}


def test_user_passwords_of_objects_items_and_password_changes():
    assert known_secrets({"spec": {"password": "$2a$10$hash"}}) == ["$2a$10$hash"]
    assert known_secrets({"items": [{"spec": {"password": "one"}}, {"spec": {}}]}) == ["one"]
    assert sorted(known_secrets({"currentPassword": "old", "password": "new"})) == ["new", "old"]
    assert known_secrets(json.dumps({"spec": {"password": "as-text"}})) == ["as-text"]


def test_an_identity_provider_secret_read_back_masks_its_configuration_whole_and_its_secret():
    blob = PROVIDER_SECRET["data"]["configuration.yaml"]
    assert set(known_secrets(PROVIDER_SECRET)) == {blob, "Bind-Pa55"}
    assert set(known_secrets({"kind": "SecretList", "items": [PROVIDER_SECRET]})) == {blob, "Bind-Pa55"}
    written = dict(PROVIDER_SECRET, data=None, stringData={"configuration.yaml": PROVIDER_YAML})
    assert known_secrets(written) == ["Bind-Pa55"]


def test_a_provider_configuration_without_a_secret_and_other_secrets_are_left_alone():
    cas = "name: cas\ntype: CASIdentityProvider\nprovider:\n  casServerURL: https://cas\n"
    assert known_secrets(dict(PROVIDER_SECRET, data={"configuration.yaml": base64.b64encode(cas.encode()).decode()})) == []
    tls = {"kind": "Secret", "type": "kubernetes.io/tls", "data": {"tls.key": "a2V5"}}
    assert known_secrets(tls) == []


def test_oauth_client_secrets_and_the_platform_configmap():
    client = {"type": "config.kubesphere.io/oauthclient",
              "data": {"configuration.yaml": base64.b64encode(b"name: c\nsecret: Client-Pa55\n").decode()}}
    assert "Client-Pa55" in known_secrets(client)
    configmap = {"kind": "ConfigMap", "metadata": {"name": "kubesphere-config"}, "data": {"kubesphere.yaml": (
        "authentication:\n  jwtSecret: 'Jwt''Secret'\n  oauthOptions:\n    identityProviders:\n"
        "    - name: ldap\n      provider:\n        managerPassword: 12345678\n")}}
    found = known_secrets(configmap)
    assert "Jwt'Secret" in found and "Jwt''Secret" in found and "12345678" in found
    other = {"kind": "ConfigMap", "metadata": {"name": "mine"}, "data": {"kubesphere.yaml": "password: x"}}
    assert known_secrets(other) == []


def test_member_cluster_credentials():
    cluster = {"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
               "spec": {"connection": {"type": "direct", "kubeconfig": "a3ViZWNvbmZpZw==", "token": "Agent-Token"}}}
    assert sorted(known_secrets(cluster)) == ["Agent-Token", "a3ViZWNvbmZpZw=="]
    assert sorted(known_secrets({"items": [cluster]})) == ["Agent-Token", "a3ViZWNvbmZpZw=="]


def test_oauth_token_requests_and_answers():
    found = known_secrets("grant_type=password&username=admin&password=P%40ss+word&client_secret=cs")
    assert {"P@ss word", "P%40ss+word", "P%40ss%20word", "cs"} <= set(found)
    assert "admin" not in found
    answer = {"access_token": "eyA", "refresh_token": "eyR", "token_type": "Bearer", "expires_in": 7200}
    assert sorted(known_secrets(answer)) == ["eyA", "eyR"]
    assert known_secrets("not a form, not json") == []
