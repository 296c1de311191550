"""Issue 3 benchmark: suggestions filed through the gateway -> received and acked by a pika
department subscriber.

A department hears of a suggestion only once staff have accepted it and assigned it to them,
so a suggestion's way to a department is three gateway calls, each waiting for its answer:
``POST /api/v1/suggestions`` (a deputy files it), ``POST .../{id}/review {"decision":
"accept"}`` (staff), ``POST .../{id}/assign`` to the bench department as lead (staff). The
assignment commits the ``suggestion_assigned`` department copy in the suggestion service's
outbox; its relay publishes it to ``suggestion.departments`` (routing key
``<dept>.suggestion_assigned``) -> quorum queue ``department.<dept>`` -> the department's
subscriber: a separate process running services.suggestion.subscriber's ``Subscriber`` (JSON
decode, the JSON line written out, then the ack), logged in as ``dept-<dept>`` when that user
exists. Ack times are taken in the subscriber process (time.monotonic, one clock per host).

* **assign -> ack** (the department-facing step; the target figures): suggestions filed and
  accepted beforehand (untimed), then
  - max sustained rate: closed loop, W workers assigning back to back (best W); counted are
    assignments whose event the subscriber acked inside the window; ratio to the raw nameko
    event-dispatch rate of the same run with as many in flight as the best loop's workers
    (baseline cN); target >= 0.2;
  - latency at half that rate (open loop, fixed schedule): scheduled send -> ack, a failed call
    or an event never acked counted as a miss; target p99 <= 100 ms and no miss (also: assign
    call start -> ack, and assign answered -> ack, the delivery path alone).
* **whole flow** (for information): file + accept + assign back to back, closed loop with
  the best W, then at half that rate: start of the filing call -> ack (three HTTP round
  trips included).
* **backlog**: ``backlog`` (10,000) department events put into ``department.<dept>`` while the
  subscriber is offline (copies of a real ``suggestion_assigned`` envelope captured from the
  platform, each with a fresh event id, published with confirms to the department exchange
  with the relay's routing key), then the subscriber starts: drain rate = events / (start of
  consuming -> last ack). Compared with the raw pika consume rate measured just before: the
  same messages in a scratch quorum queue, consumed with manual acks batched as the subscriber
  batches them, prefetch 100 (the subscriber uses prefetch 100 too); target >= 0.5.

``run(urls, env, baselines)`` is called by bench/run.py with the platform running against
the bench database; ``python -m bench.suggestions --gateway URL`` runs it against a running
platform; ``python -m bench.suggestions subscribe ...`` is the subscriber process.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pika
import requests

from bench.report import event_baseline
from bench.stats import summary_ms

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPARTMENT = os.environ.get("BENCH_DEPARTMENT", "edu")
SCRATCH_QUEUE = "bench.suggestions.scratch"


# -- the subscriber process ------------------------------------------------------------------
def subscribe_main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--uri", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--prefetch", type=int, default=100)
    parser.add_argument("--max-events", type=int)
    args = parser.parse_args(argv)
    from services.suggestion.subscriber import Subscriber, print_line

    devnull = open(os.devnull, "w")
    out = sys.stdout

    def acked(envelope):
        data = envelope.get("data") or {}
        out.write(f"{data.get('suggestion_id')} {envelope.get('type')} {time.monotonic():.6f}\n")
        out.flush()

    def consuming(connection_number):
        out.write(f"READY - {time.monotonic():.6f}\n")
        out.flush()

    subscriber = Subscriber(args.uri, args.queue, lambda env: print_line(env, devnull), prefetch=args.prefetch,
                            max_events=args.max_events, on_ack=acked, on_consuming=consuming)
    subscriber.run()
    return 0


class SubscriberProcess:
    """Runs the subscriber process and collects {suggestion_id: ack monotonic time}."""

    def __init__(self, env, uri, queue, prefetch=100, max_events=None):
        argv = [sys.executable, "-m", "bench.suggestions", "subscribe", "--uri", uri, "--queue", queue,
                "--prefetch", str(prefetch)]
        if max_events:
            argv += ["--max-events", str(max_events)]
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=dict(env, PYTHONWARNINGS="ignore", LOG_LEVEL="WARNING"),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.acks = {}
        self.ack_times = []
        self.ready = None
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            sid, event_type, stamp = line.split()
            if sid == "READY":
                self.ready = float(stamp)
                continue
            with self.lock:
                self.ack_times.append(float(stamp))
                if event_type == "suggestion_assigned":
                    self.acks[sid] = float(stamp)

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while self.ready is None:
            if self.proc.poll() is not None:
                raise RuntimeError("subscriber exited: " + self.proc.stderr.read()[-2000:])
            if time.monotonic() > deadline:
                raise RuntimeError("subscriber not consuming within %ss" % timeout)
            time.sleep(0.01)

    def wait_count(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.ack_times) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.ack_times)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- the gateway side --------------------------------------------------------------------------
class Filer:
    """file + accept + assign through the gateway; one requests session per thread."""

    def __init__(self, gateway, department, deputies=("D0001", "D0002", "D0003", "D0004", "D0005")):
        self.gateway = gateway
        self.department = department
        self.tokens = [self._token(code) for code in deputies]
        self.staff = self._token("staff")
        self.local = threading.local()
        self.errors = {}
        self.count = 0
        self.lock = threading.Lock()

    def _token(self, username):
        response = requests.post(self.gateway + "/api/v1/auth/token", json={"username": username, "password": "demo"},
                                 timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]

    def _session(self):
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def _post(self, path, token, body, expect=(200, 201)):
        response = self._session().post(self.gateway + path, json=body, timeout=15,
                                        headers={"Authorization": "Bearer " + token})
        if response.status_code not in expect:
            key = f"{path.rsplit('/', 1)[-1]}:{response.status_code}"
            with self.lock:
                self.errors[key] = self.errors.get(key, 0) + 1
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return response.json()

    def file_and_accept(self):
        """File (deputy) and accept (staff): (suggestion_id, filed_at)."""
        with self.lock:
            self.count += 1
            n = self.count
        token = self.tokens[n % len(self.tokens)]
        filed_at = time.monotonic()
        created = self._post("/api/v1/suggestions", token, {
            "title": f"关于改善农村学校校车安全的建议 {uuid.uuid4().hex[:8]}",
            "content": "建议加强农村学校校车安全管理，增加校车班次，保障学生上下学安全。" * 3,
            "category": "教育"})
        sid = str(created.get("id") or created.get("suggestion_id"))
        self._post(f"/api/v1/suggestions/{sid}/review", self.staff, {"decision": "accept"})
        return sid, filed_at

    def assign(self, sid):
        """Assign to the bench department as lead: (assign_started_at, answered_at)."""
        started = time.monotonic()
        self._post(f"/api/v1/suggestions/{sid}/assign", self.staff,
                   {"assignments": [{"department": self.department, "role": "lead"}]})
        return started, time.monotonic()

    def one(self):
        """The whole flow: (suggestion_id, filed_at, assign_started_at, answered_at)."""
        sid, filed_at = self.file_and_accept()
        assign_at, done = self.assign(sid)
        return sid, filed_at, assign_at, done

    def prepare(self, count, threads=8):
        """``count`` filed and accepted suggestions, waiting for their assignment (untimed)."""
        with ThreadPoolExecutor(max_workers=threads) as pool:
            done = list(pool.map(lambda _: _safe(self.file_and_accept), range(count)))
        return [d[0] for d in done if d]


def _safe(fn, *args):
    try:
        return fn(*args)
    except Exception:
        return None


class AssignOnly:
    """The department-facing step alone: assign a suggestion prepared beforehand."""

    def __init__(self, filer, prepared):
        self.filer = filer
        self.prepared = list(prepared)
        self.lock = threading.Lock()

    def one(self):
        with self.lock:
            if not self.prepared:
                raise IndexError("prepared suggestions used up")
            sid = self.prepared.pop()
        assign_at, done = self.filer.assign(sid)
        return sid, assign_at, assign_at, done


def closed_loop(flow, subscriber, workers, seconds, warmup=1.0):
    stop_at = time.monotonic() + warmup + seconds
    window_start = time.monotonic() + warmup
    started = []
    exhausted = []

    def worker():
        while time.monotonic() < stop_at:
            try:
                started.append(flow.one())
            except IndexError:
                exhausted.append(True)
                return
            except Exception:
                time.sleep(0.05)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [s[0] for s in started]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(i in subscriber.acks for i in ids):
        time.sleep(0.02)
    acked = [subscriber.acks[i] for i in ids if i in subscriber.acks]
    window_end = min(stop_at, max(acked)) if exhausted and acked else stop_at
    window = max(1e-6, window_end - window_start)
    in_window = [t for t in acked if window_start <= t <= window_end]
    return {"workers": workers, "seconds": round(window, 2), "suggestions": len(started), "acked": len(acked),
            "rate": round(len(in_window) / window, 1), "missing": len(ids) - len(acked),
            "ran_out_of_prepared": bool(exhausted)}


def open_loop(flow, subscriber, rate, seconds):
    """Calls paced at ``rate``/s, each at its scheduled time whether or not earlier ones have
    answered. The target latency runs from the scheduled send to the ack (as (f)'s half-rate
    loop), so a client or server falling behind shows in it; a call that fails or whose event
    is never acked is a miss (counted in ``failed`` / ``missing``, and the target is missed)."""
    interval = 1.0 / rate
    total = max(1, int(rate * seconds))
    results, failures = [], {}

    def send(scheduled):
        try:
            results.append((scheduled, *flow.one()))
        except Exception as exc:  # counted, never dropped: a failure is a miss
            key = type(exc).__name__
            failures[key] = failures.get(key, 0) + 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        begin = time.monotonic() + 0.1
        for k in range(total):
            scheduled = begin + k * interval
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, scheduled)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(r[1] in subscriber.acks for r in results):
        time.sleep(0.02)
    acks = subscriber.acks
    got = [r for r in results if r[1] in acks]
    return {"rate": round(rate, 1), "seconds": seconds, "sent": total, "suggestions": len(results),
            "failed": total - len(results), "failures": failures, "acked": len(got),
            "missing": len(results) - len(got),
            "scheduled_to_ack": summary_ms([acks[sid] - scheduled for scheduled, sid, _, _, _ in got]),
            "assign_to_ack": summary_ms([acks[sid] - assign_at for _, sid, _, assign_at, _ in got]),
            "file_to_ack": summary_ms([acks[sid] - filed_at for _, sid, filed_at, _, _ in got]),
            "assign_answered_to_ack": summary_ms([acks[sid] - done for _, sid, _, _, done in got]),
            "send_late_ms": summary_ms([filed_at - scheduled for scheduled, _, filed_at, _, _ in results]),
            "http_calls": summary_ms([done - filed for _, _, filed, _, done in results])}


def half_rate_met(half, target_ms=100):
    """(s) at half rate: p99 from the scheduled send to the ack within the target, and no miss."""
    p99 = (half.get("scheduled_to_ack") or {}).get("p99")
    return p99 is not None and p99 <= target_ms and not half.get("failed") and not half.get("missing")


# -- backlog ---------------------------------------------------------------------------------
def publish_many(amqp_uri, exchange, routing_key, bodies, queue_declare=None):
    """Publish with confirms, pipelined (pika BlockingChannel confirms each basic_publish;
    fine for a fill, not measured)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        if queue_declare:
            queue_declare(channel)
        channel.confirm_delivery()
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        for body in bodies:
            channel.basic_publish(exchange, routing_key, body, properties)
    finally:
        connection.close()


def raw_consume_rate(amqp_uri, bodies, prefetch=100):
    """Same messages in a scratch quorum queue, consumed with manual acks, acked as the
    subscriber under test acks (services/suggestion/subscriber.py): together (multiple=True)
    every prefetch/2 messages or as soon as pika's local buffer runs dry."""
    def declare(channel):
        channel.queue_delete(SCRATCH_QUEUE)
        channel.queue_declare(SCRATCH_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    publish_many(amqp_uri, "", SCRATCH_QUEUE, bodies, declare)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=prefetch)
        count = len(bodies)
        state = {"n": 0}
        unacked = []

        def on_message(ch, method, properties, body):
            unacked.append(method.delivery_tag)
            state["n"] += 1
            more_buffered = bool(getattr(ch, "_pending_events", None))  # as Subscriber._more_buffered
            if state["n"] < count and more_buffered and len(unacked) < max(1, prefetch // 2):
                return
            ch.basic_ack(unacked[-1], multiple=len(unacked) > 1)
            unacked.clear()
            if state["n"] >= count:
                ch.stop_consuming()
        started = time.perf_counter()
        channel.basic_consume(SCRATCH_QUEUE, on_message, auto_ack=False)
        channel.start_consuming()
        elapsed = time.perf_counter() - started
        channel.queue_delete(SCRATCH_QUEUE)
    finally:
        connection.close()
    return {"messages": count, "seconds": round(elapsed, 3), "rate": round(count / elapsed, 1),
            "acks": "batched as the subscriber's (multiple=True, every prefetch/2 or when the buffer runs dry)"}


def queue_depth(amqp_uri, queue):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def backlog_drain(env, uri, amqp_uri, department, template, count, prefetch=100):
    from contracts.departments_amqp import EXCHANGE, department_queue

    queue = department_queue(department)
    bodies = []
    for _ in range(count):
        envelope = dict(template, event_id=str(uuid.uuid4()))
        bodies.append(json.dumps(envelope, ensure_ascii=False).encode())
    raw = raw_consume_rate(amqp_uri, bodies, prefetch)
    before = queue_depth(amqp_uri, queue)
    publish_many(amqp_uri, EXCHANGE, f"{department}.{template['type']}", bodies)
    depth = queue_depth(amqp_uri, queue)
    subscriber = SubscriberProcess(env, uri, queue, prefetch=prefetch, max_events=depth)
    try:
        subscriber.wait_ready()
        got = subscriber.wait_count(depth, timeout=300)
        elapsed = subscriber.ack_times[-1] - subscriber.ready if subscriber.ack_times else None
    finally:
        subscriber.stop()
    rate = round(got / elapsed, 1) if elapsed else 0.0
    return {"events": got, "backlog": depth, "left_before": before, "seconds": round(elapsed or 0, 3),
            "rate": rate, "body_bytes": len(bodies[0]) if bodies else 0, "raw_pika_consume": raw,
            "ratio_to_raw": round(rate / raw["rate"], 3) if raw["rate"] else None, "target_ratio": 0.5}


# -- orchestration -----------------------------------------------------------------------------
def department_uri(env, department):
    """dept-<code>'s own URI if that user exists on the bench broker, else the platform's."""
    code = ("import json; from kernel.config import load_config; "
            "from contracts.departments_amqp import department_amqp_uri; "
            f"print(department_amqp_uri(load_config(), {department!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(env, PYTHONWARNINGS="ignore"),
                          capture_output=True, text=True, check=True)
    uri = done.stdout.strip().splitlines()[-1]
    try:
        pika.BlockingConnection(pika.URLParameters(uri)).close()
        return uri, f"dept-{department}"
    except pika.exceptions.AMQPError:
        return env["AMQP_URI"], "platform account (department user not provisioned)"


def run(urls, env, baselines, writers=(4, 8, 16), seconds=6.0, half_seconds=8.0, backlog=10000,
        department=DEPARTMENT, prepare=None, full_seconds=5.0, log=print, meter=None):
    """The figures of the module docstring; ``prepare``: suggestions filed and accepted (untimed)
    before each assign-only loop (default: 1.5 x the best rate so far, at least 100/s);
    ``meter``: a bench.processes.CpuMeter, to say where the CPU of an assignment goes."""
    gateway = urls["gateway"] if isinstance(urls, dict) else urls
    amqp_uri = env["AMQP_URI"]
    from contracts.departments_amqp import department_queue

    uri, account = department_uri(env, department)
    queue = department_queue(department)
    result = {"department": department, "subscriber_account": account}
    filer = Filer(gateway, department)
    subscriber = SubscriberProcess(env, uri, queue, prefetch=100)
    template = None
    try:
        subscriber.wait_ready()
        log("(s) warm-up: file + accept + assign -> department subscriber")
        closed_loop(filer, subscriber, workers=2, seconds=1.0, warmup=0.0)
        assign_only = AssignOnly(filer, [])

        def top_up(count):
            if len(assign_only.prepared) < count:
                log(f"(s) preparing {count - len(assign_only.prepared)} filed and accepted suggestions (untimed)")
                assign_only.prepared += filer.prepare(count - len(assign_only.prepared))
        best = None
        for w in writers:
            # enough for this loop at 1.5 x the best rate so far (at least 100/s), unless given
            top_up(prepare or int(max(100.0, best["rate"] if best else 0.0) * 1.5 * (seconds + 1)))
            log(f"(s) closed loop, assign -> department ack: {w} workers x {seconds}s")
            if meter is not None:
                meter.start()
            outcome = closed_loop(assign_only, subscriber, w, seconds)
            if meter is not None:
                outcome["cpu"] = meter.stop(outcome["acked"])
            result.setdefault("assign_closed", []).append(outcome)
            if best is None or outcome["rate"] > best["rate"]:
                best = outcome
        result["assign_max"] = best
        # baseline: the raw event rate with as many in flight as the best loop had workers
        baseline_key, baseline = event_baseline(baselines or {}, best["workers"])
        raw_events = baseline.get("rate")
        result["raw_event_dispatch_rate"], result["raw_event_baseline"] = raw_events, baseline_key
        result["ratio_to_event_dispatch"] = round(best["rate"] / raw_events, 3) if raw_events else None
        result["target_ratio"] = 0.2
        half = max(1.0, best["rate"] / 2)
        top_up(int(half * half_seconds * 1.1) + 10)
        log(f"(s) open loop at half that ({half:.1f} assignments/s) x {half_seconds}s")
        result["assign_half"] = open_loop(assign_only, subscriber, half, half_seconds)
        result["assign_half"]["target_p99_ms"] = 100
        result["prepared_left"] = len(assign_only.prepared)

        log(f"(s) whole flow (file + accept + assign), closed loop: {best['workers']} workers x {full_seconds}s")
        result["full_max"] = closed_loop(filer, subscriber, best["workers"], full_seconds)
        full_half = max(1.0, result["full_max"]["rate"] / 2)
        log(f"(s) whole flow, open loop at half that ({full_half:.1f} suggestions/s) x {half_seconds}s")
        result["full_half"] = open_loop(filer, subscriber, full_half, half_seconds)
        result["errors"] = dict(filer.errors)
        template = _template(filer, department, amqp_uri)
    finally:
        subscriber.stop()
    if backlog and template:
        log(f"(s) backlog: {backlog} department events with the subscriber offline, then drained")
        result["backlog"] = backlog_drain(env, uri, amqp_uri, department, template, backlog)
    return result


def _template(filer, department, amqp_uri):
    """A real ``suggestion_assigned`` department envelope, captured on a private queue bound
    to the department exchange while one more suggestion is filed and assigned."""
    from contracts.departments_amqp import EXCHANGE
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        capture = channel.queue_declare("", exclusive=True).method.queue
        channel.queue_bind(capture, EXCHANGE, routing_key=f"{department}.suggestion_assigned")
        filer.one()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            method, _, body = channel.basic_get(capture, auto_ack=True)
            if method is not None:
                return json.loads(body)
            time.sleep(0.01)
    finally:
        connection.close()
    return None


def summary_lines(result):
    def ok(flag):
        return "ok" if flag else "MISSED"
    lines = []
    best, half = result.get("assign_max") or {}, result.get("assign_half") or {}
    full, full_half, back = result.get("full_max") or {}, result.get("full_half") or {}, result.get("backlog") or {}
    ratio = result.get("ratio_to_event_dispatch")
    lines.append(f"assign -> dept subscriber ack, max sustained: {best.get('rate')} /s ({best.get('workers')} workers); "
                 f"raw nameko event dispatch ({result.get('raw_event_baseline')}) "
                 f"{result.get('raw_event_dispatch_rate')} /s; ratio {ratio} (target >= 0.2) {ok(ratio and ratio >= 0.2)}")
    if best.get("cpu"):
        cpu = best["cpu"]
        parts = ", ".join(f"{name} {ms}" for name, ms in cpu["cpu_ms_per_unit"].items() if ms >= 0.05)
        lines.append(f"  CPU per acked assignment: total {round(sum(cpu['cpu_ms_per_unit'].values()), 2)} ms, "
                     f"busy {cpu['busy_cores']} cores: {parts}")
    if half:
        lines.append(f"  at half rate {half['rate']} /s: scheduled send -> ack p50 {half['scheduled_to_ack']['p50']} ms, "
                     f"p99 {half['scheduled_to_ack']['p99']} ms (target <= 100, no miss) {ok(half_rate_met(half))}; "
                     f"{half['failed']} failed, {half['missing']} never acked of {half['sent']}; "
                     f"assign call start -> ack p99 {half['assign_to_ack']['p99']} ms, "
                     f"assign answered -> ack p99 {half['assign_answered_to_ack']['p99']} ms")
    if full:
        lines.append(f"whole flow file + accept + assign (3 gateway calls) -> ack: {full.get('rate')} suggestions/s")
    if full_half:
        lines.append(f"  at half rate {full_half['rate']} /s: scheduled send -> ack p50 "
                     f"{full_half['scheduled_to_ack']['p50']} ms, p99 {full_half['scheduled_to_ack']['p99']} ms "
                     f"({full_half['failed']} failed, {full_half['missing']} never acked)")
    if back:
        lines.append(f"backlog {back['events']} events drained at {back['rate']} /s; raw pika consume "
                     f"{back['raw_pika_consume']['rate']} /s; ratio {back['ratio_to_raw']} (target >= 0.5) "
                     f"{ok(back['ratio_to_raw'] and back['ratio_to_raw'] >= 0.5)}")
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "subscribe":
        return subscribe_main(argv[1:])
    parser = argparse.ArgumentParser(description="issue-3 benchmark against a running platform")
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--raw-event-rate", type=float, help="baseline (c) of the same host, if known")
    parser.add_argument("--writers", default="4,8")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--half-seconds", type=float, default=8.0)
    parser.add_argument("--backlog", type=int, default=10000)
    parser.add_argument("--prepare", type=int, help="suggestions filed+accepted before the assign loops")
    parser.add_argument("--full-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    from kernel.config import load_config
    env.setdefault("AMQP_URI", load_config()["AMQP_URI"])
    baselines = {"c": {"rate": args.raw_event_rate}} if args.raw_event_rate else {}
    result = run({"gateway": args.gateway}, env, baselines, writers=[int(w) for w in args.writers.split(",")],
                 seconds=args.seconds, half_seconds=args.half_seconds, backlog=args.backlog, prepare=args.prepare,
                 full_seconds=args.full_seconds)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    for line in summary_lines(result):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
