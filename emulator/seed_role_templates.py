"""The RoleTemplates at start (role_templates.yaml), as ks-core's chart installs
them: custom roles are aggregated from these by the role controllers."""

import os

import yaml

from .kinds.iam import ROLE_TEMPLATE

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "role_templates.yaml")
_CACHE = []


def role_templates():
    if not _CACHE:
        with open(TEMPLATES, encoding="utf-8") as handle:
            _CACHE.extend(yaml.safe_load(handle))
    return _CACHE


def seed_role_templates(app):
    for entry in role_templates():
        app.store.create(app.host, ROLE_TEMPLATE, {
            "apiVersion": ROLE_TEMPLATE.api_version(), "kind": ROLE_TEMPLATE.kind,
            "metadata": {"name": entry["name"], "labels": dict(entry["labels"]),
                         "annotations": dict(entry.get("annotations") or {})},
            "spec": entry["spec"]})
