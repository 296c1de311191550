"""Gateway routes: Suggestion handling (代表建议办理): filing, review, routing, department work, evaluation, statistics.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db."""
from gateway.api import api, json_body, query_args  # noqa: F401


class SuggestionRoutes:
    pass
