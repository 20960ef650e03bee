"""GET /kapis/package.kubesphere.io/v1alpha1/extensionversions/{name}/files:
the chart's files ([{"Name", "Data" (base64)}]), e.g. the default values.yaml
a user starts a config from. The emulator has no charts; it renders a small
chart from the ExtensionVersion and the catalog's default values."""

import base64

from ..kinds.extensions import EXTENSION_REF_LABEL, EXTENSION_VERSION
from ..seed_extensions import default_values
from .router import kapi


def _file(name, text):
    return {"Name": name, "Data": base64.b64encode(text.encode("utf-8")).decode()}


@kapi("GET", "/kapis/package.kubesphere.io/v1alpha1/extensionversions/{name}/files")
def extension_version_files(ctx):
    found = ctx.view().get(EXTENSION_VERSION, ctx.params["name"])
    if found is None:
        raise ctx.lister_not_found(EXTENSION_VERSION, ctx.params["name"])
    spec = found.get("spec") or {}
    extension = (found["metadata"].get("labels") or {}).get(EXTENSION_REF_LABEL, "")
    version = str(spec.get("version", ""))
    description = (spec.get("description") or {}).get("en", "")
    chart = (f"apiVersion: v2\nname: {extension}\nversion: {version}\nappVersion: \"{version}\"\n"
             f"description: {description}\ntype: application\n")
    template = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n"
                "data:\n  values: {{ toYaml .Values | quote }}\n")
    manifest = (f"apiVersion: kubesphere.io/v1alpha1\nname: {extension}\nversion: {version}\n"
                f"installationMode: {spec.get('installationMode', 'HostOnly')}\n")
    return [_file("Chart.yaml", chart), _file("values.yaml", default_values(extension, version)),
            _file("templates/configmap.yaml", template), _file("extension.yaml", manifest)]
