"""The token cache entry is tagged with a salted hash of the password that made it; the remembered
failure belongs to the refused password only; the cache's modes are repaired or the cache refused."""
import json
import os
import stat

import pytest

from ansible_collections.kubesphere.core.plugins.module_utils._client import ks_auth
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereAuthError, KubeSphereError
from stub_server import PASSWORD


def entry_of(ks):
    (name,) = sorted(n for n in os.listdir(ks.cache_dir) if n.endswith(".json"))
    path = os.path.join(ks.cache_dir, name)
    with open(path) as handle:
        return path, json.load(handle)


def test_entry_holds_a_salted_tag_never_the_password(ks):
    ks.client().login()
    path, entry = entry_of(ks)
    tag = entry["password_tag"]
    assert set(tag) == {"salt", "hash"} and PASSWORD not in open(path).read()
    assert ks_auth.tag_matches(tag, PASSWORD) and not ks_auth.tag_matches(tag, PASSWORD + "x")
    assert ks_auth.password_tag(PASSWORD)["salt"] != tag["salt"]        # a fresh salt for every new entry


def test_a_wrong_password_never_uses_the_cached_token(ks):
    ks.client().login()
    with pytest.raises(KubeSphereAuthError):
        ks.client(ks_password="Wrong-Passw0rd").login()
    assert ks.stub.oauth.password_grants == 2       # the wrong password was sent, not waved through


def test_a_changed_password_logs_in_afresh_exactly_once(ks):
    ks.client().login()
    ks.stub.oauth.users["admin"] = "New-Passw0rd!"
    for _run in range(3):
        ks.client(ks_password="New-Passw0rd!").login()
    assert ks.stub.oauth.password_grants == 2


def test_a_corrected_password_is_tried_at_once_the_same_wrong_one_is_not(ks):
    with pytest.raises(KubeSphereAuthError):
        ks.client(ks_password="Wrong-Passw0rd").login()
    with pytest.raises(KubeSphereAuthError) as again:
        ks.client(ks_password="Wrong-Passw0rd").login()
    assert "not sent" in str(again.value)
    assert ks.client().login().startswith("access-")
    assert ks.stub.count("POST", "/oauth/token") == 2


def test_an_untagged_entry_from_an_older_version_is_not_trusted(ks):
    ks.client().login()
    path, entry = entry_of(ks)
    entry.pop("password_tag")
    with open(path, "w") as handle:
        json.dump(entry, handle)
    ks.client().login()
    assert ks.stub.oauth.password_grants == 2


def test_open_modes_are_repaired(ks):
    ks.client().login()
    path, _entry = entry_of(ks)
    os.chmod(ks.cache_dir, 0o777)
    os.chmod(path, 0o644)
    ks.client().login()
    assert stat.S_IMODE(os.stat(ks.cache_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ks.stub.oauth.password_grants == 1 and not ks.warnings


def test_a_cache_of_another_user_is_refused_with_a_warning(ks, monkeypatch):
    ks.client().login()
    monkeypatch.setattr(ks_auth.os, "getuid", lambda: os.stat(ks.cache_dir).st_uid + 1)
    assert ks.client().login().startswith("access-")
    assert ks.stub.oauth.password_grants == 2       # the cached token was not used
    assert any("belongs to another user" in w and "memory" in w for w in ks.warnings)


def test_a_relative_token_cache_is_refused():
    with pytest.raises(KubeSphereError) as info:
        ks_auth.resolve_cache_dir("tokens")
    assert "absolute" in str(info.value) and "'tokens'" in str(info.value)
    assert ks_auth.resolve_cache_dir("~/t") == os.path.join(os.path.expanduser("~"), "t")


def test_every_file_of_the_cache_is_repaired_and_other_files_left_alone(ks):
    ks.client().login()
    directory = ks.cache_dir
    names = ("f" * 64 + ".json", "e" * 64 + ".lock", "d" * 64 + ".version.json", ".tmp-x.json")
    others = [os.path.join(directory, name) for name in names]
    for path in others:
        with open(path, "w") as handle:
            handle.write("{}")
        os.chmod(path, 0o666)
    foreign = os.path.join(directory, "README")
    with open(foreign, "w") as handle:
        handle.write("")
    os.chmod(foreign, 0o644)
    os.chmod(directory, 0o777)
    ks.client().login()
    assert [oct(stat.S_IMODE(os.stat(path).st_mode)) for path in others] == ["0o600"] * 4
    assert stat.S_IMODE(os.stat(foreign).st_mode) == 0o644 and stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert not ks.warnings


def test_a_symbolic_link_among_the_cache_files_refuses_the_cache_and_is_never_followed(ks, tmp_path):
    ks.client().login()
    target = tmp_path / "elsewhere"
    target.write_text("")
    os.chmod(str(target), 0o644)
    os.symlink(str(target), os.path.join(ks.cache_dir, "a" * 64 + ".json"))
    ks.client().login()
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o644
    assert ks.stub.oauth.password_grants == 2 and any("symbolic link" in w for w in ks.warnings)
