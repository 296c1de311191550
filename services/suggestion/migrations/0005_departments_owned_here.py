"""Departments are owned by this service at run time (issue 14 §4): staff add and change them
through the API, each change bumps ``version`` and emits ``department_saved``. This migration
emits that event once for every department that exists already, so the services that keep
their own copy (the deputy service's notices) learn the list from events, not from code."""
import json

from yoyo import step

__depends__ = {"0004_closed_quarters"}


def apply(conn):
    from contracts.events import suggestion as events
    from kernel.envelope import new_envelope

    cursor = conn.cursor()
    cursor.execute("ALTER TABLE departments ADD COLUMN version integer NOT NULL DEFAULT 1")
    cursor.execute("SELECT code, name, short_name, active, version FROM departments ORDER BY code")
    for code, name, short_name, active, version in cursor.fetchall():
        data = {"code": code, "name": name, "short_name": short_name, "active": active, "version": version}
        envelope = new_envelope(events.DEPARTMENT_SAVED, data, "suggestion", aggregate_id=code)
        cursor.execute(
            "INSERT INTO outbox (event_id, aggregate_id, event_type, exchange, routing_key, payload) "
            "VALUES (%s, %s, %s, 'suggestion.events', %s, %s::jsonb)",
            (envelope["event_id"], code, events.DEPARTMENT_SAVED, events.DEPARTMENT_SAVED, json.dumps(envelope)))


def rollback(conn):
    cursor = conn.cursor()
    cursor.execute("DELETE FROM outbox WHERE event_type = 'department_saved' AND published_at IS NULL")
    cursor.execute("ALTER TABLE departments DROP COLUMN version")


steps = [step(apply, rollback)]
