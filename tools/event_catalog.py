"""The event catalogue (docs/events.md) from contracts/events/: each producer's exchange, its
event types and their payload fields, for departments' and other subscribers' developers.
tests/unit/test_event_contracts.py keeps the committed file equal to what this prints.

    python -m tools.event_catalog docs/events.md
"""
import pathlib
import sys

from marshmallow import fields

from contracts import events

HEADER = """# Domain events

Generated from `contracts/events/` by `python -m tools.event_catalog docs/events.md`; do not edit.

Every event travels in the envelope of `kernel/envelope.py` (`event_id`, `type`, `occurred_at`,
`schema_version`, `producer`, `correlation_id`, `aggregate_id`, `data`), on the topic exchange
`<producer>.events` with routing key = type, published from the producer's outbox (at least once:
consumers deduplicate on `event_id`). The tables below are `data`. A field marked *nullable* may be
`null`; *optional* may be absent. Departments receive the suggestion events that concern them on
`suggestion.departments` (routing key `<department>.<type>`, queue `department.<code>`) or as
signed webhooks, with the same `data`.
"""

_TYPE_NAMES = {fields.String: "string", fields.Integer: "integer", fields.Float: "number", fields.Boolean: "boolean",
               fields.Dict: "object", fields.Raw: "any"}


def _type_name(field):
    if isinstance(field, fields.List):
        return f"list of {_type_name(field.inner)}"
    if isinstance(field, fields.Nested):
        return f"`{type(field.schema).__name__}`"
    for cls, name in _TYPE_NAMES.items():
        if type(field) is cls:
            return name
    return type(field).__name__


def _nested_schemas(schema, found):
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and type(inner.schema).__name__ not in found:
            found[type(inner.schema).__name__] = inner.schema
            _nested_schemas(inner.schema, found)
    return found


def _table(schema):
    rows = ["| field | type | | meaning |", "|---|---|---|---|"]
    for name, field in schema.fields.items():
        marks = ", ".join(m for m, on in (("optional", not field.required), ("nullable", field.allow_none)) if on)
        rows.append(f"| `{name}` | {_type_name(field)} | {marks} | {field.metadata.get('description', '')} |")
    return rows


def catalog():
    lines = [HEADER]
    for producer, module in events.PRODUCERS.items():
        lines += [f"## {producer} — exchange `{producer}.events`", "", (module.__doc__ or "").strip(), ""]
        nested = {}
        for event_type, schema_class in module.PAYLOADS.items():
            schema = schema_class()
            lines += [f"### `{event_type}`", ""]
            if schema_class.__doc__ and schema_class.__doc__ is not events.payload.Payload.__doc__:
                lines += [schema_class.__doc__.strip(), ""]
            lines += _table(schema) + [""]
            _nested_schemas(schema, nested)
        for name, schema in nested.items():
            lines += [f"### `{name}` (inside {producer} events)", ""] + _table(schema) + [""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    target = pathlib.Path((argv or sys.argv[1:] or ["docs/events.md"])[0])
    target.write_text(catalog(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
