"""Issue 4 benchmark: a plenary session of 3,000 members signs in and votes through the gateway.

    plenary.run(urls, env, baselines, members=3000)      # from bench/run.py, platform running
    python -m bench.plenary --members 100                 # standalone smoke run (own DB/vhost)

1. 3,000 new deputies through ``POST /api/v1/deputies`` (8 concurrent staff writers), then a
   wait until the voting service's deputy read model (``voting.deputy_directory``) has them all;
2. a plenary meeting (kind ``plenary``) with all of them as members, one secret resolution;
3. every member signs in (``POST .../checkin``), all concurrently: wrk (C, the same load
   generator and settings as baseline (d)) with a Lua script that gives each wrk thread its
   own slice of the members and sends each member's request exactly once;
4. the item opens (quorum) and a live client (SSE, ``GET /api/v1/meetings/{id}/live``) listens;
5. every member votes once (``POST .../ballots``), all concurrently, the same way: 60 % yes,
   25 % no, 15 % abstain by member index, so the expected result is known;
6. the item closes; the result must hold yes + no + abstain == members == distinct voters,
   with the expected split (every ballot counted once).

Authentication: members' bearer tokens are minted with the configured ``JWT_SECRET``
(``gateway.auth.issue_token``), as the gateway would issue them on sign-in — 3,000 bcrypt
logins would measure bcrypt, not voting. The gateway checks each token as usual.

Figures: ballots accepted per second (2xx ballots / time from the first ballot sent to the
last 2xx, clocked inside wrk's Lua with CLOCK_REALTIME), ballot latency p50/p99 (wrk's
histogram), time from the last ballot's 2xx to the SSE event showing the final tally (same
clock, this host), and the ratio of ballot throughput to baseline (d) — bare nameko @http
+ one RPC, measured with the same wrk threads/connections in the same run. Target >= 0.70.
"""
import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests

from bench.wrk import ensure_wrk

TARGET_RATIO = 0.70
TARGET_TALLY_SECONDS = 1.0
CHOICES = ("yes",) * 12 + ("no",) * 5 + ("abstain",) * 3  # by member index modulo 20: 60 / 25 / 15 %

# Each wrk thread sends its own slice of the prepared requests, each exactly once; a
# connection whose thread has nothing left waits (delay) until the thread's last answer
# arrives and the thread stops itself. Times are CLOCK_REALTIME microseconds (LuaJIT FFI).
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } renda_timespec;
int clock_gettime(int clk_id, renda_timespec *tp);
]]
local ts = ffi.new("renda_timespec")
local function now_us()
  ffi.C.clock_gettime(0, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, done_dir = args[1], tonumber(args[2]), args[3]
  marker = done_dir .. "/" .. tid
  requests = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local method, path, token, body = line:match("^(%S+) (%S+) (%S+) ?(.*)$")
      local headers = {["Authorization"] = "Bearer " .. token}
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    i = i + 1
  end
  sent, received, ok, failed, first_sent, last_ok, finished = 0, 0, 0, 0, 0, 0, 0
  -- wrk calls request() once on thread 0 before the run, to check the request: not sent
  verifying = (tid == 0)
  statuses = {}
  if #requests == 0 then
    io.open(marker, "w"):close()
  end
end

function delay()
  if sent >= #requests then return 3600000 end
  return 0
end

function request()
  if verifying then
    verifying = false
    return requests[1]
  end
  if sent >= #requests then
    -- wrk asks for one more (e.g. a connection reopened after the last was sent): a repeat of
    -- the last request, not a request of its own, so it is not counted as sent
    return requests[#requests]
  end
  sent = sent + 1
  if first_sent == 0 then first_sent = now_us() end
  return requests[sent]
end

function response(status, headers, body)
  received = received + 1
  if status >= 200 and status < 300 then
    ok = ok + 1
    last_ok = now_us()
  else
    failed = failed + 1
    statuses[status] = (statuses[status] or 0) + 1
    if failed <= 3 then io.stderr:write("status " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
  end
  if received == #requests then
    finished = now_us()
    io.open(marker, "w"):close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    local codes = {}
    for code, count in pairs(thread:get("statuses") or {}) do
      table.insert(codes, string.format('"%d": %d', code, count))
    end
    table.insert(parts, string.format(
      '{"sent": %d, "received": %d, "ok": %d, "failed": %d, "first_sent": %d, "last_ok": %d, "finished": %d, ' ..
      '"statuses": {%s}}',
      thread:get("sent"), thread:get("received"), thread:get("ok"), thread:get("failed"),
      thread:get("first_sent"), thread:get("last_ok"), thread:get("finished"), table.concat(codes, ", ")))
  end
  io.write(string.format(
    'RENDA_RESULT {"threads": [%s], "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"requests": %d, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    table.concat(parts, ", "), latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
"""


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] plenary: {message}", flush=True)


def jwt_secret(env):
    code = "import json; from kernel.config import load_config; print(json.dumps(load_config()['JWT_SECRET']))"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def give_accounts(admin_url, codes):
    """The gateway checks every token against its account: the new members get accounts
    (no usable password; token version 0) in the gateway's schema."""
    with psycopg.connect(admin_url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO gateway.accounts (username, password_hash, role, subject) "
                           "VALUES (%s, '!', 'deputy', %s) ON CONFLICT (username) DO NOTHING",
                           [(code, code) for code in codes])


def mint(secret, username, role, subject, ttl=3600):
    from gateway.auth import issue_token  # the gateway's own token format
    return issue_token({"username": username, "role": role, "subject": subject}, secret, ttl)


class LiveListener:
    """The meeting's SSE stream, read in a thread; every event stamped on arrival."""

    def __init__(self, url):
        self.response = requests.get(url, stream=True, timeout=(5, 120), headers={"Accept": "text/event-stream"})
        self.response.raise_for_status()
        self.events = []  # (arrival epoch seconds, event type, data)
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buffer = b""
        try:
            for chunk in self.response.iter_content(chunk_size=65536):
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    event, data = "message", None
                    for line in block.decode().split("\n"):
                        if line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: "):
                            data = json.loads(line[6:])
                    if data is not None:
                        with self.cond:
                            self.events.append((time.time(), event, data))
                            self.cond.notify_all()
        except Exception:
            pass

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for stamp, event, data in self.events:
                    if predicate(event, data):
                        return stamp, event, data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.cond.wait(min(remaining, 0.5))

    def close(self):
        self.response.close()


def create_deputies(gateway, staff_token, count, writers=8):
    """``count`` new deputies through the API; their codes."""
    url = gateway + "/api/v1/deputies"
    headers = {"Authorization": f"Bearer {staff_token}"}
    local = threading.local()

    def create(n):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        payload = {"name": f"全体代表{n:04d}", "gender": "male" if n % 2 else "female", "birth_year": 1960 + n % 40,
                   "level": "county", "town": "城关镇", "station_code": "ST-000", "term": 19}
        for attempt in range(3):
            response = session.post(url, json=payload, headers=headers, timeout=30)
            if response.status_code == 201:
                return response.json()["code"]
        raise RuntimeError(f"POST /api/v1/deputies answered {response.status_code}: {response.text[:300]}")

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(create, range(count)))


def wait_voting_directory(admin_url, codes, timeout=300):
    deadline = time.monotonic() + timeout
    with psycopg.connect(admin_url, autocommit=True) as conn:
        while True:
            known = conn.execute("SELECT count(*) FROM voting.deputy_directory WHERE code = ANY(%s)",
                                 (codes,)).fetchone()[0]
            if known == len(codes):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"voting's deputy directory has {known} of {len(codes)} new deputies "
                                   f"after {timeout}s")
            time.sleep(0.2)


def run_wrk(gateway, lines, threads, connections, timeout_seconds=600):
    """Send each prepared request exactly once with wrk; the parsed RENDA_RESULT."""
    binary = ensure_wrk()
    threads = max(1, min(threads, len(lines)))
    connections = max(threads, connections)
    work = tempfile.mkdtemp(prefix="renda-plenary-")
    requests_file = os.path.join(work, "requests.txt")
    script = os.path.join(work, "plenary.lua")
    done_dir = os.path.join(work, "done")
    os.mkdir(done_dir)
    with open(requests_file, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(script, "w") as handle:
        handle.write(LUA)
    argv = [binary, f"-t{threads}", f"-c{connections}", f"-d{timeout_seconds}s", "--latency", "--timeout=30s",
            "-s", script, gateway, "--", requests_file, str(threads), done_dir]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout_seconds
    try:
        # wrk sleeps for its whole -d before it reports; each thread leaves a marker when it has
        # every answer, and SIGINT then ends the run at once (wrk reports as on Ctrl-C).
        while len(os.listdir(done_dir)) < threads and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    found = [line for line in stdout.splitlines() if line.startswith("RENDA_RESULT ")]
    if not found:
        raise RuntimeError(f"wrk gave no result ({proc.returncode}): {stdout[-1000:]} {stderr[-1000:]}")
    result = json.loads(found[-1][len("RENDA_RESULT "):])
    result["stderr"] = stderr.strip()[-1000:]
    per_thread = result.pop("threads")
    result["sent"] = sum(t["sent"] for t in per_thread)
    result["ok"] = sum(t["ok"] for t in per_thread)
    result["failed"] = sum(t["failed"] for t in per_thread)
    statuses = {}
    for t in per_thread:
        for code, count in t["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    result["statuses"] = statuses
    firsts = [t["first_sent"] for t in per_thread if t["first_sent"]]
    lasts = [t["last_ok"] for t in per_thread if t["last_ok"]]
    result["first_sent"] = min(firsts) / 1e6 if firsts else None
    result["last_ok"] = max(lasts) / 1e6 if lasts else None
    seconds = (result["last_ok"] - result["first_sent"]) if firsts and lasts else None
    result["seconds"] = round(seconds, 3) if seconds else None
    result["rate"] = round(result["ok"] / seconds, 1) if seconds else 0.0
    for key in ("p50", "p90", "p99", "max"):
        result[f"{key}_ms"] = round(result.pop(f"{key}_us") / 1000, 2)
    result["threads"], result["connections"] = threads, connections
    return result


def run(urls, env, baselines, members=3000, threads=2, connections=16, admin_url=None, run_id=None):
    """The plenary benchmark against a running platform (``urls["gateway"]``); ``baselines["d"]``
    is baseline (d) measured in the same run (its ``rate``). Returns the figures."""
    gateway = urls["gateway"] if isinstance(urls, dict) else urls
    admin_url = admin_url or env["DATABASE_URL"]
    run_id = run_id if run_id is not None else random.randrange(10**6)
    secret = jwt_secret(env)
    staff = mint(secret, "staff", "staff", None)
    staff_headers = {"Authorization": f"Bearer {staff}"}
    session = requests.Session()
    result = {"members": members, "run_id": run_id}

    step(f"creating {members} deputies through POST /api/v1/deputies")
    started = time.monotonic()
    codes = create_deputies(gateway, staff, members)
    result["deputies_created_seconds"] = round(time.monotonic() - started, 2)
    wait_voting_directory(admin_url, codes)
    result["deputies_known_to_voting_seconds"] = round(time.monotonic() - started, 2)
    step(f"{members} deputies known to voting's read model after {result['deputies_known_to_voting_seconds']}s")

    response = session.post(gateway + "/api/v1/meetings", headers=staff_headers, timeout=60, json={
        "title": f"县第十九届人民代表大会第{run_id % 100 + 1}次全体会议（压测）", "kind": "plenary",
        "starts_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "members": codes})
    if response.status_code != 201:
        raise RuntimeError(f"create meeting: {response.status_code} {response.text[:500]}")
    meeting_id = response.json()["id"]
    response = session.post(f"{gateway}/api/v1/meetings/{meeting_id}/items", headers=staff_headers, timeout=30,
                            json={"kind": "resolution", "title": "关于本次会议选举和决定任命办法的决议", "mode": "secret"})
    if response.status_code != 201:
        raise RuntimeError(f"add item: {response.status_code} {response.text[:500]}")
    item_id = response.json()["id"]
    give_accounts(admin_url, codes)
    tokens = {code: mint(secret, code, "deputy", code) for code in codes}

    live = LiveListener(f"{gateway}/api/v1/meetings/{meeting_id}/live")
    try:
        if not live.wait_for(lambda event, data: event == "snapshot", 30):
            raise RuntimeError("no snapshot on the live stream")
        step(f"{members} members sign in (wrk -t{threads} -c{connections}, each once)")
        checkins = run_wrk(gateway, [f"POST /api/v1/meetings/{meeting_id}/checkin {tokens[code]}" for code in codes],
                           threads, connections)
        result["sign_in"] = checkins
        # member_signed_in carries the present count as its transaction saw it: under concurrent
        # sign-ins it may never reach N (see the report); the quorum check reads the table.
        present = live.wait_for(lambda event, data: event == "member_signed_in" and data.get("present") == members,
                                5)
        result["sign_in"]["all_present_on_stream_after_last_2xx_seconds"] = (
            round(present[0] - checkins["last_ok"], 3) if present and checkins["last_ok"] else None)
        signed = [data for _, event, data in live.events if event == "member_signed_in"]
        result["sign_in"]["events_on_stream"] = len(signed)
        result["sign_in"]["max_present_on_stream"] = max((data.get("present") or 0 for data in signed), default=0)
        step(f"sign-in: {checkins['ok']} ok, {checkins['rate']}/s, p99 {checkins['p99_ms']} ms")

        response = session.post(f"{gateway}/api/v1/meetings/{meeting_id}/items/{item_id}/open",
                                headers=staff_headers, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"open item: {response.status_code} {response.text[:500]}")
        if not live.wait_for(lambda event, data: event == "item_opened" and data.get("item_id") == item_id, 30):
            raise RuntimeError("no item_opened on the live stream")

        expected = {"yes": 0, "no": 0, "abstain": 0}
        lines = []
        for index, code in enumerate(codes):
            choice = CHOICES[index % len(CHOICES)]
            expected[choice] += 1
            lines.append(f"POST /api/v1/meetings/{meeting_id}/items/{item_id}/ballots {tokens[code]} "
                         + json.dumps({"choice": choice}, separators=(",", ":")))
        step(f"{members} members vote (wrk -t{threads} -c{connections}, each once)")
        ballots = run_wrk(gateway, lines, threads, connections)
        result["ballots"] = ballots
        step(f"ballots: {ballots['ok']} ok, {ballots['failed']} failed, {ballots['rate']}/s, "
             f"p99 {ballots['p99_ms']} ms")

        def final(event, data):
            # a secret item's running tally carries only how many voted (the counts come at close)
            return event == "tally_updated" and data.get("item_id") == item_id and data.get("voted") == members
        seen = live.wait_for(final, 30)
        result["final_tally_on_stream_after_last_2xx_seconds"] = (
            round(seen[0] - ballots["last_ok"], 3) if seen and ballots["last_ok"] else None)
        tallies = [data for _, event, data in live.events if event == "tally_updated" and data.get("item_id") == item_id]
        result["tally_events_on_stream"] = len(tallies)
        result["tally_seq_increasing"] = all(a["seq"] < b["seq"] for a, b in zip(tallies, tallies[1:]))
    finally:
        live.close()

    response = session.post(f"{gateway}/api/v1/meetings/{meeting_id}/items/{item_id}/close",
                            headers=staff_headers, timeout=60)
    if response.status_code != 200:
        raise RuntimeError(f"close item: {response.status_code} {response.text[:500]}")
    closed = response.json()
    counted = {key: closed.get(key) for key in ("yes", "no", "abstain")}
    result["result"] = {key: closed.get(key) for key in ("expected", "present", "voted", "yes", "no", "abstain",
                                                         "not_voted", "threshold", "passed")}
    result["expected_split"] = expected
    result["counted_once"] = (counted == expected and sum(counted.values()) == members
                              and closed.get("voted", members) == members)
    baseline = (baselines or {}).get("d") or {}
    result["baseline_d_rate"] = baseline.get("rate")
    result["ratio_to_d"] = round(result["ballots"]["rate"] / baseline["rate"], 3) if baseline.get("rate") else None
    result["meeting_id"], result["item_id"] = meeting_id, item_id
    return result


def ballots_sound(result):
    """Zero failed ballots (and sign-ins) and every ballot counted exactly once."""
    return (not result["ballots"]["failed"] and result["ballots"]["ok"] == result["ballots"]["sent"]
            and not (result.get("sign_in") or {}).get("failed") and result.get("counted_once") is True)


def report(result):
    ballots = result["ballots"]
    ratio = result.get("ratio_to_d")
    tally = result.get("final_tally_on_stream_after_last_2xx_seconds")
    lines = [
        f"plenary of {result['members']} members (issue 4), ballots through the gateway, wrk "
        f"-t{ballots['threads']} -c{ballots['connections']}, each member once; tokens minted with JWT_SECRET",
        f"  deputies created via API + known to voting: {result['deputies_known_to_voting_seconds']} s",
        f"  sign-in: {result['sign_in']['rate']}/s, p99 {result['sign_in']['p99_ms']} ms, "
        f"{result['sign_in']['failed']} failed; {result['sign_in']['events_on_stream']} sign-in events on the "
        f"stream, highest present count in them {result['sign_in']['max_present_on_stream']}",
        f"  ballots accepted: {ballots['ok']} of {ballots['sent']} ({ballots['failed']} failed "
        f"{ballots['statuses'] or ''}), {ballots['rate']}/s over {ballots['seconds']} s",
        f"  ballot latency: p50 {ballots['p50_ms']} ms, p99 {ballots['p99_ms']} ms, max {ballots['max_ms']} ms",
        f"  vs baseline (d) bare @http + 1 RPC {result.get('baseline_d_rate')}/s: ratio "
        f"{ratio if ratio is not None else 'n/a'} (target >= {TARGET_RATIO}, with no failed ballot and every "
        f"ballot counted once) " + ("" if ratio is None else ("met" if ratio >= TARGET_RATIO and ballots_sound(result)
                                                              else "MISSED")),
        f"  final tally on the SSE stream {tally} s after the last ballot's 2xx (target <= {TARGET_TALLY_SECONDS} s) "
        + ("" if tally is None else ("met" if tally <= TARGET_TALLY_SECONDS else "MISSED")),
        f"  counted once: {result['counted_once']} — result {result['result']}, expected split "
        f"{result['expected_split']}; {result['tally_events_on_stream']} tally events, seq increasing: "
        f"{result['tally_seq_increasing']}",
    ]
    return "\n".join(lines)


# -- standalone smoke run: its own database, vhost, platform and baseline (d) -----------------
@contextlib.contextmanager
def standalone(database, threads=2, connections=16, baseline_seconds=3):
    """A fresh database and vhost (``database``), bootstrapped with the demo data, the
    platform's processes and baseline (d) measured first; yields (gateway url, env,
    baselines, log dir). Used by this module's and bench/keypad.py's standalone runs."""
    from bench import run as bench_run
    from bench.processes import Processes
    from bench.wrk import Wrk

    pg, amqp = bench_run.PG, bench_run.AMQP
    env = dict(os.environ, DATABASE_URL=f"postgresql://postgres@{pg}/{database}",
               SERVICE_DATABASE_URL=f"postgresql://svc_{{service}}:{{password}}@{pg}/{database}",
               AMQP_URI=f"amqp://{amqp}/{database}", LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"))
    env.pop("CONFIG", None)
    log_dir = tempfile.mkdtemp(prefix="renda-plenary-")
    step(f"preparing database and vhost {database}; logs in {log_dir}")
    with psycopg.connect(f"postgresql://postgres@{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    bench_run.rabbitmqctl("delete_vhost", database, check=False)
    bench_run.rabbitmqctl("add_vhost", database)
    bench_run.rabbitmqctl("set_permissions", "-p", database, "guest", ".*", ".*", ".*")
    done = subprocess.run([sys.executable, "-m", "kernel.bootstrap", "--demo"], cwd=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"bootstrap failed: {done.stderr[-2000:]}")
    procs = Processes(env, log_dir)
    try:
        services = bench_run.config_services(env)
        for name in ("rpc", "http"):
            procs.start(f"baseline-{name}", ["-m", "bench.baseline_services", name])
        for name, module in services.items():
            procs.start_module(name, module)
        procs.wait_live(["baseline-rpc", "baseline-http", *services])
        step("baseline (d): bare nameko @http + 1 RPC")
        wrk = Wrk(threads=threads, connections=connections, seconds=baseline_seconds, rounds=1, warmup_seconds=1)
        baselines = wrk.compare({"d": (procs.url("baseline-http"), "/deputies/D")})
        procs.stop(["baseline-rpc", "baseline-http"])
        yield procs.url("gateway"), env, baselines, log_dir
    finally:
        procs.stop_all()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.plenary", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline-seconds", type=int, default=3, help="wrk seconds per round of baseline (d)")
    parser.add_argument("--database", default=os.environ.get("PLENARY_DATABASE", "renda_bench_plenary"))
    args = parser.parse_args(argv)

    with standalone(args.database, args.threads, args.connections, args.baseline_seconds) as (gateway, env,
                                                                                             baselines, log_dir):
        result = run({"gateway": gateway}, env, baselines, members=args.members,
                     threads=args.threads, connections=args.connections)
    print()
    print(report(result))
    path = os.path.join(log_dir, "plenary.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1, default=str)
    print(f"figures in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
