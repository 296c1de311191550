"""The base of every event payload schema: the top-level keys are exact (a field added to an
event without its contract, or one that must never travel, such as a voter's contact or a
leave reason, fails the check), nested structures are described as far as consumers rely on them."""
from marshmallow import RAISE, Schema, fields

ISO_DATE = fields.String   # ISO-8601 text on the wire, as in the envelope


class Payload(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def codes(**kwargs):
    """A list of codes (deputy, department or station)."""
    return fields.List(fields.String(), **kwargs)
