"""The summary table: name | figure | baseline | ratio | target | met."""

TARGETS = {
    "gateway_read_ratio": 0.85,    # (e) / (d)
    "write_rate_ratio": 0.20,      # (f) / (c)
    "write_p99_ms": 100.0,         # (f) at half the maximum rate
}


def _ms(value):
    return "-" if value is None else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def _rate(value, unit):
    return f"{value:,.0f} {unit}/s"


def build(results):
    """Rows as dicts (also the JSON summary)."""
    a, b, c, c8, d, e, f, half = (results.get(k) for k in ("a", "b", "c", "c8", "d", "e", "f", "f_half"))
    rows = [
        {"name": "(a) pika confirmed publish, 1 in flight, 1 KiB persistent",
         "figure": f"{_rate(a['rate'], 'msg')}, p50 {_ms(a['p50'])}, p99 {_ms(a['p99'])}"},
        {"name": "(b) nameko RPC round trip, 1 caller",
         "figure": f"{_rate(b['rate'], 'calls')}, p50 {_ms(b['p50'])}, p99 {_ms(b['p99'])}"},
        {"name": "(c) nameko event dispatch -> handler, 1 in flight",
         "figure": f"{_rate(c['rate'], 'events')}" + _unseen(c)},
        {"name": f"(c8) the same, {c8['concurrency']} dispatchers in flight",
         "figure": f"{_rate(c8['rate'], 'events')}" + _unseen(c8)},
        {"name": "(d) bare nameko @http + 1 RPC (wrk)",
         "figure": f"{_rate(d['rate'], 'req')}, p99 {_ms(d.get('p99'))}" + _http_errors(d)},
    ]
    ratio = e["rate"] / d["rate"] if d["rate"] else 0.0
    rows.append({"name": "(e) gateway GET /api/v1/deputies/{id} (wrk)",
                 "figure": f"{_rate(e['rate'], 'req')}, p99 {_ms(e.get('p99'))}" + _http_errors(e),
                 "baseline": f"(d) {_rate(d['rate'], 'req')}, p99 {_ms(d.get('p99'))}",
                 "ratio": round(ratio, 3), "target": f">= {TARGETS['gateway_read_ratio']:.2f}",
                 "met": ratio >= TARGETS["gateway_read_ratio"] and not e["non_2xx"] and not e["socket_errors"]})
    ratio = f["rate"] / c["rate"] if c["rate"] else 0.0
    rows.append({"name": f"(f) write -> read model, max sustained ({f['writers']} writers)",
                 "figure": f"{_rate(f['rate'], 'applied')} (accepted {_rate(f['accepted_rate'], 'req')}, "
                           f"drain {f['drain_seconds']:.2f} s)" + _write_errors(f),
                 "baseline": f"(c) {_rate(c['rate'], 'events')}",
                 "ratio": round(ratio, 3), "target": f">= {TARGETS['write_rate_ratio']:.2f}",
                 "met": ratio >= TARGETS["write_rate_ratio"] and not f["missing"]})
    rows.append({"name": "(f) vs (c8), for information", "figure": f"{_rate(f['rate'], 'applied')}",
                 "baseline": f"(c8) {_rate(c8['rate'], 'events')}",
                 "ratio": round(f["rate"] / c8["rate"], 3) if c8["rate"] else 0.0})
    p99 = half["applied_ms"]["p99"]
    rows.append({"name": f"(f) write -> read model at half rate ({half['target_rate']:.0f}/s, open loop)",
                 "figure": f"p50 {_ms(half['applied_ms']['p50'])}, p99 {_ms(p99)} "
                           f"({half['applied']}/{half['sent']} applied)" + _write_errors(half),
                 "target": f"p99 <= {TARGETS['write_p99_ms']:.0f} ms",
                 "met": p99 is not None and p99 <= TARGETS["write_p99_ms"] and not half["missing"]
                 and half["accepted"] == half["sent"]})
    return rows


def _unseen(result):
    return "" if result["seen"] >= result["events"] else f" (ONLY {result['seen']}/{result['events']} SEEN)"


def _http_errors(result):
    problems = []
    if result.get("non_2xx"):
        problems.append(f"{result['non_2xx']} NON-2XX")
    if result.get("socket_errors"):
        problems.append(f"{result['socket_errors']} SOCKET ERRORS")
    return f" ({', '.join(problems)})" if problems else ""


def _write_errors(result):
    problems = []
    if result.get("errors"):
        problems.append("errors " + ", ".join(f"{k}: {v}" for k, v in result["errors"].items()))
    if result.get("missing"):
        problems.append(f"{result['missing']} NEVER APPLIED")
    return f" ({'; '.join(problems)})" if problems else ""


def render(rows, results, meta):
    headers = ("name", "figure", "baseline", "ratio", "target", "met")
    cells = [[str(row.get(h, "")) if h != "met" else ("" if "met" not in row else "met" if row["met"] else "MISSED")
              for h in headers] for row in rows]
    widths = [max(len(headers[i]), *(_width(c[i]) for c in cells)) for i in range(len(headers))]
    line = lambda values: " | ".join(_pad(v, widths[i]) for i, v in enumerate(values))  # noqa: E731
    out = [f"Benchmark {meta['date']} on {meta['host']} ({meta['cpus']} CPUs), commit {meta['commit']}, "
           f"{meta['elapsed_seconds']} s",
           f"HTTP load: {meta['wrk']}", "",
           line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    f_half = results["f_half"]
    out += ["", "Details:"]
    for key in ("d", "e"):
        r = results[key]
        out.append(f"  ({key}) rounds: " + ", ".join(f"{rate:,.0f}" for rate in r["round_rates"]) + " req/s; p99 "
                   + ", ".join(_ms(p) for p in r["round_p99"]) + f"; p50 {_ms(r.get('p50'))} (median of rounds)")
    for closed in results.get("f_closed", []):
        out.append(f"  (f) closed loop {closed['writers']:>2} writers: applied {closed['rate']:,.0f}/s, accepted "
                   f"{closed['accepted_rate']:,.0f}/s, HTTP p50/p99 {_ms(closed['http_ms']['p50'])}/"
                   f"{_ms(closed['http_ms']['p99'])}, send->applied p50/p99 {_ms(closed['applied_ms']['p50'])}/"
                   f"{_ms(closed['applied_ms']['p99'])}, drain {closed['drain_seconds']:.2f} s")
    out.append(f"  (f) half rate: HTTP p50/p99 {_ms(f_half['http_ms']['p50'])}/{_ms(f_half['http_ms']['p99'])}, "
               f"send lateness p99 {_ms(f_half['send_late_ms']['p99'])}, "
               f"send->applied max {_ms(f_half['applied_ms']['max'])}")
    for key in ("c", "c8"):
        c = results[key]
        out.append(f"  ({key}) dispatch alone {c['publish_rate']:,.0f} events/s ({c['publish_seconds']} s), "
                   f"handler saw {c['seen']}/{c['events']} after {c['seconds']} s")
    out += ["", "CPU per unit of work (ms of CPU per call / event / request / applied write, by process;"
                " busy cores out of " + str(meta["cpus"]) + "):"]
    for key, unit in (("b", "call"), ("c", "event"), ("c8", "event"), ("d", "request"), ("e", "request"),
                      ("f", "applied write"), ("f_half", "applied write")):
        cpu = (results.get(key) or {}).get("cpu")
        if cpu:
            parts = ", ".join(f"{name} {ms:.2f}" for name, ms in cpu["cpu_ms_per_unit"].items() if ms >= 0.005)
            total = sum(cpu["cpu_ms_per_unit"].values())
            out.append(f"  ({key}) per {unit}: total {total:.2f} ms, busy {cpu['busy_cores']} cores: {parts}")
            if cpu.get("other_cores", 0) > 0.15:
                out.append(f"      WARNING: other processes used {cpu['other_cores']} cores meanwhile: "
                           f"this figure is disturbed")
    disturbed = [f"({key}) {results[key]['cpu']['other_cores']}" for key in results
                 if isinstance(results[key], dict) and results[key].get("cpu", {}).get("other_cores", 0) > 0.15]
    if disturbed:
        out += ["", "WARNING: other processes on this host were busy during " + ", ".join(disturbed)
                + " (cores): those figures are low; re-run on a quiet machine."]
    missed = [row["name"] for row in rows if row.get("met") is False]
    out += ["", "TARGETS MISSED: " + "; ".join(missed) if missed else "All targets met."]
    return "\n".join(out)


def _width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))
