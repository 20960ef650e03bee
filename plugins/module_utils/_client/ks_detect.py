# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Which KubeSphere line a host runs, asked once and remembered beside the tokens.

Each line leaves a different version endpoint open to anonymous callers: 4.x answers GET /version
(and 403s /kapis/version), 3.x answers GET /kapis/version (and 403s /version). So detection needs no
token and no login. The answer is kept per host in the token cache directory (one small JSON file,
mode 0600, like the token files) for a day, so a run whose cache is warm sends no request for it.
The client asks again once when an answer says another server may answer now (ks_client._recheck_line).
"""

import hashlib
import os
import time

from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_auth import CacheFile, host_key
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_versions import line_of

DETECTION_LIFETIME = 24 * 3600.0     # an upgrade from 3.x to 4.x is a migration, not a restart
PROBES = ("/version", "/kapis/version")


class VersionCache(object):
    """The detected line of one host: a file of its own beside the tokens (the same privacy and atomic
    writes, through CacheFile), no lock (two runs detecting at once write the same answer)."""

    def __init__(self, directory, host):
        key = hashlib.sha256(("api-line\n" + host_key(host)).encode("utf-8")).hexdigest()
        self.file = CacheFile(directory, os.path.join(directory, key + ".version.json"))
        self.directory = directory
        self.path = self.file.path

    def read(self):
        return self.file.read()

    def write(self, entry):
        self.file.write(entry)

    def fresh_line(self, now=None):
        entry = self.read() or {}
        detected_at = entry.get("detected_at")
        if entry.get("line") not in ("v3", "v4") or not isinstance(detected_at, (int, float)):
            return None, None
        if not 0 <= (now or time.time()) - detected_at < DETECTION_LIFETIME:
            return None, None
        return entry["line"], entry.get("git_version")


def probe(send, host):
    """(line, gitVersion) from the open version endpoints, or (None, None) when neither says.

    send(method, url, headers) -> KsResponse (the client's transport, no token)."""
    for path in PROBES:
        resp = send("GET", host + path, {"Accept": "application/json"})
        data = resp.json if resp.status == 200 else None
        if isinstance(data, dict):
            git_version = data.get("gitVersion")
            if not git_version and data.get("gitMajor"):
                git_version = "v%s.%s" % (data.get("gitMajor"), data.get("gitMinor") or "0")
            line = line_of(git_version)
            if line:
                return line, git_version
    return None, None


def remember(cache, line, git_version):
    """Store the detected line; a cache that cannot be written is not an error."""
    try:
        cache.write(dict(format=1, line=line, git_version=git_version, detected_at=time.time()))
    except (OSError, IOError, TypeError, ValueError):
        return False
    return True


def line_advice(line, source, git_version, rechecked, cache_path):
    """What a failure for a path the server does not serve says about the line the request was sent in:
    where that line came from (source: option, cache, probe or assumed) and how to change it."""
    if line is None:
        return None
    if source == "option":
        return ("sent in the form of %s because ks_api_version says so; if the server runs another line, set "
                "ks_api_version to auto" % line.title)
    if source == "assumed":
        return ("sent in the form of %s, assumed because neither /version nor /kapis/version answered; set "
                "ks_api_version to v3 or v4" % line.title)
    reset = ("; the detection is kept for a day in %s: delete that file (or set ks_api_version) if the server has "
             "changed" % cache_path) if cache_path else "; set ks_api_version if that is not the server's line"
    return "sent in the form of %s, the line the server was detected to run (%s%s)%s" % (
        line.title, git_version or "version not reported", ", detected again just now" if rechecked else "", reset)
