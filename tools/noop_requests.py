"""What a no-change run of one module task costs: each task below runs twice against an emulator
started for it, and the requests of the second run (the login and token refreshes aside) are printed.

    python tools/noop_requests.py            # the resource modules, with quotas, limits, roles, members

The tasks run in order (a later one refers to what an earlier one made), as ad-hoc
`ansible localhost -m kubesphere.core.<module>` commands with the connection in KUBESPHERE_* variables.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from emulator.testing import EmulatorProcess  # noqa: E402  (the installed kubesphere-emulator package)

TASKS = [
    ("ks_user", {"name": "nu", "email": "nu@example.com", "password": "Nu-Pa55word"}),
    ("ks_workspace", {"name": "nw", "manager": "nu", "quota": {"limits.cpu": "4"}, "network_isolation": True,
                      "members": [{"user": "nu", "role": "viewer"}]}),
    ("ks_project", {"name": "np", "workspace": "nw", "quota": {"limits.cpu": "2", "pods": "10"},
                    "default_limits": {"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}},
                    "network_isolation": True, "members": [{"user": "nu", "role": "viewer"}]}),
    ("ks_role", {"name": "nr", "templates": ["global-view-users"]}),
    ("ks_role", {"name": "nwr", "scope": "workspace", "workspace": "nw", "templates": ["workspace-view-members"]}),
    ("ks_role", {"name": "npr", "scope": "project", "project": "np", "templates": ["namespace-view-secrets"]}),
    ("ks_identity_provider", {"name": "corp", "type": "GitHubIdentityProvider", "options": {
        "clientID": "x", "clientSecret": "y", "redirectURL": "https://ks.example.com/oauth/redirect/corp"}}),
]


def main():
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    with tempfile.TemporaryDirectory(prefix="ks-tokens-") as cache, EmulatorProcess(members="member1") as emu:
        env = dict(os.environ, KUBESPHERE_HOST=emu.url, KUBESPHERE_USERNAME="admin", KUBESPHERE_PASSWORD="P@88w0rd",
                   KUBESPHERE_TOKEN_CACHE=cache, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
        print("| module | options | requests | writes | what they are |\n|---|---|---:|---:|---|")
        for module, args in TASKS:
            command = [ansible, "localhost", "-m", "kubesphere.core." + module, "-a", json.dumps(args)]
            subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            emu.reset_counters()
            again = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
            counters = emu.counters()
            api = dict((k, v) for k, v in counters["requests"].items() if "/oauth/" not in k)
            shown = ", ".join(sorted(k if v == 1 else "%s x%d" % (k, v) for k, v in api.items()))
            print("| %s | %s | %d | %d | %s |" % (module, ", ".join(sorted(args)), sum(api.values()),
                                                  counters.get("writes", 0), shown))
            if '"changed": false' not in again:
                print("  (the second run of %s changed something)" % module)


if __name__ == "__main__":
    main()
