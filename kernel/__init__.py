"""Shared kernel of the 智慧人大 platform: config, database, outbox, reliable consumers,
event envelope, typed errors, metrics, health and logging.

psycopg's C wait function blocks the eventlet hub (see ARCHITECTURE.md, "Known pitfalls"):
select the pure-Python ``wait_select`` before anything imports psycopg, so that
eventlet's patched ``select`` makes database waits cooperative.
"""
import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
