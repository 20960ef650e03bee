"""The input checks every resource makes before any request (ks_validate): Kubernetes' name rules, e-mail,
KubeSphere's password policy, identity links, and the messages a person acts on."""
import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_validate import (
    dns1123_label_error,
    dns1123_subdomain_error,
    email_error,
    first_error,
    identities_error,
    is_bcrypt_hash,
    password_error,
    timeout_error,
)

BCRYPT = "$2a$10$" + "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"


@pytest.mark.parametrize("value", ["a", "0", "web", "team-1", "a" * 63, "1-2-3", "x9"])
def test_dns1123_labels(value):
    assert dns1123_label_error(value) is None


@pytest.mark.parametrize("value", ["Web", "-web", "web-", "we_b", "we.b", "web ", "wéb", "a" * 64])
def test_not_dns1123_labels(value):
    assert dns1123_label_error(value, "workspace") is not None


@pytest.mark.parametrize("value", ["role.with.dots", "a", "a-b.c-d", "a" * 253, "0.0"])
def test_dns1123_subdomains(value):
    assert dns1123_subdomain_error(value) is None


@pytest.mark.parametrize("value", ["a..b", ".a", "a.", "A.b", "a_b", "a.-b", "a" * 254])
def test_not_dns1123_subdomains(value):
    assert dns1123_subdomain_error(value) is not None


@pytest.mark.parametrize("check", [dns1123_label_error, dns1123_subdomain_error])
@pytest.mark.parametrize("value", [None, "", 5, ["web"]])
def test_a_name_that_is_no_string_says_so(check, value):
    assert check(value, "project") == "project must be a non-empty string"


def test_the_messages_name_the_option_the_value_and_the_rule():
    assert dns1123_label_error("Web", "workspace") == (
        "workspace 'Web' is not a valid DNS-1123 label: use lower-case letters, digits and '-', starting and "
        "ending with a letter or digit")
    assert dns1123_label_error("a" * 64, "clusters[2]") == (
        "clusters[2] %r is 64 characters long; at most 63 are allowed" % ("a" * 64))
    assert dns1123_subdomain_error("a_b", "templates[0]") == (
        "templates[0] 'a_b' is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending "
        "with a letter or digit")
    assert dns1123_subdomain_error("a" * 254) == "name %r is longer than 253 characters" % ("a" * 254)


@pytest.mark.parametrize("value, ok", [
    ("bob@example.com", True), ("bob.smith+ks@mail.example.co", True), ("bob@localhost", True),
    ("bob", False), ("bob@", False), ("@example.com", False), ("bob@-example.com", False), ("bob smith@x.com", False),
    ("bob@example..com", False), (None, False),
])
def test_email(value, ok):
    problem = email_error(value)
    assert (problem is None) is ok
    if not ok:
        assert problem == "email %r is not a valid e-mail address (expected something like name@example.com)" % (value,)


def test_bcrypt_hashes_are_recognised_exactly():
    assert is_bcrypt_hash(BCRYPT) and is_bcrypt_hash(BCRYPT.replace("$2a$", "$2y$"))
    assert not is_bcrypt_hash(BCRYPT[:-1]) and not is_bcrypt_hash(BCRYPT.replace("$2a$", "$2x$"))
    assert not is_bcrypt_hash(None)


@pytest.mark.parametrize("value", ["Passw0rd", "aB3" + "x" * 61, BCRYPT])
def test_passwords_that_meet_the_policy(value):
    assert password_error(value) is None


@pytest.mark.parametrize("value, wrong", [
    ("Sh0rt", "it is 5 characters long (8 to 64 are allowed)."),
    ("password1", "it lacks an upper-case letter."),
    ("PASSWORD", "it lacks a lower-case letter, a digit."),
    ("aB3" + "x" * 62, "it is 65 characters long (8 to 64 are allowed)."),
    ("abc", "it is 3 characters long (8 to 64 are allowed) and lacks an upper-case letter, a digit."),
])
def test_passwords_that_do_not_say_everything_that_is_wrong(value, wrong):
    problem = password_error(value, "password")
    assert problem.startswith("password does not meet KubeSphere's password policy: " + wrong)
    assert value not in problem.replace("password policy", "")       # a message never repeats the password


@pytest.mark.parametrize("links, message", [
    (None, None),
    ([], None),
    ([{"provider": "github", "uid": "123"}, {"provider": "ldap", "uid": "bob"}], None),
    ([{"provider": "GitHub", "uid": "1"}], "identities provider 'GitHub' is not a valid DNS-1123 label"),
    ([{"provider": "p" * 46, "uid": "1"}], "is longer than 45 characters (it is part of an annotation key)"),
    ([{"provider": "github", "uid": ""}], "identities: the uid for provider github must be a non-empty string"),
    ([{"provider": "github", "uid": 5}], "the uid for provider github must be a non-empty string"),
    ([{"provider": "github", "uid": "u" * 254}], "the uid for provider github must be a non-empty string"),
    ([{"provider": "github", "uid": "1"}, {"provider": "github", "uid": "2"}],
     "identities names provider github twice; a user has one identity per provider"),
    ([None], "identities provider must be a non-empty string"),
])
def test_identity_links(links, message):
    problem = identities_error(links)
    assert (problem is None) if message is None else (message in problem)


@pytest.mark.parametrize("value, ok", [(None, True), (0.5, True), (120, True), (0, False), (0.0, False), (-1, False)])
def test_a_wait_timeout_must_be_positive_and_zero_is_no_default(value, ok):
    problem = timeout_error(value)
    assert (problem is None) is ok
    if not ok:
        assert problem == "wait_timeout must be a positive number of seconds"


def test_first_error_is_the_first_problem_in_order():
    assert first_error(None, "", "second", "third") == "second"
    assert first_error() is None and first_error(None, "") is None
