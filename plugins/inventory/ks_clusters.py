# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: ks_clusters
short_description: The clusters KubeSphere manages, as inventory hosts
version_added: 0.1.0
description:
  - >-
    Reads the cluster list of a KubeSphere host cluster and adds one host per cluster (the host cluster
    and every member cluster), so that a play can run the same tasks against every cluster with
    C(hosts: ks_member_clusters) and C(cluster: "{{ inventory_hostname }}").
  - Every host runs locally (C(ansible_connection=local), the controller's Python); the tasks talk to
    KubeSphere through the host cluster, which routes C(/clusters/<name>) requests to the member.
  - The list comes from C(/kapis/resources.kubesphere.io/v1alpha3/clusters), which every authenticated
    user may read and which leaves out kubeconfigs. Only public facts are kept; no credential of any
    cluster (kubeconfig, token, endpoint) is put into inventory data or the cache.
  - "Host variables, all prefixed with C(ks_): C(ks_cluster_role) (V(host) or V(member), from the label
    C(cluster-role.kubesphere.io/host)), C(ks_connection_type) (V(direct) or V(proxy)),
    C(ks_kubesphere_version), C(ks_kubernetes_version), C(ks_ready) (the C(Ready) condition is True),
    C(ks_kscore_ready) (the C(KSCoreReady) condition; null where absent), C(ks_provider), C(ks_node_count),
    C(ks_region), C(ks_zones), C(ks_labels) and C(ks_conditions); and, as M(kubesphere.core.ks_cluster) words
    them, C(ks_group), C(ks_visibility) (V(public) or V(private)) and C(ks_cluster_labels) (KubeSphere cluster
    labels, key to value, read from C(/kapis/cluster.kubesphere.io/v1alpha1/labels); empty when the user may
    not read them)."
  - Groups C(ks_host_cluster) and C(ks_member_clusters); C(ks_group_<group>) for each cluster group and
    C(ks_label_<key>_<value>) for each KubeSphere cluster label (characters other than letters, digits and
    C(_) become C(_)); plus those made with O(groups) and O(keyed_groups).
  - The configuration file's name must end in C(ks_clusters.yml) or C(ks_clusters.yaml).
  - Values taken from the API are not trusted as templates (a cluster label is never templated).
options:
  plugin:
    description: The name of this plugin; it marks the file as a C(ks_clusters) configuration.
    type: str
    required: true
    choices: [kubesphere.core.ks_clusters]
  label_selector:
    description:
      - A Kubernetes label selector applied by the server, for example V(env=prod,region!=eu) or
        V(cluster-role.kubesphere.io/host) (the host cluster only).
    type: str
  include_clusters:
    description:
      - Only clusters whose name matches one of these shell-style patterns (V(edge-*), V(member?)) become hosts.
      - Empty means every cluster.
    type: list
    elements: str
    default: []
  exclude_clusters:
    description:
      - Clusters whose name matches one of these shell-style patterns are left out, even when O(include_clusters)
        matches them.
    type: list
    elements: str
    default: []
  ready_only:
    description:
      - Leave out clusters whose C(Ready) condition is not True.
      - By default they are kept, with C(ks_ready=false), so that a play can report them; tasks sent to such a
        cluster fail with KubeSphere's C(cluster <name> is not ready).
    type: bool
    default: false
notes:
  - A user who may not list clusters (HTTP 403) gets an error naming the missing permission (C(list clusters) in
    the API group C(resources.kubesphere.io), which KubeSphere's C(authenticated) role normally grants);
    only when the configuration file sets O(strict=false) explicitly is it a warning and an inventory without clusters.
  - Ansible itself reports an inventory source that fails to load as a warning and goes on without its hosts;
    set E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (or C(any_unparsed_is_failed) in the C([inventory])
    section of C(ansible.cfg)) to stop there instead.
  - >-
    With O(cache=true) the cluster list is kept for O(cache_timeout) seconds and a run sends no request at all;
    C(--flush-cache) or C(meta: refresh_inventory) reads it again. A cached list is only reused for the same
    O(ks_host) and O(label_selector).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - kubesphere.core.connection
  - kubesphere.core.connection.PLUGINS
author:
  - KubeSphere collection maintainers (@kubesphere)
"""

EXAMPLES = r"""
---
# The smallest inventory file (inventory/ks_clusters.yml) is one line,
#   plugin: kubesphere.core.ks_clusters
# with the connection from KUBESPHERE_HOST, KUBESPHERE_USERNAME and KUBESPHERE_PASSWORD (or KUBESPHERE_TOKEN).
# Filters, a constructed group and keyed groups, and a cached list (file prod.ks_clusters.yml):
plugin: kubesphere.core.ks_clusters
ks_host: https://ks.example.com
label_selector: env=prod
exclude_clusters: ["sandbox-*"]
ready_only: true
groups:
  big_clusters: ks_node_count is not none and ks_node_count >= 10
keyed_groups:
  - key: ks_provider
    prefix: provider
  - key: ks_labels['cluster.kubesphere.io/group'] | default('none')
    prefix: group
compose:
  kubernetes_minor: ks_kubernetes_version | regex_replace('^v?(\d+\.\d+).*$', '\\1')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/kubesphere.core/inventory
cache_timeout: 600

# A play over every member cluster:
#   - hosts: ks_member_clusters
#     gather_facts: false
#     tasks:
#       - kubesphere.core.ks_api:
#           path: /api/v1/namespaces
#           cluster: "{{ inventory_hostname }}"
"""

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    KubeSphereClient,
    KubeSphereError,
)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_connection import CONNECTION_OPTION_NAMES
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_cluster_summary import read_label_ids
from ansible_collections.kubesphere.core.plugins.plugin_utils.ks_clusters_inventory import (
    CLUSTERS_PATH,
    HOST_GROUP,
    MEMBER_GROUP,
    cache_source,
    cluster_record,
    fact_groups,
    host_vars,
    list_query,
    role_group,
    select,
)

try:  # ansible-core 2.19+: data tagging. Values added untagged stay untrusted.
    from ansible.template import trust_as_template

    def _from_api(value):
        """API data must never be templated: left untagged, it is not trusted."""
        return value

    def _our_template(value):
        """A template this plugin writes itself (not API data): trusted."""
        return trust_as_template(value)

except ImportError:  # older ansible-core: API strings are wrapped as unsafe by hand
    from ansible.utils.unsafe_proxy import wrap_var

    def _from_api(value):
        return wrap_var(value)

    def _our_template(value):
        return value

CONTROLLER_PYTHON = "{{ ansible_playbook_python }}"


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "kubesphere.core.ks_clusters"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(("ks_clusters.yml", "ks_clusters.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        config = self._read_config_data(path)
        # A refusal to list is an error unless the file says strict: false in so many words
        # (the constructed options' default is false, which must not hide a 403).
        self._soft_forbidden = config.get("strict") is False
        if not HAS_REQUESTS:
            raise AnsibleParserError("the kubesphere.core.ks_clusters inventory needs the Python library requests "
                                     "on the controller: %s" % REQUESTS_IMPORT_ERROR)
        if not self.get_option("ks_host"):
            raise AnsibleParserError("No KubeSphere host for %s: set ks_host in that file, or the KUBESPHERE_HOST "
                                     "environment variable" % path)
        records = self._cluster_records(path, cache)
        self.inventory.add_group(HOST_GROUP)
        self.inventory.add_group(MEMBER_GROUP)
        chosen = select(records, include=self.get_option("include_clusters"),
                        exclude=self.get_option("exclude_clusters"), ready_only=self.get_option("ready_only"))
        for record in chosen:
            self._add_cluster(record)

    # -- reading, through the cache ----------------------------------------------------------

    def _cluster_records(self, path, cache):
        source = cache_source(self.get_option("ks_host"), self.get_option("label_selector"))
        use_cache = self.get_option("cache")
        key = self.get_cache_key(path)
        if use_cache and cache:  # cache is False with --flush-cache and meta: refresh_inventory
            try:
                cached = self._cache[key]
            except KeyError:
                cached = None
            if isinstance(cached, dict) and cached.get("source") == source:
                return cached.get("clusters") or []
        records = self._fetch()
        if use_cache and records is not None:
            self._cache[key] = {"source": source, "clusters": records}
        return records or []

    def _fetch(self):
        """Cluster records from the server; None when a 403 is only a warning (strict: false)."""
        options = dict((name, self.get_option(name)) for name in CONNECTION_OPTION_NAMES)
        try:
            client = KubeSphereClient(options, warn=self.display.warning)
            try:
                items = client.list_all(CLUSTERS_PATH, query=list_query(self.get_option("label_selector")))
                ids = read_label_ids(client) if items else {}
            finally:
                client.close()
        except KubeSphereError as err:
            if err.status == 403:
                message = ("kubesphere.core.ks_clusters: the user may not list clusters (%s). Listing needs "
                           "'list clusters' in the API group resources.kubesphere.io, which KubeSphere's "
                           "'authenticated' global role grants unless it was changed." % err)
                if self._soft_forbidden:
                    self.display.warning(message + " No cluster was added (strict: false).")
                    return None
                raise AnsibleParserError(message)
            raise AnsibleParserError("kubesphere.core.ks_clusters: could not list clusters: %s" % err)
        return [cluster_record(item, ids) for item in items if isinstance(item, dict)]

    # -- hosts ------------------------------------------------------------------------------

    def _add_cluster(self, record):
        name = record["name"]
        self.inventory.add_host(name, group=role_group(record))
        for group in fact_groups(record):
            self.inventory.add_group(group)
            self.inventory.add_host(name, group=group)
        for var, value in host_vars(record).items():
            self.inventory.set_variable(name, var, _from_api(value))
        self.inventory.set_variable(name, "ansible_connection", "local")
        self.inventory.set_variable(name, "ansible_python_interpreter", _our_template(CONTROLLER_PYTHON))
        compose, groups, keyed = self.get_option("compose"), self.get_option("groups"), self.get_option("keyed_groups")
        if not (compose or groups or keyed):
            return  # nothing to construct: skip collecting every host's variables (about 15% of parse at 500 hosts)
        strict = self.get_option("strict")
        variables = self.inventory.get_host(name).get_vars()
        self._set_composite_vars(compose, variables, name, strict=strict)
        self._add_host_to_composed_groups(groups, variables, name, strict=strict)
        self._add_host_to_keyed_groups(keyed, variables, name, strict=strict)
