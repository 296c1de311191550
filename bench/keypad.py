"""Issue 9 benchmarks: the deputies' meeting keypad (web/src/mobile/pages/Meeting.vue, /m/meetings/<id>).

    keypad.js_size()                                        # (k1) from web/dist/.vite/manifest.json
    keypad.run(urls, env, baselines, members=300)           # (k) from bench/run.py, platform running
    python -m bench.keypad --members 300                    # standalone run (own DB/vhost, baseline (d))

(k1) The JavaScript the keypad route loads, gzip: the mobile entry and every chunk it imports
statically, plus the Meeting page's chunk and its static imports (what the browser fetches to
show the keypad; the other pages are dynamic imports and are not loaded). Read from Vite's build
manifest, gzipped here at level 9. Target <= 150 KB (150,000 bytes).

(k) 300 deputies at their keypads, through exactly the API calls the page makes, all at once:
1. the page loads: ``GET /api/v1/meetings/{id}`` and ``GET .../attendance`` per deputy (wrk, each once);
2. each keypad opens the live stream (``GET .../live``, SSE): 300 streams, one per deputy, held open;
3. each deputy checks in (``POST .../checkin``, wrk, each once);
4. the chair opens the item: the time from the chair's request until ``item_opened`` has reached
   all 300 keypads;
5. each deputy votes once (``POST .../ballots``, wrk, each once; 60/25/15 % yes/no/abstain);
6. the final tally (voted = 300) on every keypad's stream after the last ballot's 2xx;
7. the chair closes: the time from the request until ``vote_closed`` (the result) has reached all
   300 keypads;
   every ballot counted once.
Ballots/s and p99 against baseline (d), bare nameko @http + 1 RPC measured in the same run (the
plenary benchmark's targets: ratio >= 0.70, last ballot -> final tally <= 1 s). The deputies,
tokens, wrk driver and SSE reader are bench/plenary.py's (tokens minted with JWT_SECRET: a
keypad signs in once, long before the vote; bcrypt is not what is measured here).
"""
import argparse
import json
import os
import random
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import plenary
from bench.web_build import DIST, gzip_size, read_manifest, route_chunks

ENTRY = "mobile.html"
KEYPAD_PAGE = "src/mobile/pages/Meeting.vue"
TARGET_JS_GZIP_BYTES = 150_000
STREAM_WAIT_SECONDS = 60


# -- (k1) what the keypad route loads ------------------------------------------------------------
def js_size(dist=DIST, entry=ENTRY, page=KEYPAD_PAGE):
    """(k1): {js_files, js_bytes, js_gzip_bytes, css_gzip_bytes, target, met}."""
    manifest = read_manifest(dist)
    if page not in manifest:
        raise RuntimeError(f"{page} is not in the build manifest")
    chunks = route_chunks(manifest, [entry, page])
    js = [dist / chunk["file"] for chunk in chunks if chunk["file"].endswith(".js")]
    css = sorted({dist / name for chunk in chunks for name in chunk.get("css", [])})
    js_gzip = sum(gzip_size(path) for path in js)
    return {"js_files": [path.name for path in js], "js_bytes": sum(path.stat().st_size for path in js),
            "js_gzip_bytes": js_gzip, "css_gzip_bytes": sum(gzip_size(path) for path in css),
            "target_js_gzip_bytes": TARGET_JS_GZIP_BYTES, "met": js_gzip <= TARGET_JS_GZIP_BYTES}


# -- (k) 300 keypads at once -----------------------------------------------------------------------
def spread(stamps, since):
    """Seconds from ``since`` until the first and the last of ``stamps`` (None if any is missing)."""
    if not stamps or any(stamp is None for stamp in stamps) or since is None:
        return None
    return {"first": round(min(stamps) - since, 3), "last": round(max(stamps) - since, 3)}


def on_every_stream(streams, predicate, timeout):
    """Arrival time of the first event matching ``predicate`` on each stream (None where it
    did not arrive within ``timeout``; all streams wait in parallel)."""
    deadline = time.monotonic() + timeout

    def arrival(stream):
        seen = stream.wait_for(predicate, max(0.0, deadline - time.monotonic()))
        return seen[0] if seen else None
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(arrival, streams))


def hang_up(stream):
    """End a keypad's stream. Shutting the socket down wakes its reader thread with EOF
    (closing the response from here would wait for the reader's lock: a stream may be silent
    for a heartbeat's time)."""
    try:
        stream.response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass
    stream.thread.join(5)


def open_streams(url, count):
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(lambda _: plenary.LiveListener(url), range(count)))


def run(urls, env, baselines, members=300, threads=2, connections=16, admin_url=None, run_id=None):
    gateway = urls["gateway"] if isinstance(urls, dict) else urls
    admin_url = admin_url or env["DATABASE_URL"]
    run_id = run_id if run_id is not None else random.randrange(10**6)
    secret = plenary.jwt_secret(env)
    staff = plenary.mint(secret, "staff", "staff", None)
    staff_headers = {"Authorization": f"Bearer {staff}"}
    session = requests.Session()
    result = {"members": members, "run_id": run_id}

    step(f"creating {members} deputies through POST /api/v1/deputies")
    codes = plenary.create_deputies(gateway, staff, members)
    plenary.wait_voting_directory(admin_url, codes)
    response = session.post(gateway + "/api/v1/meetings", headers=staff_headers, timeout=60, json={
        "title": f"县人大常委会第{run_id % 100 + 1}次会议（表决器压测）", "kind": "standing_committee",
        "starts_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "members": codes})
    if response.status_code != 201:
        raise RuntimeError(f"create meeting: {response.status_code} {response.text[:500]}")
    meeting_id = response.json()["id"]
    response = session.post(f"{gateway}/api/v1/meetings/{meeting_id}/items", headers=staff_headers, timeout=30,
                            json={"kind": "resolution", "title": "关于批准县级预算调整方案的决议", "mode": "secret"})
    if response.status_code != 201:
        raise RuntimeError(f"add item: {response.status_code} {response.text[:500]}")
    item_id = response.json()["id"]
    plenary.give_accounts(admin_url, codes)
    tokens = {code: plenary.mint(secret, code, "deputy", code) for code in codes}
    base = f"/api/v1/meetings/{meeting_id}"

    step(f"{members} keypads load the page (meeting + attendance) and open the live stream")
    result["page"] = plenary.run_wrk(gateway, [f"GET {base}{path} {tokens[code]}" for code in codes
                                               for path in ("", "/attendance")], threads, connections)
    started = time.time()
    streams = open_streams(f"{gateway}{base}/live", members)
    try:
        snapshots = on_every_stream(streams, lambda event, data: event == "snapshot", STREAM_WAIT_SECONDS)
        result["streams_with_snapshot"] = sum(stamp is not None for stamp in snapshots)
        result["streams_open_seconds"] = spread(snapshots, started)

        step(f"{members} deputies check in (wrk -t{threads} -c{connections}, each once)")
        result["sign_in"] = plenary.run_wrk(gateway, [f"POST {base}/checkin {tokens[code]}" for code in codes],
                                            threads, connections)

        opened_at = time.time()    # from the chair's request: the event may reach keypads before its answer
        response = session.post(f"{gateway}{base}/items/{item_id}/open", headers=staff_headers, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"open item: {response.status_code} {response.text[:500]}")
        result["item_opened_on_keypads_seconds"] = spread(on_every_stream(
            streams, lambda event, data: event == "item_opened" and data.get("item_id") == item_id,
            STREAM_WAIT_SECONDS), opened_at)

        expected = {"yes": 0, "no": 0, "abstain": 0}
        lines = []
        for index, code in enumerate(codes):
            choice = plenary.CHOICES[index % len(plenary.CHOICES)]
            expected[choice] += 1
            lines.append(f"POST {base}/items/{item_id}/ballots {tokens[code]} "
                         + json.dumps({"choice": choice}, separators=(",", ":")))
        step(f"{members} deputies vote (wrk -t{threads} -c{connections}, each once)")
        ballots = result["ballots"] = plenary.run_wrk(gateway, lines, threads, connections)
        step(f"ballots: {ballots['ok']} ok, {ballots['failed']} failed, {ballots['rate']}/s, "
             f"p99 {ballots['p99_ms']} ms")
        result["final_tally_on_keypads_after_last_2xx_seconds"] = spread(on_every_stream(
            streams, lambda event, data: (event == "tally_updated" and data.get("item_id") == item_id
                                          and data.get("voted") == members), 30), ballots["last_ok"])

        closed_at = time.time()
        response = session.post(f"{gateway}{base}/items/{item_id}/close", headers=staff_headers, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"close item: {response.status_code} {response.text[:500]}")
        result["result_on_keypads_seconds"] = spread(on_every_stream(
            streams, lambda event, data: event == "vote_closed" and data.get("item_id") == item_id, 30), closed_at)
    finally:
        for stream in streams:
            hang_up(stream)
    closed = response.json()
    counted = {key: closed.get(key) for key in ("yes", "no", "abstain")}
    result["result"] = {key: closed.get(key) for key in ("expected", "present", "voted", "yes", "no", "abstain",
                                                         "not_voted", "passed")}
    result["counted_once"] = counted == expected and closed.get("voted", members) == members
    baseline = (baselines or {}).get("d") or {}
    result["baseline_d_rate"] = baseline.get("rate")
    result["ratio_to_d"] = round(ballots["rate"] / baseline["rate"], 3) if baseline.get("rate") else None
    return result


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] keypad: {message}", flush=True)


def verdict(ok):
    return "" if ok is None else ("met" if ok else "MISSED")


def report(result=None, size=None):
    lines = []
    if size:
        lines.append(f"keypad JS (mobile entry + Meeting page, static imports; manifest): {len(size['js_files'])} files, "
                     f"{size['js_bytes']} bytes, gzip {size['js_gzip_bytes']} bytes (target <= "
                     f"{size['target_js_gzip_bytes']}) {verdict(size['met'])}; CSS gzip {size['css_gzip_bytes']} bytes")
    if result:
        ballots, ratio = result["ballots"], result.get("ratio_to_d")
        tally = result.get("final_tally_on_keypads_after_last_2xx_seconds") or {}
        lines += [
            f"{result['members']} keypads through the page's API calls (wrk -t{ballots['threads']} "
            f"-c{ballots['connections']}, each deputy once; {result['streams_with_snapshot']} live streams held open)",
            f"  page load (meeting + attendance): {result['page']['rate']}/s, p99 {result['page']['p99_ms']} ms; "
            f"streams open after {result['streams_open_seconds']} s",
            f"  check-in: {result['sign_in']['rate']}/s, p99 {result['sign_in']['p99_ms']} ms, "
            f"{result['sign_in']['failed']} failed",
            f"  item opened -> on every keypad: {result['item_opened_on_keypads_seconds']} s",
            f"  ballots: {ballots['ok']} of {ballots['sent']} ({ballots['failed']} failed), {ballots['rate']}/s, "
            f"p50 {ballots['p50_ms']} ms, p99 {ballots['p99_ms']} ms",
            f"  vs baseline (d) bare @http + 1 RPC {result.get('baseline_d_rate')}/s: ratio "
            f"{ratio if ratio is not None else 'n/a'} (target >= {plenary.TARGET_RATIO}, no failed ballot, "
            f"counted once) " + verdict(None if ratio is None else ratio >= plenary.TARGET_RATIO
                                        and plenary.ballots_sound(result)),
            f"  last ballot's 2xx -> final tally on the keypads: {tally or 'not seen'} s (target last <= "
            f"{plenary.TARGET_TALLY_SECONDS} s) "
            + verdict(None if not tally else tally["last"] <= plenary.TARGET_TALLY_SECONDS),
            f"  close -> result on every keypad: {result['result_on_keypads_seconds']} s",
            f"  counted once: {result['counted_once']} — {result['result']}",
        ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.keypad", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300, help="deputies at their keypads; 0: only the JS size")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline-seconds", type=int, default=3, help="wrk seconds per round of baseline (d)")
    parser.add_argument("--database", default=os.environ.get("KEYPAD_DATABASE", "renda_bench_keypad"))
    parser.add_argument("--lighthouse", action="store_true", help="also Lighthouse on the home page and the keypad")
    args = parser.parse_args(argv)
    size = js_size()
    result = audits = None
    if args.members or args.lighthouse:
        with plenary.standalone(args.database, args.threads, args.connections, args.baseline_seconds) as (
                gateway, env, baselines, log_dir):
            if args.lighthouse:
                from bench import lighthouse
                step("lighthouse on the mobile home page and the keypad")
                audits = lighthouse.run(gateway, log_dir)
            if args.members:
                result = run({"gateway": gateway}, env, baselines, members=args.members, threads=args.threads,
                             connections=args.connections)
    print()
    print(report(result, size))
    if audits:
        from bench import lighthouse
        print(lighthouse.report(audits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
