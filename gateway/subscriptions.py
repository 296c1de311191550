"""Gateway routes: Department subscriptions: webhooks and their delivery log.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db."""
from gateway.api import api, json_body, query_args  # noqa: F401


class DepartmentSubscriptionRoutes:
    pass
