"""Schema helpers shared by the services' RPC surfaces."""
from marshmallow import Schema, fields, validate

# PostgreSQL's integer: a larger number in a query or body would be the database's "out of
# range" error (a 500) instead of a 400 naming the field.
INT_MAX = 2**31 - 1


def offset_field():
    """The ``offset`` of a paged list query."""
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT_MAX))


def page_of(item_schema, name):
    """The list answer of the HTTP contract, ``{"items": [...], "total": N}``, as a schema
    class called ``name`` (the OpenAPI component is named after it)."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item_schema)), "total": fields.Integer()},
                            name=name)
