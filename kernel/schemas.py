"""Schema helpers shared by the services' RPC surfaces."""
from marshmallow import Schema, fields


def page_of(item_schema, name):
    """The list answer of the HTTP contract, ``{"items": [...], "total": N}``, as a schema
    class called ``name`` (the OpenAPI component is named after it)."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item_schema)), "total": fields.Integer()},
                            name=name)
