# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""The export's vars file: its place is claimed before anything is read or labelled, and it is written whole
(mode 0600, renamed into place) before the export adopts anything, so an export can never label objects as
managed and then fail to say so in a file."""

from __future__ import annotations

import os
import tempfile
import time

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-core itself needs PyYAML
    yaml = None
    HAS_YAML = False


class ExportFileError(Exception):
    """The file cannot be written where asked: said before any request is sent."""


class ExportFile(object):
    """dest: the path; force: overwrite an existing file; check_mode: prove nothing by writing, only look."""

    def __init__(self, dest, force=False, check_mode=False):
        self.dest = os.path.abspath(os.path.expanduser(dest))
        self.force = force
        self.check_mode = check_mode
        self._claim = None

    def claim(self):
        """Fail now if the file could not be written later: it exists (without force), its folder is missing or
        not writable. Outside check mode, a hidden file beside it proves the folder takes one."""
        folder = os.path.dirname(self.dest)
        if os.path.isdir(self.dest):
            raise ExportFileError("dest %s is a directory; give the path of the file to write" % self.dest)
        if os.path.exists(self.dest) and not self.force:
            raise ExportFileError("%s exists; give force=true to overwrite it (or choose another file)" % self.dest)
        if not os.path.isdir(folder):
            raise ExportFileError("cannot write %s: the folder %s does not exist" % (self.dest, folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ExportFileError("cannot write %s: the folder %s is not writable" % (self.dest, folder))
        if self.check_mode:
            return
        try:
            fd, self._claim = tempfile.mkstemp(prefix=".%s." % os.path.basename(self.dest), dir=folder)
            os.close(fd)
            os.chmod(self._claim, 0o600)
        except OSError as err:
            raise ExportFileError("cannot write %s: %s" % (self.dest, err))

    def release(self):
        """Drop the claim (the export failed before the file was written)."""
        if self._claim and os.path.exists(self._claim):
            os.unlink(self._claim)
        self._claim = None

    def write(self, data, host, filtered=None):
        """Write the vars file (data: the ks_* keys, in order) with a header; return whether it changed. A file
        that already says the same (but for the time in its first line) is left as it is."""
        header = ["# Apply it with playbooks/onboard_team.yml -e team_file=<this file> (the tenant and extensions roles)."]
        if filtered:
            header.append("# Exported with a filter (%s): ks_prune_scope keeps a prune inside it." % filtered)
        body = "\n".join(header) + "\n" + yaml.safe_dump(data, indent=2, sort_keys=False, default_flow_style=False,
                                                         allow_unicode=True)
        if self._same_as_before(body):
            self.release()
            return False
        if self.check_mode:
            return True
        text = "# KubeSphere tenancy exported from %s at %s by kubesphere.core.ks_export.\n%s" % (
            host, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), body)
        with open(self._claim, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(self._claim, self.dest)
        self._claim = None
        return True

    def _same_as_before(self, body):
        try:
            with open(self.dest) as handle:
                before = handle.read()
        except (IOError, OSError):
            return False
        return before.partition("\n")[2] == body
