"""Background loops of dependency providers (outbox relay, e-mail sender): they must outlive
outages of the broker or the database."""
import logging

import eventlet

log = logging.getLogger(__name__)


def keep_running(is_running, serve, what, initial=0.5, cap=5.0, on_error=None):
    """Call ``serve()`` again while ``is_running()``; after a failure wait ``initial``, then
    twice as long each time (at most ``cap``) — back to ``initial`` once ``serve`` returns."""
    backoff = initial
    while is_running():
        try:
            serve()
            backoff = initial
        except Exception as exc:  # noqa: BLE001 — any outage: log, wait, try again
            if on_error is not None:
                on_error(exc)
            log.warning("%s error, retrying in %.1fs: %s", what, backoff, exc)
            eventlet.sleep(backoff)
            backoff = min(backoff * 2, cap)
