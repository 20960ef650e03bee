"""The benchmark's tenancy: a generated platform of N objects and the four ways to converge it.

Objects are counted as users + workspaces + projects + memberships. Every 20 objects hold 8 users,
2 workspaces placed on the host and member1 with 2 members each, and 3 projects (on both clusters)
with one member each. Users get no password (as with single sign-on): hashing one costs the server a
bcrypt check, the same for every form, and would only add noise.
"""

UNIT = {"users": 8, "workspaces": 2, "workspace_members": 4, "projects": 3, "project_members": 3}
CLUSTERS = ("host", "member1")


def tenancy(size, prefix):
    """(ks_tenancy-shaped declaration, flat membership lists, object count) for about `size` objects."""
    units = max(1, round(size / sum(UNIT.values())))
    users = [{"name": f"{prefix}-u{i}", "email": f"{prefix}-u{i}@bench.example.com", "global_role": "platform-regular"}
             for i in range(UNIT["users"] * units)]
    workspaces, workspace_members = [], []
    for i in range(UNIT["workspaces"] * units):
        name = f"{prefix}-w{i}"
        members = [{"user": users[(2 * i + j) % len(users)]["name"], "role": "regular"} for j in range(2)]
        workspaces.append({"name": name, "manager": "admin", "clusters": list(CLUSTERS), "members": members})
        workspace_members += [dict(member, workspace=name) for member in members]
    projects, project_members = [], []
    for i in range(UNIT["projects"] * units):
        name = f"{prefix}-p{i}"
        members = [{"user": users[(3 * i) % len(users)]["name"], "role": "viewer"}]
        project = {"name": name, "workspace": workspaces[i % len(workspaces)]["name"],
                   "cluster": CLUSTERS[i % 2], "members": members}
        projects.append(project)
        project_members += [dict(member, project=name, cluster=project["cluster"]) for member in members]
    declared = {"users": users, "workspaces": workspaces, "projects": projects}
    flat = {"workspace_members": workspace_members, "project_members": project_members}
    count = len(users) + len(workspaces) + len(projects) + len(workspace_members) + len(project_members)
    return declared, flat, count


HEADER = """
- name: Benchmark
  hosts: localhost
  gather_facts: false
  vars:
    host: "{{ lookup('env', 'KUBESPHERE_HOST') }}"
  tasks:
    - name: Start the clock
      ansible.builtin.set_fact:
        bench_start: "{{ now().timestamp() }}"
"""

FOOTER = """
    - name: Stop the clock
      ansible.builtin.debug:
        msg: "BENCH-TASK-SECONDS {{ now().timestamp() | float - bench_start | float }}"
"""

_KAPIS = "{{ host }}{{ '' if item.cluster | default('host') == 'host' else '/clusters/' ~ item.cluster }}"

# What a user would write without this collection: log in once, then GET each object and POST it when
# it is missing (workspace members answer 400 for a non-member; project members have no single GET).
URI = HEADER + """
    - name: Log in
      ansible.builtin.uri:
        url: "{{ host }}/oauth/token"
        method: POST
        body_format: form-urlencoded
        body: {grant_type: password, username: "{{ lookup('env', 'KUBESPHERE_USERNAME') }}",
               password: "{{ lookup('env', 'KUBESPHERE_PASSWORD') }}", client_id: kubesphere, client_secret: kubesphere}
      register: login
    - name: Read users
      ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/users/{{ item.name }}"
        headers: &auth {Authorization: "Bearer {{ login.json.access_token }}"}
        status_code: [200, 404]
      loop: "{{ tenancy.users }}"
      register: found
    - name: Create users
      ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/users"
        method: POST
        headers: *auth
        body_format: json
        body: {apiVersion: iam.kubesphere.io/v1beta1, kind: User,
               metadata: {name: "{{ item.item.name }}", annotations: {iam.kubesphere.io/globalrole: platform-regular}},
               spec: {email: "{{ item.item.email }}"}}
      loop: "{{ found.results }}"
      when: item.status == 404
    - name: Read workspaces
      ansible.builtin.uri:
        url: "{{ host }}/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/{{ item.name }}"
        headers: *auth
        status_code: [200, 404]
      loop: "{{ tenancy.workspaces }}"
      register: found
    - name: Create workspaces
      ansible.builtin.uri:
        url: "{{ host }}/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates"
        method: POST
        headers: *auth
        body_format: json
        body: {apiVersion: tenant.kubesphere.io/v1beta1, kind: WorkspaceTemplate,
               metadata: {name: "{{ item.item.name }}"},
               spec: {template: {spec: {manager: admin}}, placement: {clusters: [{name: host}, {name: member1}]}}}
      loop: "{{ found.results }}"
      when: item.status == 404
    - name: Read projects
      ansible.builtin.uri:
        url: "%(kapis)s/kapis/tenant.kubesphere.io/v1beta1/workspaces/{{ item.workspace }}/namespaces/{{ item.name }}"
        headers: *auth
        status_code: [200, 404]
      loop: "{{ tenancy.projects }}"
      register: found
    - name: Create projects
      ansible.builtin.uri:
        url: "%(kapis_item)s/kapis/tenant.kubesphere.io/v1beta1/workspaces/{{ item.item.workspace }}/namespaces"
        method: POST
        headers: *auth
        body_format: json
        body: {apiVersion: v1, kind: Namespace,
               metadata: {name: "{{ item.item.name }}", labels: {kubesphere.io/managed: "true"}}}
      loop: "{{ found.results }}"
      when: item.status == 404
      register: created
      retries: 5
      delay: 1
      until: created is skipped or created.status == 200
    - name: Read workspace members
      ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/workspaces/{{ item.workspace }}/workspacemembers/{{ item.user }}"
        headers: *auth
        status_code: [200, 400]
      loop: "{{ flat.workspace_members }}"
      register: found
    - name: Add workspace members
      ansible.builtin.uri:
        url: "{{ host }}/kapis/iam.kubesphere.io/v1beta1/workspaces/{{ item.item.workspace }}/workspacemembers"
        method: POST
        headers: *auth
        body_format: json
        body: [{username: "{{ item.item.user }}", roleRef: "{{ item.item.workspace }}-{{ item.item.role }}"}]
      loop: "{{ found.results }}"
      when: item.status == 400
    - name: Read project members
      ansible.builtin.uri:
        url: "%(kapis)s/kapis/iam.kubesphere.io/v1beta1/namespaces/{{ item.project }}/namespacemembers?names={{ item.user }}"
        headers: *auth
      loop: "{{ flat.project_members }}"
      register: found
    - name: Add project members
      ansible.builtin.uri:
        url: "%(kapis_item)s/kapis/iam.kubesphere.io/v1beta1/namespaces/{{ item.item.project }}/namespacemembers"
        method: POST
        headers: *auth
        body_format: json
        body: [{username: "{{ item.item.user }}", roleRef: "{{ item.item.role }}"}]
      loop: "{{ found.results }}"
      when: item.json.totalItems == 0
      register: added
      retries: 5
      delay: 1
      until: added is skipped or added.status == 200
""" % {"kapis": _KAPIS, "kapis_item": _KAPIS.replace("item.cluster", "item.item.cluster")} + FOOTER

MODULES = HEADER + """
    - name: Users
      kubesphere.core.ks_user:
        name: "{{ item.name }}"
        email: "{{ item.email }}"
        global_role: "{{ item.global_role }}"
      loop: "{{ tenancy.users }}"
    - name: Workspaces
      kubesphere.core.ks_workspace:
        name: "{{ item.name }}"
        manager: "{{ item.manager }}"
        clusters: "{{ item.clusters }}"
        members: "{{ item.members }}"
      loop: "{{ tenancy.workspaces }}"
    - name: Projects
      kubesphere.core.ks_project:
        name: "{{ item.name }}"
        workspace: "{{ item.workspace }}"
        cluster: "{{ item.cluster }}"
        members: "{{ item.members }}"
      loop: "{{ tenancy.projects }}"
""" + FOOTER

# A loop of the same length as the module loops that does nothing: what Ansible itself costs per task.
DEBUG = HEADER + """
    - name: Nothing, once per object the module loops converge
      ansible.builtin.debug:
        msg: "{{ item.name }}"
      loop: "{{ tenancy.users + tenancy.workspaces + tenancy.projects }}"
""" + FOOTER

ROLE = HEADER + """
    - name: The tenant role
      ansible.builtin.include_role:
        name: kubesphere.core.tenant
      vars:
        ks_users: "{{ tenancy.users }}"
        ks_workspaces: "{{ tenancy.workspaces }}"
        ks_projects: "{{ tenancy.projects }}"
""" + FOOTER

TENANCY = HEADER + """
    - name: One task
      kubesphere.core.ks_tenancy:
        users: "{{ tenancy.users }}"
        workspaces: "{{ tenancy.workspaces }}"
        projects: "{{ tenancy.projects }}"
""" + FOOTER

# name, label, playbook, whether it loops (one Ansible task run per item: LOOP_MAX applies)
FORMS = [
    ("uri", "`ansible.builtin.uri` loop (baseline)", URI, True),
    ("debug", "`ansible.builtin.debug` loop, same length (Ansible's own cost)", DEBUG, True),
    ("modules_shipped", "module loops, shipped (`KUBESPHERE_IN_PROCESS=false`)", MODULES, True),
    ("modules", "module loops, in process (default)", MODULES, True),
    ("role", "`tenant` role", ROLE, True),
    ("ks_tenancy", "one `ks_tenancy` task", TENANCY, False),
]

# The controller environment of a form: the module loops once shipped and once in the controller's process.
FORM_ENV = {"modules_shipped": {"KUBESPHERE_IN_PROCESS": "false"}, "modules": {"KUBESPHERE_IN_PROCESS": "true"}}
