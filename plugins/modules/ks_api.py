#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ks_api
short_description: Send any request to the KubeSphere API
version_added: 0.1.0
description:
  - Sends one request to the KubeSphere API with the collection's login, token cache, cluster routing,
    retries and error handling; the escape hatch for anything the resource modules do not cover.
  - V(GET) requests report C(changed=false); every other method reports C(changed=true).
  - In check mode a request other than V(GET) is not sent; the module returns what it would have sent.
  - With no credentials at all (no token, user name or password), the request is sent without a token,
    which is enough for the paths KubeSphere leaves open, such as V(/version).
  - What the collection knows to be secret is kept out of every output (result, C(-vvv), the invocation Ansible
    logs on the host), like a C(no_log) option, in the request body and in the answer alike.
    User passwords, the C(spec.password) of an object or list item and C(password)/C(currentPassword) of a
    password change (the stored bcrypt hash that C(/apis) returns included).
    The platform configuration, in a Secret of a C(config.kubesphere.io) type (identity providers, OAuth clients)
    and in the C(kubesphere-config) ConfigMap, every value under a key naming a password or a secret (as
    KubeSphere itself decides), such as C(managerPassword), C(clientSecret) or C(jwtSecret); a base64-encoded
    C(configuration.yaml) that holds one is masked whole.
    Member cluster credentials, C(spec.connection.kubeconfig) and C(spec.connection.token) of a Cluster.
    OAuth, C(password), C(client_secret) and C(refresh_token) of a token request, and the tokens of its answer.
  - Other Kubernetes Secrets are returned as the server sends them; set C(no_log) on a task that reads them.
options:
  path:
    description:
      - The API path, starting with C(/), for example V(/kapis/iam.kubesphere.io/v1beta1/users) or V(/version).
      - A query string may be included; O(query) is added to it.
    type: str
    required: true
  method:
    description: The HTTP method.
    type: str
    default: GET
    choices: [GET, POST, PUT, PATCH, DELETE]
  body:
    description:
      - The request body. A dict or list is sent as JSON; a string is sent as is.
      - KubeSphere's workspace DELETE needs a body; V({}) is enough.
    type: raw
  query:
    description: Query parameters added to the path; a list value repeats the parameter.
    type: dict
  cluster:
    description:
      - Name of the cluster the request is for. A member cluster's name puts C(/clusters/<name>) in front
        of the path; V(host) or no value sends the request to the host cluster as is.
    type: str
  content_type:
    description:
      - Content type of the body. Defaults to V(application/json), except for V(PATCH), where a list body
        is sent as V(application/json-patch+json) and any other body as V(application/merge-patch+json).
    type: str
  status_code:
    description: HTTP status codes that count as success; any other status fails the task.
    type: list
    elements: int
    default: [200, 201, 202, 204]
  allow_protected:
    description:
      - A V(PUT), V(PATCH) or V(DELETE) of one user, workspace, project (namespace) or role that the collection
        protects (KubeSphere's and Kubernetes' own, the user the task logs in as, another tool's; the rule of
        O(kubesphere.core.ks_user#module:allow_protected)) is refused before it is sent, in check mode too; the
        object is read first to tell. V(true) sends it anyway. Requests to other paths are not judged.
    type: bool
    version_added: 0.2.0
    default: false
extends_documentation_fragment:
  - kubesphere.core.connection
  - kubesphere.core.attributes
attributes:
  check_mode:
    support: partial
    details: A V(GET) runs normally; any other method is not sent and the module reports C(changed=true) with the request it would have sent.
  diff_mode:
    support: none
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
- name: Read the server version
  kubesphere.core.ks_api:
    path: /version
  register: version

- name: List users
  kubesphere.core.ks_api:
    path: /kapis/iam.kubesphere.io/v1beta1/users
    query:
      sortBy: name
      ascending: "true"
  register: users

- name: List the namespaces of a member cluster
  kubesphere.core.ks_api:
    path: /api/v1/namespaces
    cluster: member1

- name: Add a label to a user through the Kubernetes-style API (merge patch)
  kubesphere.core.ks_api:
    path: /apis/iam.kubesphere.io/v1beta1/users/alice
    method: PATCH
    body:
      metadata:
        labels:
          team: payments

- name: Delete a workspace (KubeSphere wants a JSON body on this DELETE)
  kubesphere.core.ks_api:
    path: /kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/old-team
    method: DELETE
    body: {}
    status_code: [200, 404]

# Ad hoc, with the connection in the environment:
# KUBESPHERE_HOST=https://ks.example.com KUBESPHERE_USERNAME=admin KUBESPHERE_PASSWORD=... \
#   ansible localhost -m kubesphere.core.ks_api -a path=/kapis/iam.kubesphere.io/v1beta1/users
"""

RETURN = r"""
status:
  description: HTTP status of the response.
  returned: when the request was sent
  type: int
  sample: 200
json:
  description: The response body, parsed, when it is JSON.
  returned: when the request was sent and the body is JSON
  type: raw
  sample: {"items": [], "totalItems": 0}
content:
  description: The response body as text, when it is not JSON.
  returned: when the request was sent and the body is not JSON
  type: str
  sample: "ok"
url:
  description: The URL the request went to (no credentials).
  returned: always
  type: str
  sample: https://ks.example.com/clusters/member1/api/v1/namespaces
elapsed:
  description: Seconds the request took.
  returned: when the request was sent
  type: float
  sample: 0.012
request:
  description: The request that would have been sent, in check mode.
  returned: in check mode, for a method other than GET
  type: dict
  sample: {"method": "POST", "path": "/kapis/iam.kubesphere.io/v1beta1/users", "cluster": null, "body": {}}
"""

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_known_secrets import known_secrets
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KubeSphereModule
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_protected import login_user, object_of_path, write_protection
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereError


def default_content_type(method, body):
    if method == "PATCH":
        return "application/json-patch+json" if isinstance(body, list) else "application/merge-patch+json"
    return None


def refuse_protected(module, method, path):
    """The collection's protection rule (ks_protected) for a raw write to one object: read it, and fail before
    the write when it is KubeSphere's own, the login user or another tool's."""
    found = object_of_path(path)
    if found is None:
        return
    kind, name, object_path = found
    try:
        current = module.client.request("GET", object_path, cluster=module.params["cluster"], raw=True,
                                        expected_status=[404]).json
    except KubeSphereError as err:
        if err.status in (401, 403):
            current = None       # not ours to read: judged by its name alone, the server judges the rest
        else:
            module.fail_from_error(err)
    if isinstance(current, dict) and current.get("kind") == "Status":
        current = None
    reason = write_protection(kind, name, current)
    if not reason and kind == "user" and name == login_user(module.params):
        reason = "it is the user this task logs in as, and a change could lock this automation out"
    if reason:
        module.fail_json(msg="%s %s is protected: %s. ks_api does not send %s %s; set allow_protected: true on this "
                             "task only if you truly mean to" % (kind, name, reason, method, path),
                         changed=False, protected=reason)


def main():
    module = KubeSphereModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            method=dict(type="str", default="GET", choices=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            body=dict(type="raw"),
            query=dict(type="dict"),
            cluster=dict(type="str"),
            content_type=dict(type="str"),
            status_code=dict(type="list", elements="int", default=[200, 201, 202, 204]),
            allow_protected=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
        secrets=lambda params: known_secrets(params.get("body")),
    )
    p = module.params
    if not p["path"].startswith("/"):
        module.fail_json(msg="path must start with '/' and name an API path such as /version, not %r; "
                             "the server goes in ks_host" % p["path"])
    method = p["method"]
    content_type = p["content_type"] or default_content_type(method, p["body"])
    if method in ("PUT", "PATCH", "DELETE") and not p["allow_protected"]:
        refuse_protected(module, method, p["path"])
    if module.check_mode and method != "GET":
        request = dict(method=method, path=p["path"], cluster=p["cluster"], query=p["query"],
                       body=p["body"], content_type=content_type)
        module.exit_json(changed=True, msg="check mode: %s %s not sent" % (method, p["path"]),
                         request=request, url=module.client.url(p["path"], cluster=p["cluster"], query=p["query"]))
    anonymous = not (p["ks_token"] or p["ks_username"] or p["ks_password"])
    try:
        resp = module.client.request(method, p["path"], cluster=p["cluster"], body=p["body"], query=p["query"],
                                     content_type=content_type, expected_status=p["status_code"],
                                     auth=not anonymous)
    except KubeSphereError as err:
        module.fail_from_error(err)
    result = dict(changed=method != "GET", status=resp.status, url=resp.url, elapsed=resp.elapsed)
    if resp.json is not None:
        module.mask_secrets(known_secrets(resp.json))
        result["json"] = resp.json
    else:
        result["content"] = resp.text
    if resp.status not in p["status_code"]:
        module.fail_json(msg="%s %s returned HTTP %s, not one of %s" % (method, resp.url, resp.status, p["status_code"]),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
