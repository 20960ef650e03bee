"""The chart repository index: fetched from <url>/index.yaml when a repo is saved and on every
sync, with the answers Helm's HTTP getter gives when that fails."""

import base64
import socket
import urllib.error
import urllib.parse
import urllib.request

import yaml

TIMEOUT = 10.0


class IndexFetchError(Exception):
    """The index could not be loaded; the message is the server's text."""


def index_url(url):
    return url + "index.yaml" if url.endswith("/") else url + "/index.yaml"


def split_credentials(url):
    """(url without user:password@, username, password)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, "", ""
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    clean = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or "")


def fetch(url, username="", password=""):
    """The bytes at url (Basic auth when a username is given)."""
    clean, url_user, url_password = split_credentials(url)
    username, password = username or url_user, password or url_password
    request = urllib.request.Request(clean)
    if username:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:     # noqa: S310 (the user's URL)
            return answer.read()
    except urllib.error.HTTPError as exc:
        raise IndexFetchError(f"failed to fetch {url} : {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise IndexFetchError(_dial_error(clean, exc.reason)) from None
    except (socket.timeout, OSError) as exc:
        raise IndexFetchError(_dial_error(clean, exc)) from None


def _dial_error(url, reason):
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if isinstance(reason, ConnectionRefusedError):
        return f'Get "{url}": dial tcp {parts.hostname}:{port}: connect: connection refused'
    if isinstance(reason, socket.gaierror):
        return f'Get "{url}": dial tcp: lookup {parts.hostname}: no such host'
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    return f'Get "{url}": {reason}'


def load_index(url, username="", password=""):
    """{chart name: [entries]} of <url>/index.yaml (each entry a dict with version, digest, urls...)."""
    if url.startswith("oci://"):
        raise IndexFetchError("OCI registries are not emulated")
    data = fetch(index_url(url), username, password)
    try:
        index = yaml.safe_load(data) or {}
    except yaml.YAMLError as exc:
        raise IndexFetchError(f"error converting YAML to JSON: {exc}") from None
    if not isinstance(index, dict):
        raise IndexFetchError("error unmarshaling JSON: json: cannot unmarshal string into Go value of type repo.IndexFile")
    entries = index.get("entries") or {}
    return {name: [dict(v, version=str(v.get("version", ""))) for v in versions or []]
            for name, versions in entries.items()}
