"""The suggestion service. Suggestion handling (代表建议办理) is specified in issue 3; for now it keeps the deputy
read model it will check lead deputies and co-signers against."""

from kernel import deputy_directory
from kernel.consumer import rpc, subscribe
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService


class SuggestionService(PlatformService):
    name = "suggestion"

    db = Database({"deputy_directory": deputy_directory.DeputyDirectoryRepository})
    relay = OutboxRelay()

    @subscribe("deputy", "deputy_registered")
    def on_deputy_deputy_registered(self, envelope):
        deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", self.db())

    @subscribe("deputy", "deputy_updated")
    def on_deputy_deputy_updated(self, envelope):
        deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", self.db())

    @rpc
    def directory_entry(self, deputy_id):
        """The read model's view of one deputy (None if not yet known)."""
        return deputy_directory.lookup(deputy_id, self.db())

    @rpc
    def directory_size(self):
        return deputy_directory.size(self.db())

    @rpc
    def deputy_summary(self, deputy_id):
        """Suggestions of one deputy, for the dashboard (no suggestions are filed until
        suggestion handling lands)."""
        return {"deputy_id": deputy_id, "filed": 0, "items": []}
