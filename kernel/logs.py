"""JSON logs carrying the correlation id of the request or event being handled.

The id lives in a contextvar; greenlets each get their own context, so concurrent
workers never see each other's id.
"""
import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

correlation_id_var = contextvars.ContextVar("correlation_id", default=None)


def current_correlation_id():
    return correlation_id_var.get()


class CorrelationFilter(logging.Filter):
    def __init__(self, process_name=None):
        super().__init__()
        self.process_name = process_name

    def filter(self, record):
        if getattr(record, "correlation_id", None) is None:  # an explicit extra= wins
            record.correlation_id = correlation_id_var.get()
        record.process_name = self.process_name
        return True


def configure_logging(process_name, level="INFO"):
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s %(process_name)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(CorrelationFilter(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kombu/amqp are chatty at INFO about reconnects that we already report ourselves.
    logging.getLogger("amqp").setLevel(logging.WARNING)
    # eventlet's per-request access line carries no correlation id; the gateway writes its
    # own (gateway.access), and the services' lines would only be health checks and scrapes.
    logging.getLogger("nameko.web.server").setLevel(logging.WARNING)
