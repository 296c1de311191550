"""Gateway routes: suggestion-handling statistics (办复率, 办结率, 满意率, ...), JSON and CSV.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config."""
from gateway.api import api, query_args  # noqa: F401


class SuggestionStatisticsRoutes:
    pass
