"""How much time ks_extension's wait adds beyond the InstallPlan controller's own time.

    .venv/bin/python tools/measure_extension_wait.py [job_ms ...]

For each Helm job duration it starts an emulator, installs gatekeeper with
wait=true through the module's own code (no Ansible start-up in the numbers),
while a watcher polls the plan every 5 ms to note when the status first shows
the request done. Overhead = module finished - status done. Then it does the
same for a config change (an upgrade job) and for the removal.
"""
import os
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))   # the collection, linked by make venv

from emulator.testing import EmulatorProcess  # noqa: E402  (the installed kubesphere-emulator package)
from ansible_collections.kubesphere.core.plugins.module_utils._client.ks_client import KubeSphereClient  # noqa: E402
from ansible_collections.kubesphere.core.plugins.module_utils._engine.ks_engine import converge  # noqa: E402
from ansible_collections.kubesphere.core.plugins.module_utils._resources.ks_extension import Extension  # noqa: E402

PLAN = "/apis/kubesphere.io/v1alpha1/installplans/gatekeeper"


def params(**kw):
    base = dict(name="gatekeeper", version="1.0.0", state="present", enabled=True, config=None, clusters=None,
                cluster_overrides=None, upgrade_strategy="Manual", wait=True, wait_timeout=600)
    base.update(kw)
    return base


def watch(client, done, stop, seen):
    while not stop.is_set():
        plan = client.get(PLAN, missing_ok=True)
        if done(plan) and "at" not in seen:
            seen["at"] = time.monotonic()
        time.sleep(0.005)


def timed(client, watcher_client, p, done):
    seen, stop = {}, threading.Event()
    thread = threading.Thread(target=watch, args=(watcher_client, done, stop, seen))
    started = time.monotonic()
    thread.start()
    converge(Extension(client, p), p["state"], wait=True)
    finished = time.monotonic()
    stop.set()
    thread.join()
    return finished - started, seen["at"] - started


def installed(version, config_hash):
    def done(plan):
        status = (plan or {}).get("status") or {}
        return (status.get("state") == "Installed" and status.get("version") == version
                and status.get("configHash") == config_hash and status.get("enabled") is True)
    return done


def main(job_times):
    print("job_ms  step     total_s  controller_s  overhead_s")
    for job_ms in job_times:
        with EmulatorProcess(bcrypt_cost=4, controller_delay_ms=30,
                             extension_job_ms=job_ms) as emu:
            options = dict(ks_host=emu.url, ks_username="admin", ks_password="P@88w0rd", token_cache="false")
            client, watcher = KubeSphereClient(options), KubeSphereClient(options)
            steps = [("install", params(), installed("1.0.0", "cbf29ce484222325")),
                     ("config", params(config="replicas: 2\n"), installed("1.0.0", "e737e7919cc77192")),
                     ("remove", params(state="absent"), lambda plan: plan is None)]
            for name, p, done in steps:
                total, controller = timed(client, watcher, p, done)
                print("%6d  %-7s  %7.2f  %12.2f  %10.2f" % (job_ms, name, total, controller, total - controller))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000, 20000])
