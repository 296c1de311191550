"""Start and stop the processes a benchmark measures, as real subprocesses.

Each process gets its own HTTP port (``WEB_SERVER_ADDRESS``) and log file; readiness is
``GET /health/live`` answering 200. Stopping sends SIGTERM (nameko stops gracefully), then
SIGKILL after a grace period. Only processes started here are ever signalled.
"""
import os
import socket
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    def __init__(self, env, log_dir):
        self.env = env
        self.log_dir = log_dir
        self.procs = {}
        self.ports = {}

    def url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name, argv, extra_env=None):
        port = self.ports[name] = free_port()
        env = dict(self.env, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", PYTHONUNBUFFERED="1",
                   PYTHONWARNINGS="ignore", **(extra_env or {}))
        log = open(os.path.join(self.log_dir, f"{name}.log"), "ab")
        self.procs[name] = subprocess.Popen([PYTHON, *argv], cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        return self.procs[name]

    def start_module(self, name, module):
        """A platform process, exactly as deploy/Procfile starts it."""
        return self.start(name, ["-m", "kernel.runner", module])

    def wait_live(self, names, timeout=90):
        deadline = time.monotonic() + timeout
        session = requests.Session()
        for name in names:
            url = self.url(name) + "/health/live"
            while True:
                proc = self.procs[name]
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; log: "
                                       f"{os.path.join(self.log_dir, name + '.log')}")
                try:
                    if session.get(url, timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not live within {timeout}s; log: "
                                       f"{os.path.join(self.log_dir, name + '.log')}")
                time.sleep(0.1)
        session.close()

    def pids(self):
        return {name: proc.pid for name, proc in self.procs.items()}

    def cpu_seconds(self):
        """{name: user + system CPU seconds so far} of each running process (Linux /proc)."""
        return {name: cpu_seconds(proc.pid) for name, proc in self.procs.items() if proc.poll() is None}

    def stop(self, names, grace=15):
        """SIGTERM (nameko stops gracefully), SIGKILL after ``grace`` seconds."""
        procs = [self.procs.pop(name) for name in names if name in self.procs]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + grace
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self, grace=15):
        self.stop(list(self.procs), grace)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def host_busy_seconds():
    """CPU seconds the whole host has spent busy (not idle or waiting for I/O) since boot."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS


def _proc_stats():
    """{pid: (comm, ppid, cpu seconds)} of every process on the host."""
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                text = handle.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        stats[int(entry)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return stats


def listener_pid(port):
    """The pid of the process listening on TCP ``port`` on this host, or None (needs /proc
    access to other users' file descriptors, i.e. root, to find it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                next(handle)
                for line in handle:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{parts[9]}]")
        except OSError:
            continue
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                    return int(entry)
        except OSError:
            continue
    return None


class Servers:
    """CPU of the PostgreSQL and RabbitMQ servers the benchmark uses: the process listening
    on each port and its children. PostgreSQL backends serving other databases (another test
    run, say) are left out, so that their work counts as someone else's load."""

    def __init__(self, pg_port, amqp_port, admin_url, database):
        self.roots = {"postgresql": listener_pid(pg_port), "rabbitmq": listener_pid(amqp_port)}
        self.admin_url = admin_url
        self.database = database

    def foreign_backends(self):
        try:
            import psycopg
            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as conn:
                rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL "
                                    "AND datname <> %s", (self.database,)).fetchall()
            return {pid for (pid,) in rows}
        except Exception:
            return set()

    def cpu_used(self, before, after, exclude=()):
        """CPU seconds each server used between two ``_proc_stats()`` snapshots."""
        totals = {}
        for name, root in self.roots.items():
            if root is None or root not in after:
                continue
            totals[name] = sum(cpu - before.get(pid, (None, None, 0.0))[2]
                               for pid, (comm, ppid, cpu) in after.items()
                               if (pid == root or ppid == root) and pid not in exclude)
        return totals


class CpuMeter:
    """CPU used by each of our processes (and this one) between ``start()`` and ``stop()``,
    per unit of work: where the two cores go."""

    def __init__(self, processes, servers=None):
        self.processes = processes
        self.servers = servers

    def start(self):
        self.exclude = self.servers.foreign_backends() if self.servers is not None else set()
        self.before_host = host_busy_seconds()
        self.before = self.processes.cpu_seconds()
        self.before_stats = _proc_stats() if self.servers is not None else {}
        self.before_self = os.times()
        self.started = time.monotonic()

    def stop(self, units):
        after = self.processes.cpu_seconds()
        after_stats = _proc_stats() if self.servers is not None else {}
        host_busy = host_busy_seconds() - self.before_host
        now = os.times()
        elapsed = time.monotonic() - self.started
        used = {name: after[name] - self.before.get(name, 0.0) for name in after}
        if self.servers is not None:
            exclude = self.exclude | self.servers.foreign_backends()
            used.update(self.servers.cpu_used(self.before_stats, after_stats, exclude))
        used["bench client"] = (now.user + now.system) - (self.before_self.user + self.before_self.system)
        used["load generator (children)"] = ((now.children_user + now.children_system)
                                             - (self.before_self.children_user + self.before_self.children_system))
        return {"elapsed_seconds": round(elapsed, 3), "units": units,
                "busy_cores": round(sum(used.values()) / elapsed, 2) if elapsed else None,
                # CPU of everything else on the host (another test run, say): disturbs the figures
                "other_cores": round(max(0.0, host_busy - sum(used.values())) / elapsed, 2) if elapsed else None,
                "cpu_ms_per_unit": {name: round(1000 * seconds / units, 3) if units else None
                                    for name, seconds in sorted(used.items(), key=lambda kv: -kv[1])
                                    if seconds > 0}}
