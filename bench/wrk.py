"""HTTP load with wrk (C, multi-threaded): Python clients are too slow on two cores to load
a nameko @http server. The same settings are used for the bare baseline and the gateway."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
# Cycles through the demo deputies D0001..D0693 (each wrk thread has its own Lua state). At the
# end, wrk's latency histogram (microseconds -> count, all threads; ``latency(i)`` is the i-th
# distinct value and its count, ``#latency`` their number) is written out, so that the
# percentiles of several rounds are taken over all their requests, not as a median of rounds'.
SCRIPT = """
local counter = 0
request = function()
  counter = (counter %% %(count)d) + 1
  return wrk.format("GET", string.format("%(prefix)s%%04d", counter))
end

done = function(summary, latency, requests)
  local out = assert(io.open("%(histogram)s", "w"))
  for i = 1, #latency do
    local us, n = latency(i)
    out:write(string.format("%%d %%d\\n", us, n))
  end
  out:close()
end
"""


def ensure_wrk():
    """wrk's path; installs the Debian package when root, else explains and exits 1."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing it (apt-get install -y wrk)", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
        path = shutil.which("wrk")
        if path:
            return path
    print("The benchmark needs wrk (HTTP load generator). Install it and re-run:\n"
          "    sudo apt-get install -y wrk", file=sys.stderr)
    sys.exit(1)


def _seconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * UNITS[match.group(2)]


def parse(output):
    result = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rate"] = float(match.group(1)) if match else 0.0
    match = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    if match:
        result["requests"] = int(match.group(1))
        result["seconds"] = round(_seconds(match.group(2)), 3)
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+\w+)\s*$", output, re.M)
        if match:
            result[f"p{pct}"] = round(_seconds(match.group(1)) * 1000, 3)
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(int(g) for g in match.groups()) if match else 0
    return result


class Wrk:
    def __init__(self, threads=2, connections=16, seconds=5, rounds=3, warmup_seconds=2, timeout="5s"):
        self.binary = ensure_wrk()
        self.threads = threads
        self.connections = connections
        self.seconds = seconds
        self.rounds = rounds
        self.warmup_seconds = warmup_seconds
        self.timeout = timeout

    @property
    def settings(self):
        return (f"wrk -t{self.threads} -c{self.connections} -d{self.seconds}s --latency, {self.rounds} rounds "
                f"alternating between targets (after a {self.warmup_seconds}s warm-up each), "
                f"GET cycling D0001..D0693")

    def compare(self, targets, meter=None, ids=693):
        """Measure several targets ``{name: (base_url, path_prefix)}`` in alternating rounds, so
        that a change of background load during the run hits them alike. Returns
        {name: combined result}: rate over all rounds, median of the rounds' percentiles."""
        scripts = {}
        histogram_dir = tempfile.mkdtemp(prefix="renda-wrk-")
        histogram = os.path.join(histogram_dir, "latency.txt")
        try:
            for name, (base_url, prefix) in targets.items():
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                    script.write(SCRIPT % {"count": ids, "prefix": prefix, "histogram": histogram})
                scripts[name] = script.name
                if self.warmup_seconds:
                    self._wrk(base_url, script.name, self.warmup_seconds)
            rounds = {name: [] for name in targets}
            latencies = {name: Counter() for name in targets}
            for _ in range(self.rounds):
                for name, (base_url, _prefix) in targets.items():
                    if meter:
                        meter.start()
                    output = self._wrk(base_url, scripts[name], self.seconds)
                    result = parse(output)
                    if meter:
                        result["cpu"] = meter.stop(result.get("requests", 0))
                    rounds[name].append(result)
                    latencies[name].update(read_histogram(histogram))
        finally:
            for path in scripts.values():
                os.unlink(path)
            shutil.rmtree(histogram_dir, ignore_errors=True)
        return {name: combine(results, latencies[name]) for name, results in rounds.items()}

    def _wrk(self, base_url, script, seconds):
        argv = [self.binary, f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s", "--latency",
                f"--timeout={self.timeout}", "-s", script, base_url]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout


def read_histogram(path):
    """{latency in microseconds: count} as the script's done() wrote it (empty if it did not)."""
    counts = Counter()
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                microseconds, count = line.split()
                counts[int(microseconds)] += int(count)
        os.unlink(path)
    except FileNotFoundError:
        pass
    return counts


def histogram_percentiles(counts, percentiles=(50, 75, 90, 99)):
    """{"p50": ms, ...} over every request of the histogram (nearest rank)."""
    total = sum(counts.values())
    if not total:
        return {}
    result, seen, ordered = {}, 0, sorted(counts.items())
    targets = sorted(percentiles)
    index = 0
    for microseconds, count in ordered:
        seen += count
        while index < len(targets) and seen >= total * targets[index] / 100.0:
            result[f"p{targets[index]}"] = round(microseconds / 1000, 3)
            index += 1
    for pct in targets[index:]:
        result[f"p{pct}"] = round(ordered[-1][0] / 1000, 3)
    return result


def combine(rounds, latencies=None):
    """Rounds of one target: the rate over all of them; percentiles over all their requests
    (from the merged histograms; without one, the rounds' median, marked as such)."""
    requests = sum(r.get("requests", 0) for r in rounds)
    seconds = sum(r.get("seconds", 0) for r in rounds)
    result = {"rate": round(requests / seconds, 1) if seconds else 0.0, "requests": requests,
              "seconds": round(seconds, 3), "non_2xx": sum(r["non_2xx"] for r in rounds),
              "socket_errors": sum(r["socket_errors"] for r in rounds),
              "round_rates": [r["rate"] for r in rounds]}
    merged = histogram_percentiles(latencies) if latencies else {}
    if merged:
        result.update(merged)
        result["percentiles_over"] = "all requests of all rounds"
    else:
        for key in ("p50", "p75", "p90", "p99"):
            values = sorted(r[key] for r in rounds if key in r)
            if values:
                result[key] = values[len(values) // 2]
        result["percentiles_over"] = "median of the rounds (no histogram)"
    result["round_p99"] = [r.get("p99") for r in rounds]
    cpus = [r["cpu"] for r in rounds if "cpu" in r]
    if cpus:
        result["cpu"] = combine_cpu(cpus)
    return result


def combine_cpu(samples):
    """Merge CpuMeter results: per-unit figures weighted by units, cores by elapsed time."""
    units = sum(s["units"] for s in samples)
    elapsed = sum(s["elapsed_seconds"] for s in samples)
    names = {name for s in samples for name in s["cpu_ms_per_unit"]}
    per_unit = {name: round(sum((s["cpu_ms_per_unit"].get(name) or 0) * s["units"] for s in samples) / units, 3)
                for name in names} if units else {}
    return {"elapsed_seconds": round(elapsed, 3), "units": units,
            "busy_cores": round(sum(s["busy_cores"] * s["elapsed_seconds"] for s in samples) / elapsed, 2),
            "other_cores": round(sum(s["other_cores"] * s["elapsed_seconds"] for s in samples) / elapsed, 2),
            "other_cores_max": max(s["other_cores"] for s in samples),
            "cpu_ms_per_unit": dict(sorted(per_unit.items(), key=lambda kv: -kv[1]))}
