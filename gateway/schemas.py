"""Schemas of the gateway's own HTTP surface (the services' schemas describe the rest)."""
from marshmallow import Schema, fields, validate


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "VALIDATION_ERROR"})
    message = fields.String(required=True)
    details = fields.Dict(metadata={"description": "for validation errors: field -> messages"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


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


class DashboardSchema(Schema):
    deputy = fields.Dict(metadata={"description": "profile (deputy service)"})
    suggestions = fields.Dict(allow_none=True, metadata={"description": "suggestion service"})
    attendance = fields.Dict(allow_none=True, metadata={"description": "voting service"})
    unavailable = fields.List(fields.String(), metadata={"description": "parts whose service did not answer in time"})


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok", "description": "ok | degraded"})
    gateway = fields.Dict(metadata={"description": "the gateway's own readiness"})
    services = fields.Dict(metadata={"description": "each service's readiness, by name"})
    unavailable = fields.List(fields.String())


class DeputyAccountSchema(Schema):
    username = fields.String(metadata={"description": "the deputy code"})
    role = fields.String(metadata={"example": "deputy"})
    initial_password = fields.String(metadata={"description": "shown only in this answer; hand it to the deputy"})


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=10, max=128))


class PasswordChangedSchema(Schema):
    username = fields.String()
    changed = fields.Boolean()
