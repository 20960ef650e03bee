"""Tokens: lifetime, refresh, logout, the token cache and restarts."""

import time

from emu_helpers import USERS, Client

FORM = {"client_id": "kubesphere", "client_secret": "kubesphere"}


def password_grant(client, username="admin", password="P@88w0rd"):
    return client.post("/oauth/token", data=dict(FORM, grant_type="password", username=username, password=password))


def test_tokens_expire_and_refresh_tokens_outlive_them(fresh_emulator):
    emu = fresh_emulator(token_ttl=1, token_inactivity_timeout=2)
    client = Client(emu.url)
    answer = password_grant(client).json()
    assert answer["expires_in"] == 1 and answer["token_type"] == "Bearer"
    assert answer["access_token"].count(".") == 2
    user = Client(emu.url, answer["access_token"])
    assert user.get(USERS).status_code == 200
    time.sleep(1.3)
    expired = user.get(USERS)
    assert expired.status_code == 401
    assert expired.json()["message"].startswith("jwt: token is expired by ")
    refresh_form = dict(FORM, grant_type="refresh_token", refresh_token=answer["refresh_token"])
    refreshed = client.post("/oauth/token", data=refresh_form)
    assert refreshed.status_code == 200
    again = client.post("/oauth/token", data=refresh_form)
    assert again.status_code == 200, "an old refresh token keeps working after a refresh"
    assert Client(emu.url, refreshed.json()["access_token"]).get(USERS).status_code == 200
    assert emu.counters()["logins"]["refresh_ok"] == 2


def test_runtime_token_lifetime(fresh_emulator):
    emu = fresh_emulator()
    emu.configure(token_ttl=30)
    assert password_grant(Client(emu.url)).json()["expires_in"] == 30


def test_dropping_the_token_cache(fresh_emulator):
    emu = fresh_emulator()
    other = Client(emu.url, emu.login())
    assert other.get(USERS).status_code == 200
    assert emu.restart_tokens()["dropped"] == 2          # the access and the refresh token
    answer = other.get(USERS)
    assert answer.status_code == 401 and answer.json()["message"] == "token not found in cache"
    assert Client(emu.url, emu.login()).get(USERS).status_code == 200


def test_logout_revokes_only_that_token(fresh_emulator):
    emu = fresh_emulator()
    first, second = Client(emu.url, emu.login()), Client(emu.url, emu.login())
    assert first.get("/oauth/logout").json() == {"message": "success"}
    assert first.get("/oauth/userinfo").json()["message"] == "token not found in cache"
    assert second.get("/oauth/userinfo").json()["preferred_username"] == "admin"
    assert second.post("/oauth/logout").status_code == 405
    redirect = second.get("/oauth/logout?post_logout_redirect_uri=http://x/login")
    assert redirect.status_code == 302 and redirect.headers["Location"] == "http://x/login"


def test_bad_credentials(emulator):
    def message(header):
        answer = Client(emulator.url).get(USERS, headers={"Authorization": header})
        assert answer.status_code == 401
        return answer.json()["message"]
    assert message("Bearer garbage") == "token contains an invalid number of segments"
    assert message("Bearer a.b.c").startswith(("illegal base64", "invalid character"))
    assert message("Token xyz") == "The request cannot be authenticated."
    assert message("Basic YWRtaW46d3Jvbmc=") == "incorrect password"      # admin:wrong
    anonymous = Client(emulator.url).get(USERS)
    assert anonymous.status_code == 403 and "system:anonymous" in anonymous.json()["message"]
    assert Client(emulator.url).get("/oauth/userinfo").json() == "login_required"


def test_oauth_errors(emulator):
    client = Client(emulator.url)
    assert password_grant(client, password="nope").json()["error_description"] == "Invalid username or password."
    assert client.post("/oauth/token", json={"grant_type": "password"}).status_code == 415
    assert client.get("/oauth/token").status_code == 405
    assert client.post("/oauth/token", data=dict(FORM, client_secret="x", grant_type="password")).status_code == 401
    assert client.post("/oauth/token", data=dict(FORM, grant_type="client_credentials")).json()["error"] == \
        "unsupported_grant_type"
    by_email = password_grant(client, username="admin@kubesphere.io")
    assert by_email.status_code == 200 and by_email.headers["Cache-Control"] == "no-store"


def test_process_restart_loses_tokens_and_objects(fresh_emulator):
    emu = fresh_emulator()
    admin = Client(emu.url, emu.login())
    assert admin.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                  "metadata": {"name": "scratch"}}).status_code == 201
    port = emu.port
    emu.restart()
    assert emu.port == port
    answer = admin.get(USERS)
    assert answer.status_code == 401 and answer.json()["message"] == "token not found in cache"
    admin = Client(emu.url, emu.login())
    assert admin.get("/api/v1/namespaces/scratch").status_code == 404
    assert admin.get("/api/v1/namespaces/kube-system").status_code == 200
