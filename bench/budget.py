"""Budget import and rules benchmark (issue 11): ``python -m bench budget [--rows N]``.

1. a database and vhost of its own (``renda_bench_budget``): the budget schema and its demo
   year (81 units, ~56k payments) through the platform's own bootstrap functions;
2. a generated payments CSV of N rows (default 1,000,000; valid, for the demo units);
3. raw baseline: ``COPY`` of the same file (header skipped) into a bare table of 12 text
   columns, as the superuser, in the same run;
4. the budget service (``python -m kernel.runner services.budget.service``) starts; a client
   process registers the file (``start_import``, as the gateway does after writing the upload)
   and, while the import runs, calls ``budget.list_units`` every 20 ms: import rows/s (from
   the call to ``committed``, the worker process's start included) and that RPC's latency
   (p50/p99/max) during the import; the worker's own seconds per phase from its log line;
5. once the worker has exited (it runs the rules after its commit, outside the import's rate;
   their seconds are in its log too), the rules over the year's payments (``evaluate``) alone:
   seconds and payments/s; then the raw ``COPY`` again, the faster of the two is the baseline;
6. peak RSS of the budget service process and, apart, of its import worker process, sampled
   every 50 ms from /proc;
7. CPU seconds of the PostgreSQL backends (local server, /proc): raw COPY's and the import's
   (``application_name`` budget-import; the rules run on another connection), their ratio.

Targets (issue 11): import/raw COPY >= 0.30; p99 of the concurrent RPC <= 100 ms; the service's
RSS flat in the file size. Results: bench/results/budget.json.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psycopg
from psycopg import sql

from bench.processes import ROOT, Processes

DATABASE = os.environ.get("BENCH_BUDGET_DATABASE", "renda_bench_budget")
VHOST = os.environ.get("BENCH_BUDGET_VHOST", "renda_bench_budget")
PG = os.environ.get("BENCH_PG", "127.0.0.1:5432")
AMQP = os.environ.get("BENCH_AMQP", "guest:guest@127.0.0.1:5672")
RESULTS = os.path.join(ROOT, "bench", "results", "budget.json")
IDLE_SECONDS = 5.0
HEADER = "支付凭证号,支付日期,预算单位编码,功能分类编码,经济分类编码,指标文号,收款人名称,收款人账号,收款人类型,金额,摘要\n"


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_env(import_dir):
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"postgresql://postgres@{PG}/{DATABASE}",
                "SERVICE_DATABASE_URL": f"postgresql://{DATABASE}__{{service}}:{{password}}@{PG}/{DATABASE}",
                "AMQP_URI": f"amqp://{AMQP}/{VHOST}", "BUDGET_IMPORT_DIR": import_dir, "LOG_LEVEL": "WARNING",
                "RPC_DEADLINE_SECONDS": "600"})
    return env


def prepare(env):
    """Fresh database and vhost; the budget schema, migrations and demo data only."""
    with psycopg.connect(f"postgresql://postgres@{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
    rabbit = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([rabbit, "delete_vhost", VHOST], capture_output=True, timeout=120)
    subprocess.run([rabbit, "add_vhost", VHOST], check=True, capture_output=True, timeout=120)
    subprocess.run([rabbit, "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True, timeout=120)
    code = ("from kernel.bootstrap import ensure_database, ensure_service_schema, migrate, role_name;"
            "from kernel.config import load_config; from services.budget import seed;"
            "c = dict(load_config(), SERVICES={'budget': 'services.budget.service'});"
            "ensure_database(c['DATABASE_URL']);"
            "ensure_service_schema(c['DATABASE_URL'], 'budget', role_name(c, 'budget'), c['SERVICE_DB_PASSWORD']);"
            "migrate(c, 'budget', 'services.budget.service'); print(seed.load_demo(c))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def generate(path, rows, seed=11):
    """A valid payments CSV for the demo units (UTF-8, Chinese headers)."""
    from demo import budget as demo

    rng = random.Random(seed)
    units = demo.generate_units()
    econs = ["30201", "30211", "30213", "30226", "30227", "30299"]
    payees = ["宁陕县城关商贸有限公司", "安康市汉江办公用品有限公司", "陕西天成建设工程有限公司", "宁陕县鑫源印务有限公司"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        batch = []
        for i in range(rows):
            unit = units[i % len(units)]
            batch.append(f"BN{i:09d},2026-{1 + i % 11:02d}-{1 + (i // 11) % 28:02d},{unit['code']},{unit['func_code']},"
                         f"{econs[i % len(econs)]},,{payees[i % len(payees)]},6105{i:012d},单位,"
                         f"{rng.randrange(100, 5_000_000) / 100:.2f},批量支付{i % 97}\n")
            if len(batch) == 10_000:
                f.write("".join(batch))
                batch = []
        f.write("".join(batch))


def backend_cpu_seconds(pid):
    """CPU seconds (user + system) of a local PostgreSQL backend so far; None if unreadable
    (another host, or not allowed)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class ImportBackendCpu(threading.Thread):
    """CPU seconds of the import worker's PostgreSQL backend (application_name budget-import):
    the last reading before it ends. Load from other work hardly changes a process's own CPU
    time, so raw COPY's backend CPU over this one is a ratio that a busy host does not skew."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seconds = {}
        self.running = True

    def run(self):
        from services.budget.importer import IMPORT_APPLICATION_NAME

        with psycopg.connect(f"postgresql://postgres@{PG}/{DATABASE}", autocommit=True) as conn:
            while self.running:
                for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND "
                                           "application_name = %s", (DATABASE, IMPORT_APPLICATION_NAME)).fetchall():
                    cpu = backend_cpu_seconds(pid)
                    if cpu is not None:
                        self.seconds[pid] = cpu
                time.sleep(0.1)

    def total(self):
        return round(sum(self.seconds.values()), 2) if self.seconds else None


def raw_copy(path):
    """COPY the file's rows into a bare 12-column text table (the floor an import can reach)."""
    with psycopg.connect(f"postgresql://postgres@{PG}/{DATABASE}", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_raw_copy")
        conn.execute("CREATE TABLE public.bench_raw_copy (" + ", ".join(f"c{i} text" for i in range(11)) + ")")
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        cpu_before = backend_cpu_seconds(pid)
        started = time.perf_counter()
        with open(path, "rb") as f, conn.cursor() as cursor:
            f.readline()
            with cursor.copy("COPY public.bench_raw_copy FROM STDIN WITH (FORMAT csv)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        cpu_after = backend_cpu_seconds(pid)
        count = conn.execute("SELECT count(*) FROM public.bench_raw_copy").fetchone()[0]
        conn.execute("DROP TABLE public.bench_raw_copy")
    cpu = round(cpu_after - cpu_before, 2) if cpu_before is not None and cpu_after is not None else None
    return {"rows": count, "seconds": round(seconds, 3), "rate": round(count / seconds, 1), "backend_cpu": cpu}


class RssSampler(threading.Thread):
    """Peak RSS (MiB) of a process and, apart, of its children, from /proc every 50 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = self.child_peak = 0.0
        self.running = True

    @staticmethod
    def rss(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def children(self):
        found = []
        try:
            for task in os.listdir(f"/proc/{self.pid}/task"):
                with open(f"/proc/{self.pid}/task/{task}/children") as f:
                    found += [int(p) for p in f.read().split()]
        except OSError:
            pass
        return found

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss(self.pid))
            for child in self.children():
                self.child_peak = max(self.child_peak, self.rss(child))
            time.sleep(0.05)


def client(args):
    """``python -m bench.budget client <json>``: in its own (monkey-patched) process."""
    import eventlet

    eventlet.monkey_patch()
    from nameko.standalone.rpc import ClusterRpcProxy

    from bench.stats import summary_ms

    spec = json.loads(args[0])
    staff = {"username": "bench", "role": "staff", "subject": None}
    with ClusterRpcProxy({"AMQP_URI": os.environ["AMQP_URI"]}, timeout=900) as cluster:
        cluster.budget.list_units()
        latencies, done = [], []

        def probe():
            with ClusterRpcProxy({"AMQP_URI": os.environ["AMQP_URI"]}, timeout=60) as own:
                while not done:
                    started = time.perf_counter()
                    own.budget.list_units()
                    latencies.append(time.perf_counter() - started)
                    eventlet.sleep(0.02)

        prober = eventlet.spawn(probe)
        eventlet.sleep(IDLE_SECONDS)  # the same RPC before the import: the host's own latency now
        idle = list(latencies)
        started = time.perf_counter()
        view = cluster.budget.start_import(actor=staff, payload=spec)
        while True:
            state = cluster.budget.get_import(actor=staff, import_id=view["id"])
            if state["status"] in ("committed", "rejected"):
                break
            eventlet.sleep(0.2)
        seconds = time.perf_counter() - started
        during = latencies[len(idle):]
        done.append(True)
        prober.wait()
        # the worker runs the rules after its commit: wait until it has exited (the parent
        # watches the process) so that the evaluation below is measured alone
        print(json.dumps({"committed": True}), flush=True)
        sys.stdin.readline()
        evaluation_started = time.perf_counter()
        evaluation = cluster.budget.evaluate(actor=staff, payload={"year": 2026, "as_of": "2026-12-31"})
        evaluation_seconds = time.perf_counter() - evaluation_started
    print(json.dumps({"status": state["status"], "rows": state["rows_applied"], "errors": state.get("errors", [])[:3],
                      "seconds": round(seconds, 3), "rate": round(state["rows_applied"] / seconds, 1),
                      "rpc_idle": summary_ms(idle) if idle else {}, "rpc_during": summary_ms(during),
                      "rpc_calls_during": len(during),
                      "evaluation": {"seconds": round(evaluation_seconds, 3),
                                     "payments": evaluation["payments_evaluated"],
                                     "rate": round(evaluation["payments_evaluated"] / evaluation_seconds, 1),
                                     "raised": evaluation["raised"]}}))


def run(rows):
    import_dir = tempfile.mkdtemp(prefix="renda-bench-budget-")
    log_dir = tempfile.mkdtemp(prefix="renda-bench-budget-logs-")
    env = bench_env(import_dir)
    results = {"rows": rows}
    procs = Processes(env, log_dir)
    try:
        step(f"prepare {DATABASE}: budget schema and demo year")
        results["demo"] = prepare(env)
        step(f"generate a {rows:,}-row payments CSV")
        name = os.urandom(16).hex() + ".csv"
        path = os.path.join(import_dir, name)
        generate(path, rows)
        size = os.path.getsize(path)
        results["file_mib"] = round(size / 2**20, 1)
        step(f"raw COPY of the same file into a bare table ({results['file_mib']} MiB)")
        results["raw_copy"] = raw_copy(path)
        step("start the budget service")
        procs.start_module("budget", "services.budget.service")
        procs.wait_live(["budget"])
        sampler = RssSampler(procs.procs["budget"].pid)
        sampler.start()
        time.sleep(1.0)
        results["rss_idle_mib"] = round(sampler.peak, 1)
        import hashlib
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        spec = {"kind": "payments", "year": 2026, "filename": "bench.csv", "content_hash": digest.hexdigest(),
                "size_bytes": size, "file_ref": name, "encoding": "auto"}
        step("import through the budget service (worker process) with a concurrent RPC every 20 ms; then the rules")
        results["load_before"] = os.getloadavg()
        backend_cpu = ImportBackendCpu()
        backend_cpu.start()
        client_proc = subprocess.Popen([sys.executable, "-m", "bench.budget", "client", json.dumps(spec)], cwd=ROOT,
                                       env=dict(env, PYTHONWARNINGS="ignore"), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = client_proc.stdout.readline()
        if first.strip():  # committed: wait for the worker (its rules) to exit, then evaluate alone
            deadline = time.monotonic() + 1800
            while sampler.children() and time.monotonic() < deadline:
                time.sleep(0.2)
            results["load_during"] = os.getloadavg()
            client_proc.stdin.write("go\n")
            client_proc.stdin.flush()
        out, err = client_proc.communicate(timeout=3600)
        sampler.running = backend_cpu.running = False
        results["import_backend_cpu"] = backend_cpu.total()
        if client_proc.returncode:
            raise RuntimeError(err[-3000:])
        results["import"] = json.loads(out.strip().splitlines()[-1])
        results["rss_peak_mib"] = round(sampler.peak, 1)
        results["worker_rss_peak_mib"] = round(sampler.child_peak, 1)
        results["worker_log"] = worker_log(os.path.join(log_dir, "budget.log"))
        step("raw COPY again (the load drifts: the faster of the two is the baseline)")
        again = raw_copy(path)
        results["raw_copy_after"] = again
        if again["rate"] > results["raw_copy"]["rate"]:
            results["raw_copy_before"], results["raw_copy"] = results["raw_copy"], again
        results["ratio"] = round(results["import"]["rate"] / results["raw_copy"]["rate"], 3)
        raw_cpu = [c["backend_cpu"] for c in (results["raw_copy"], again) if c.get("backend_cpu")]
        if raw_cpu and results["import_backend_cpu"]:
            results["cpu_ratio"] = round(min(raw_cpu) / results["import_backend_cpu"], 3)
    finally:
        procs.stop_all()
        shutil.rmtree(import_dir, ignore_errors=True)
    return results


def worker_log(path):
    """The import worker's own timings from the service's log: seconds per phase of the import
    (its transaction) and of the rules it runs after the commit."""
    import ast
    import re

    found = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                phases = re.search(r"committed: .*; seconds (\{.*\})", line)
                if phases:
                    found["phases"] = ast.literal_eval(phases.group(1))
                rules = re.search(r"rules as of \S+ in ([0-9.]+) s", line)
                if rules:
                    found["rules_seconds"] = float(rules.group(1))
    except OSError:
        pass
    return found


def render(r):
    imp = r["import"]
    lines = [
        f"budget import of {r['rows']:,} generated payment rows ({r['file_mib']} MiB CSV)",
        f"  raw COPY into a bare table   {r['raw_copy']['rate']:>12,.0f} rows/s  ({r['raw_copy']['seconds']} s)",
        f"  import (COPY, validate, merge, commit) {imp['rate']:>8,.0f} rows/s  ({imp['seconds']} s, {imp['status']})",
        f"  ratio import / raw COPY      {r['ratio']:>12.3f}   target >= 0.30 {'met' if r['ratio'] >= 0.3 else 'MISSED'}",
        f"  PostgreSQL backend CPU: raw COPY {r['raw_copy'].get('backend_cpu')} s, the import "
        f"{r.get('import_backend_cpu')} s (its rules not included): ratio {r.get('cpu_ratio')} (less skewed by load)",
        f"  budget.list_units during the import: p50 {imp['rpc_during'].get('p50')} ms, "
        f"p99 {imp['rpc_during'].get('p99')} ms, max {imp['rpc_during'].get('max')} ms "
        f"({imp['rpc_calls_during']} calls; idle p99 {imp['rpc_idle'].get('p99')} ms)   target p99 <= 100 ms "
        f"{'met' if (imp['rpc_during'].get('p99') or 1e9) <= 100 else 'MISSED'}",
        f"  rules over {imp['evaluation']['payments']:,} payments: {imp['evaluation']['seconds']} s "
        f"({imp['evaluation']['rate']:,.0f} payments/s)",
        f"  peak RSS: budget service {r['rss_peak_mib']} MiB (idle {r['rss_idle_mib']} MiB); "
        f"import worker {r['worker_rss_peak_mib']} MiB",
        f"  the worker's phases (s): {r['worker_log'].get('phases')}; its rules after the commit "
        f"{r['worker_log'].get('rules_seconds')} s (not in the import's rate)",
        f"  raw COPY before/after: {r.get('raw_copy_before', r['raw_copy'])['rate']:,.0f} / "
        f"{r['raw_copy_after']['rate']:,.0f} rows/s; load average before {fmt_load(r.get('load_before'))}, "
        f"at the commit {fmt_load(r.get('load_during'))}",
    ]
    return "\n".join(lines)


def fmt_load(load):
    return "/".join(f"{x:.1f}" for x in load) if load else "?"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["client"]:
        return client(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench budget", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_BUDGET_ROWS", 1_000_000)))
    args = parser.parse_args(argv)
    from kernel.config import ensure_development_secrets

    ensure_development_secrets()  # as scripts/setup.sh does (a fresh checkout has none yet)
    results = run(args.rows)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    print(render(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
