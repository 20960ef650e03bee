"""How the App Store names what it creates: apps of a repo are <repo>-<short chart name>, versions
<app>-<version>, both made DNS-safe with a hash when they are not."""

import hashlib
import random

from ..validation import name_problem

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def short_name(chart):
    """A chart name as part of an object name: itself when short and DNS-safe, else an md5 prefix."""
    lowered = chart.lower()
    if len(lowered) > 14 or name_problem(lowered):
        return hashlib.md5(lowered.encode()).hexdigest()[:10]
    return lowered


def format_version(version):
    """A version as part of an object name: itself when DNS-safe, else a sha1 prefix."""
    if not name_problem(version):
        return version
    return hashlib.sha1(version.encode()).hexdigest()[:12]


def version_name(app, version):
    return f"{app}-{format_version(version)}"


def generated_app_name(chart):
    """What the server names an uploaded chart sent without appName: <short name>-<5 random chars>."""
    return short_name(chart) + "-" + "".join(random.choices(_ALPHABET, k=5))
