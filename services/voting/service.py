"""The voting service. Meetings and electronic voting (电子表决) are specified in issue 4; for now it keeps the
deputy read model that meeting membership will be drawn from."""
from kernel import deputy_directory
from kernel.consumer import rpc
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService


class VotingService(deputy_directory.DeputyDirectoryKeeper, PlatformService):
    name = "voting"

    db = Database({"deputy_directory": deputy_directory.DeputyDirectoryRepository})
    relay = OutboxRelay()

    @rpc
    def attendance_summary(self, deputy_id):
        """Meeting attendance of one deputy, for the dashboard (no meetings are held until
        voting lands)."""
        return {"deputy_id": deputy_id, "meetings": 0, "attended": 0}
