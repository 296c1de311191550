"""Gateway routes: Department subscriptions: webhooks and their delivery log.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db.
A department manages only its own webhooks (another department's: 403), staff any; the
webhooks service enforces it from the actor. Departments that prefer AMQP read their own
queue ``department.<code>`` with ``python -m services.suggestion.subscriber``."""
from gateway.api import api, json_body, query_args  # noqa: F401
from contracts.webhooks import (DeliveryPageSchema, DeliveryQuerySchema, ReplayedSchema,
                                WebhookCreateSchema, WebhookCreatedSchema, WebhookDeletedSchema,
                                WebhookListSchema)

DEPARTMENT_OR_STAFF = ("department", "staff")
TAG = "department subscriptions"



class DepartmentSubscriptionRoutes:
    @api("POST", "/api/v1/departments/<code>/webhooks", roles=DEPARTMENT_OR_STAFF, tag=TAG, status=201,
         summary="Register a webhook: signed POSTs (X-Renda-Signature: sha256=HMAC of the body) of the "
                 "department's suggestion events; the signing secret is in this answer only",
         body=WebhookCreateSchema, response=WebhookCreatedSchema)
    def create_webhook(self, request, principal, code):
        return self.rpc.call("webhooks", "register_webhook", department=code, payload=json_body(request),
                             actor=principal.as_actor())

    @api("GET", "/api/v1/departments/<code>/webhooks", roles=DEPARTMENT_OR_STAFF, tag=TAG,
         summary="The department's webhooks (without secrets)", response=WebhookListSchema)
    def list_webhooks(self, request, principal, code):
        return self.rpc.call("webhooks", "list_webhooks", department=code, actor=principal.as_actor())

    @api("DELETE", "/api/v1/departments/<code>/webhooks/<webhook_id>", roles=DEPARTMENT_OR_STAFF, tag=TAG,
         response=WebhookDeletedSchema,
         summary="Remove a webhook (its pending deliveries are cancelled; the log stays)")
    def delete_webhook(self, request, principal, code, webhook_id):
        return self.rpc.call("webhooks", "delete_webhook", department=code, webhook_id=webhook_id,
                             actor=principal.as_actor())

    @api("GET", "/api/v1/departments/<code>/webhooks/deliveries", roles=DEPARTMENT_OR_STAFF, tag=TAG,
         summary="Delivery log: each delivery's status (pending|delivered|dead|cancelled) and attempts "
                 "(time, duration, HTTP status, error)", query=DeliveryQuerySchema, response=DeliveryPageSchema)
    def list_webhook_deliveries(self, request, principal, code):
        return self.rpc.call("webhooks", "list_deliveries", department=code, query=query_args(request),
                             actor=principal.as_actor())

    @api("POST", "/api/v1/departments/<code>/webhooks/deliveries/<delivery_id>/replay", roles=DEPARTMENT_OR_STAFF,
         tag=TAG, response=ReplayedSchema, summary="Send a dead delivery once more (after fixing the endpoint); 409 unless it is dead")
    def replay_webhook_delivery(self, request, principal, code, delivery_id):
        return self.rpc.call("webhooks", "replay_delivery", department=code, delivery_id=delivery_id,
                             actor=principal.as_actor())
