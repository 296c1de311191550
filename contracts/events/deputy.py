"""Events the deputy service publishes on ``deputy.events`` (routing key = type).

Contact data (phone, email), a voter's opinion text and contact never travel in events: the
payloads below have no field for them, so emitting one fails the contract check."""
from marshmallow import fields

from contracts.events.payload import ISO_DATE, Payload, codes

DEPUTY_REGISTERED = "deputy_registered"
DEPUTY_UPDATED = "deputy_updated"
# Duty records (issue 13)
ACTIVITY_RECORDED = "activity_recorded"
DUTY_SCHEME_CHANGED = "duty_scheme_changed"
# Stations and voters (issue 13)
RECEPTION_SCHEDULED = "reception_scheduled"
RECEPTION_HELD = "reception_held"
OPINION_RECEIVED = "opinion_received"
OPINION_CONVERTED = "opinion_converted"
# An officer's step on a voter's opinion: opinion_<status>
OPINION_STEP_STATUSES = ("classified", "answered", "forwarded", "declined", "closed")


def opinion_step(status):
    """The event type of an officer's step that left an opinion in ``status``."""
    if status not in OPINION_STEP_STATUSES:
        raise ValueError(f"no event for an opinion step to {status!r}")
    return f"opinion_{status}"


class DeputyRegistered(Payload):
    """The deputy's public fields and version."""
    code = fields.String(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    ethnicity = fields.String(required=True)
    birth_year = fields.Integer(required=True)
    level = fields.String(required=True)
    town = fields.String(required=True)
    station_code = fields.String(required=True)
    term = fields.Integer(required=True)
    occupation = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)


class DeputyUpdated(DeputyRegistered):
    changed = fields.List(fields.String(), required=True, metadata={"description": "names of the changed fields"})


class ActivityRecorded(Payload):
    id = fields.Raw(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    held_on = ISO_DATE(required=True)
    participants = codes(required=True)
    published = fields.Boolean(required=True)


class DutySchemeChanged(Payload):
    year = fields.Integer(required=True)
    version = fields.Integer(required=True)
    scheme = fields.Dict(required=True, metadata={"description": "points per rule and the year's settings"})


class ReceptionScheduled(Payload):
    id = fields.Raw(required=True)
    station_code = fields.String(required=True)
    station_name = fields.String(required=True)
    date = ISO_DATE(required=True)
    starts_at = fields.String(required=True, metadata={"description": "HH:MM, Beijing time"})
    ends_at = fields.String(required=True)
    deputies = codes(required=True)


class ReceptionHeld(Payload):
    id = fields.Raw(required=True)
    station_code = fields.String(required=True)
    station_name = fields.String(required=True)
    held_on = ISO_DATE(required=True)
    deputies = codes(required=True, metadata={"description": "the deputies who sat"})


class OpinionPayload(Payload):
    tracking_code = fields.String(required=True)
    station_code = fields.String(required=True)


class OpinionReceived(OpinionPayload):
    """Never the opinion's content or the voter's name or contact."""
    category = fields.String(required=True, allow_none=True)


class OpinionStep(OpinionPayload):
    status = fields.String(required=True)


class OpinionConverted(OpinionPayload):
    suggestion_id = fields.String(required=True)
    number = fields.String(required=True, allow_none=True)
    deputy = fields.String(required=True)


PAYLOADS = {
    DEPUTY_REGISTERED: DeputyRegistered, DEPUTY_UPDATED: DeputyUpdated,
    ACTIVITY_RECORDED: ActivityRecorded, DUTY_SCHEME_CHANGED: DutySchemeChanged,
    RECEPTION_SCHEDULED: ReceptionScheduled, RECEPTION_HELD: ReceptionHeld,
    OPINION_RECEIVED: OpinionReceived, OPINION_CONVERTED: OpinionConverted,
    **{opinion_step(status): OpinionStep for status in OPINION_STEP_STATUSES},
}
