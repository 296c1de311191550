"""Typed domain errors that cross the nameko RPC wire as the same class.

nameko serialises a remote exception as (exc_path, exc_args); classes registered with
``deserialize_to_instance`` are rebuilt on the caller's side from their args, so every
error here takes exactly ``(message, details)`` positional args of JSON primitives.
The gateway maps each class through ONE table (gateway/errors.py) to status + code.
"""
import json

from marshmallow import ValidationError
from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message="", details=None):
        # nameko's serialize() stringifies every non-string inside exception args
        # (safe_for_serialization: 2 -> "2", None -> "None"), so ``details`` travels as one
        # JSON string; the caller's side decodes it here again when it rebuilds the error.
        if isinstance(details, str):
            details = json.loads(details)
        details = details or {}
        super().__init__(message, json.dumps(details, ensure_ascii=False, default=str))
        self._details = details

    @property
    def message(self):
        return self.args[0]

    @property
    def details(self):
        return self._details


@deserialize_to_instance
class ValidationFailed(DomainError):
    """Input rejected; ``details`` maps each bad field to its messages."""
    code = "VALIDATION_ERROR"


@deserialize_to_instance
class NotFound(DomainError):
    code = "NOT_FOUND"


@deserialize_to_instance
class Conflict(DomainError):
    code = "CONFLICT"


@deserialize_to_instance
class Forbidden(DomainError):
    code = "FORBIDDEN"


@deserialize_to_instance
class Unprocessable(DomainError):
    """Well-formed input that breaks a rule (e.g. an unknown co-signer)."""
    code = "UNPROCESSABLE"


@deserialize_to_instance
class ServiceUnavailable(DomainError):
    """A dependency of the service (its database, the broker) is down."""
    code = "SERVICE_UNAVAILABLE"


class DeadlineExceeded(DomainError):
    """Raised on the caller's side only: the callee did not answer in time."""
    code = "DEADLINE_EXCEEDED"


def validation_error(marshmallow_error):
    """Turn a marshmallow ValidationError into ours, keeping per-field messages."""
    return ValidationFailed("invalid input", marshmallow_error.normalized_messages())


def load_payload(schema, payload, **kwargs):
    """``schema.load(payload)`` for an entrypoint: a 400 naming each bad field instead of
    marshmallow's own exception."""
    try:
        return schema.load(payload or {}, **kwargs)
    except ValidationError as exc:
        raise validation_error(exc)
