"""App packages: what the server reads out of an uploaded Helm chart or YAML bundle, and where it
keeps the bytes. Without S3 a package is a ConfigMap named after the version in
extension-openpitrix (binaryData.BinaryKey); core does not create that namespace, so an upload
fails with the namespace's NotFound until the openpitrix extension (or someone) makes it."""

import base64
import gzip
import io
import tarfile
import zlib

import yaml

from .. import errors
from ..kinds.application import PACKAGE_KEY, PACKAGE_NAMESPACE
from ..kinds.core import CONFIGMAP

MAX_SIZE = 1024 * 1024     # without an object store (S3), the kapis refuse bigger packages


class PackageError(Exception):
    """A package the server cannot read; the message is what it answers (500 text)."""


def read_chart(data):
    """The Chart.yaml mapping of a packaged chart (.tgz bytes), as Helm's loader reads it."""
    if not data:
        raise PackageError("package is empty")
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise PackageError("gzip: invalid header") from None
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            files = {member.name: tar.extractfile(member).read() for member in tar.getmembers() if member.isfile()}
    except tarfile.TarError:
        raise PackageError("archive/tar: invalid tar header") from None
    chart_files = [name for name in files if name.count("/") == 1 and name.endswith("/Chart.yaml")]
    if not chart_files:
        raise PackageError("Chart.yaml file is missing")
    try:
        metadata = yaml.safe_load(files[chart_files[0]]) or {}
    except yaml.YAMLError as exc:
        raise PackageError(f"cannot load Chart.yaml: {exc}") from None
    for field in ("name", "version"):
        if not metadata.get(field):
            raise PackageError(f"validation: chart.metadata.{field} is required")
    metadata["version"] = str(metadata["version"])
    metadata["_files"] = files
    return metadata


def chart_files(data):
    """{path inside the chart: bytes}, paths without the chart's top directory (the /files answer)."""
    files = read_chart(data)["_files"]
    return {name.split("/", 1)[1]: content for name, content in files.items()}


def read_manifests(data):
    """The documents of a YAML package (or of a YAML release's values), each a dict with kind."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        documents = list(yaml.safe_load_all(text))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PackageError(f"yaml: {_yaml_problem(exc)}") from None
    manifests = []
    for document in documents:
        if document is None:
            continue
        if not isinstance(document, dict) or not document.get("kind"):
            raise PackageError(f"Object 'Kind' is missing in '{_go_json(document)}'")
        if not document.get("apiVersion"):
            raise PackageError(f"Object 'apiVersion' is missing in '{_go_json(document)}'")
        manifests.append(document)
    return manifests


# PyYAML's wording of a few common mistakes, and how Go's yaml (a libyaml port) words them.
_GO_WORDING = (("expected ',' or ']'", "did not find expected ',' or ']'"),
               ("expected ',' or '}'", "did not find expected ',' or '}'"),
               ("mapping values are not allowed here", "mapping values are not allowed in this context"),
               ("that cannot start any token", "found character that cannot start any token"),
               ("could not find expected ':'", "could not find expected ':'"))


def _yaml_problem(exc):
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    for python_words, go_words in _GO_WORDING:
        if python_words in problem:
            problem = go_words
            break
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


def _go_json(value):
    import json
    return json.dumps(value, separators=(",", ":"))


def decode_package(value):
    """A package as sent in JSON ([]byte: base64)."""
    if value in (None, ""):
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise errors.bad_request("illegal base64 data in package") from None


# ---- the ConfigMap store --------------------------------------------------------------

def upload(api, cluster, key, data):
    """Save a package; one already saved under that key is kept (the server ignores AlreadyExists)."""
    configmap = {"metadata": {"name": key, "namespace": PACKAGE_NAMESPACE},
                 "binaryData": {PACKAGE_KEY: base64.b64encode(data).decode()}}
    try:
        api.create(cluster, CONFIGMAP, configmap, admit=False)
    except errors.ApiError as exc:
        if exc.code != 409:
            raise


def read(api, cluster, key):
    """The stored package, or None (the caller words the 404 as its line does)."""
    configmap = api.store.get(cluster, CONFIGMAP, key, PACKAGE_NAMESPACE)
    if configmap is None:
        return None
    return base64.b64decode((configmap.get("binaryData") or {}).get(PACKAGE_KEY, ""))


def delete(api, cluster, keys):
    for key in keys:
        try:
            api.delete(cluster, CONFIGMAP, key, PACKAGE_NAMESPACE, admit=False)
        except errors.ApiError as exc:
            if exc.code != 404:
                raise
