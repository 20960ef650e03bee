# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
# Private to kubesphere.core (module_utils/_*/): no API promise to other collections; see docs/developing.md.
"""Input checks made before any request, with messages a person can act on."""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Close to what KubeSphere's webhook accepts (Go's net/mail): a local part, "@", a dotted domain.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")
_BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")


def dns1123_label_error(value, what="name"):
    """Return why value is not a DNS-1123 label (as Kubernetes names must be), or None."""
    if not isinstance(value, str) or value == "":
        return "%s must be a non-empty string" % what
    if len(value) > 63:
        return "%s %r is %d characters long; at most 63 are allowed" % (what, value, len(value))
    if not _DNS1123_LABEL.match(value):
        return ("%s %r is not a valid DNS-1123 label: use lower-case letters, digits and '-', "
                "starting and ending with a letter or digit" % (what, value))
    return None


def dns1123_subdomain_error(value, what="name"):
    """Return why value is not a DNS-1123 subdomain (role names may contain dots), or None."""
    if not isinstance(value, str) or value == "":
        return "%s must be a non-empty string" % what
    if len(value) > 253:
        return "%s %r is longer than 253 characters" % (what, value)
    if not _DNS1123_SUBDOMAIN.match(value):
        return ("%s %r is not a valid name: use lower-case letters, digits, '-' and '.', "
                "starting and ending with a letter or digit" % (what, value))
    return None


def email_error(value, what="email"):
    if not isinstance(value, str) or not _EMAIL.match(value):
        return "%s %r is not a valid e-mail address (expected something like name@example.com)" % (what, value)
    return None


def is_bcrypt_hash(value):
    return isinstance(value, str) and bool(_BCRYPT.match(value))


def password_error(value, what="password"):
    """KubeSphere's password policy: 8 to 64 characters with a lower-case letter, an upper-case letter and a digit
    (or a bcrypt hash, which KubeSphere stores as is)."""
    if is_bcrypt_hash(value):
        return None
    missing = []
    if not re.search(r"[a-z]", value):
        missing.append("a lower-case letter")
    if not re.search(r"[A-Z]", value):
        missing.append("an upper-case letter")
    if not re.search(r"[0-9]", value):
        missing.append("a digit")
    problems = []
    if not 8 <= len(value) <= 64:
        problems.append("is %d characters long (8 to 64 are allowed)" % len(value))
    if missing:
        problems.append("lacks " + ", ".join(missing))
    if problems:
        return ("%s does not meet KubeSphere's password policy: it %s. A password needs 8 to 64 characters "
                "with at least one lower-case letter, one upper-case letter and one digit." % (what, " and ".join(problems)))
    return None


def identities_error(links, what="identities"):
    """Links to identity providers: a provider name usable in the annotation key, a non-empty uid, one per provider."""
    if links is None:
        return None
    seen = set()
    for link in links:
        provider, uid = (link or {}).get("provider"), (link or {}).get("uid")
        problem = dns1123_label_error(provider, "%s provider" % what)
        if problem:
            return problem
        if len(provider) > 45:
            return "%s provider %r is longer than 45 characters (it is part of an annotation key)" % (what, provider)
        if not isinstance(uid, str) or not uid or len(uid) > 253:
            return "%s: the uid for provider %s must be a non-empty string" % (what, provider)
        if provider in seen:
            return "%s names provider %s twice; a user has one identity per provider" % (what, provider)
        seen.add(provider)
    return None


def timeout_error(value, what="wait_timeout"):
    """Why a wait's timeout is unusable, or None (also when it is not given). Zero is refused too: a falsy
    timeout would otherwise fall back to the resource's default, a wait the task did not ask for."""
    if value is not None and not isinstance(value, bool) and value <= 0:
        return "%s must be a positive number of seconds" % what
    return None


def first_error(*errors):
    for err in errors:
        if err:
            return err
    return None
