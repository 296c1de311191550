"""Issue 13 benchmark: deputies' duty records.

* **rebuild**: a year's event history for every deputy of the roster (693 in the demo data) —
  the congress's two plenary sessions (all deputies), standing-committee meetings (25
  members), deputy-group meetings (about 20 each), suggestions with co-signers, activities
  staff record and station receptions — is generated as envelopes (the producers' shapes),
  then ``services.deputy.duty_handlers.rebuild`` forgets the year and applies every event
  again in one process (``seconds``, ``events/s``, ``entries/s``). Ratio: events/s against
  the raw nameko event dispatch -> handler rate of the same run (baseline (c)).
* **delivery**: the voting and suggestion events of that history published to their
  exchanges (pika, confirms) as the relays would; the deputy service's duty consumer applies
  them (claim + write per event): events/s from the first publish to the last claim.
* **read**: ``GET /api/v1/deputies/{id}/duty-record?year=`` through the gateway as staff for
  random deputies, 4 threads: p50/p99 and requests/s.

``run(urls, env, baselines, log)`` is called by bench/run.py with the platform running;
``python -m bench.duty`` prepares its own database and vhost (BENCH_DATABASE /
BENCH_VHOST, default renda_bench_duty), starts the deputy service, the gateway and the
event-dispatch baseline, and prints the figures.
"""
import argparse
import json
import os
import random
import tempfile
import threading
import time
import uuid

import pika
import psycopg
import requests

from bench.stats import summary_ms

YEAR = 2039   # a year no demo data or test writes
KIND_OF = {"meeting_ended": "voting", "suggestion_submitted": "suggestion", "activity_recorded": "deputy",
           "reception_held": "deputy"}


def _envelope(event_type, data, occurred_at):
    return {"event_id": str(uuid.uuid4()), "type": event_type, "occurred_at": occurred_at, "schema_version": 1,
            "producer": KIND_OF[event_type], "correlation_id": None, "aggregate_id": None, "data": data}


def history(deputies, year=YEAR, seed=13, suggestions=700, activities=240, receptions=400, groups=60):
    """A year's events for ``deputies`` [(code, town, station)], in time order."""
    rng = random.Random(seed)
    codes = [d[0] for d in deputies]
    events = []

    def when(day):
        return f"{year}-{1 + day // 28:02d}-{1 + day % 28:02d}T02:00:00+00:00"

    def meeting(meeting_id, kind, members, day):
        outcomes = []
        for code in members:
            roll = rng.random()
            outcomes.append({"deputy_id": code, "outcome": "present" if roll < 0.9 else
                             "leave" if roll < 0.97 else "absent"})
        events.append((day, _envelope("meeting_ended", {
            "meeting_id": meeting_id, "kind": kind, "title": f"{kind} {meeting_id}", "starts_at": when(day),
            "ended_at": when(day), "expected": len(members), "attendance": outcomes}, when(day))))

    base = 900_000_000 + year * 1000
    meeting(base + 1, "plenary", codes, 20)
    meeting(base + 2, "plenary", codes, 300)
    committee = rng.sample(codes, min(25, len(codes)))
    for n in range(12):
        meeting(base + 10 + n, "standing_committee", committee, 10 + n * 28)
    for n in range(groups):
        meeting(base + 100 + n, "group", rng.sample(codes, min(20, len(codes))), rng.randrange(330))
    for n in range(suggestions):
        day = rng.randrange(330)
        lead, *co = rng.sample(codes, 1 + rng.choice((0, 0, 1, 2, 3)))
        events.append((day, _envelope("suggestion_submitted", {
            "suggestion_id": str(uuid.UUID(int=rng.getrandbits(128))), "number": f"{year}-{n + 1:04d}",
            "title": f"建议 {n + 1}", "status": "submitted", "lead_deputy": lead, "co_signers": co,
            "deputies": [lead] + co, "occurred_at": when(day)}, when(day))))
    kinds = ("inspection", "research", "law_check", "training", "group", "report_to_voters", "award")
    for n in range(activities):
        day = rng.randrange(330)
        events.append((day, _envelope("activity_recorded", {
            "id": base + 10_000 + n, "kind": rng.choice(kinds), "title": f"活动 {n + 1}",
            "held_on": when(day)[:10], "participants": rng.sample(codes, rng.randrange(3, 31)), "published": True},
            when(day))))
    for n in range(receptions):
        day = rng.randrange(330)
        station = rng.choice(deputies)[2]
        on_duty = [d[0] for d in deputies if d[2] == station][:3] or [rng.choice(codes)]
        events.append((day, _envelope("reception_held", {
            "id": base + 20_000 + n, "station_code": station, "station_name": station, "held_on": when(day)[:10],
            "deputies": on_duty}, when(day))))
    events.sort(key=lambda pair: pair[0])
    return [envelope for _, envelope in events]


def entries_of(envelope):
    data = envelope["data"]
    return len(data.get("attendance") or data.get("participants") or data.get("deputies") or []) or 1


def roster(admin_url):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute("SELECT code, town, station_code FROM deputy.deputies WHERE status = 'active' "
                            "ORDER BY code").fetchall()


def rebuild(env, events, year=YEAR):
    """Forget the year, apply ``events`` again in this process: {seconds, events, entries, ...}."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from kernel.config import load_config, service_dsn
        from kernel.db import PostgresUnitOfWork, make_pool
        from services.deputy import duty_handlers
        from services.deputy.repository import REPOSITORIES
        pool = make_pool(service_dsn(load_config(), "deputy"), 2, "bench-duty")
        pool.open(wait=True)
        try:
            started = time.perf_counter()
            applied = duty_handlers.rebuild(events, PostgresUnitOfWork(pool, "deputy", REPOSITORIES, pool_timeout=30),
                                            year=year)
            seconds = time.perf_counter() - started
        finally:
            pool.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    entries = sum(entries_of(e) for e in events)
    return {"events": applied, "entries": entries, "seconds": round(seconds, 3),
            "rate": round(applied / seconds, 1), "entries_rate": round(entries / seconds, 1)}


def deliver(env, events, timeout=600):
    """Publish the voting and suggestion events as the relays would (pika, confirms); the
    deputy service's duty consumer applies them. events/s from first publish to last claim."""
    delivered = [e for e in events if e["producer"] in ("voting", "suggestion")]
    ids = [e["event_id"] for e in delivered]
    connection = pika.BlockingConnection(pika.URLParameters(env["AMQP_URI"]))
    channel = connection.channel()
    channel.confirm_delivery()
    started = time.perf_counter()
    for envelope in delivered:
        channel.basic_publish(f"{envelope['producer']}.events", envelope["type"], json.dumps(envelope).encode(),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2))
    published = time.perf_counter() - started
    connection.close()
    deadline = time.monotonic() + timeout
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        while True:
            done = conn.execute("SELECT count(*) FROM deputy.processed_events WHERE consumer = 'deputy.duty' "
                                "AND event_id = ANY(%s)", (ids,)).fetchone()[0]
            if done >= len(ids):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {done} of {len(ids)} events applied within {timeout}s")
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    return {"events": len(ids), "seconds": round(seconds, 3), "rate": round(len(ids) / seconds, 1),
            "publish_seconds": round(published, 3)}


def read(gateway, codes, year=YEAR, requests_total=800, threads=4):
    token = requests.post(f"{gateway}/api/v1/auth/token", json={"username": "staff", "password": "demo"},
                          timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    durations, errors, lock = [], [], threading.Lock()
    per_thread = requests_total // threads

    def worker(seed):
        rng = random.Random(seed)
        session = requests.Session()
        for _ in range(per_thread):
            code = rng.choice(codes)
            started = time.perf_counter()
            answer = session.get(f"{gateway}/api/v1/deputies/{code}/duty-record?year={year}", headers=headers,
                                 timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                (durations if answer.status_code == 200 else errors).append(elapsed)

    for seed in range(threads):   # warm-up: connections and caches
        requests.get(f"{gateway}/api/v1/deputies/{codes[seed]}/duty-record?year={year}", headers=headers, timeout=30)
    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    return {"requests": len(durations), "errors": len(errors), "threads": threads,
            "rate": round(len(durations) / seconds, 1), **summary_ms(durations)}


def run(urls, env, baselines, log=print):
    deputies = roster(env["DATABASE_URL"])
    events = history(deputies)
    log(f"(duty) rebuild: {len(events)} events for {len(deputies)} deputies ({YEAR})")
    result = {"deputies": len(deputies), "rebuild": rebuild(env, events)}
    log("(duty) delivery through the deputy service's consumers")
    result["delivery"] = deliver(env, history(deputies, seed=14))
    log("(duty) duty-record reads through the gateway")
    result["read"] = read(urls["gateway"], [d[0] for d in deputies])
    raw = (baselines.get("c") or {}).get("rate")
    result["raw_dispatch_rate"] = raw
    if raw:
        result["rebuild_ratio"] = round(result["rebuild"]["rate"] / raw, 3)
        result["delivery_ratio"] = round(result["delivery"]["rate"] / raw, 3)
    return result


def report(result):
    r, d, q = result["rebuild"], result["delivery"], result["read"]
    raw = result.get("raw_dispatch_rate")
    lines = ["issue 13: duty records",
             f"  rebuild a year for {result['deputies']} deputies: {r['events']} events ({r['entries']} entries) in "
             f"{r['seconds']} s = {r['rate']} events/s, {r['entries_rate']} entries/s"
             + (f"; raw nameko dispatch {raw} events/s, ratio {result.get('rebuild_ratio')}" if raw else ""),
             f"  delivered through the duty consumer: {d['events']} events in {d['seconds']} s = {d['rate']} events/s"
             + (f", ratio {result.get('delivery_ratio')}" if raw else ""),
             f"  GET duty-record via gateway ({q['threads']} threads): {q['rate']} req/s, p50 {q['p50']} ms, "
             f"p99 {q['p99']} ms, errors {q['errors']}"]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.duty", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="events dispatched for the raw baseline")
    args = parser.parse_args(argv)
    os.environ.setdefault("BENCH_DATABASE", "renda_bench_duty")
    os.environ.setdefault("BENCH_VHOST", "renda_bench_duty")
    from bench import raw
    from bench import run as bench_run
    from bench.processes import Processes
    bench_run.DATABASE, bench_run.VHOST = os.environ["BENCH_DATABASE"], os.environ["BENCH_VHOST"]
    env = bench_run.bench_env()
    env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + bench_run.DATABASE
    env["AMQP_URI"] = env["AMQP_URI"].rsplit("/", 1)[0] + "/" + bench_run.VHOST
    # Roles and RabbitMQ users of its own, and secrets of its own (unless given): PostgreSQL roles
    # and RabbitMQ users are global to their servers, so this never changes a running platform's.
    env["SERVICE_DATABASE_URL"] = (f"postgresql://{bench_run.DATABASE}__{{service}}:{{password}}@{bench_run.PG}/"
                                   f"{bench_run.DATABASE}")
    env["DEPARTMENT_AMQP_USER_PREFIX"] = f"{bench_run.VHOST}--dept-"
    for name in ("JWT_SECRET", "SERVICE_DB_PASSWORD", "WEBHOOK_SIGNING_SECRET", "DEPARTMENT_AMQP_SECRET"):
        env.setdefault(name, f"bench-duty-only-{name.lower()}-never-used-by-a-platform")
    log_dir = tempfile.mkdtemp(prefix="renda-bench-duty-")
    bench_run.step(f"preparing {bench_run.DATABASE} / {bench_run.VHOST}; logs in {log_dir}")
    bench_run.prepare(env)
    procs = Processes(env, log_dir)
    try:
        procs.start("baseline-events", ["-m", "bench.baseline_services", "events"])
        procs.wait_live(["baseline-events"])
        bench_run.step(f"(c) raw nameko event dispatch, {args.events} events")
        baselines = {"c": raw.event_dispatch(env, args.events, 1)}
        procs.stop(["baseline-events"])
        for name in ("deputy", "gateway"):
            procs.start_module(name, bench_run.config_services(env)[name])
        procs.wait_live(["deputy", "gateway"])
        result = run({"gateway": procs.url("gateway")}, env, baselines, log=bench_run.step)
    finally:
        procs.stop_all()
    print(report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
