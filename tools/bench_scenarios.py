"""The benchmark's scenarios: playbooks for a baseline (what users write today) and for our modules.

Every playbook gets `items` (how many objects or tasks) and runs with KUBESPHERE_* set.
"""

HEADER = """
- hosts: localhost
  gather_facts: false
  vars:
    host: "{{ lookup('env', 'KUBESPHERE_HOST') }}"
    user: "{{ lookup('env', 'KUBESPHERE_USERNAME') }}"
    password: "{{ lookup('env', 'KUBESPHERE_PASSWORD') }}"
  tasks:
"""

URI_LOGIN = """
    - name: Log in with uri
      ansible.builtin.uri:
        url: "{{ host }}/oauth/token"
        method: POST
        body_format: form-urlencoded
        body: {grant_type: password, username: "{{ user }}", password: "{{ password }}",
               client_id: kubesphere, client_secret: kubesphere}
      register: login
"""

READS = [
    dict(name="uri, HTTP Basic on every request (baseline)", playbook=HEADER + """
    - ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/users/admin"
        url_username: "{{ user }}"
        url_password: "{{ password }}"
        force_basic_auth: true
      loop: "{{ range(items | int) | list }}"
"""),
    dict(name="uri, one token login then bearer", playbook=HEADER + URI_LOGIN + """
    - ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/users/admin"
        headers: {Authorization: "Bearer {{ login.json.access_token }}"}
      loop: "{{ range(items | int) | list }}"
"""),
    dict(name="kubesphere.core.ks_api (token cache)", playbook=HEADER + """
    - kubesphere.core.ks_api:
        path: /kapis/iam.kubesphere.io/v1beta1/users/admin
      loop: "{{ range(items | int) | list }}"
"""),
]

WS_PATH = "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
WS_TEARDOWN = HEADER + """
    - kubesphere.core.ks_api:
        path: %s/bench-{{ item }}
        method: DELETE
        body: {}
        status_code: [200, 400, 404]
      loop: "{{ range(items | int) | list }}"
""" % WS_PATH

URI_WORKSPACES = HEADER + URI_LOGIN + """
    - ansible.builtin.uri:
        url: "{{ host }}%s/bench-{{ item }}"
        headers: {Authorization: "Bearer {{ login.json.access_token }}"}
        status_code: [200, 404]
      loop: "{{ range(items | int) | list }}"
      register: found
    - ansible.builtin.uri:
        url: "{{ host }}%s"
        method: POST
        headers: {Authorization: "Bearer {{ login.json.access_token }}"}
        body_format: json
        body: {apiVersion: tenant.kubesphere.io/v1beta1, kind: WorkspaceTemplate,
               metadata: {name: "bench-{{ item.item }}"},
               spec: {template: {spec: {manager: admin}}, placement: {clusters: [{name: host}]}}}
      loop: "{{ found.results }}"
      when: item.status == 404
""" % (WS_PATH, WS_PATH)

KS_WORKSPACES = HEADER + """
    - kubesphere.core.ks_workspace:
        name: "bench-{{ item }}"
        manager: admin
        clusters: [host]
      loop: "{{ range(items | int) | list }}"
"""

WORKSPACES = [
    dict(name="uri GET+POST loop, first run (baseline)", playbook=URI_WORKSPACES),
    dict(name="uri GET+POST loop, no-change run", playbook=URI_WORKSPACES, teardown=WS_TEARDOWN),
    dict(name="ks_workspace loop, first run", playbook=KS_WORKSPACES),
    dict(name="ks_workspace loop, no-change run", playbook=KS_WORKSPACES),
    dict(name="ks_workspace loop, no-change run, --check", playbook=KS_WORKSPACES, check=True,
         teardown=WS_TEARDOWN),
]

GROUPS = [
    dict(name="reads", scenarios=READS),
    dict(name="workspaces", scenarios=WORKSPACES, needs="ks_workspace"),
]
