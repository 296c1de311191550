"""psycopg waits that yield to the eventlet hub cheaply.

psycopg's C wait function blocks the hub (ARCHITECTURE.md, "Known pitfalls"); its
``wait_select`` under eventlet's patched ``select`` cooperates, but each call builds a
green select (listeners, a timer, a greenlet switch per fd set) and it showed as ~40% of
the deputy service's CPU under write load. ``wait_trampoline`` waits on the socket with
eventlet's own primitive instead.
"""
from time import monotonic

from eventlet.green import select as green_select
from eventlet.hubs import trampoline

from psycopg import errors
from psycopg import waiting
from psycopg.waiting import READY_NONE, READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W

_READY_FOR = {WAIT_R: READY_R, WAIT_W: READY_W}

class _IntervalElapsed(Exception):
    pass

def wait_trampoline(gen, fileno, interval=0.0, timeout=None):
    """Same contract as ``psycopg.waiting.wait``: drive ``gen`` until it returns."""
    deadline = monotonic() + timeout if timeout is not None else None
    try:
        state = next(gen)
        while True:
            wait_for = interval or None
            if deadline is not None:
                wait_for = max(0.0, min(wait_for or deadline, deadline - monotonic()))
            try:
                if state == WAIT_RW:
                    # eventlet cannot trampoline on both directions at once (psycopg asks
                    # for this in pipeline mode, e.g. executemany): a green select says which.
                    readable, writable, _ = green_select.select([fileno], [fileno], [], wait_for)
                    ready = (READY_R if readable else READY_NONE) | (READY_W if writable else READY_NONE)
                else:
                    trampoline(fileno, read=state == WAIT_R, write=state == WAIT_W,
                               timeout=wait_for, timeout_exc=_IntervalElapsed)
                    ready = _READY_FOR[state]  # psycopg re-yields if it was not really ready
            except _IntervalElapsed:
                ready = READY_NONE
            except OSError as exc:
                raise errors.OperationalError("connection socket closed") from exc
            state = gen.send(ready)
            if deadline is not None and monotonic() >= deadline:
                raise errors._WaitTimeout("wait timeout expired")
    except StopIteration as done:
        return done.value

def install():
    """Use ``wait_trampoline`` for every psycopg wait once eventlet has patched this process."""
    waiting.wait = wait_trampoline

