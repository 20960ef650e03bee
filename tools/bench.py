"""Benchmark: what a kubesphere.core run costs, against what users would do instead.

    python tools/bench.py [--items 20] [--only GROUP]

Each group runs a baseline and our way in the same process against one emulator, and prints
requests per item, password logins per run and seconds per item, with ratios to the baseline.
Figures, not assertions: absolute seconds depend on the machine; ratios are what to read.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BIN = os.path.dirname(sys.executable)

from emulator.testing import EmulatorProcess  # noqa: E402  (needs ROOT on the path)
from bench_scenarios import GROUPS  # noqa: E402


def run_playbook(emu, text, items, cache_dir, check=False):
    """Run one playbook text; return (seconds, counters)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=cache_dir, delete=False) as handle:
        handle.write(text)
    env = dict(os.environ, KUBESPHERE_HOST=emu.url, KUBESPHERE_USERNAME="admin",
               KUBESPHERE_PASSWORD=emu.admin_password, KUBESPHERE_TOKEN_CACHE=cache_dir,
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    cmd = [os.path.join(BIN, "ansible-playbook"), handle.name, "-e", json.dumps({"items": items})]
    if check:
        cmd.append("--check")
    emu.reset_counters()
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit("benchmark playbook failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    return seconds, emu.counters()


def http_floor(emu, items):
    """The floor: one requests.Session, one login, then plain GETs."""
    session = requests.Session()
    start = time.monotonic()
    token = session.post(emu.url + "/oauth/token", data=dict(
        grant_type="password", username="admin", password=emu.admin_password,
        client_id="kubesphere", client_secret="kubesphere"), timeout=30).json()["access_token"]
    login = time.monotonic() - start
    start = time.monotonic()
    for _item in range(items):
        session.get(emu.url + "/kapis/iam.kubesphere.io/v1beta1/users/admin",
                    headers={"Authorization": "Bearer " + token}, timeout=30).raise_for_status()
    return login, (time.monotonic() - start) / items


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20, help="objects or tasks per scenario")
    parser.add_argument("--only", help="run only this group")
    # "logins" counts every password check the server made: password grants and HTTP Basic requests.
    opts = parser.parse_args()
    # Real bcrypt cost (10), so a login costs what it costs on a real server, relative to a read.
    with EmulatorProcess(members="member1", bcrypt_cost=10) as emu, tempfile.TemporaryDirectory() as tmp:
        login, per_get = http_floor(emu, 200)
        print("HTTP floor (requests.Session, in process): login %.1f ms, GET %.2f ms; a login costs %.0f GETs"
              % (login * 1000, per_get * 1000, login / per_get))
        for group in GROUPS:
            if opts.only and group["name"] != opts.only:
                continue
            if group.get("needs") and not os.path.exists(os.path.join(ROOT, "plugins", "modules", group["needs"] + ".py")):
                print("\n%s: skipped, %s does not exist yet" % (group["name"], group["needs"]))
                continue
            print("\n%s (%d items)" % (group["name"], opts.items))
            print("  %-44s %9s %9s %8s %8s" % ("scenario", "s/item", "x base", "req/item", "logins"))
            base = None
            for scenario in group["scenarios"]:
                cache = tempfile.mkdtemp(dir=tmp)
                if scenario.get("setup"):
                    run_playbook(emu, scenario["setup"], opts.items, cache)
                seconds, counters = run_playbook(emu, scenario["playbook"], opts.items, cache,
                                                 check=scenario.get("check", False))
                per_item = seconds / opts.items
                base = base or per_item
                requests_total = sum(counters["by_method"].values())
                print("  %-44s %9.3f %9.2f %8.2f %8d" % (
                    scenario["name"], per_item, per_item / base, requests_total / opts.items,
                    counters["logins"]["password_ok"] + counters["logins"].get("basic", 0)))
                if scenario.get("teardown"):
                    run_playbook(emu, scenario["teardown"], opts.items, cache)


if __name__ == "__main__":
    main()
