"""Gateway route: a department's AMQP subscription, for staff to hand over.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config.
Departments that prefer AMQP to webhooks read their own durable queue ``department.<code>``
as the RabbitMQ user ``dept-<code>`` (read-only, its own queues only; see
contracts/departments_amqp.py). The password is derived from
``DEPARTMENT_AMQP_SECRET``, so the gateway computes the URI and stores nothing. The URI
names the broker as departments reach it: ``DEPARTMENT_AMQP_PUBLIC_URI`` (host, port, vhost;
its credentials are ignored), else the platform's own ``AMQP_URI``. Staff only: it carries a
password."""
import shlex

from marshmallow import Schema, fields

from gateway.api import api  # noqa: F401
from kernel.errors import NotFound, ServiceUnavailable
from contracts.departments_amqp import (ProvisioningError, department_amqp_uri, department_queue,
                                        department_user, dead_letter_queue)

TAG = "department subscriptions"


class DepartmentAmqpSchema(Schema):
    department = fields.String()
    user = fields.String(metadata={"description": "RabbitMQ user: reads its own queues only"})
    queue = fields.String(metadata={"example": "department.edu"})
    dead_letter_queue = fields.String(metadata={"description": "messages the subscriber kept failing on"})
    amqp_uri = fields.String(metadata={"description": "amqp://user:password@host:port/vhost (the password: hand "
                                                      "it over privately)"})
    command = fields.String(metadata={"description": "a sample subscriber: prints each event as a JSON line"})
    forward_command = fields.String(metadata={"description": "the same, POSTing each event to the department's "
                                                             "own system"})


def subscription_of(config, code):
    uri = department_amqp_uri(config, code, config.get("DEPARTMENT_AMQP_PUBLIC_URI") or None)
    queue = department_queue(code)
    base = f"DEPARTMENT_AMQP_URI={shlex.quote(uri)} python -m services.suggestion.subscriber --department {code}"
    return {"department": code, "user": department_user(config, code), "queue": queue,
            "dead_letter_queue": dead_letter_queue(queue), "amqp_uri": uri, "command": base,
            "forward_command": f"{base} --forward https://<本单位系统地址>/renda-events"}


class DepartmentAmqpRoutes:
    @api("GET", "/api/v1/departments/<code>/amqp", roles=("staff",), tag=TAG, response=DepartmentAmqpSchema,
         summary="A department's AMQP subscription to hand over (staff only: the URI carries its password): "
                 "user, queue, URI and a sample subscriber command")
    def department_amqp(self, request, principal, code):
        known = {d["code"] for d in self.rpc.call("suggestion", "list_departments")["items"]}
        if code not in known:
            raise NotFound(f"department {code} not found", {"code": code})
        try:
            return subscription_of(self.config, code)
        except ProvisioningError as error:   # no DEPARTMENT_AMQP_SECRET configured (or a refused one)
            raise ServiceUnavailable("department AMQP subscriptions are not configured", {"reason": str(error)})
