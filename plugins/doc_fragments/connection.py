# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The connection options every module and plugin of kubesphere.core shares."""

from __future__ import annotations


class ModuleDocFragment:
    # Module form: options are module arguments with environment fallbacks.
    DOCUMENTATION = r"""
options:
  ks_host:
    description:
      - URL of the KubeSphere API server (ks-apiserver or the console's API endpoint), with its scheme,
        for example V(https://ks.example.com) or V(http://127.0.0.1:30880).
      - Scheme, host and port only. A URL with a path (V(https://ks.example.com/console)) is refused before
        any request, because KubeSphere serves its API and C(/oauth) at the root; a KubeSphere served under a
        sub-path of a reverse proxy is not supported.
      - Always the B(host) cluster; member clusters are reached through it.
      - If not set, the value of the E(KUBESPHERE_HOST) environment variable is used.
    type: str
    required: false
  ks_username:
    description:
      - User name (or e-mail address) for the OAuth password grant.
      - Not needed when O(ks_token) is set.
      - If not set, the value of the E(KUBESPHERE_USERNAME) environment variable is used.
    type: str
  ks_password:
    description:
      - Password for the OAuth password grant.
      - KubeSphere locks an account after about ten failed logins; a wrong password fails the task after one attempt.
      - If not set, the value of the E(KUBESPHERE_PASSWORD) environment variable is used.
    type: str
  ks_token:
    description:
      - An access token to use as is, for example the RV(kubesphere.core.ks_login#module:ks_token) returned by M(kubesphere.core.ks_login)
        or a KubeSphere service account token. When set, no login is made and the token cache is not used.
      - It comes before O(ks_username) and O(ks_password). A refused token is replaced by a password login only
        when this collection obtained it (the token M(kubesphere.core.ks_login) returned, after a KubeSphere
        restart); any other refused token fails the task, saying to unset it (a stale E(KUBESPHERE_TOKEN) in
        the environment) to log in with the password.
      - If not set, the value of the E(KUBESPHERE_TOKEN) environment variable is used.
    type: str
  ks_client_id:
    description:
      - OAuth client ID used for the password grant.
      - If not set, the value of the E(KUBESPHERE_CLIENT_ID) environment variable is used.
    type: str
    default: kubesphere
  ks_client_secret:
    description:
      - OAuth client secret used for the password grant.
      - If not set, the value of the E(KUBESPHERE_CLIENT_SECRET) environment variable is used, and without
        that the secret of KubeSphere's stock client, C(kubesphere).
      - Leave it unset for the stock client; Ansible hides every value of this option in its output, so
        setting it to the common word C(kubesphere) would hide that word everywhere.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate (its chain, its expiry and that it names the host of
        O(ks_host)).
      - V(false) turns every check off and is reported by a warning; use O(ca_path) for a private CA instead.
      - If not set, the value of the E(KUBESPHERE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle (PEM) used to verify the server's certificate, for a KubeSphere behind a private
        CA. Without it the system's CA bundle is used.
      - A file that does not exist, cannot be read or holds no PEM certificate is refused before any request.
      - If not set, the value of the E(KUBESPHERE_CA_PATH) environment variable is used (the AWX credential
        type in C(docs/awx/) sets it from its CA field).
    type: path
  request_timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the value of the E(KUBESPHERE_REQUEST_TIMEOUT) environment variable is used.
    type: float
    default: 30
  token_cache:
    description:
      - Where access tokens obtained by a password login are kept between tasks, so that a play logs in once,
        not once per task.
      - V(true) keeps them in a private directory under the user's cache directory
        (C($XDG_CACHE_HOME/kubesphere.core/tokens) or C(~/.cache/kubesphere.core/tokens));
        V(false) keeps no token (every task logs in) but still remembers refused logins, below; any other value
        is the directory to use, as an absolute path (C(~) is expanded; a relative path is refused rather than
        resolved against whatever directory a play starts in).
      - Files are mode 0600 in a 0700 directory and hold tokens and their expiry, never a password. Each entry
        carries a salted hash of the password that obtained it, so a different password never uses the cached
        token and logs in afresh, and a refused login is remembered (for 5 minutes, so that many processes with
        the same wrong password send it once) only for that same password.
      - With V(false) the memory of a refused login is still kept, in the default directory (the salted hash of
        the refused password, the server's answer and its time, never a token or a password), with a lock file
        so that parallel tasks wait for one login attempt; without it a dozen tasks with a wrong password
        would lock the account (KubeSphere locks it after 10 failed logins in 10 minutes). If that directory
        cannot be written, a refused login says so in a warning.
      - A directory or file of the cache that others may read or write (the directory and every file of the
        cache in it, whichever KubeSphere user's entry, its lock and the detected version files) is set back to
        0700/0600 when it belongs to the user running the module; if any belongs to another user or is a
        symbolic link, the cache is not used (a warning says so, and tokens are kept in memory for that task).
        Other files in the directory are left alone.
      - If not set, the value of the E(KUBESPHERE_TOKEN_CACHE) environment variable is used.
    type: str
    default: "true"
  retries:
    description:
      - How many times a request is retried, with exponential backoff and jitter, after a connection error
        or an HTTP 429, 502, 503 or 504 answer (waiting at least as long as a C(Retry-After) header asks).
        V(0) disables retries.
      - Reads, C(PUT) and C(DELETE) are retried for all of these. A create or patch is re-sent only when the
        connection could not be made at all; when its answer was lost, the object is read first and the
        write is sent again only if it did not happen.
      - A refused login (wrong password, lock-out) is never retried.
      - Each kind of retried request is reported by one warning.
      - If not set, the value of the E(KUBESPHERE_RETRIES) environment variable is used.
    type: int
    default: 3
  retry_budget:
    description:
      - The most seconds one task spends waiting between retries, all requests together; once spent, the
        next transient failure fails the task. V(0) disables retries.
      - If not set, the value of the E(KUBESPHERE_RETRY_BUDGET) environment variable is used.
    type: float
    version_added: 0.2.0
    default: 60
  ks_api_version:
    description:
      - Which KubeSphere line the server runs. V(v4) is 4.1 and the 4.2 Enterprise line; V(v3) is 3.4.
        Tasks are the same for both; the collection says each request the way that line wants it.
      - V(auto) asks the server once, without a token (C(GET /version) on 4.x, C(GET /kapis/version) on 3.x),
        and keeps the answer for a day beside the cached tokens, so later tasks send no request for it.
        Set V(v3) or V(v4) for a server that hides its version endpoints.
      - A kept answer is checked once more when the server refuses the token, answers that it does not serve a
        path (C(404 page not found)) or lacks a feature the kept line lacks, so a server upgraded in place from
        3.4 to 4.1 is followed with a warning. A path that still does not fit fails naming the line, the
        version the server reported and the file that keeps the answer (delete it, or set this option).
      - If not set, the value of the E(KUBESPHERE_API_VERSION) environment variable is used.
    type: str
    version_added: 0.2.0
    choices: [auto, v3, v4]
    default: auto
requirements:
  - python >= 3.8
  - requests
notes:
  - All connection options can be set through the E(KUBESPHERE_*) environment variables, which is how AWX
    credentials and ad-hoc C(ansible) runs provide them; in a play, once for all tasks with
    C(module_defaults) and the action group C(group/kubesphere.core.ks).
  - Pass O(ks_password), O(ks_token) and O(ks_client_secret) by environment or Ansible Vault, never inline.
    When a task fails, ansible-core prints the task as written; for an ad-hoc C(ansible -a 'ks_password=...')
    that is the password itself, also with C(ANSIBLE_NO_LOG=true), and no module setting can prevent it.
    A variable from a Vault file (C(-e @vault.yml -a 'ks_password={{ vault_ks_password }}')) is shown as
    written, C({{ vault_ks_password }}).
"""

    # Plugins extend DOCUMENTATION and this: only where a plugin also reads each option (the environment).
    # Written by tools/build_doc_fragments.py from module_utils/_client/ks_connection.py (`make fragments`).
    PLUGINS = r"""
options:
  ks_host:
    env:
      - name: KUBESPHERE_HOST
  ks_username:
    env:
      - name: KUBESPHERE_USERNAME
  ks_password:
    env:
      - name: KUBESPHERE_PASSWORD
  ks_token:
    env:
      - name: KUBESPHERE_TOKEN
  ks_client_id:
    env:
      - name: KUBESPHERE_CLIENT_ID
  ks_client_secret:
    env:
      - name: KUBESPHERE_CLIENT_SECRET
  validate_certs:
    env:
      - name: KUBESPHERE_VALIDATE_CERTS
  ca_path:
    env:
      - name: KUBESPHERE_CA_PATH
  request_timeout:
    env:
      - name: KUBESPHERE_REQUEST_TIMEOUT
  token_cache:
    env:
      - name: KUBESPHERE_TOKEN_CACHE
  retries:
    env:
      - name: KUBESPHERE_RETRIES
  retry_budget:
    env:
      - name: KUBESPHERE_RETRY_BUDGET
  ks_api_version:
    env:
      - name: KUBESPHERE_API_VERSION
"""
