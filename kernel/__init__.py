"""Shared kernel of the 智慧人大 platform: config, database, outbox, reliable consumers,
event envelope, typed errors, metrics, health and logging.

psycopg's C wait function blocks the eventlet hub (see ARCHITECTURE.md, "Known pitfalls"):
select the pure-Python ``wait_select`` before anything imports psycopg, so that
eventlet's patched ``select`` makes database waits cooperative.
"""
import os
import warnings

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
# eventlet prints a deprecation notice at import in every process; the stack is fixed by the
# design (ARCHITECTURE.md) and the notice only buries the logs.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

# In a monkey-patched process (service runners, tests), wait on the socket with eventlet's
# own primitive: cheaper than the green select behind wait_select (kernel/pgwait.py).
try:
    from eventlet import patcher as _patcher

    if _patcher.is_monkey_patched("select"):
        from kernel import pgwait as _pgwait

        _pgwait.install()
except ImportError:  # eventlet is a dependency; this only guards odd tooling imports
    pass
