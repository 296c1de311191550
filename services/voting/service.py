"""The voting service. Meetings and electronic voting (电子表决) are specified in issue 4; for now it keeps the
deputy read model that meeting membership will be drawn from."""

from kernel import deputy_directory
from kernel.consumer import rpc, subscribe
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService


class VotingService(PlatformService):
    name = "voting"

    db = Database({"deputy_directory": deputy_directory.DeputyDirectoryRepository})
    relay = OutboxRelay()

    @subscribe("deputy", "deputy_registered")
    def on_deputy_deputy_registered(self, envelope):
        deputy_directory.apply_deputy_event(envelope, "voting.deputy_directory", self.db())

    @subscribe("deputy", "deputy_updated")
    def on_deputy_deputy_updated(self, envelope):
        deputy_directory.apply_deputy_event(envelope, "voting.deputy_directory", self.db())

    @rpc
    def directory_entry(self, deputy_id):
        """The read model's view of one deputy (None if not yet known)."""
        return deputy_directory.lookup(deputy_id, self.db())

    @rpc
    def directory_size(self):
        return deputy_directory.size(self.db())

    @rpc
    def attendance_summary(self, deputy_id):
        """Meeting attendance of one deputy, for the dashboard (no meetings are held until
        voting lands)."""
        return {"deputy_id": deputy_id, "meetings": 0, "attended": 0}
