"""Run a command against a KubeSphere emulator started for it, then stop the emulator.

    python tools/with_emulator.py [--members member1,member2] [--not-ready member2] [--tls]
        [--faults '{"status_rate": 0.1, "seed": 1}'] -- ansible-playbook site.yml

The command gets KUBESPHERE_HOST, KUBESPHERE_USERNAME, KUBESPHERE_PASSWORD and a private
KUBESPHERE_TOKEN_CACHE in its environment, exactly as an AWX credential would set them, so a
playbook written for a real KubeSphere runs unchanged. With --tls the emulator serves HTTPS with a CA
made for the run, and KUBESPHERE_CA_PATH names that CA's file. --faults turns on network faults
(emulator/faults.py), and what was injected is printed at the end. Afterwards it prints what the run cost
(requests and logins, from the emulator's counters). Use it in your own CI to test playbooks.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from emulator.testing import EmulatorProcess  # the installed kubesphere-emulator package


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="member1,member2", help="member clusters to create")
    parser.add_argument("--not-ready", default="", help="member clusters that are not ready")
    parser.add_argument("--password", default="P@88w0rd", help="the admin's password")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA (KUBESPHERE_CA_PATH)")
    parser.add_argument("--faults", help="faults to inject, as JSON (see emulator/faults.py)")
    opts = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    faults = json.loads(opts.faults) if opts.faults else None
    with tempfile.TemporaryDirectory(prefix="ks-tokens-") as cache, \
            EmulatorProcess(members=opts.members, not_ready=opts.not_ready, admin_password=opts.password,
                            tls=opts.tls, faults=faults) as emu:
        env = dict(os.environ, KUBESPHERE_HOST=emu.url, KUBESPHERE_USERNAME="admin",
                   KUBESPHERE_PASSWORD=opts.password, KUBESPHERE_TOKEN_CACHE=cache)
        if emu.ca_path:
            env["KUBESPHERE_CA_PATH"] = emu.ca_path
        print("KubeSphere emulator at %s (admin / %s)%s" % (
            emu.url, opts.password, " with CA %s" % emu.ca_path if emu.ca_path else ""), flush=True)
        code = subprocess.call(command, env=env)
        counters = emu.counters()
        logins = counters.get("logins", {})
        print("Emulator saw %s requests (%s writes) and %s password login(s)." % (
            sum(counters.get("by_method", {}).values()), counters.get("writes", 0), logins.get("password_ok", 0)))
        if faults:
            print("Faults injected: %s" % json.dumps(emu.faults()["injected"], sort_keys=True))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
