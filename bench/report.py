"""The summary table: name | figure | baseline | ratio | target | met."""

TARGETS = {
    "gateway_read_ratio": 0.85,    # (e) / (d)
    "write_rate_ratio": 0.20,      # (f) / (cN), N = the best loop's writers
    "write_p99_ms": 100.0,         # (f) at half the maximum rate
    "assign_rate_ratio": 0.20,     # (s) / (cN), N = the best loop's workers
    "assign_p99_ms": 100.0,        # (s) at half the maximum rate
    "backlog_ratio": 0.50,         # (s) backlog drain / raw pika consume
    "ballot_ratio": 0.70,          # (p) and (k) ballots / (d)
    "tally_seconds": 1.0,          # (p) and (k) last ballot -> final tally on the stream
    "portal_page_ratio": 0.50,     # portal pages through the gateway / a bare @http static page
    "portal_search_p99_ms": 100.0,  # portal search over 100,000 generated articles
}


def _ms(value):
    return "-" if value is None else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def _rate(value, unit):
    return "FAILED" if value is None else f"{value:,.0f} {unit}/s"


def _ratio(value, baseline):
    return round(value / baseline, 3) if value is not None and baseline else None


def event_baseline(results, in_flight):
    """(label, result) of the raw event-dispatch baseline with ``in_flight`` dispatchers (cN),
    else (c) with one in flight ({} when there is none); its rate is None when it failed."""
    same = (results.get("c_at") or {}).get(str(in_flight))
    return (f"c{in_flight}", same) if same else ("c", results.get("c") or {})


def build(results):
    """Rows as dicts (also the JSON summary): every figure of the run, and for each target its
    verdict (``met``: True / False; None when the figure was not measured in this run)."""
    a, b, c, d, e, f, half = (results.get(k) for k in ("a", "b", "c", "d", "e", "f", "f_half"))
    rows = [
        {"name": "(a) pika confirmed publish, 1 in flight, 1 KiB persistent",
         "figure": f"{_rate(a['rate'], 'msg')}, p50 {_ms(a['p50'])}, p99 {_ms(a['p99'])}"},
        {"name": "(b) nameko RPC round trip, 1 caller (stock, confirmed)",
         "figure": f"{_rate(b['rate'], 'calls')}, p50 {_ms(b['p50'])}, p99 {_ms(b['p99'])}"},
        {"name": "(c) nameko event dispatch -> handler, 1 in flight", "figure": _rate(c["rate"], "events") + _unseen(c)},
    ]
    for concurrency, cn in sorted((results.get("c_at") or {}).items(), key=lambda kv: int(kv[0])):
        rows.append({"name": f"(c{concurrency}) the same, {concurrency} dispatchers in flight",
                     "figure": _rate(cn["rate"], "events") + _unseen(cn)})
    rows.append({"name": "(d) bare nameko @http + 1 RPC without confirms, as the platform's RPC (wrk)",
                 "figure": f"{_rate(d['rate'], 'req')}, p99 {_ms(d.get('p99'))}" + _http_errors(d)})
    stock = results.get("d_stock")
    if stock:
        rows.append({"name": "(d stock) the same with nameko's stock confirmed RPC, for information",
                     "figure": f"{_rate(stock['rate'], 'req')}, p99 {_ms(stock.get('p99'))}" + _http_errors(stock),
                     "baseline": f"(d) {_rate(d['rate'], 'req')}", "ratio": _ratio(stock["rate"], d["rate"])})
    ratio = _ratio(e["rate"], d["rate"])
    rows.append({"name": "(e) gateway GET /api/v1/deputies/{id} (wrk)",
                 "figure": f"{_rate(e['rate'], 'req')}, p99 {_ms(e.get('p99'))}" + _http_errors(e),
                 "baseline": f"(d) {_rate(d['rate'], 'req')}, p99 {_ms(d.get('p99'))}",
                 "ratio": ratio, "target": f">= {TARGETS['gateway_read_ratio']:.2f}",
                 "met": _at_least(ratio, TARGETS["gateway_read_ratio"]) and not e["non_2xx"]
                 and not e["socket_errors"] and not d["non_2xx"] and not d["socket_errors"]})
    label, cn = event_baseline(results, f["writers"])
    ratio = _ratio(f["rate"], cn["rate"])
    rows.append({"name": f"(f) write -> read model, max sustained ({f['writers']} writers)",
                 "figure": f"{_rate(f['rate'], 'applied')} (accepted {_rate(f['accepted_rate'], 'req')}, "
                           f"drain {f['drain_seconds']:.2f} s)" + _write_errors(f),
                 "baseline": f"({label}) {_rate(cn['rate'], 'events')}" + _unseen(cn),
                 "ratio": ratio, "target": f">= {TARGETS['write_rate_ratio']:.2f}",
                 "met": _at_least(ratio, TARGETS["write_rate_ratio"]) and not f["missing"]})
    p99 = half["applied_ms"]["p99"]
    rows.append({"name": f"(f) write -> read model at half rate ({half['target_rate']:.0f}/s, open loop)",
                 "figure": f"p50 {_ms(half['applied_ms']['p50'])}, p99 {_ms(p99)} from the scheduled send "
                           f"({half['applied']}/{half['sent']} applied)" + _write_errors(half),
                 "target": f"p99 <= {TARGETS['write_p99_ms']:.0f} ms, no miss",
                 "met": p99 is not None and p99 <= TARGETS["write_p99_ms"] and not half["missing"]
                 and half["accepted"] == half["sent"]})
    rows += _suggestion_rows(results.get("s"))
    rows += _ballot_rows("(p) plenary", results.get("p"), results.get("p") and results["p"].get(
        "final_tally_on_stream_after_last_2xx_seconds"))
    keypad = results.get("k")
    rows += _keypad_rows(results.get("k_size"), keypad, results.get("k_lighthouse"))
    rows += _portal_rows(results.get("portal"))
    return rows


def _at_least(value, target):
    return value is not None and value >= target


def _suggestion_rows(s):
    from bench.suggestions import half_rate_met

    names = ("(s) assign -> department subscriber ack, max sustained",
             "(s) assign -> ack at half rate (open loop)", "(s) backlog drain vs raw pika consume")
    targets = (f">= {TARGETS['assign_rate_ratio']:.2f}", f"p99 <= {TARGETS['assign_p99_ms']:.0f} ms, no miss",
               f">= {TARGETS['backlog_ratio']:.2f}")
    if not s:
        return [{"name": name, "figure": "not measured", "target": target, "met": None}
                for name, target in zip(names, targets)]
    best, half, back = s.get("assign_max") or {}, s.get("assign_half") or {}, s.get("backlog") or {}
    ratio = s.get("ratio_to_event_dispatch")
    rows = [{"name": f"{names[0]} ({best.get('workers')} workers)", "figure": _rate(best.get("rate"), "acked"),
             "baseline": f"({s.get('raw_event_baseline')}) {_rate(s.get('raw_event_dispatch_rate'), 'events')}",
             "ratio": ratio, "target": targets[0],
             "met": _at_least(ratio, TARGETS["assign_rate_ratio"]) and not best.get("missing")}]
    if half:
        latency = half["scheduled_to_ack"]
        rows.append({"name": f"{names[1]} ({half['rate']}/s)",
                     "figure": f"p50 {_ms(latency['p50'])}, p99 {_ms(latency['p99'])} from the scheduled send "
                               f"({half['acked']}/{half['sent']} acked, {half['failed']} failed)",
                     "target": targets[1],
                     "met": half_rate_met(half, TARGETS["assign_p99_ms"])})
    else:
        rows.append({"name": names[1], "figure": "not measured", "target": targets[1], "met": None})
    if back:
        ratio = back.get("ratio_to_raw")
        rows.append({"name": names[2], "figure": f"{_rate(back['rate'], 'events')} ({back['events']} events)",
                     "baseline": f"raw pika consume, batched acks {_rate(back['raw_pika_consume']['rate'], 'msg')}",
                     "ratio": ratio, "target": targets[2],
                     "met": _at_least(ratio, TARGETS["backlog_ratio"]) and back["events"] >= back["backlog"]})
    else:
        rows.append({"name": names[2], "figure": "not measured", "target": targets[2], "met": None})
    return rows


def _ballot_rows(label, result, tally):
    names = (f"{label}: ballots through the gateway vs (d)", f"{label}: last ballot's 2xx -> final tally on the stream",
             f"{label}: every ballot accepted and counted once")
    targets = (f">= {TARGETS['ballot_ratio']:.2f}, none failed, counted once", f"<= {TARGETS['tally_seconds']:.0f} s",
               "0 failed, each once")
    if not result:
        return [{"name": name, "figure": "not measured", "target": target, "met": None}
                for name, target in zip(names, targets)]
    from bench.plenary import ballots_sound

    ballots, ratio = result["ballots"], result.get("ratio_to_d")
    sound = ballots_sound(result)
    return [
        {"name": f"{names[0]} ({result['members']} members)",
         "figure": f"{_rate(ballots['rate'], 'ballots')}, p99 {_ms(ballots.get('p99_ms'))}",
         "baseline": f"(d) {_rate(result.get('baseline_d_rate'), 'req')}", "ratio": ratio, "target": targets[0],
         "met": _at_least(ratio, TARGETS["ballot_ratio"]) and sound},
        {"name": names[1], "figure": "not seen" if tally is None else f"{tally} s", "target": targets[1],
         "met": tally is not None and tally <= TARGETS["tally_seconds"]},
        {"name": names[2], "figure": f"{ballots['ok']}/{ballots['sent']} accepted, {ballots['failed']} failed, "
                                     f"counted once: {result.get('counted_once')}",
         "target": targets[2], "met": sound},
    ]


def _keypad_rows(size, result, audits):
    from bench.lighthouse import TARGETS as LIGHTHOUSE

    rows = [{"name": "(k) keypad JS, gzip", "figure": "not measured" if not size else f"{size['js_gzip_bytes']:,} bytes",
             "target": "<= 150,000 bytes" if not size else f"<= {size['target_js_gzip_bytes']:,} bytes",
             "met": None if not size else size["met"]}]
    tally = ((result or {}).get("final_tally_on_keypads_after_last_2xx_seconds") or {}).get("last")
    rows += _ballot_rows("(k) keypads", result, tally)
    if not audits or "skipped" in audits:
        rows.append({"name": "(k) lighthouse: performance / accessibility",
                     "figure": f"not measured ({(audits or {}).get('skipped', 'not run')})",
                     "target": f">= {LIGHTHOUSE['performance']} / >= {LIGHTHOUSE['accessibility']}", "met": None})
    else:
        for page, audit in audits.items():
            rows.append({"name": f"(k) lighthouse {page}: performance / accessibility",
                         "figure": f"{audit['performance']} / {audit['accessibility']}",
                         "target": f">= {LIGHTHOUSE['performance']} / >= {LIGHTHOUSE['accessibility']}",
                         "met": all(audit[category] >= target for category, target in LIGHTHOUSE.items())})
    return rows


def _unseen(result):
    if result.get("failed"):
        return f" ({result['failed'].upper()}: figure failed)"
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


PORTAL_PAGES = ("gateway portal home", "gateway home 304", "gateway article page", "gateway article 304")
PORTAL_BARE = "bare @http static page"


def _portal_rows(result):
    """Issue 12: each portal page vs the bare static page, the search p99, the feed (no target)."""
    page_target = f">= {TARGETS['portal_page_ratio']:.2f}"
    search_target = f"p99 <= {TARGETS['portal_search_p99_ms']:.0f} ms"
    measured = ((result or {}).get("pages") or {}).get("pages") or {}
    bare = measured.get(PORTAL_BARE) or {}
    rows = []
    for name in PORTAL_PAGES:
        page = measured.get(name)
        if not page:
            rows.append({"name": f"(portal) {name} vs bare @http", "figure": "not measured", "target": page_target,
                         "met": None})
            continue
        ratio = _ratio(page["rate"], bare.get("rate"))
        rows.append({"name": f"(portal) {name} vs bare @http",
                     "figure": f"{_rate(page['rate'], 'req')}, p99 {_ms(page.get('p99'))}",
                     "baseline": f"bare {_rate(bare.get('rate'), 'req')}, p99 {_ms(bare.get('p99'))}",
                     "ratio": ratio, "target": page_target, "met": _at_least(ratio, TARGETS["portal_page_ratio"])})
    feed = ((result or {}).get("pages") or {}).get("feed_ms")
    if feed:
        rows.append({"name": "(portal) Atom feed generation, not cached", "figure": f"median {_ms(feed['median'])}"})
    found = (result or {}).get("search")
    rows.append({"name": f"(portal) search over {found['articles']:,} articles" if found else "(portal) search",
                 "figure": f"p50 {_ms(found['p50_ms'])}, p99 {_ms(found['p99_ms'])}" if found else "not measured",
                 "baseline": f"every match ranked: p99 {_ms(found['exhaustive_p99_ms'])}" if found else "",
                 "target": search_target,
                 "met": None if not found else found["p99_ms"] <= TARGETS["portal_search_p99_ms"]})
    return rows


def render(rows, results, meta):
    headers = ("name", "figure", "baseline", "ratio", "target", "met")
    cells = [[str(row.get(h, "")) if h != "met" else _verdict(row) for h in headers] for row in rows]
    widths = [max(len(headers[i]), *(_width(c[i]) for c in cells)) for i in range(len(headers))]
    line = lambda values: " | ".join(_pad(v, widths[i]) for i, v in enumerate(values))  # noqa: E731
    out = [f"Benchmark {meta['date']} on {meta['host']} ({meta['cpus']} CPUs), commit {meta['commit']}, "
           f"{meta['elapsed_seconds']} s",
           f"HTTP load: {meta['wrk']}", "",
           line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    f_half = results["f_half"]
    out += ["", "Details:"]
    for key in ("d", "e", "d_stock"):
        r = results.get(key)
        if not r:
            continue
        out.append(f"  ({key}) rounds: " + ", ".join(f"{rate:,.0f}" for rate in r["round_rates"]) + " req/s; rounds' p99 "
                   + ", ".join(_ms(p) for p in r["round_p99"]) + f"; p50 {_ms(r.get('p50'))}, p99 {_ms(r.get('p99'))} "
                   f"over {r.get('percentiles_over')}")
    for closed in results.get("f_closed", []):
        out.append(f"  (f) closed loop {closed['writers']:>2} writers: applied {closed['rate']:,.0f}/s, accepted "
                   f"{closed['accepted_rate']:,.0f}/s, HTTP p50/p99 {_ms(closed['http_ms']['p50'])}/"
                   f"{_ms(closed['http_ms']['p99'])}, send->applied p50/p99 {_ms(closed['applied_ms']['p50'])}/"
                   f"{_ms(closed['applied_ms']['p99'])}, drain {closed['drain_seconds']:.2f} s")
    out.append(f"  (f) half rate: HTTP p50/p99 {_ms(f_half['http_ms']['p50'])}/{_ms(f_half['http_ms']['p99'])}, "
               f"send lateness p99 {_ms(f_half['send_late_ms']['p99'])}, "
               f"send->applied max {_ms(f_half['applied_ms']['max'])}")
    for key, c in [("c", results["c"])] + [(f"c{n}", cn) for n, cn in (results.get("c_at") or {}).items()]:
        out.append(f"  ({key}) dispatch alone {c['publish_rate']:,.0f} events/s ({c['publish_seconds']} s), "
                   f"handler saw {c['seen']}/{c['events']} after {c['seconds']} s")
    out += ["", "CPU per unit of work (ms of CPU per call / event / request / applied write, by process;"
                " busy cores out of " + str(meta["cpus"]) + "):"]
    measured = [(key, results.get(key)) for key in ("b", "c")]
    measured += [(f"c{n}", cn) for n, cn in (results.get("c_at") or {}).items()]
    measured += [(key, results.get(key)) for key in ("d", "e", "d_stock", "f", "f_half")]
    units = {"b": "call", "d": "request", "e": "request", "d_stock": "request", "f": "applied write",
             "f_half": "applied write"}
    for key, result in measured:
        unit = units.get(key, "event")
        cpu = (result or {}).get("cpu")
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
    out += [""] + verdict_lines(rows)
    return "\n".join(out)


def _verdict(row):
    if "met" not in row:
        return ""
    return "NOT MEASURED" if row["met"] is None else "met" if row["met"] else "MISSED"


def verdict_lines(rows):
    """The one verdict over every target of the run."""
    targets = [row for row in rows if "met" in row]
    missed = [row["name"] for row in targets if row["met"] is False]
    unmeasured = [row["name"] for row in targets if row["met"] is None]
    met = len(targets) - len(missed) - len(unmeasured)
    lines = [f"VERDICT: {met} of {len(targets)} targets met"
             + (f", {len(missed)} MISSED" if missed else "") + (f", {len(unmeasured)} not measured" if unmeasured else "")]
    if missed:
        lines.append("TARGETS MISSED: " + "; ".join(missed))
    if unmeasured:
        lines.append("NOT MEASURED: " + "; ".join(unmeasured))
    return lines


def _width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))
