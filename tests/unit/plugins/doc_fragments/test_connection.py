"""The connection options are one table (module_utils/_client/ks_connection.py): the modules' argument spec,
the client's environment fallbacks and the inventory plugin are built from it, the plugin fragment's env:
entries are written from it, and the module fragment must document exactly it."""
import importlib.util
import pathlib

import yaml
from ansible.module_utils.basic import env_fallback

from ansible_collections.kubesphere.core.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_connection import (
    CONNECTION_OPTIONS,
    argument_spec,
)
from ansible_collections.kubesphere.core.plugins.module_utils.ks_module import KS_CONNECTION_ARGSPEC

ROOT = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location("build_doc_fragments", ROOT / "tools" / "build_doc_fragments.py")
build_doc_fragments = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_doc_fragments)

DOCUMENTED = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]


def test_the_module_fragment_documents_the_table():
    assert list(DOCUMENTED) == [option.name for option in CONNECTION_OPTIONS]
    for option in CONNECTION_OPTIONS:
        doc = DOCUMENTED[option.name]
        assert doc.get("type", "str") == option.type, option.name
        assert doc.get("default") == option.default, option.name
        assert doc.get("choices") == (list(option.choices) if option.choices else None), option.name
        assert "E(%s)" % option.env in " ".join(doc["description"]), option.name


def test_the_plugin_fragment_is_written_from_the_table():
    text = (ROOT / "plugins" / "doc_fragments" / "connection.py").read_text()
    assert text == build_doc_fragments.render_connection(text), "run `make fragments` (tools/build_doc_fragments.py)"
    plugins = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
    assert plugins == dict((option.name, {"env": [{"name": option.env}]}) for option in CONNECTION_OPTIONS)


def test_the_argument_spec_is_the_table():
    assert KS_CONNECTION_ARGSPEC == argument_spec(env_fallback)
    assert KS_CONNECTION_ARGSPEC["ks_password"]["no_log"] is True
    assert KS_CONNECTION_ARGSPEC["ks_token"]["no_log"] is True
    assert KS_CONNECTION_ARGSPEC["ks_api_version"]["choices"] == ["auto", "v3", "v4"]
    assert KS_CONNECTION_ARGSPEC["ks_host"]["fallback"] == (env_fallback, ["KUBESPHERE_HOST"])
    assert "default" not in KS_CONNECTION_ARGSPEC["ks_client_secret"]
