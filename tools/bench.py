"""Benchmark: what converging a tenancy costs, four ways, against the HTTP floor, in one run.

    python tools/bench.py [--sizes 20,200,1000] [--loop-max 200] [--large] [--groups reads,workspaces]
    python tools/bench.py --compare .build/bench/A.json .build/bench/B.json

One emulator (member cluster member1, bcrypt cost 10, controller delay and informer lag at their
realistic defaults) serves every scenario. For each size, a generated tenancy (tools/bench_tenancy.py)
is converged by each form twice: a first run (everything is created) and a no-change run. Each form
converges its own objects, so every first run really creates; objects are never removed, so later
sizes run on a platform that already holds the earlier ones (as a real platform would).

Forms that run one Ansible task per object (the uri baseline, the module loops, and the tenant role
while it loops the modules) cost about half a second per object: above --loop-max objects they are
"not run", so the default run stays near ten minutes. ks_tenancy runs at every size, and --large (LARGE=1
for make) adds 10,000 objects, for ks_tenancy. The module loops run twice, shipped and in the controller's
process (the default on the controller); a debug loop of the same length shows what Ansible costs per task
by itself, and "task s/object over debug" is each form's cost per task beyond it.

Figures, not assertions: absolute seconds depend on the machine and on what else runs on it; read the
ratios, taken in the same run. The table is printed as Markdown and written with the machine's
description to .build/bench/<time>.json and .build/bench/latest.json.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
OUT = os.path.join(ROOT, ".build", "bench")

from emulator.testing import EmulatorProcess  # noqa: E402  (the installed kubesphere-emulator package)
from bench_scenarios import GROUPS  # noqa: E402
from bench_tenancy import FORM_ENV, FORMS, tenancy  # noqa: E402

USER_PATH = "/kapis/iam.kubesphere.io/v1beta1/users/admin"
LARGE = 10000       # --large: the size a platform team's whole tenancy reaches


def run_playbook(emu, text, extra_vars, cache_dir, check=False, env=None):
    """Run one playbook; returns (wall seconds, seconds between its first and last task, counters)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=cache_dir, delete=False) as handle:
        handle.write(text)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=cache_dir, delete=False) as variables:
        json.dump(extra_vars, variables)
    extra_env = env
    env = dict(os.environ, KUBESPHERE_HOST=emu.url, KUBESPHERE_USERNAME="admin",
               KUBESPHERE_PASSWORD=emu.admin_password, KUBESPHERE_TOKEN_CACHE=cache_dir,
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    env.update(extra_env or {})
    cmd = [os.path.join(BIN, "ansible-playbook"), handle.name, "-e", "@" + variables.name]
    if check:
        cmd.append("--check")
    emu.reset_counters()
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError("benchmark playbook failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    found = re.search(r"BENCH-TASK-SECONDS ([0-9.]+)", proc.stdout)
    return seconds, float(found.group(1)) if found else None, emu.counters()


def logins_of(counters):
    """Every password check the server made: password grants and HTTP Basic requests."""
    return counters["logins"]["password_ok"] + counters["logins"].get("basic", 0)


def http_floor(emu, reads=300, logins=3):
    """The floor: one requests.Session; median login, and the mean of plain GETs."""
    session = requests.Session()
    form = dict(grant_type="password", username="admin", password=emu.admin_password,
                client_id="kubesphere", client_secret="kubesphere")
    login_times, token = [], None
    for _attempt in range(logins):
        start = time.monotonic()
        answer = session.post(emu.url + "/oauth/token", data=form, timeout=30)
        login_times.append(time.monotonic() - start)
        token = answer.json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    start = time.monotonic()
    for _read in range(reads):
        session.get(emu.url + USER_PATH, headers=headers, timeout=30).raise_for_status()
    return {"login_s": sorted(login_times)[len(login_times) // 2], "get_s": (time.monotonic() - start) / reads}


def role_loops():
    """Whether the tenant role still runs one task per object (it does until it calls ks_tenancy)."""
    tasks = os.path.join(ROOT, "roles", "tenant", "tasks")
    text = "".join(open(os.path.join(tasks, name), encoding="utf-8").read() for name in os.listdir(tasks))
    return "kubesphere.core.ks_tenancy" not in text


def available(form):
    if form == "ks_tenancy":
        return any(os.path.exists(os.path.join(ROOT, "plugins", kind, "ks_tenancy.py")) for kind in ("modules", "action"))
    return True


def run_tenancy(emu, tmp, sizes, loop_max, only=()):
    rows = []
    for size in sizes:
        for form, label, playbook, loops in FORMS:
            if only and form not in only:
                continue
            if form == "role":
                loops = role_loops()
            base = dict(form=form, label=label, size=size)
            if not available(form):
                rows += [dict(base, run=run, status="not available", why="the module is not in this tree")
                         for run in ("first", "no-change")]
                continue
            if loops and size > loop_max:
                rows += [dict(base, run=run, status="not run",
                              why=f"one Ansible task per object; above LOOP_MAX={loop_max}")
                         for run in ("first", "no-change")]
                continue
            declared, flat, count = tenancy(size, f"{form.replace('_', '')}{size}")
            cache = tempfile.mkdtemp(dir=tmp)
            for run in ("first", "no-change"):
                print(f"  {form} at {count} objects, {run} run ...", file=sys.stderr, flush=True)
                try:
                    wall, tasks, counters = run_playbook(emu, playbook, {"tenancy": declared, "flat": flat}, cache,
                                                         env=FORM_ENV.get(form))
                except RuntimeError as exc:
                    print(exc, file=sys.stderr)
                    rows.append(dict(base, run=run, objects=count, status="failed", why=str(exc)[-300:]))
                    break
                requests_total = sum(counters["by_method"].values())
                rows.append(dict(base, run=run, objects=count, status="ok", seconds=wall, task_seconds=tasks,
                                 s_per_object=wall / count, task_s_per_object=(tasks or wall) / count,
                                 requests_per_object=requests_total / count, requests=requests_total,
                                 writes=counters["writes"], logins=logins_of(counters)))
    return rows_with_ratios(rows)


def rows_with_ratios(rows):
    """x_baseline: s/object over the uri loop's, same size and run kind."""
    # Where the baseline was not run (above LOOP_MAX), compare with it at the largest size it ran at:
    # its cost per object hardly depends on the size (one task per object). The table marks those.
    measured = sorted((r["size"], r["run"], r["s_per_object"]) for r in rows if r["form"] == "uri" and r["status"] == "ok")
    # Per task, beyond a debug loop of the same length: Ansible's start-up left out (task s/object), since
    # that is what a longer loop multiplies.
    debug = dict(((r["size"], r["run"]), r["task_s_per_object"]) for r in rows if r["form"] == "debug" and r["status"] == "ok")
    for row in rows:
        if row["status"] != "ok":
            continue
        if (row["size"], row["run"]) in debug and row["form"] != "debug":
            row["over_debug"] = row["task_s_per_object"] - debug[(row["size"], row["run"])]
        same = [m for m in measured if m[1] == row["run"] and m[0] <= row["size"]]
        if same:
            row["x_baseline"] = row["s_per_object"] / same[-1][2]
            row["baseline_size"] = same[-1][0]
    return rows


def table(rows, floor):
    lines = ["| objects | run | form | s/object | task s/object | x baseline | task s/object over debug | x GET floor "
             "| requests/object | logins |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        objects = row.get("objects") or f"~{row['size']}"
        if row["status"] != "ok":
            lines.append(f"| {objects} | {row['run']} | {row['label']} | {row['status']} ({row.get('why', '')}) "
                         "| | | | | | |")
            continue
        ratio = "%.3f" % row["x_baseline"] if row.get("x_baseline") else ""
        if ratio and row["baseline_size"] != row["size"]:
            ratio += " (vs %d objects)" % row["baseline_size"]
        over = "%+.4f" % row["over_debug"] if "over_debug" in row else ""
        lines.append("| %s | %s | %s | %.4f | %.4f | %s | %s | %.1f | %.2f | %d |" % (
            objects, row["run"], row["label"], row["s_per_object"], row["task_s_per_object"],
            ratio, over, row["s_per_object"] / floor["get_s"],
            row["requests_per_object"], row["logins"]))
    return "\n".join(lines)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average": os.getloadavg()}


def save(result):
    os.makedirs(OUT, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for name in (stamp + ".json", "latest.json"):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
    return os.path.join(OUT, stamp + ".json")


def compare(path_a, path_b):
    """s/object and requests/object of two saved runs, side by side."""
    loaded = []
    for path in (path_a, path_b):
        with open(path, encoding="utf-8") as handle:
            loaded.append(json.load(handle))
    a, b = ({(r["size"], r["run"], r["form"]): r for r in run["rows"] if r["status"] == "ok"} for run in loaded)
    print(f"A: {path_a} ({loaded[0]['machine']['date']})\nB: {path_b} ({loaded[1]['machine']['date']})")
    print("GET floor ms: A %.2f, B %.2f" % (loaded[0]["floor"]["get_s"] * 1000, loaded[1]["floor"]["get_s"] * 1000))
    print("| size | run | form | A s/object | B s/object | B/A | A req/object | B req/object |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1], k[2])):
        ra, rb = a.get(key), b.get(key)
        cells = [("%.4f" % r["s_per_object"]) if r else "-" for r in (ra, rb)]
        ratio = "%.2f" % (rb["s_per_object"] / ra["s_per_object"]) if ra and rb else ""
        reqs = [("%.2f" % r["requests_per_object"]) if r else "-" for r in (ra, rb)]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {cells[0]} | {cells[1]} | {ratio} | {reqs[0]} | {reqs[1]} |")


def run_groups(emu, tmp, names, items=20):
    """The older, narrower comparisons (reads, workspaces), on request."""
    for group in GROUPS:
        if group["name"] not in names:
            continue
        print("\n%s (%d items)" % (group["name"], items))
        print("  %-44s %9s %9s %8s %8s" % ("scenario", "s/item", "x base", "req/item", "logins"))
        base = None
        for scenario in group["scenarios"]:
            cache = tempfile.mkdtemp(dir=tmp)
            if scenario.get("setup"):
                run_playbook(emu, scenario["setup"], {"items": items}, cache)
            seconds, _tasks, counters = run_playbook(emu, scenario["playbook"], {"items": items}, cache,
                                                     check=scenario.get("check", False))
            per_item = seconds / items
            base = base or per_item
            print("  %-44s %9.3f %9.2f %8.2f %8d" % (scenario["name"], per_item, per_item / base,
                                                     sum(counters["by_method"].values()) / items, logins_of(counters)))
            if scenario.get("teardown"):
                run_playbook(emu, scenario["teardown"], {"items": items}, cache)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("SIZES") or "20,200,1000",
                        help="tenancy sizes in objects, comma-separated (default 20,200,1000)")
    parser.add_argument("--loop-max", type=int, default=int(os.environ.get("LOOP_MAX") or 200),
                        help="largest size the one-task-per-object forms run at (default 200)")
    parser.add_argument("--large", action="store_true", default=bool(os.environ.get("LARGE")),
                        help="also converge 10,000 objects (ks_tenancy only: the loops stop at --loop-max)")
    parser.add_argument("--forms", default="",
                        help="run only these forms (uri, debug, modules_shipped, modules, role, ks_tenancy)")
    parser.add_argument("--groups", default="", help="also run these older groups: reads, workspaces")
    parser.add_argument("--table", metavar="RUN", help="print the table of a saved run (.build/bench/latest.json) and exit")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two saved runs and exit")
    opts = parser.parse_args()
    if opts.compare:
        compare(*opts.compare)
        return
    if opts.table:
        with open(opts.table, encoding="utf-8") as handle:
            saved = json.load(handle)
        rows = saved["rows"]
        for row in rows:
            row.pop("x_baseline", None)
        print(table(rows_with_ratios(rows), saved["floor"]))
        return
    sizes = [int(s) for s in opts.sizes.split(",") if s.strip()]
    if opts.large and LARGE not in sizes:
        sizes.append(LARGE)
    started = time.monotonic()
    # Real bcrypt cost (10), so a login costs what it costs on a real server, relative to a read.
    with EmulatorProcess(members="member1", bcrypt_cost=10) as emu, tempfile.TemporaryDirectory() as tmp:
        floor = http_floor(emu)
        print("HTTP floor (requests.Session, one process): login %.1f ms, GET %.2f ms; a login costs %.0f GETs"
              % (floor["login_s"] * 1000, floor["get_s"] * 1000, floor["login_s"] / floor["get_s"]), flush=True)
        rows = run_tenancy(emu, tmp, sizes, opts.loop_max, [f for f in opts.forms.split(",") if f])
        if opts.groups:
            run_groups(emu, tmp, opts.groups.split(","))
    result = {"machine": machine(), "floor": floor, "sizes": sizes, "loop_max": opts.loop_max, "rows": rows,
              "seconds": time.monotonic() - started}
    print()
    print(table(rows, floor))
    print("\nMachine: %(nproc)s cores, %(cpu)s, Python %(python)s, %(date)s, load average %(load_average)s"
          % dict(result["machine"], load_average=" ".join("%.1f" % x for x in result["machine"]["load_average"])))
    print("Whole benchmark: %.0f s. Saved: %s" % (result["seconds"], save(result)))


if __name__ == "__main__":
    main()
