"""Raw baselines measured from the orchestrator process (no eventlet): pika confirmed publish,
and the nameko clients (run as subprocesses, they need eventlet)."""
import json
import subprocess
import sys
import time

import pika

from bench.processes import ROOT
from bench.stats import summary_ms

QUEUE = "bench.confirmed"


def pika_confirmed_publish(amqp_uri, seconds=3.0, warmup=300, size=1024):
    """One message in flight: basic_publish returns when the broker has confirmed it.
    1 KiB body, persistent (delivery_mode=2), to a durable classic queue."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.queue_declare(QUEUE, durable=True)
        channel.queue_purge(QUEUE)
        channel.confirm_delivery()
        body = b"x" * size
        properties = pika.BasicProperties(delivery_mode=2, content_type="application/octet-stream")
        for _ in range(warmup):
            channel.basic_publish("", QUEUE, body, properties)
        latencies = []
        started = time.perf_counter()
        deadline = started + seconds
        while True:
            t0 = time.perf_counter()
            channel.basic_publish("", QUEUE, body, properties)
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            if t1 >= deadline:
                break
        elapsed = time.perf_counter() - started
        channel.queue_delete(QUEUE)
    finally:
        connection.close()
    return {"messages": len(latencies), "seconds": round(elapsed, 3), "rate": round(len(latencies) / elapsed, 1),
            **summary_ms(latencies)}


def nameko_client(env, *args, timeout=120):
    """Run ``python -m bench.clients <args>`` and return its JSON answer."""
    done = subprocess.run([sys.executable, "-m", "bench.clients", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(env, PYTHONWARNINGS="ignore"), timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"bench.clients {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rpc_round_trip(env, seconds=4.0):
    return nameko_client(env, "rpc", "--seconds", str(seconds))


def event_dispatch(env, count, concurrency):
    return nameko_client(env, "events", "--count", str(count), "--concurrency", str(concurrency))
