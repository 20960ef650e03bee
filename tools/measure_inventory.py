"""Time and requests to enumerate N member clusters with the kubesphere.core.ks_clusters inventory.

    .venv/bin/python tools/measure_inventory.py [--clusters 500] [--not-ready-every 10] [--runs 3]

Starts an emulator with N member clusters (every k-th one not Ready, with labels, providers,
regions and both connection types), runs `ansible-inventory --list` against it with an
inventory config of this plugin (no cache, then with a cache: a cold run and a warm run), and
prints, per run, the wall and CPU time of ansible-inventory, the hosts found and the requests the emulator saw.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from emulator.testing import EmulatorProcess  # noqa: E402  (the installed kubesphere-emulator package)

PROVIDERS = ("aws", "gcp", "azure", "on-prem")
REGIONS = ("eu-west", "us-east", "ap-south")


def cluster_config(count, not_ready_every):
    """The emulator's `clusters:` entries for count members."""
    clusters = []
    for i in range(1, count + 1):
        clusters.append({
            "name": "edge-%04d" % i,
            "ready": not (not_ready_every and i % not_ready_every == 0),
            "provider": PROVIDERS[i % len(PROVIDERS)],
            "connection": "proxy" if i % 3 == 0 else "direct",
            "node_count": 1 + i % 7,
            "region": REGIONS[i % len(REGIONS)],
            "labels": {"env": "prod" if i % 2 else "staging", "cluster.kubesphere.io/group": "g%d" % (i % 5)},
        })
    return {"clusters": clusters}


def run_inventory(emulator, config, cache_dir, token_cache, extra=()):
    env = dict(os.environ, KUBESPHERE_HOST=emulator.url, KUBESPHERE_USERNAME="admin",
               KUBESPHERE_PASSWORD=emulator.admin_password, KUBESPHERE_TOKEN_CACHE=token_cache,
               ANSIBLE_INVENTORY_CACHE_CONNECTION=cache_dir, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    emulator.reset_counters()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", config,
                           "--list"] + list(extra), env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit("ansible-inventory failed:\n" + proc.stderr[-3000:])
    data = json.loads(proc.stdout)
    counters = emulator.counters()
    return {"seconds": round(elapsed, 2), "cpu": round(cpu, 2), "hosts": len(data["_meta"]["hostvars"]),
            "requests": dict(sorted(counters["requests"].items())), "logins": counters["logins"]["password_ok"]}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=500)
    parser.add_argument("--not-ready-every", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3, help="uncached runs to time")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ks-measure-") as work:
        emu_config = os.path.join(work, "emulator.yml")
        with open(emu_config, "w") as handle:
            yaml.safe_dump(cluster_config(opts.clusters, opts.not_ready_every), handle)
        plain = os.path.join(work, "plain.ks_clusters.yml")
        cached = os.path.join(work, "cached.ks_clusters.yml")
        with open(plain, "w") as handle:
            handle.write("plugin: kubesphere.core.ks_clusters\n")
        with open(cached, "w") as handle:
            handle.write("plugin: kubesphere.core.ks_clusters\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n")
        started = time.monotonic()
        with EmulatorProcess(config=emu_config, bcrypt_cost=4, startup_timeout=120) as emu:
            print("emulator with %d member clusters started in %.1f s" % (opts.clusters, time.monotonic() - started))
            tokens = os.path.join(work, "tokens")
            cache_dir = os.path.join(work, "cache")
            runs = [("uncached, first (logs in)", plain, ())]
            runs += [("uncached, token cached", plain, ())] * max(0, opts.runs - 1)
            runs += [("cache: true, cold", cached, ()), ("cache: true, warm", cached, ()),
                     ("cache: true, --flush-cache", cached, ("--flush-cache",))]
            for label, config, extra in runs:
                result = run_inventory(emu, config, cache_dir, tokens, extra)
                print("%-28s %5.2f s wall %5.2f s cpu  %4d hosts  requests %s  logins %d" % (
                    label, result["seconds"], result["cpu"], result["hosts"], json.dumps(result["requests"]),
                    result["logins"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
