"""Writes plugins/doc_fragments/items.py: the options of users, workspaces, projects, custom roles and App Store
repos, once.

ks_user, ks_workspace, ks_project, ks_role and ks_app_repo take them as kubesphere.core.items.user (.workspace,
.project, .role, .app_repo); ks_tenancy takes the same text as the suboptions of its users, workspaces, projects,
roles and app_repos items (kubesphere.core.items.tenancy), so the single modules' pages and ks_tenancy's cannot say different things.
The options several kinds share (labels, members, quota, network isolation, wait) are written once here and
put together per kind. ansible-test wants a doc fragment's texts as plain string literals, so this file
writes them out; tests/unit/plugins/doc_fragments/test_items.py fails when items.py is not what it writes.

    tools/build_doc_fragments.py           rewrite plugins/doc_fragments/items.py and the env: entries of
                                           connection.py's PLUGINS fragment (`make fragments`)
"""

import os
import re
import sys
import textwrap


def _bullets(*lines):
    return "".join(textwrap.fill(line, width=116, initial_indent="      - ", subsequent_indent="        ",
                                 break_long_words=False, break_on_hyphens=False) + "\n" for line in lines)


# ---- options several kinds share --------------------------------------------------------------------------

ALIAS_NAME = """\
  alias_name:
    description: The display name (annotation C(kubesphere.io/alias-name)).
    type: str
"""

DESCRIPTION = """\
  description:
    description: The description (annotation C(kubesphere.io/description)).
    type: str
"""


def labels(on):
    return """\
  labels:
    description: Labels to set on the %s. Labels not named here are left alone.
    type: dict
""" % on


def state(what):
    return """\
  state:
    description: Whether the %s should exist.
    type: str
    default: present
    choices: [present, absent]
""" % what


def members(kind, role_description, *more):
    return """\
  members:
    description:
      - Members and their %s role. Members not listed are left alone unless O(purge_members=true).
%s    type: list
    elements: dict
    suboptions:
      user:
        description: The user name.
        type: str
        required: true
      role:
        description:
%s        type: str
        required: true
""" % (kind, _bullets(*more), textwrap.indent(_bullets(*role_description), "    "))


def purge_members(*more):
    return """\
  purge_members:
    description: %s
    type: bool
    default: false
""" % " ".join(("Remove members not listed in O(members).",) + more)


def quota(first, *more):
    return """\
  quota:
    description:
%s    type: dict
""" % _bullets(first, "Quantities are validated and compared by value (V(1000m) equals V(1), V(1Gi) equals V(1024Mi)).",
               "Resource names are checked before any write as Kubernetes checks a ResourceQuota's (a misspelt one "
               "such as C(limits.cpus) or C(cpuu) fails the task, where Kubernetes answers HTTP 422 and KubeSphere "
               "would store it in a workspace quota and never enforce it).",
               "Resources not named are left alone unless O(purge_quota=true).", *more)


def purge_quota(quota_object):
    return """\
  purge_quota:
    description:
      - Remove the resources not named in O(quota) from it. With an empty O(quota), %s is deleted.
    type: bool
    default: false
""" % quota_object


def network_isolation(first):
    return """\
  network_isolation:
    description:
%s    type: bool
""" % _bullets(first, "B(What it does not do by itself.) KubeSphere v4.1 core only stores it; the NetworkPolicies that "
                      "enforce it come from the network extension. Without that extension installed, no traffic is "
                      "blocked.")


def wait(*lines):
    return """\
  wait:
    description:
%s    type: bool
    default: false
""" % _bullets(*lines)


def wait_timeout(default, description="How long to wait, in seconds."):
    return """\
  wait_timeout:
    description: %s
    type: float
    default: %s
""" % (description, default)


WAIT_DELETED = ("With O(state=present), a %s still being deleted%s is waited out and created again; without O(wait) "
                "that is an error, never reported as present.")

# ---- each kind --------------------------------------------------------------------------------------------

USER_OPTIONS = """\
  name:
    description:
      - The user name, a DNS-1123 label (lower-case letters, digits and C(-), at most 63 characters).
    type: str
    required: true
  state:
    description: V(present) creates or updates the user; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  email:
    description:
      - The e-mail address (C(spec.email)). KubeSphere requires it to be unique; users may log in with it.
    type: str
  password:
    description:
      - The password, 8 to 64 characters with at least one lower-case letter, one upper-case letter and one digit,
        or a bcrypt hash, which KubeSphere stores as is.
      - Set when the user is created; later only as O(update_password) says.
      - A user created with neither a password nor O(identities) gets a warning, as nobody can log in as it.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created.
      - V(always) makes the stored password match O(password) on every run. The module reads the stored hash
        through C(/apis) (platform-admin rights needed) and compares it locally with the Python C(bcrypt)
        library; without that library it warns and sets the password again, reporting a change.
    type: str
    default: on_create
    choices: [on_create, always]
  global_role:
    description:
      - The platform role (a GlobalRole name such as V(platform-regular), V(platform-self-provisioner) or
        V(platform-admin)).
      - When a user is created without it, V(platform-regular) is used (least privilege; no rights until invited).
      - Any name other than those three must be a GlobalRole that exists (one made with M(kubesphere.core.ks_role),
        for example). That is checked before any write, in check mode too, with one read of the role.
    type: str
  display_name:
    description: The display name (C(spec.displayName)).
    type: str
  description:
    description: The description (annotation C(kubesphere.io/description), as the console shows it).
    type: str
  lang:
    description: The console language of the user (C(spec.lang)), for example V(en) or V(zh).
    type: str
  enabled:
    description:
      - V(false) disables the user (C(status.state=Disabled)); it can no longer log in and its tokens stop working.
        V(true) makes it Active again. A user locked after failed logins counts as enabled.
    type: bool
  identities:
    description:
      - Links the user to identities at identity providers (see M(kubesphere.core.ks_identity_provider)), so that
        who logs in through such a provider is this user, with its roles. KubeSphere v4 keeps each link as the
        annotation C(iam.kubesphere.io/identity-provider.<provider>) set to the identity's uid.
      - The listed links are made (a user has one identity per provider); links to providers not listed stay,
        unless O(purge_identities=true).
      - A user that logs in only through providers needs no O(password).
      - The providers must exist (checked before any write; in check mode a missing one is a warning, since an
        earlier task may create it).
    type: list
    elements: dict
    version_added: 0.2.0
    suboptions:
      provider:
        description: The identity provider's name.
        type: str
        required: true
      uid:
        description:
          - The identity's id at the provider, as KubeSphere matches it. For LDAP, the value of the provider's
            C(loginAttribute) (for example the C(uid)); for OIDC, the C(sub) claim; for GitHub, the login.
        type: str
        required: true
  purge_identities:
    description: Remove the links to providers not listed in O(identities).
    type: bool
    default: false
    version_added: 0.2.0
""" + wait(
    "On create, wait until the user is Active and can log in (KubeSphere answers \"Account suspended.\" to a login "
    "before that).",
    "With O(state=absent), wait until the user is gone; KubeSphere holds the deletion while any member cluster is "
    "not Ready.",
    "With O(state=present) and a user of that name still being deleted, wait until it is gone and create it again "
    "(without O(wait) the task fails and says so).",
) + wait_timeout(120, "How many seconds O(wait) waits before the task fails.")

WORKSPACE_OPTIONS = """\
  name:
    description: The workspace name, a DNS-1123 label.
    type: str
    required: true
""" + state("workspace") + """\
  manager:
    description:
      - The user who manages the workspace. When creating without it, the connecting user (O(ks_username)) is used.
      - Changing it on an existing workspace makes the new manager a workspace admin; the previous manager keeps
        their membership.
    type: str
""" + ALIAS_NAME + DESCRIPTION + """\
  clusters:
    description:
      - The clusters the workspace is placed on, by name. Compared without order.
      - When creating without it, the workspace is placed on the host cluster.
    type: list
    elements: str
""" + labels("workspace") + members(
    "workspace",
    ("V(admin), V(regular), V(self-provisioner) or V(viewer) (the built-in roles, named C({workspace}-{role}) or, "
     "when that would pass 63 characters, C({role}.{hash})), or the full name of another WorkspaceRole.",),
    "A user has one role per workspace; listing a member with another role changes it.",
) + purge_members("The workspace manager is never removed.") + quota(
    "The workspace's hard limits, resource name to quantity (for example C(limits.cpu), C(requests.memory), "
    "C(pods)), in the workspace quota KubeSphere keeps for it (a C(quota.kubesphere.io) ResourceQuota named after "
    "the workspace, as the console creates it). It caps the sum over all the workspace's projects.",
) + "    version_added: 0.2.0\n" + purge_quota("the quota object") + "    version_added: 0.2.0\n" + network_isolation(
    "Whether the workspace's projects are network-isolated from other workspaces, set as the KubeSphere console "
    "sets it (annotation C(kubesphere.io/network-isolate) V(enabled) or V(disabled), on the template every placed "
    "cluster's Workspace is built from). Not managed when omitted.",
) + "    version_added: 0.2.0\n" + """\
  delete_projects:
    description:
      - With O(state=absent), delete the workspace's projects too (propagation policy C(Background)). By default
        they are kept and only unbound from the workspace, as KubeSphere does.
    type: bool
    default: false
""" + wait(
    "On create, wait until KubeSphere has initialised the workspace (its roles and the manager's binding).",
    "On delete, wait until the workspace is gone.",
    WAIT_DELETED % ("workspace", ""),
) + wait_timeout(300)

PROJECT_OPTIONS = """\
  name:
    description: The project (namespace) name, a DNS-1123 label.
    type: str
    required: true
  workspace:
    description: The workspace the project belongs to. Required with O(state=present).
    type: str
  cluster:
    description: The cluster the project lives on. V(host) or omitted means the host cluster.
    type: str
""" + state("project") + ALIAS_NAME + DESCRIPTION + labels("namespace") + """\
  adopt:
    description:
      - Bring an existing namespace that belongs to no workspace into O(workspace), as the console's
        "assign to workspace" does; its content is kept.
      - The namespace gets the labels C(kubesphere.io/workspace) and C(kubesphere.io/managed=true) (KubeSphere then
        creates the project roles, so members can be added in the same task) and the label
        C(app.kubernetes.io/managed-by=kubesphere.core).
      - A namespace of another workspace is never moved, and Kubernetes' and KubeSphere's own namespaces
        (C(kube-*), C(kubesphere-*), C(default)) are never adopted.
      - Without it such a namespace is an error that says how to adopt it.
    type: bool
    default: false
    version_added: 0.2.0
""" + members(
    "project",
    ("V(admin), V(operator), V(viewer), or the name of a custom project role.",),
) + purge_members() + quota(
    "The project's hard limits, resource name to quantity (for example C(limits.cpu), C(requests.memory), "
    "C(pods), C(count/deployments.apps)), in the ResourceQuota named after the project, as the console creates it.",
    "A quota larger than the workspace's quota is accepted by KubeSphere and reported as a warning; the workspace "
    "quota still caps what the project's pods may use.",
) + "    version_added: 0.2.0\n" + purge_quota("the ResourceQuota") + "    version_added: 0.2.0\n" + """\
  default_limits:
    description:
      - The default container requests and limits of the project (what the console calls its default container
        quotas), that is the C(defaultRequest) and C(default) of the C(Container) item of the project's LimitRange. The
        console edits the project's first LimitRange, so that one is used; without one, a LimitRange named after
        the project is created.
      - Only the resources named are managed; quantities are compared by value. A request above its limit, or a
        resource a container cannot request (Kubernetes knows C(cpu), C(memory), C(ephemeral-storage),
        C(hugepages-<size>) and extended resources such as C(example.com/gpu)), fails before any write.
    type: dict
    version_added: 0.2.0
    suboptions:
      requests:
        description: Default requests, resource name to quantity, for example V(cpu) V(100m) and V(memory) V(128Mi).
        type: dict
      limits:
        description: Default limits, resource name to quantity, for example V(cpu) V(500m) and V(memory) V(512Mi).
        type: dict
""" + network_isolation(
    "Whether the project is network-isolated, set as the KubeSphere console sets it (annotation "
    "C(kubesphere.io/network-isolate) V(enabled) or V(disabled), by a merge patch). Not managed when omitted.",
) + "    version_added: 0.2.0\n" + wait(
    "On delete, wait until the namespace is gone.",
    WAIT_DELETED % ("project", " (Terminating)"),
) + wait_timeout(300)

ROLE_OPTIONS = """\
  name:
    description: The role name, a DNS-1123 subdomain.
    type: str
    required: true
  scope:
    description: Where the role lives and what it can be bound to.
    type: str
    default: global
    choices: [global, cluster, workspace, project]
  workspace:
    description: The workspace of a O(scope=workspace) role (required there).
    type: str
  project:
    description: The project (namespace) of a O(scope=project) role (required there).
    type: str
  cluster:
    description: The cluster of a O(scope=cluster) or O(scope=project) role. Default is the host.
    type: str
  templates:
    description:
      - The RoleTemplates the role is built from, by name, all of the role's scope (C(project) roles take
        C(namespace)-scope templates). Compared without order.
      - When creating without it, the role has no rules.
    type: list
    elements: str
""" + ALIAS_NAME + DESCRIPTION + """\
  remove_bindings:
    description:
      - With O(state=absent), delete the role's bindings too (those members lose their role at that scope).
        Without it a bound role is not deleted.
    type: bool
    default: false
""" + state("role") + wait("On delete, wait until the role is gone.") + wait_timeout(120)

APP_REPO_OPTIONS = """\
  name:
    description: The repository's name (a DNS-1123 label, not V(upload), which KubeSphere keeps for uploaded apps).
    type: str
    required: true
  workspace:
    description: The workspace the repository belongs to (its C(kubesphere.io/workspace) label).
    type: str
    required: true
  state:
    description: V(present) to create or update it, V(absent) to delete it (KubeSphere deletes its apps too).
    type: str
    choices: [present, absent]
    default: present
  url:
    description:
      - The repository's URL (V(http), V(https) or V(s3)), without credentials. Required to create it.
    type: str
  username:
    description:
      - The user name of a repository that needs Basic authentication. V("") removes the credentials.
      - When neither O(username) nor O(password) is given, the stored credentials are kept.
    type: str
  password:
    description: The password of O(username). Compared with the stored one; never shown.
    type: str
  alias_name:
    description: The display name.
    type: str
  description:
    description: A description (at most 512 characters).
    type: str
  sync_period:
    description:
      - Seconds between two syncs KubeSphere makes by itself; V(0) (the default of a new repository) never
        syncs on its own. With a period, the first sync follows the creation.
    type: int
  sync:
    description:
      - Make sure the repository has synced. It syncs now (C(POST .../action)) when it has never synced
        successfully, or when this task changed it; otherwise nothing is done (changed stays false).
    type: bool
    default: false
  wait:
    description: With O(sync=true), wait until the sync has succeeded (state V(successful)).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait. A repository whose index cannot be fetched stays V(syncing); the timeout says so.
    type: float
    default: 120
"""

# In a ks_tenancy item, the one option of the single modules that comes from another fragment
# (kubesphere.core.protection); its page explains it.
ITEM_ALLOW_PROTECTED = """\
  allow_protected:
    description:
      - Let this one item change or delete a protected object, with a warning, as
        O(kubesphere.core.ks_user#module:allow_protected) does for a task. O(prune) never removes one.
    type: bool
    default: false
"""


TENANCY_ADDED = "0.2.0"     # ks_tenancy's own version_added


def _in_item(option, options, protected=True):
    """The options as suboptions of ks_tenancy's `option` items: a reference to an item's own option,
    O(name) or O(name=value), names it in the item (O(users[].name)), as validate-modules resolves it."""
    names = set(re.findall(r"^  (\w+):$", options, re.M))
    # What came with ks_tenancy itself needs no "added in" of its own on ks_tenancy's page.
    options = re.sub(r"^    version_added: %s\n" % re.escape(TENANCY_ADDED), "", options, flags=re.M)
    options = re.sub(r"O\((\w+)([=)])", lambda m: "O(%s[].%s%s" % (option, m.group(1), m.group(2))
                     if m.group(1) in names else m.group(0), options)
    options += ITEM_ALLOW_PROTECTED if protected else ""
    return "  %s:\n    suboptions:\n%s" % (option, textwrap.indent(options, "    "))


HEADER = '''# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Written by tools/build_doc_fragments.py (`make fragments`) from the option texts there: edit those, not this.
"""The options of users, workspaces, projects, custom roles and App Store repos, for ks_user, ks_workspace,
ks_project, ks_role and ks_app_repo (kubesphere.core.items.user, .workspace, .project, .role, .app_repo) and,
word for word, for ks_tenancy's items (kubesphere.core.items.tenancy)."""

from __future__ import annotations


class ModuleDocFragment:
'''


def render():
    fragments = [("USER", USER_OPTIONS), ("WORKSPACE", WORKSPACE_OPTIONS), ("PROJECT", PROJECT_OPTIONS),
                 ("ROLE", ROLE_OPTIONS), ("APP_REPO", APP_REPO_OPTIONS)]
    tenancy = "".join(_in_item(option, options) for option, options in (
        ("users", USER_OPTIONS), ("workspaces", WORKSPACE_OPTIONS), ("projects", PROJECT_OPTIONS),
        ("roles", ROLE_OPTIONS)))
    tenancy += _in_item("app_repos", APP_REPO_OPTIONS, protected=False)    # KubeSphere protects no repo
    fragments.append(("TENANCY", tenancy))
    parts = []
    for name, options in fragments:
        assert '"""' not in options and "\\" not in options, name
        parts.append('    %s = r"""\noptions:\n%s"""\n' % (name, options))
    return HEADER + "\n".join(parts)


TARGET = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plugins", "doc_fragments",
                      "items.py")


CONNECTION = os.path.join(os.path.dirname(TARGET), "connection.py")
_PLUGINS_BLOCK = re.compile(r'(    PLUGINS = r"""\n).*?(""")', re.S)


def _connection_options():
    """The table of ks_connection.py, read without importing the collection (this runs from a bare checkout)."""
    path = os.path.join(os.path.dirname(os.path.dirname(TARGET)), "module_utils", "_client", "ks_connection.py")
    scope = {}
    with open(path) as handle:
        exec(compile(handle.read(), path, "exec"), scope)  # pylint: disable=exec-used
    return scope["CONNECTION_OPTIONS"]


def render_connection(text):
    """connection.py with its PLUGINS fragment rewritten: only the env: entries, one per connection option
    (the descriptions, types and defaults come from DOCUMENTATION, which plugins extend together with it)."""
    env = "".join("  %s:\n    env:\n      - name: %s\n" % (option.name, option.env) for option in _connection_options())
    rendered, count = _PLUGINS_BLOCK.subn(lambda match: match.group(1) + "options:\n" + env + match.group(2), text)
    assert count == 1, "connection.py has no PLUGINS fragment"
    return rendered


def main():
    with open(TARGET, "w") as handle:
        handle.write(render())
    with open(CONNECTION) as handle:
        text = handle.read()
    with open(CONNECTION, "w") as handle:
        handle.write(render_connection(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
