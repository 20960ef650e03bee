# Sphinx configuration of the collection's documentation site (`make docsite`, tools/build_docsite.py).
# What `antsibull-docs sphinx-init` 2.28 writes for one collection, less its intersphinx inventories: those
# are fetched from the web, which this project's machines and CI do not reach, and the pages link to the
# Ansible documentation by URL instead.

project = 'kubesphere.core'
copyright = 'kubesphere.core developers'
title = 'kubesphere.core: KubeSphere as code'
html_short_title = 'kubesphere.core'

extensions = ['sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_title = title

default_role = 'any'
nitpicky = True

# The module and plugin pages link to a few places of the Ansible documentation (the common return values,
# the configuration settings and their environment variables). Sphinx resolves such links through the
# Ansible documentation's inventory, which is on the web: this small one, written here, names the places the
# pages use, so the links point at the Ansible documentation and a new one that is missing fails the build.
import atexit  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import zlib  # noqa: E402

extensions.append('sphinx.ext.intersphinx')
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
CONFIG = 'reference_appendices/config.html'
ANSIBLE_PLACES = [
    ('common_return_values', 'std:label', 'reference_appendices/common_return_values.html#common-return-values',
     'Return Values'),
    ('ansible_configuration_settings', 'std:label', CONFIG + '#ansible-configuration-settings',
     'Ansible Configuration Settings'),
    # Every module page says it has an action plugin (plugins/action: plans across tasks, in-process runs).
    ('action_plugins', 'std:label', 'plugins/action.html#action-plugins', 'Action plugins'),
    ('ansible_collections.ansible.builtin.uri_module', 'std:label',
     'collections/ansible/builtin/uri_module.html', 'ansible.builtin.uri module'),
] + [(name, 'std:envvar', CONFIG + '#envvar-' + name, '-') for name in (
    'ANSIBLE_CACHE_PLUGIN', 'ANSIBLE_CACHE_PLUGIN_CONNECTION', 'ANSIBLE_CACHE_PLUGIN_PREFIX',
    'ANSIBLE_CACHE_PLUGIN_TIMEOUT', 'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED')]


def _write_inventory():
    lines = ''.join('%s %s -1 %s %s\n' % entry for entry in ANSIBLE_PLACES)
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    handle, path = tempfile.mkstemp(prefix='ansible-devel-', suffix='.inv')
    with os.fdopen(handle, 'wb') as out:
        out.write(header.encode() + zlib.compress(lines.encode()))
    atexit.register(os.unlink, path)     # read once, when the build starts
    return path


intersphinx_mapping = {'ansible_devel': (ANSIBLE_DOCS, _write_inventory())}
intersphinx_disabled_reftypes = []

html_static_path = ['_static']
html_css_files = ['kubesphere.css']
