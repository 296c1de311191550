"""Gateway routes: Live meeting data: Server-Sent Events and the meeting display pages.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db."""
from gateway.api import api, json_body, query_args  # noqa: F401


class LiveRoutes:
    pass
