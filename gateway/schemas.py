"""Schemas of the gateway's own HTTP surface (the services' schemas describe the rest)."""
from marshmallow import Schema, ValidationError, fields, validate

from gateway.passwords import MAX_BYTES, utf8_length


def at_most_bcrypt_bytes(value):
    """bcrypt reads at most 72 bytes: a longer password can never be right (and is not a 500)."""
    size = utf8_length(value)
    if size is None:
        raise ValidationError("must be valid Unicode text")
    if size > MAX_BYTES:
        raise ValidationError(f"must be at most {MAX_BYTES} bytes long (UTF-8)")


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "VALIDATION_ERROR"})
    message = fields.String(required=True)
    details = fields.Dict(metadata={"description": "for validation errors: field -> messages"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=[validate.Length(min=1, max=72), at_most_bcrypt_bytes],
                             metadata={"description": "at most 72 bytes in UTF-8"})


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "bearer"})
    role = fields.String()
    subject = fields.String(allow_none=True)
    expires_in = fields.Integer()


class MeSchema(Schema):
    username = fields.String()
    role = fields.String()
    subject = fields.String(allow_none=True)
    csrf_token = fields.String(metadata={"description": "only when signed in by the session cookie: the value "
                                                        "writes must send as X-CSRF-Token"})
    must_change_password = fields.Boolean(metadata={"description": "true while the account still has the initial "
                                                                   "password staff issued: ask for a new one"})


class SessionSchema(Schema):
    username = fields.String()
    role = fields.String()
    subject = fields.String(allow_none=True)
    csrf_token = fields.String(metadata={"description": "send it as X-CSRF-Token with every write (POST, PUT, "
                                                        "PATCH, DELETE) made with the session cookie"})
    expires_in = fields.Integer(metadata={"description": "seconds the session cookie lasts"})
    must_change_password = fields.Boolean(metadata={"description": "true while the account still has the initial "
                                                                   "password staff issued: ask for a new one"})


class SignedOutSchema(Schema):
    signed_out = fields.Boolean(metadata={"description": "false when there was no session to end"})


class DashboardSchema(Schema):
    deputy = fields.Dict(metadata={"description": "profile (deputy service)"})
    suggestions = fields.Dict(allow_none=True, metadata={"description": "suggestion service"})
    attendance = fields.Dict(allow_none=True, metadata={"description": "voting service"})
    duty = fields.Dict(allow_none=True, metadata={"description": "duty record of this year (deputy service): score "
                                                                "and band for the deputy and staff, entries per part"})
    unavailable = fields.List(fields.String(), metadata={"description": "parts whose service did not answer in time"})


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok", "description": "ok | degraded"})
    gateway = fields.Dict(metadata={"description": "the gateway's own readiness"})
    services = fields.Dict(metadata={"description": "each service's readiness, by name"})
    unavailable = fields.List(fields.String())


class InitialAccountSchema(Schema):
    username = fields.String(metadata={"description": "the deputy code, or dept-<code> for a department"})
    role = fields.String(metadata={"example": "deputy"})
    initial_password = fields.String(metadata={"description": "shown only in this answer; hand it over in person; "
                                                              "it must be changed at the first sign-in"})


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=[validate.Length(min=1, max=72), at_most_bcrypt_bytes])
    # The rules (gateway/passwords.py) are checked by the route, in bytes, with their own messages.
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1000), metadata={
        "description": "10 to 72 bytes in UTF-8; not the username, not one repeated character, not a common password"})


class PasswordChangedSchema(Schema):
    username = fields.String()
    changed = fields.Boolean()
