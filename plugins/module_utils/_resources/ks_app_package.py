# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""A package to upload into the App Store, read from a local file before anything is sent: a Helm chart
archive (its Chart.yaml gives name and version) or Kubernetes YAML documents. Also the version names the
server makes of an app's name and a version (helper.go FormatVersion), to predict them in check mode."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile

from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_appstore import load_documents

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class PackageError(Exception):
    pass


def format_version(version):
    """A version as the server puts it in an object name: itself when a DNS-1123 subdomain, else the first
    12 hex digits of its sha1."""
    if _SUBDOMAIN.match(version or "") and len(version) <= 253:
        return version
    return hashlib.sha1(version.encode("utf-8")).hexdigest()[:12]


def version_object_name(app, version):
    return "%s-%s" % (app, format_version(version))


class Package(object):
    """data (bytes), chart_name and chart_version (Helm), documents (YAML)."""

    def __init__(self, path, app_type):
        self.path = path
        self.app_type = app_type
        self.chart_name = None
        self.chart_version = None
        self.documents = None
        if not os.path.isfile(path):
            raise PackageError("package: %s is not a file" % path)
        with open(path, "rb") as handle:
            self.data = handle.read()
        if not self.data:
            raise PackageError("package: %s is empty" % path)
        if app_type == "helm":
            self._read_chart()
        else:
            self._read_documents()

    def _read_chart(self):
        try:
            with tarfile.open(fileobj=io.BytesIO(self.data), mode="r:gz") as archive:
                found = [m for m in archive.getmembers()
                         if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/Chart.yaml")]
                if not found:
                    raise PackageError("package: %s is not a Helm chart archive (no <chart>/Chart.yaml in it)"
                                       % self.path)
                chart = yaml.safe_load(archive.extractfile(found[0]).read())
        except (tarfile.TarError, OSError, EOFError) as err:
            raise PackageError("package: %s is not a Helm chart archive (.tgz): %s" % (self.path, err))
        except yaml.YAMLError as err:
            raise PackageError("package: the Chart.yaml of %s is not valid YAML: %s" % (self.path, err))
        if not isinstance(chart, dict) or not chart.get("name") or not chart.get("version"):
            raise PackageError("package: the Chart.yaml of %s has no name or version" % self.path)
        self.chart_name, self.chart_version = str(chart["name"]), str(chart["version"])

    def _read_documents(self):
        try:
            docs = load_documents(self.data.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as err:
            raise PackageError("package: %s is not Kubernetes YAML: %s" % (self.path, err))
        if not docs or not all(isinstance(d, dict) and d.get("kind") and d.get("apiVersion") for d in docs):
            raise PackageError("package: every document of %s must be a Kubernetes object with kind and apiVersion"
                               % self.path)
        self.documents = docs

    def same_as(self, stored):
        """Whether the stored package (bytes) is this one; YAML compared as data."""
        if stored == self.data:
            return True
        if self.app_type != "helm":
            try:
                return load_documents(stored.decode("utf-8")) == self.documents
            except (UnicodeDecodeError, yaml.YAMLError):
                return False
        return False
