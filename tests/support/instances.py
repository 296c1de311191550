"""Private, throwaway RabbitMQ and PostgreSQL instances for fault tests.

The platform's shared brokers (RabbitMQ on 5672, PostgreSQL on 5432) must never
be killed by a test.  The classes here start *private* instances on other ports
that a test may stop, SIGKILL, freeze and restart at will::

    from tests.support.instances import PrivateRabbit, PrivatePostgres

    with PrivateRabbit() as rabbit, PrivatePostgres() as pg:
        connect(rabbit.url, pg.url)
        rabbit.kill()          # SIGKILL, data dir kept
        rabbit.start()         # recovers durable queues / persistent messages
        pg.restart()           # clean stop + start, data kept

Semantics shared by both classes:

* ``start()`` on a fresh object creates a new, empty state dir (removing the
  leftovers of a previous run on the same port, stopping a leftover server
  first).  ``start()`` after ``kill()``/``stop(keep_data=True)`` reuses the data.
* ``stop()`` shuts down cleanly and deletes the state dir (``keep_data=True``
  keeps it).  ``kill()`` sends SIGKILL to all the server's processes and keeps the
  data.  ``restart()`` = ``stop(keep_data=True)`` + ``start()``.
* ``pause()``/``resume()`` send SIGSTOP/SIGCONT (a hung, not dead, server).
* Every wait is bounded and raises :class:`InstanceError` with the log tail.
* ``last_start_seconds`` holds how long the last ``start()`` took.
* Instances still running at interpreter exit are killed and cleaned up.

State lives under ``$FAULT_INSTANCES_DIR`` (default ``<tmp>/renda-fault-<uid>``)
so that a crashed test run's leftovers can be found and removed next time.

No pytest import here; this module only needs the standard library.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from typing import Callable, Iterable, Optional

__all__ = ["InstanceError", "PrivateRabbit", "PrivatePostgres"]


class InstanceError(RuntimeError):
    """A private instance could not be started/stopped within its bounds."""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

_LIVE: "weakref.WeakSet[_Instance]" = weakref.WeakSet()


def _base_dir() -> str:
    base = os.environ.get("FAULT_INSTANCES_DIR") or os.path.join(
        tempfile.gettempdir(), f"renda-fault-{os.getuid()}"
    )
    os.makedirs(base, exist_ok=True)
    # other users (postgres when we are root) must be able to traverse it
    os.chmod(base, 0o755)
    return base


def _is_root() -> bool:
    return os.geteuid() == 0


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _amqp_ready(port: int, host: str = "127.0.0.1", timeout: float = 1.0) -> bool:
    """True when an AMQP 0-9-1 server answers the protocol header with a
    Connection.Start method frame (frame type 1)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"AMQP\x00\x00\x09\x01")
            data = s.recv(7)
            return len(data) >= 1 and data[0] == 1
    except OSError:
        return False


def _wait_until(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    interval: float = 0.05,
    on_timeout: Optional[Callable[[], str]] = None,
) -> float:
    """Poll ``predicate`` until true; return elapsed seconds or raise."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            extra = on_timeout() if on_timeout else ""
            raise InstanceError(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
        time.sleep(interval)


def _tail(path: str, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 16384))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0): treat it as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # only zombies left?
    for pid in _pids_in_group(pgid):
        if _pid_alive(pid):
            return True
    return False


def _pids_in_group(pgid: int) -> list[int]:
    pids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                pids.append(int(stat.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def _signal_group(pid: int, sig: int) -> None:
    """Signal ``pid``'s process group if it leads one, else ``pid`` alone."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    try:
        if pgid == pid:
            os.killpg(pgid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _listening_pids(port: int) -> list[int]:
    """PIDs of processes with a TCP socket listening on ``port`` (any address)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                next(fh)
                for line in fh:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(parts[9])
        except (OSError, StopIteration):
            continue
    if not inodes:
        return []
    wanted = {f"socket:[{i}]" for i in inodes}
    pids = []
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        try:
            for fd in os.listdir(fd_dir):
                if os.readlink(os.path.join(fd_dir, fd)) in wanted:
                    pids.append(int(fd_dir.split("/")[2]))
                    break
        except OSError:
            continue
    return pids


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return "?"


def _descendants(pid: int) -> list[int]:
    """All live descendants of ``pid`` (children first)."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    out: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop(0)
        out.append(child)
        todo.extend(children.get(child, []))
    return out


def _signal_pids(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _terminate_pid(pid: int, grace: float = 5.0, sig: int = signal.SIGTERM) -> None:
    """``sig`` (to the group), wait ``grace`` seconds, then SIGKILL; bounded."""
    _signal_group(pid, sig)
    try:
        _wait_until(lambda: not _pid_alive(pid), grace, f"pid {pid} to exit")
        return
    except InstanceError:
        pass
    _signal_group(pid, signal.SIGKILL)
    _wait_until(lambda: not _pid_alive(pid), 10, f"pid {pid} to die after SIGKILL")


def _free_ports(ports: Iterable[int], owned_marker: str, label: str) -> None:
    """Make sure ``ports`` are free.  A listener whose command line contains
    ``owned_marker`` (our own state dir) is a leftover of a previous run and is
    stopped; anything else is someone else's and we refuse to touch it."""
    for port in ports:
        if not _port_open(port) and not _listening_pids(port):
            continue
        pids = _listening_pids(port)
        foreign = [p for p in pids if owned_marker not in _cmdline(p)]
        if foreign or not pids:
            who = ", ".join(f"pid {p} ({_cmdline(p)[:120]})" for p in foreign) or "unknown process"
            raise InstanceError(
                f"{label}: port {port} is already in use by {who}; it is not a "
                f"leftover private instance, so it is left alone. Pick another port."
            )
        for pid in pids:
            _terminate_pid(pid)
        _wait_until(lambda: not _port_open(port), 10, f"leftover on port {port} to release it")


def _rmtree(path: str) -> None:
    if not os.path.exists(path):
        return
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):  # files being written by a dying process: once more
        time.sleep(0.2)
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------


class _Instance:
    label = "instance"
    default_start_timeout = 60.0
    default_stop_timeout = 30.0

    def __init__(self, state_dir: str) -> None:
        self.state_dir = state_dir
        self._fresh = True            # next start() wipes the state dir
        self.last_start_seconds: Optional[float] = None
        self.last_stop_seconds: Optional[float] = None

    # -- to implement -----------------------------------------------------
    @property
    def url(self) -> str:
        raise NotImplementedError

    def _cleanup_leftovers(self) -> None:
        raise NotImplementedError

    def _prepare(self) -> None:
        raise NotImplementedError

    def _launch(self, timeout: float) -> None:
        raise NotImplementedError

    def _shutdown(self, timeout: float) -> None:
        raise NotImplementedError

    def _main_pid(self) -> Optional[int]:
        raise NotImplementedError

    def _log_tail(self) -> str:
        return ""

    # -- public API -------------------------------------------------------
    def is_running(self) -> bool:
        if self._fresh:  # not started by this object (leftovers don't count)
            return False
        pid = self._main_pid()
        return pid is not None and _pid_alive(pid)

    def start(self, timeout: Optional[float] = None) -> "_Instance":
        timeout = self.default_start_timeout if timeout is None else timeout
        if self.is_running():
            raise InstanceError(f"{self.label} is already running")
        t0 = time.monotonic()
        if self._fresh:
            self._check_not_in_use()
            self._cleanup_leftovers()
            _rmtree(self.state_dir)
            self._prepare()
            with open(self._owner_file, "w") as fh:
                fh.write(str(os.getpid()))
            self._fresh = False
        _LIVE.add(self)
        self._launch(timeout)
        self.last_start_seconds = time.monotonic() - t0
        return self

    def stop(self, timeout: Optional[float] = None, keep_data: bool = False) -> None:
        """Clean shutdown; deletes the state dir unless ``keep_data``."""
        timeout = self.default_stop_timeout if timeout is None else timeout
        t0 = time.monotonic()
        if self.is_running():
            self.resume()  # a pause()d server cannot shut down
            try:
                self._shutdown(timeout)
            except InstanceError:
                self.kill()
                if not keep_data:
                    self._discard()
                raise
        self.last_stop_seconds = time.monotonic() - t0
        if not keep_data:
            self._discard()

    def kill(self) -> None:
        """SIGKILL the server's whole process group; data is kept."""
        pid = None if self._fresh else self._main_pid()
        if pid is None or not _pid_alive(pid):
            return
        try:
            pgid = os.getpgid(pid)
        except ProcessLookupError:
            return
        _signal_group(pid, signal.SIGCONT)
        _signal_group(pid, signal.SIGKILL)
        target = pgid if pgid == pid else None
        _wait_until(
            (lambda: not _group_alive(target)) if target else (lambda: not _pid_alive(pid)),
            15,
            f"{self.label} (pid {pid}) to die after SIGKILL",
        )
        self._after_kill()

    def restart(self, timeout: Optional[float] = None) -> "_Instance":
        self.stop(keep_data=True)
        return self.start(timeout)

    def pause(self) -> None:
        """SIGSTOP the server: connections hang instead of failing."""
        pid = self._require_pid()
        _signal_group(pid, signal.SIGSTOP)

    def resume(self) -> None:
        pid = self._require_pid()
        _signal_group(pid, signal.SIGCONT)

    def __enter__(self) -> "_Instance":
        if not self.is_running():
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<{type(self).__name__} {self.url} {state} dir={self.state_dir}>"

    # -- internals --------------------------------------------------------
    @property
    def _owner_file(self) -> str:
        return os.path.join(self.state_dir, "owner.pid")

    def _check_not_in_use(self) -> None:
        """Leftovers are instances whose owning (test) process is gone; an
        instance that a live process still owns is never touched."""
        for other in list(_LIVE):
            if other is not self and other.state_dir == self.state_dir and other.is_running():
                raise InstanceError(
                    f"{self.label}: {other!r} already runs in this process on the same "
                    f"port; stop it first or use another port"
                )
        try:
            with open(self._owner_file) as fh:
                owner = int(fh.read().strip() or 0)
        except (OSError, ValueError):
            return
        if owner and owner != os.getpid() and _pid_alive(owner):
            raise InstanceError(
                f"{self.label}: {self.state_dir} belongs to live process {owner} "
                f"({_cmdline(owner)[:100]}); use another port"
            )

    def _require_pid(self) -> int:
        pid = None if self._fresh else self._main_pid()
        if pid is None or not _pid_alive(pid):
            raise InstanceError(f"{self.label} is not running")
        return pid

    def _after_kill(self) -> None:
        pass

    def _discard(self) -> None:
        _rmtree(self.state_dir)
        self._fresh = True
        _LIVE.discard(self)

    def _fail(self, message: str) -> InstanceError:
        tail = self._log_tail()
        if tail:
            message += f"\n--- log tail ({self.state_dir}) ---\n{tail}"
        return InstanceError(message)


@atexit.register
def _kill_leftovers() -> None:  # pragma: no cover - interpreter exit
    for inst in list(_LIVE):
        try:
            inst.kill()
        except Exception:
            pass
        try:
            inst._discard()
        except Exception:
            pass


# --------------------------------------------------------------------------
# RabbitMQ
# --------------------------------------------------------------------------


def _rabbit_script(name: str) -> str:
    # Debian's /usr/sbin wrappers re-run everything as the rabbitmq user (with
    # that user's cookie); the real scripts live in /usr/lib/rabbitmq/bin.
    for cand in (f"/usr/lib/rabbitmq/bin/{name}", shutil.which(name)):
        if cand and os.path.exists(cand):
            return cand
    raise InstanceError(
        f"{name} not found; install RabbitMQ (Debian: apt-get install -y rabbitmq-server)"
    )


def _rabbit_core_apps(plugins_dir: str) -> list[str]:
    """Directory names in ``plugins_dir`` that the ``rabbit`` application needs
    (its dependency closure, read from the .app files), or [] if unsure.

    Starting the node with a plugins dir holding only these (symlinks) skips
    scanning ~50 optional plugins' modules and config schemas: about 1s less
    per start.
    """
    try:
        entries = os.listdir(plugins_dir)
    except OSError:
        return []
    apps: dict[str, tuple[str, list[str]]] = {}
    for entry in entries:
        app_files = glob.glob(os.path.join(plugins_dir, entry, "ebin", "*.app"))
        if not app_files:
            continue
        try:
            with open(app_files[0]) as fh:
                text = fh.read()
        except OSError:
            return []
        deps: list[str] = []
        for key in ("applications", "included_applications"):
            m = re.search(r"\{" + key + r",\s*\[([^\]]*)\]", text)
            if m:
                deps += re.findall(r"[a-z][a-z0-9_]*", m.group(1))
        apps[os.path.basename(app_files[0])[:-4]] = (entry, deps)
    if "rabbit" not in apps or "rabbitmq_prelaunch" not in apps:
        return []
    needed: set[str] = set()
    todo = ["rabbit"]
    while todo:
        app = todo.pop()
        if app in needed or app not in apps:  # OTP apps live elsewhere
            continue
        needed.add(app)
        todo.extend(apps[app][1])
    return sorted(apps[a][0] for a in needed)


class PrivateRabbit(_Instance):
    """A second RabbitMQ node on this machine (``name@localhost``).

    It runs as the current user with its own HOME (hence its own Erlang
    cookie), its own env/config/plugins files and its own data and log dirs,
    so it shares nothing with the system node except epmd.
    """

    label = "private RabbitMQ"
    #: stop() sends SIGTERM, which RabbitMQ handles as a clean shutdown
    #: (like ``rabbitmqctl stop``) in about 1s instead of ~2.4s for the CLI's
    #: own VM start-up.  Set to True to go through ``rabbitmqctl stop``.
    stop_via_ctl = False

    def __init__(self, port: int = 5673, dist_port: int = 25673, name: str = "fault") -> None:
        self.port = port
        self.dist_port = dist_port
        self.name = name
        self.nodename = f"{name}@localhost"
        self._proc: Optional[subprocess.Popen] = None
        self._stdout = None
        super().__init__(os.path.join(_base_dir(), f"rabbit-{name}-{port}"))

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    # paths
    @property
    def _pid_file(self) -> str:
        return os.path.join(self.state_dir, "rabbit.pid")

    @property
    def _log_dir(self) -> str:
        return os.path.join(self.state_dir, "log")

    @property
    def _stdout_log(self) -> str:
        return os.path.join(self.state_dir, "stdout.log")

    def _env(self) -> dict:
        d = self.state_dir
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RABBITMQ_", "ERL_")) and k != "NOTIFY_SOCKET"
        }
        env.update(
            HOME=d,  # -> $HOME/.erlang.cookie, our own
            RABBITMQ_NODENAME=self.nodename,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_CONF_ENV_FILE=os.path.join(d, "rabbitmq-env.conf"),
            RABBITMQ_CONFIG_FILE=os.path.join(d, "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=os.path.join(d, "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(d, "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=os.path.join(d, "mnesia"),
            RABBITMQ_LOG_BASE=self._log_dir,
            RABBITMQ_PID_FILE=self._pid_file,
            # if epmd is not running yet, the node starts it: loopback only
            ERL_EPMD_ADDRESS="127.0.0.1",
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        plugins = os.path.join(d, "plugins")
        if os.path.isdir(plugins):
            env["RABBITMQ_PLUGINS_DIR"] = plugins
        return env

    def _prepare(self) -> None:
        d = self.state_dir
        os.makedirs(self._log_dir, exist_ok=True)
        os.makedirs(os.path.join(d, "mnesia"), exist_ok=True)
        with open(os.path.join(d, "rabbitmq-env.conf"), "w") as fh:
            fh.write("# private fault-test node: everything is set via the environment\n")
        with open(os.path.join(d, "rabbitmq.conf"), "w") as fh:
            fh.write(
                f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
                "loopback_users.guest = true\n"
                "log.console = false\n"
                "log.file.level = info\n"
                # tests fill the broker on purpose sometimes; don't block publishers
                # because of the (shared) tmp disk
                "disk_free_limit.absolute = 1MB\n"
            )
        with open(os.path.join(d, "enabled_plugins"), "w") as fh:
            fh.write("[].\n")  # no plugins -> no management port clash
        # plugins dir with only what the broker itself needs (faster boot)
        server = os.path.realpath(_rabbit_script("rabbitmq-server"))
        system_plugins = os.path.join(os.path.dirname(os.path.dirname(server)), "plugins")
        core = _rabbit_core_apps(system_plugins)
        if core:
            os.makedirs(os.path.join(d, "plugins"))
            for entry in core:
                os.symlink(os.path.join(system_plugins, entry), os.path.join(d, "plugins", entry))
        cookie = os.path.join(d, ".erlang.cookie")
        with open(cookie, "w") as fh:
            fh.write(f"FAULTCOOKIE{self.port}X{os.getpid()}{int(time.time())}")
        os.chmod(cookie, 0o400)

    def _cleanup_leftovers(self) -> None:
        # 1. a previous run's node in our state dir
        try:
            with open(self._pid_file) as fh:
                pid = int(fh.read().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid and _pid_alive(pid) and self.state_dir in _cmdline(pid):
            _terminate_pid(pid)
        # 2. anything of ours still listening on our ports
        _free_ports((self.port, self.dist_port), self.state_dir, self.label)
        # 3. the node name must not be registered in epmd any more
        try:
            _wait_until(
                lambda: self.name not in _epmd_names(), 10, f"epmd to forget node {self.nodename}"
            )
        except InstanceError as exc:
            raise InstanceError(
                f"{exc}: another node named {self.nodename} is running; "
                f"stop it or pick another name"
            ) from None

    def _launch(self, timeout: float) -> None:
        server = _rabbit_script("rabbitmq-server")
        self._stdout = open(self._stdout_log, "ab")
        self._proc = subprocess.Popen(
            [server],
            env=self._env(),
            cwd=self.state_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: kill() takes it all
        )
        proc = self._proc

        def ready() -> bool:
            if proc.poll() is not None:
                raise self._fail(
                    f"{self.label} exited with code {proc.returncode} while starting"
                )
            return _amqp_ready(self.port)

        try:
            _wait_until(
                ready,
                timeout,
                f"{self.label} {self.nodename} to accept AMQP on 127.0.0.1:{self.port}",
                on_timeout=lambda: ("\n" + self._log_tail()),
            )
        except InstanceError:
            self.kill()
            raise

    def ctl(self, *args: str, timeout: float = 60.0) -> str:
        """Run ``rabbitmqctl -n <node> <args>`` against this node; return stdout."""
        cmd = [_rabbit_script("rabbitmqctl"), "-q", "-n", self.nodename, *args]
        try:
            res = subprocess.run(
                cmd, env=self._env(), capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise InstanceError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
        if res.returncode != 0:
            raise InstanceError(
                f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr.strip() or res.stdout.strip()}"
            )
        return res.stdout

    def _shutdown(self, timeout: float) -> None:
        proc = self._proc
        pid = self._main_pid()
        stopped = False
        if self.stop_via_ctl:
            try:
                # waits until the node's OS process has exited
                self.ctl("stop", self._pid_file, timeout=timeout)
                stopped = True
            except InstanceError:
                pass
        if not stopped and pid and _pid_alive(pid):
            # SIGTERM makes RabbitMQ shut down cleanly, like `rabbitmqctl stop`
            os.kill(pid, signal.SIGTERM)
        if proc is not None:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise self._fail(f"{self.label} did not exit within {timeout:.0f}s") from None
        _wait_until(lambda: not _port_open(self.port), 10, f"port {self.port} to close")
        self._close_stdout()

    def _after_kill(self) -> None:
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._close_stdout()

    def _close_stdout(self) -> None:
        if self._stdout is not None:
            self._stdout.close()
            self._stdout = None

    def _main_pid(self) -> Optional[int]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return None

    def _log_tail(self) -> str:
        parts = []
        for path in [self._stdout_log, *sorted(glob.glob(os.path.join(self._log_dir, "*.log")))]:
            tail = _tail(path, 25)
            if tail:
                parts.append(f"[{os.path.basename(path)}]\n{tail}")
        return "\n".join(parts)

    def _discard(self) -> None:
        self._close_stdout()
        self._proc = None
        super()._discard()


def _epmd_names(timeout: float = 1.0) -> set[str]:
    """Node names registered in the local epmd (empty if epmd is not running)."""
    try:
        with socket.create_connection(("127.0.0.1", 4369), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"\x00\x01n")  # NAMES_REQ
            chunks = []
            while True:
                data = s.recv(4096)
                if not data:
                    break
                chunks.append(data)
    except OSError:
        return set()
    raw = b"".join(chunks)[4:].decode("utf-8", "replace")
    # lines look like: "name fault at port 25673"
    return {line.split()[1] for line in raw.splitlines() if line.startswith("name ")}


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def _pg_bindir() -> str:
    env = os.environ.get("PG_BINDIR")
    if env:
        return env
    versions = sorted(
        (d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
    )
    if versions:
        return versions[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise InstanceError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them "
        "(Debian: apt-get install -y postgresql) or set PG_BINDIR"
    )


class PrivatePostgres(_Instance):
    """A throwaway PostgreSQL cluster (trust auth, fsync off) on 127.0.0.1:<port>.

    As root the cluster is owned by and run as the ``postgres`` OS user
    (``runuser -u postgres``), because postgres refuses to run as root.
    """

    label = "private PostgreSQL"

    def __init__(self, port: int = 5433) -> None:
        self.port = port
        self._bindir: Optional[str] = None
        super().__init__(os.path.join(_base_dir(), f"pg-{port}"))

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data_dir(self) -> str:
        return os.path.join(self.state_dir, "data")

    @property
    def _log_file(self) -> str:
        return os.path.join(self.state_dir, "postgres.log")

    def _bin(self, name: str) -> str:
        if self._bindir is None:
            self._bindir = _pg_bindir()
        return os.path.join(self._bindir, name)

    def _as_owner(self, argv: list) -> list:
        return ["runuser", "-u", "postgres", "--", *argv] if _is_root() else argv

    def _run(self, argv: list, timeout: float, what: str) -> str:
        cmd = self._as_owner(argv)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        try:
            res = subprocess.run(
                cmd, env=env, cwd="/", capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise self._fail(f"{what}: timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
        if res.returncode != 0:
            raise self._fail(
                f"{what} failed ({res.returncode}): {' '.join(cmd)}\n"
                f"{(res.stderr or res.stdout).strip()}"
            )
        return res.stdout

    def _prepare(self) -> None:
        os.makedirs(self.state_dir, mode=0o755, exist_ok=True)
        if _is_root():
            shutil.chown(self.state_dir, "postgres", "postgres")
        self._run(
            [
                self._bin("initdb"),
                "-D", self.data_dir,
                "-U", "postgres",
                "-A", "trust",
                "-E", "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            timeout=120,
            what="initdb",
        )
        with open(os.path.join(self.data_dir, "postgresql.conf"), "a") as fh:
            fh.write(
                "\n# --- private fault-test instance ---\n"
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.state_dir}'\n"
                # fsync off: speed; a killed *process* loses nothing (the OS
                # keeps the writes).  synchronous_commit stays on, otherwise a
                # SIGKILL would lose transactions that were reported committed.
                "fsync = off\n"
                "max_connections = 200\n"
                "shared_buffers = 32MB\n"
                "logging_collector = off\n"
            )

    def _cleanup_leftovers(self) -> None:
        pid = self._main_pid()
        if pid and _pid_alive(pid) and self.state_dir in _cmdline(pid):
            _signal_pids(_descendants(pid), signal.SIGCONT)
            _terminate_pid(pid, sig=signal.SIGINT)  # fast shutdown, then SIGKILL
        _free_ports((self.port,), self.state_dir, self.label)

    def _launch(self, timeout: float) -> None:
        # pg_ctl setsid()s the postmaster, so its pgid == pid (used by kill()).
        self._run(
            [
                self._bin("pg_ctl"),
                "-D", self.data_dir,
                "-l", self._log_file,
                "-w",
                "-t", str(max(1, int(timeout))),
                "start",
            ],
            timeout=timeout + 10,
            what=f"starting {self.label} on port {self.port}",
        )
        _wait_until(
            lambda: _port_open(self.port),
            10,
            f"{self.label} to listen on 127.0.0.1:{self.port}",
            on_timeout=lambda: "\n" + self._log_tail(),
        )

    def _shutdown(self, timeout: float) -> None:
        pid = self._main_pid()
        self._run(
            [self._bin("pg_ctl"), "-D", self.data_dir, "-m", "fast", "-w",
             "-t", str(max(1, int(timeout))), "stop"],
            timeout=timeout + 10,
            what=f"stopping {self.label}",
        )
        if pid:  # pg_ctl -w returns once the postmaster (last to go) is gone
            _wait_until(lambda: not _pid_alive(pid), 15, f"{self.label} postmaster to exit")

    # Postgres children setsid() themselves, so the postmaster's process group
    # is the postmaster alone: signal the whole process tree instead.
    def kill(self) -> None:
        """SIGKILL the postmaster and all its children; data is kept."""
        pid = None if self._fresh else self._main_pid()
        if pid is None:
            return
        _signal_pids([pid], signal.SIGSTOP)  # no new children, no crash restart
        tree = [pid, *_descendants(pid)]
        _signal_pids(tree, signal.SIGKILL)
        _wait_until(
            lambda: not any(_pid_alive(p) for p in tree),
            15,
            f"{self.label} processes {tree} to die after SIGKILL",
        )
        self._after_kill()

    def pause(self) -> None:
        """SIGSTOP the postmaster and every backend: queries hang."""
        pid = self._require_pid()
        _signal_pids([pid], signal.SIGSTOP)
        _signal_pids(_descendants(pid), signal.SIGSTOP)

    def resume(self) -> None:
        pid = self._require_pid()
        _signal_pids(_descendants(pid), signal.SIGCONT)
        _signal_pids([pid], signal.SIGCONT)

    def _after_kill(self) -> None:
        # The postmaster was pg_ctl's grandchild, so init reaps it, sometimes
        # lazily; while it is a zombie a new postmaster would refuse to start
        # ("lock file postmaster.pid already exists").  Every process of the
        # group is dead by now, so the lock files are stale: remove them.
        for path in (
            os.path.join(self.data_dir, "postmaster.pid"),
            os.path.join(self.state_dir, f".s.PGSQL.{self.port}.lock"),
            os.path.join(self.state_dir, f".s.PGSQL.{self.port}"),
        ):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def _main_pid(self) -> Optional[int]:
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as fh:
                pid = int(fh.readline().strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) else None

    def _log_tail(self) -> str:
        return _tail(self._log_file, 30)
