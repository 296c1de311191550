"""nameko client side of the RPC and event baselines, run as a subprocess of the benchmark
(nameko's standalone proxies need eventlet, the orchestrator stays unpatched).

    python -m bench.clients rpc --seconds 4
    python -m bench.clients events --count 5000 --concurrency 8

Prints one JSON object on stdout.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from nameko.standalone.events import event_dispatcher  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench.baseline_services import EVENT_SOURCE, EVENT_TYPE  # noqa: E402
from bench.stats import summary_ms  # noqa: E402
from kernel.config import load_config  # noqa: E402


def rpc_round_trips(config, seconds, warmup):
    """One caller, one call in flight: ClusterRpcProxy -> bench_backend_stock.get (stock nameko, confirmed)."""
    latencies = []
    with ClusterRpcProxy(config) as proxy:
        backend = proxy.bench_backend_stock
        for _ in range(warmup):
            backend.get("D0001")
        started = time.perf_counter()
        deadline = started + seconds
        while True:
            t0 = time.perf_counter()
            backend.get("D0001")
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            if t1 >= deadline:
                break
        elapsed = time.perf_counter() - started
    return {"calls": len(latencies), "seconds": round(elapsed, 3),
            "rate": round(len(latencies) / elapsed, 1), **summary_ms(latencies)}


def event_throughput(config, count, concurrency, warmup, timeout):
    """``count`` events dispatched by ``concurrency`` green threads sharing nameko's standalone
    dispatcher (publisher confirms, persistent, as a nameko EventDispatcher publishes); the
    figure is count / (first dispatch -> handler has seen the last one)."""
    dispatch = event_dispatcher(config)
    with ClusterRpcProxy(config) as proxy:
        sink = proxy.bench_sink
        for i in range(warmup):
            dispatch(EVENT_SOURCE, EVENT_TYPE, {"n": -i})
        _wait_count(sink, warmup, timeout)
        sink.reset()

        pool = eventlet.GreenPool(concurrency)
        shares = [range(k, count, concurrency) for k in range(concurrency)]

        def publish(share):
            for n in share:
                dispatch(EVENT_SOURCE, EVENT_TYPE, {"n": n, "pad": "x" * 200})

        started = time.perf_counter()
        for share in shares:
            pool.spawn(publish, share)
        pool.waitall()
        published = time.perf_counter()
        seen = _wait_count(sink, count, timeout)
        done = time.perf_counter()
    result = {"events": count, "seen": seen, "concurrency": concurrency,
              "publish_seconds": round(published - started, 3), "seconds": round(done - started, 3),
              "publish_rate": round(count / (published - started), 1),
              "rate": round(count / (done - started), 1)}
    if seen < count:
        # the handler timed out: count / timeout would be a deflated baseline that flatters every
        # ratio taken against it, so the figure fails instead
        result.update(rate=None, failed=f"handler saw {seen} of {count} events within {timeout} s")
    return result


def _wait_count(sink, expected, timeout):
    deadline = time.perf_counter() + timeout
    while True:
        seen = sink.count()
        if seen >= expected or time.perf_counter() > deadline:
            return seen
        eventlet.sleep(0.01)


def main(argv=None):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    rpc = sub.add_parser("rpc")
    rpc.add_argument("--seconds", type=float, default=4.0)
    rpc.add_argument("--warmup", type=int, default=300)
    events = sub.add_parser("events")
    events.add_argument("--count", type=int, default=5000)
    events.add_argument("--concurrency", type=int, default=8)
    events.add_argument("--warmup", type=int, default=200)
    events.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    config = load_config()
    if args.what == "rpc":
        result = rpc_round_trips(config, args.seconds, args.warmup)
    else:
        result = event_throughput(config, args.count, args.concurrency, args.warmup, args.timeout)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
