"""bench/report.py gives one verdict over every target of a run (issue 14 §1): each target is a
row with met / MISSED / not measured; a failed baseline fails the figures measured against it;
(p) is met only with no failed ballot and every ballot counted once; (s)'s half-rate figure
counts failures as misses; wrk percentiles are taken over all rounds' requests."""
import copy
from collections import Counter

from bench import report
from bench.wrk import combine, histogram_percentiles


def event(rate, concurrency=1):
    return {"events": 100, "seen": 100, "concurrency": concurrency, "rate": rate, "publish_rate": rate,
            "publish_seconds": 1.0, "seconds": 1.0}


def ballots(failed=0, counted_once=True):
    return {"members": 30, "ballots": {"ok": 30 - failed, "sent": 30, "failed": failed, "rate": 500.0, "p99_ms": 20.0},
            "sign_in": {"failed": 0}, "counted_once": counted_once, "ratio_to_d": 0.8, "baseline_d_rate": 600.0,
            "final_tally_on_stream_after_last_2xx_seconds": 0.02,
            "final_tally_on_keypads_after_last_2xx_seconds": {"last": 0.05}}


def http(rate):
    return {"rate": rate, "p99": 10.0, "non_2xx": 0, "socket_errors": 0, "round_rates": [rate], "round_p99": [10.0]}


def latency(p99):
    return {"p50": 5.0, "p90": 8.0, "p99": p99, "max": p99}


RESULTS = {
    "a": {"rate": 2000.0, "p50": 0.4, "p99": 1.0}, "b": {"rate": 1000.0, "p50": 1.0, "p99": 2.0},
    "c": event(1000.0), "c_at": {"4": event(1500.0, 4), "8": event(2000.0, 8)},
    "d": http(600.0), "d_stock": http(500.0), "e": http(540.0),
    "f": {"writers": 8, "rate": 500.0, "accepted_rate": 500.0, "drain_seconds": 0.1, "missing": 0, "errors": {}},
    "f_half": {"target_rate": 250.0, "sent": 100, "accepted": 100, "applied": 100, "missing": 0, "errors": {},
               "applied_ms": latency(40.0)},
    "s": {"assign_max": {"workers": 4, "rate": 400.0, "missing": 0}, "raw_event_baseline": "c4",
          "raw_event_dispatch_rate": 1500.0, "ratio_to_event_dispatch": 0.267,
          "assign_half": {"rate": 200.0, "sent": 100, "acked": 100, "failed": 0, "missing": 0,
                          "scheduled_to_ack": latency(50.0)},
          "backlog": {"rate": 900.0, "events": 1000, "backlog": 1000, "ratio_to_raw": 0.9,
                      "raw_pika_consume": {"rate": 1000.0}}},
    "p": ballots(), "k": ballots(),
    "k_size": {"js_gzip_bytes": 60000, "target_js_gzip_bytes": 150000, "met": True},
    "k_lighthouse": {"home": {"performance": 95, "accessibility": 100}},
    "portal": {"pages": {"pages": {"bare @http static page": http(4000.0), "gateway portal home": http(3000.0),
                                   "gateway home 304": http(3200.0), "gateway article page": http(4000.0),
                                   "gateway article 304": http(4100.0)},
                         "feed_ms": {"median": 13.0, "max": 20.0}},
               "search": {"articles": 100000, "p50_ms": 12.0, "p99_ms": 30.0, "exhaustive_p99_ms": 60.0}},
}


def verdicts(results):
    return {row["name"]: row["met"] for row in report.build(results) if "met" in row}


def test_every_target_is_in_the_one_verdict():
    rows = report.build(RESULTS)
    met = verdicts(RESULTS)
    assert len(met) == 19 and all(met.values()), met
    assert report.verdict_lines(rows) == ["VERDICT: 19 of 19 targets met"]
    names = " ".join(met)
    for figure in ("(e)", "(f) write -> read model, max", "(f) write -> read model at half", "(s) assign -> department",
                   "(s) assign -> ack at half", "(s) backlog", "(p) plenary", "(k) keypad JS", "(k) keypads",
                   "(k) lighthouse", "(portal) gateway portal home", "(portal) gateway article 304",
                   "(portal) search"):
        assert figure in names


def test_portal_pages_and_search_have_their_targets():
    results = copy.deepcopy(RESULTS)
    results["portal"]["pages"]["pages"]["gateway portal home"] = http(1900.0)   # 0.475 of the bare page
    results["portal"]["search"]["p99_ms"] = 101.0
    met = verdicts(results)
    assert met["(portal) gateway portal home vs bare @http"] is False
    assert met["(portal) gateway article page vs bare @http"] is True
    assert met["(portal) search over 100,000 articles"] is False
    unmeasured = verdicts({key: value for key, value in RESULTS.items() if key != "portal"})
    assert unmeasured["(portal) search"] is None and unmeasured["(portal) gateway home 304 vs bare @http"] is None


def test_write_figures_are_compared_with_the_raw_rate_at_the_same_concurrency():
    rows = {row["name"]: row for row in report.build(RESULTS)}
    (f,) = [row for name, row in rows.items() if name.startswith("(f) write -> read model, max")]
    assert f["baseline"].startswith("(c8)") and f["ratio"] == 0.25
    results = copy.deepcopy(RESULTS)
    results["c_at"]["8"] = event(3000.0, 8)  # 500/3000 < 0.20
    assert not [met for name, met in verdicts(results).items() if name.startswith("(f) write -> read model, max")][0]


def test_a_timed_out_handler_fails_its_figure_and_what_is_measured_against_it():
    results = copy.deepcopy(RESULTS)
    results["c_at"]["8"].update(rate=None, seen=50, failed="handler saw 50 of 100 events within 60 s")
    rows = report.build(results)
    (f,) = [row for row in rows if row["name"].startswith("(f) write -> read model, max")]
    assert f["ratio"] is None and f["met"] is False and "figure failed" in f["baseline"]
    assert any(row["name"].startswith("(c8)") and "FAILED" in row["figure"] for row in rows)


def test_plenary_is_met_only_with_no_failed_ballot_and_each_counted_once():
    for broken in (ballots(failed=1), ballots(counted_once=False)):
        results = dict(RESULTS, p=broken)
        met = verdicts(results)
        assert not met["(p) plenary: ballots through the gateway vs (d) (30 members)"]
        assert not met["(p) plenary: every ballot accepted and counted once"]
        assert "TARGETS MISSED" in report.verdict_lines(report.build(results))[1]


def test_half_rate_assignments_count_failures_as_misses():
    results = copy.deepcopy(RESULTS)
    results["s"]["assign_half"]["failed"] = 1
    assert not [met for name, met in verdicts(results).items() if name.startswith("(s) assign -> ack at half")][0]


def test_a_figure_not_run_is_reported_as_not_measured():
    results = {key: value for key, value in RESULTS.items() if key not in ("s", "k", "k_lighthouse")}
    lines = report.verdict_lines(report.build(results))
    assert lines[0].endswith("not measured") and lines[1].startswith("NOT MEASURED: (s)")


def test_percentiles_are_over_all_rounds_not_the_median_of_rounds():
    fast = Counter({1000: 99, 2000: 1})   # a round whose p99 is 1 ms
    slow = Counter({1000: 90, 50000: 10})  # a round whose p99 is 50 ms
    rounds = [dict(http(100.0), requests=100, seconds=1.0, p99=1.0), dict(http(100.0), requests=100, seconds=1.0, p99=50.0),
              dict(http(100.0), requests=100, seconds=1.0, p99=1.0)]
    merged = combine(rounds, fast + slow + fast)
    assert merged["p99"] == 50.0  # 10 of 300 requests took 50 ms: the p99 of the whole run
    assert merged["p50"] == 1.0
    assert histogram_percentiles(Counter()) == {}
    assert combine(rounds)["p99"] == 1.0  # without histograms: the median of the rounds, and it says so
    assert combine(rounds)["percentiles_over"].startswith("median")
