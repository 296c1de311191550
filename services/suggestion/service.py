"""The suggestion service. Suggestion handling (代表建议办理) is specified in issue 3; for now it keeps the deputy
read model it will check lead deputies and co-signers against."""
from kernel import deputy_directory
from kernel.consumer import rpc
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from services.suggestion.stats import SuggestionStatistics


class SuggestionService(SuggestionStatistics, deputy_directory.DeputyDirectoryKeeper, PlatformService):
    name = "suggestion"

    db = Database({"deputy_directory": deputy_directory.DeputyDirectoryRepository})
    relay = OutboxRelay()

    @rpc
    def deputy_summary(self, deputy_id):
        """Suggestions of one deputy, for the dashboard (no suggestions are filed until
        suggestion handling lands)."""
        return {"deputy_id": deputy_id, "filed": 0, "items": []}
