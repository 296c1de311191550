"""Start one process: ``python -m kernel.runner services.deputy.service``.

Monkey-patches first (nameko's CLI would too), loads YAML+env config, refuses development
secrets in production, sets up JSON logging, then runs the module's nameko service(s).
"""
import warnings

# The stack is pinned to eventlet (ARCHITECTURE.md); its deprecation notice is known.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  must precede every other import

import errno  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from kernel.bootstrap import service_classes  # noqa: E402
from kernel.config import ConfigError, load_config  # noqa: E402
from kernel.logs import configure_logging  # noqa: E402

# Real (not green) threads and sleep: the watchdog must run even if the hub is what is stuck.
_real_threading = eventlet.patcher.original("threading")
_real_time = eventlet.patcher.original("time")

STOP_GRACE_SECONDS = 30.0


def _exit_unless_stopped(grace):
    _real_time.sleep(grace)
    os.write(2, f"kernel.runner: graceful stop unfinished after {grace:g}s, exiting\n".encode())
    os._exit(1)


def run_until_signalled(services, config, grace=None):
    """nameko's ``run``, with a shutdown that happens once and ends. The first SIGTERM or SIGINT
    stops the runner gracefully (workers finish, consumers cancel); later signals are ignored —
    nameko's stop is not idempotent: a second one (a process-group kill beside the parent-death
    signal test platforms use, a second Ctrl-C) raised in its timers and left the process running
    for good, still holding its database sessions and queues. A stop unfinished after
    ``STOP_GRACE_SECONDS`` ends the process anyway (exit 1), as Kubernetes would."""
    grace = float(config.get("STOP_GRACE_SECONDS") or STOP_GRACE_SECONDS) if grace is None else grace
    runner = ServiceRunner(config)
    for service_cls in services:
        runner.add_service(service_cls)
    stopping = []

    def shutdown(signum, frame):
        if stopping:
            return
        stopping.append(signum)
        # signal handlers run in the hub's main loop and cannot use eventlet primitives
        eventlet.spawn_n(runner.stop)
        _real_threading.Thread(target=_exit_unless_stopped, args=(grace,), daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    # As nameko's run: a signal arriving while the hub waits on a socket interrupts the main
    # greenlet (EINTR), so the wait runs in a greenlet of its own.
    waiting = eventlet.spawn(runner.wait)
    while True:
        try:
            waiting.wait()
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            raise
        return


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        sys.exit("usage: python -m kernel.runner <module> [<module> ...]")
    try:
        config = load_config()
    except ConfigError as exc:
        sys.exit(f"refusing to start: {exc}")
    configure_logging("+".join(argv), config.get("LOG_LEVEL", "INFO"))
    services = []
    for module_name in argv:
        services.extend(service_classes(importlib.import_module(module_name)))
    if not services:
        sys.exit(f"no nameko service class found in {argv}")
    run_until_signalled(services, config)


if __name__ == "__main__":
    main()
