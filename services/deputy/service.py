"""The deputy service: roster of deputies and liaison stations. Entrypoints are thin."""

from kernel.consumer import rpc
from kernel.db import Database
from kernel.department_directory import DepartmentDirectoryKeeper
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from kernel.errors import load_payload as load
from services.deputy import handlers
from services.deputy.duty_service import DutyKeeper
from services.deputy.notification_service import NotificationKeeper
from services.deputy.portal_service import PortalKeeper
from services.deputy.voters_service import VoterKeeper
from services.deputy.repository import REPOSITORIES
from contracts.deputy import (DeputyCreateSchema, DeputyListQuerySchema,
                              DeputyUpdateSchema, StationSchema)



class DeputyService(DutyKeeper, VoterKeeper, NotificationKeeper, PortalKeeper, DepartmentDirectoryKeeper,
                    PlatformService):
    name = "deputy"
    db_extensions = ("pg_trgm",)  # trigram index for searching names (created by bootstrap)

    db = Database(REPOSITORIES)
    relay = OutboxRelay()

    @rpc
    def list_deputies(self, query=None, include_contact=False):
        deputies, total = handlers.list_deputies(load(DeputyListQuerySchema(), query), self.db(readonly=True))
        return {"items": [d.as_dict(include_contact) for d in deputies], "total": total}

    @rpc
    def get_deputy(self, deputy_id, include_contact=False):
        return handlers.get_deputy(deputy_id, self.db(readonly=True)).as_dict(include_contact)

    @rpc
    def register_deputy(self, payload, idempotency_key=None):
        deputy = handlers.register_deputy(load(DeputyCreateSchema(), payload), self.db(), idempotency_key)
        return deputy.as_dict(include_contact=True)

    @rpc
    def update_deputy(self, deputy_id, payload):
        changes = load(DeputyUpdateSchema(), payload)
        expected_version = changes.pop("version", None)
        deputy = handlers.update_deputy(deputy_id, changes, self.db(), expected_version)
        return deputy.as_dict(include_contact=True)

    @rpc
    def list_stations(self):
        return StationSchema(many=True).dump(handlers.station_hierarchy(self.db(readonly=True)))
