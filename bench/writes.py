"""Writes through the gateway, observed in the suggestion service's read model.

A write is ``POST /api/v1/deputies`` as staff (a new town deputy with a unique phone). The
deputy service commits it with its ``deputy_registered`` event in the outbox; the relay
publishes it; the suggestion service applies it to ``suggestion.deputy_directory``, whose
``updated_at`` is ``now()`` of the applying transaction (PostgreSQL on this host: the same
clock as ``time.time()`` here). So ``updated_at - send time`` is the write -> read model
latency, and the rows' ``updated_at`` values give the applied rate.
"""
import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests

from bench.stats import summary_ms

PHONES = itertools.count(1)


def new_deputy(seq, run_id):
    """Like tests/support/platform.new_deputy_payload: a town deputy of 城关镇, phone 139xxxxxxxx."""
    return {"name": "压测代表", "gender": "female", "birth_year": 1980, "level": "town", "town": "城关镇",
            "station_code": "ST-000", "term": 19, "phone": "139" + str((run_id * 1_000_000 + seq) % 10**8).zfill(8)}


class GatewayWriter:
    def __init__(self, gateway_url, run_id):
        self.url = gateway_url + "/api/v1/deputies"
        self.run_id = run_id
        response = requests.post(gateway_url + "/api/v1/auth/token",
                                 json={"username": "staff", "password": "demo"}, timeout=30)
        response.raise_for_status()
        self.headers = {"Authorization": "Bearer " + response.json()["access_token"]}
        self.local = threading.local()
        self.errors = Counter()

    def session(self):
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def write(self):
        """POST one new deputy; (code, send time, response time) or None on an error status."""
        for _ in range(3):  # a phone taken by a demo deputy (409): try the next number
            sent = time.time()
            try:
                response = self.session().post(self.url, json=new_deputy(next(PHONES), self.run_id),
                                               headers=self.headers, timeout=10)
            except requests.RequestException as exc:
                self.errors[type(exc).__name__] += 1
                return None
            answered = time.time()
            if response.status_code == 201:
                return response.json()["code"], sent, answered
            self.errors[response.status_code] += 1
            if response.status_code != 409:
                return None
        return None


class ReadModel:
    """Polls suggestion.deputy_directory (as the bench database's superuser)."""

    def __init__(self, admin_url, table="suggestion.deputy_directory"):
        self.conn = psycopg.connect(admin_url, autocommit=True)
        self.table = table

    def applied_at(self, codes, timeout=60.0):
        """{code: applied epoch} once every code is applied (or the timeout passes)."""
        found = {}
        pending = list(codes)
        deadline = time.monotonic() + timeout
        while pending:
            rows = self.conn.execute(
                f"SELECT code, extract(epoch FROM updated_at)::float8 FROM {self.table} WHERE code = ANY(%s)",
                (pending,)).fetchall()
            found.update(rows)
            pending = [code for code in pending if code not in found]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return found

    def count(self, table=None):
        return self.conn.execute(f"SELECT count(*) FROM {table or self.table}").fetchone()[0]

    def close(self):
        self.conn.close()


def closed_loop(writer, read_model, writers, seconds, warmup_seconds=1.0):
    """``writers`` threads each POST back to back for ``seconds``. The sustained figure is the
    number of writes applied to the read model per second inside [start + warmup, end]: if
    the event path cannot keep up, its backlog grows and this counts only what it applied."""
    writer.errors.clear()
    records = []
    started = time.time()
    stop_at = started + seconds

    def loop():
        while time.time() < stop_at:
            record = writer.write()
            if record:
                records.append(record)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.time()
    applied = read_model.applied_at([code for code, _, _ in records])
    window_start, window_end = started + warmup_seconds, stop_at
    in_window = sum(1 for at in applied.values() if window_start <= at <= window_end)
    accepted_in_window = sum(1 for _, _, answered in records if window_start <= answered <= window_end)
    last_applied = max(applied.values(), default=ended)
    return {
        "writers": writers, "seconds": round(ended - started, 3), "accepted": len(records),
        "errors": dict(writer.errors), "applied": len(applied), "missing": len(records) - len(applied),
        "accepted_rate": round(accepted_in_window / (window_end - window_start), 1),
        "rate": round(in_window / (window_end - window_start), 1),
        "drain_seconds": round(max(0.0, last_applied - stop_at), 3),
        "http_ms": summary_ms([answered - sent for _, sent, answered in records]),
        "applied_ms": summary_ms([applied[code] - sent for code, sent, _ in records if code in applied]),
    }


def open_loop(writer, read_model, rate, seconds, threads=32):
    """Writes paced at ``rate``/s (open loop: each has a scheduled send time, whether or not
    earlier ones have answered). Latency is from the scheduled send time to applied in the
    read model, so a client or server falling behind shows up in the figure."""
    writer.errors.clear()
    count = max(1, int(rate * seconds))
    records = []
    late = []
    pool = ThreadPoolExecutor(threads)

    def send(scheduled):
        late.append(time.time() - scheduled)
        record = writer.write()
        if record:
            records.append((record[0], scheduled, record[2]))

    begin = time.time() + 0.1
    for i in range(count):
        scheduled = begin + i / rate
        delay = scheduled - time.time()
        if delay > 0:
            time.sleep(delay)
        pool.submit(send, scheduled)
    pool.shutdown(wait=True)
    ended = time.time()
    applied = read_model.applied_at([code for code, _, _ in records])
    latencies = [applied[code] - scheduled for code, scheduled, _ in records if code in applied]
    return {
        "target_rate": round(rate, 1), "seconds": round(ended - begin, 3), "sent": count,
        "accepted": len(records), "errors": dict(writer.errors), "applied": len(applied),
        "missing": len(records) - len(applied),
        "send_late_ms": summary_ms(late),
        "http_ms": summary_ms([answered - scheduled for _, scheduled, answered in records]),
        "applied_ms": summary_ms(latencies),
    }
