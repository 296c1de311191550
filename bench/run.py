"""``python -m bench`` (``make bench``): raw baselines and the platform, one table.

1. prepare: drop and recreate database ``renda_bench`` and vhost ``renda_bench``; bootstrap
   them with the demo data (``python -m kernel.bootstrap --demo``, the platform's own setup);
2. baselines, in their own nameko processes (bench/baseline_services.py), alone on the host:
   (a) pika confirmed publish, (b) nameko RPC round trip, (c) nameko event dispatch ->
   handler (1 in flight; cN: N in flight for each writer count of (f) and (s), and 8);
3. the platform's processes (config SERVICES, each ``python -m kernel.runner <module>``)
   start beside the idle baselines; (d) bare nameko @http + one RPC, published without
   confirms as the platform's RPC is, (e) gateway GET /api/v1/deputies/{id}, and (d stock)
   with nameko's stock confirmed RPC (for information) are measured with the same wrk
   settings in alternating rounds, one target loaded at a time (two cores: never two at once);
4. the baselines stop; (f) POST /api/v1/deputies -> applied in suggestion.deputy_directory:
   maximum sustained rate (closed loop), then latency at half that rate (open loop);
5. everything we started is stopped (also on error, Ctrl-C or SIGTERM).

Every target of every figure is in one table and one verdict line (bench/report.py), and in
bench/results/latest.json; a missed target is reported as MISSED but does not fail the run.
Exit status is non-zero only if the benchmark could not run.
"""
import argparse
import datetime
import fcntl
import json
import os
import platform as host
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import psycopg
import requests
from psycopg import sql

from bench import raw, report, writes
from bench.processes import ROOT, CpuMeter, Processes, Servers, host_busy_seconds
from bench.wrk import Wrk

DATABASE = os.environ.get("BENCH_DATABASE", "renda_bench")
VHOST = os.environ.get("BENCH_VHOST", "renda_bench")
PG = os.environ.get("BENCH_PG", "127.0.0.1:5432")
AMQP = os.environ.get("BENCH_AMQP", "guest:guest@127.0.0.1:5672")
RESULTS = os.path.join(ROOT, "bench", "results", "latest.json")
DEMO_DEPUTIES = 693


def bench_env():
    """The platform's config (config/config.yaml) pointed at the bench database and vhost."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgresql://postgres@{PG}/{DATABASE}",
        "SERVICE_DATABASE_URL": f"postgresql://svc_{{service}}:{{password}}@{PG}/{DATABASE}",
        "AMQP_URI": f"amqp://{AMQP}/{VHOST}",
    })
    if os.environ.get("BENCH_LOG_LEVEL"):
        env["LOG_LEVEL"] = os.environ["BENCH_LOG_LEVEL"]
    if os.environ.get("BENCH_CONFIG"):
        env["CONFIG"] = os.environ["BENCH_CONFIG"]
    else:
        env.pop("CONFIG", None)
    return env


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def rabbitmqctl(*args, check=True):
    binary = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    return subprocess.run([binary, *args], check=check, capture_output=True, text=True, timeout=120)


def prepare(env):
    with psycopg.connect(f"postgresql://postgres@{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
    rabbitmqctl("delete_vhost", VHOST, check=False)
    rabbitmqctl("add_vhost", VHOST)
    rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    for attempt in (1, 2):  # roles are cluster-wide: a test run bootstrapping at the same time may race us
        done = subprocess.run([sys.executable, "-m", "kernel.bootstrap", "--demo"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            return
        if attempt == 2:
            raise RuntimeError(f"bootstrap failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        time.sleep(2)


def config_services(env):
    code = "import json; from kernel.config import load_config; print(json.dumps(load_config()['SERVICES']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def servers(env):
    pg_port = int(PG.rsplit(":", 1)[1]) if ":" in PG else 5432
    amqp_port = int(AMQP.rsplit(":", 1)[1]) if AMQP.count(":") > 1 else 5672
    return Servers(pg_port, amqp_port, env["DATABASE_URL"], DATABASE)


def wait_read_models(admin_url, services=("suggestion", "voting"), expected=DEMO_DEPUTIES, timeout=120):
    deadline = time.monotonic() + timeout
    with psycopg.connect(admin_url, autocommit=True) as conn:
        while True:
            counts = {s: conn.execute(f"SELECT count(*) FROM {s}.deputy_directory").fetchone()[0]
                      for s in services}
            backlog = conn.execute("SELECT count(*) FROM deputy.outbox WHERE published_at IS NULL").fetchone()[0]
            if all(count >= expected for count in counts.values()) and backlog == 0:
                return counts
            if time.monotonic() > deadline:
                raise RuntimeError(f"read models not caught up within {timeout}s: {counts}, outbox backlog {backlog}")
            time.sleep(0.2)


def run_all(env, log_dir, args, wrk):
    results = {}
    procs = Processes(env, log_dir)
    baselines = ["baseline-rpc", "baseline-http", "baseline-rpc-stock", "baseline-http-stock", "baseline-events"]
    try:
        for name in baselines:
            procs.start(name, ["-m", "bench.baseline_services", name.split("-", 1)[1]])
        procs.wait_live(baselines)
        meter = CpuMeter(procs, servers(env))

        step("baselines (their own processes only)")
        step("(a) pika confirmed publish, 1 in flight, 1 KiB persistent, durable queue")
        results["a"] = raw.pika_confirmed_publish(env["AMQP_URI"], seconds=args.short_seconds)
        step("(b) nameko RPC round trip, 1 caller (ClusterRpcProxy, stock: confirmed)")
        meter.start()
        results["b"] = raw.rpc_round_trip(env, seconds=args.short_seconds)
        results["b"]["cpu"] = meter.stop(results["b"]["calls"])
        step(f"(c) nameko event dispatch -> @event_handler, {args.events} events, 1 in flight")
        meter.start()
        results["c"] = raw.event_dispatch(env, args.events, 1)
        results["c"]["cpu"] = meter.stop(results["c"]["events"])
        # the write figures run N in flight: their baselines are the raw event rate at the same N
        results["c_at"] = {}
        for concurrency in sorted({args.event_concurrency, *args.writers}):
            step(f"(c{concurrency}) the same with {concurrency} dispatching green threads")
            meter.start()
            outcome = raw.event_dispatch(env, args.events, concurrency)
            outcome["cpu"] = meter.stop(outcome["events"])
            results["c_at"][str(concurrency)] = outcome

        step("platform: starting " + ", ".join(config_services(env)))
        services = config_services(env)
        for name, module in services.items():
            procs.start_module(name, module)
        procs.wait_live(list(services))
        step("platform live; waiting for the demo roster to reach the read models")
        wait_read_models(env["DATABASE_URL"], [s for s in ("suggestion", "voting") if s in services])
        front, gateway = procs.url("baseline-http"), procs.url("gateway")
        front_stock = procs.url("baseline-http-stock")
        for url in (front + "/deputies/D0001", front_stock + "/deputies/D0001", gateway + "/api/v1/deputies/D0001"):
            check = requests.get(url, timeout=10)
            if check.status_code != 200:
                raise RuntimeError(f"{url} answered {check.status_code}: {check.text[:300]}")

        # Both sets of processes are up, but only one is loaded at a time: alternating rounds
        # make a drift in background load hit the baseline and the gateway alike.
        step(f"(d) bare nameko @http + 1 RPC (no confirms, as the platform's RPC), (e) gateway "
             f"GET /api/v1/deputies/{{id}} and (d stock) nameko's stock RPC, for information: {wrk.settings}")
        results.update(wrk.compare({"d": (front, "/deputies/D"), "e": (gateway, "/api/v1/deputies/D"),
                                    "d_stock": (front_stock, "/deputies/D")}, meter))
        procs.stop(baselines)

        writer = writes.GatewayWriter(gateway, run_id=random.randrange(100))
        read_model = writes.ReadModel(env["DATABASE_URL"])
        try:
            step("(f) warm-up writes")
            writes.closed_loop(writer, read_model, writers=2, seconds=1.0, warmup_seconds=0.0)
            best = None
            for writers in args.writers:
                step(f"(f) closed loop: {writers} writers x {args.write_seconds}s -> suggestion read model")
                meter.start()
                outcome = writes.closed_loop(writer, read_model, writers, args.write_seconds)
                outcome["cpu"] = meter.stop(outcome["applied"])
                results.setdefault("f_closed", []).append(outcome)
                if best is None or outcome["rate"] > best["rate"]:
                    best = outcome
            results["f"] = best
            half = best["rate"] / 2
            step(f"(f) open loop at half the maximum ({half:.0f} writes/s) x {args.half_seconds}s")
            meter.start()
            results["f_half"] = writes.open_loop(writer, read_model, half, args.half_seconds)
            results["f_half"]["cpu"] = meter.stop(results["f_half"]["applied"])
        finally:
            read_model.close()
        if {"suggestion", "webhooks"} <= set(services):  # issue 3 (bench/suggestions.py)
            from bench import suggestions
            step("(s) suggestions filed through the gateway -> acked by a pika department subscriber")
            results["s"] = suggestions.run({"gateway": gateway}, env, results, writers=args.writers, log=step,
                                           meter=meter, backlog=args.backlog, seconds=args.write_seconds,
                                           half_seconds=args.half_seconds)
        if "voting" in services and args.plenary_members:  # issue 4 (bench/plenary.py)
            from bench import plenary
            step(f"(p) plenary: {args.plenary_members} members sign in and vote through the gateway")
            results["p"] = plenary.run({"gateway": gateway}, env, results, members=args.plenary_members,
                                       threads=args.threads, connections=args.connections)
        if "voting" in services and args.keypad_members:  # issue 9 (bench/keypad.py, bench/lighthouse.py)
            from bench import keypad, lighthouse
            step("(k) lighthouse on the deputies' home page and the meeting keypad")
            results["k_lighthouse"] = lighthouse.run(gateway, log_dir)
            step(f"(k) {args.keypad_members} deputies vote through the keypad page's API calls")
            results["k"] = keypad.run({"gateway": gateway}, env, results, members=args.keypad_members,
                                      threads=args.threads, connections=args.connections)
        if "deputy" in services and args.duty:  # issue 13 (bench/duty.py)
            from bench import duty
            step("(duty) duty records: rebuild a year from its events, delivery, reads through the gateway")
            results["duty"] = duty.run({"gateway": gateway}, env, results, log=step)
        if "news" in services and args.portal:  # issue 12 (bench/portal.py)
            from bench import portal
            step(f"(portal) portal pages through the gateway vs a bare @http static page; feed; search over "
                 f"{args.portal_articles:,} generated articles")
            results["portal"] = portal.run(gateway, args.seconds, args.rounds, articles=args.portal_articles)
    finally:
        procs.stop_all()
    return results


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of each round of (d) and (e)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating wrk rounds of (d) and (e)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--short-seconds", type=float, default=3.0, help="duration of (a) and (b)")
    parser.add_argument("--events", type=int, default=5000, help="events dispatched for (c)")
    parser.add_argument("--event-concurrency", type=int, default=8,
                        help="green threads dispatching events in (c)")
    parser.add_argument("--writers", type=lambda s: [int(x) for x in s.split(",")], default=[4, 8, 16],
                        help="closed-loop writer counts tried for (f), comma-separated; the best counts")
    parser.add_argument("--write-seconds", type=float, default=6.0, help="duration of each closed loop of (f) and (s)")
    parser.add_argument("--half-seconds", type=float, default=8.0, help="duration of the half-rate loops of (f) and (s)")
    parser.add_argument("--backlog", type=int, default=10000,
                        help="department events of the (s) backlog figure (bench/suggestions.py); 0 skips it")
    parser.add_argument("--plenary-members", type=int, default=3000,
                        help="members of the issue-4 plenary benchmark (bench/plenary.py); 0 skips it")
    parser.add_argument("--keypad-members", type=int, default=300,
                        help="deputies of the issue-9 keypad benchmark (bench/keypad.py, with Lighthouse); 0 skips it")
    parser.add_argument("--duty", type=int, default=1, help="issue-13 duty-record benchmark (bench/duty.py); 0 skips it")
    parser.add_argument("--portal", type=int, default=1, help="issue-12 portal benchmark (bench/portal.py); 0 skips it")
    parser.add_argument("--portal-articles", type=int, default=100_000,
                        help="generated articles the portal search is measured over; 0 skips the search")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="wait up to this long for the host to be quiet (< 0.3 busy cores) before starting")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # SIGTERM unwinds like Ctrl-C, so the processes we started are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    lock = open(os.path.join(tempfile.gettempdir(), f"renda-bench-{DATABASE}.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    wrk = Wrk(threads=args.threads, connections=args.connections, seconds=args.seconds, rounds=args.rounds)
    env = bench_env()
    log_dir = tempfile.mkdtemp(prefix="renda-bench-")
    idle_load = host_load()
    deadline = time.monotonic() + args.wait_quiet
    while idle_load > 0.3 and time.monotonic() < deadline:
        step(f"{idle_load:.2f} cores busy on this host; waiting for it to quieten (--wait-quiet)")
        time.sleep(4)
        idle_load = host_load()
    if idle_load > 0.3:
        step(f"WARNING: {idle_load:.2f} cores are already busy on this host: the figures will be low")
    started = time.monotonic()
    step(f"preparing database {DATABASE} and vhost {VHOST} (bootstrap --demo); logs in {log_dir}")
    prepare(env)
    results = run_all(env, log_dir, args, wrk)
    from bench import console_size          # issue 10: the console's first load (gzip JS), from the Vite manifest
    results["console"] = console_size.measure()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": host.node(), "cpus": os.cpu_count(), "python": host.python_version(),
        "commit": _git_commit(), "wrk": wrk.settings, "database": DATABASE, "vhost": VHOST,
        "log_dir": log_dir, "load_before_start_cores": round(idle_load, 2), "elapsed_seconds": round(time.monotonic() - started, 1),
        "args": vars(args),
    }
    from bench import keypad  # issue 9: the keypad's JS size needs only the web build
    try:
        results["k_size"] = keypad.js_size()
    except RuntimeError as exc:
        print(f"\nkeypad JS size: {exc}")
    table = report.build(results)
    print()
    print(report.render(table, results, meta))
    if "s" in results:
        from bench import suggestions
        print("\n".join(["", "issue 3: suggestions -> department subscriber"] + suggestions.summary_lines(results["s"])))
    if "p" in results:
        from bench import plenary
        print("\n" + plenary.report(results["p"]))
    print("\n" + keypad.report(results.get("k"), results.get("k_size")))
    if "k_lighthouse" in results:
        from bench import lighthouse
        print(lighthouse.report(results["k_lighthouse"]))
    print("\n" + console_size.report(results["console"]))
    if "duty" in results:
        from bench import duty
        print("\n" + duty.report(results["duty"]))
    if "portal" in results:
        from bench import portal
        print("\n" + portal.report(results["portal"]))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    for result in results.values():
        if isinstance(result, dict):
            result.pop("raw", None)
    with open(RESULTS, "w", encoding="utf-8") as handle:
        json.dump({"meta": meta, "summary": table, "results": results}, handle, indent=2, ensure_ascii=False)
    print("\n" + "\n".join(report.verdict_lines(table)))
    print(f"results written to {os.path.relpath(RESULTS, os.getcwd())}")
    return 0


def _git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (commit + ("+uncommitted changes" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def host_load(seconds=1.0):
    """Cores busy on the host right now (before we start anything)."""
    before = host_busy_seconds()
    time.sleep(seconds)
    return (host_busy_seconds() - before) / seconds
