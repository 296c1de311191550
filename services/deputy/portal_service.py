"""What the public portal reads of deputies and stations: ``PortalKeeper`` (a mixin of
DeputyService) answers one RPC per portal page. Entrypoints are thin."""
from kernel.consumer import rpc
from kernel.errors import load_payload as load
from services.deputy import duty_handlers, portal_handlers as handlers
from contracts.deputy_duty import YearQuerySchema
from contracts.deputy import DeputyListQuerySchema


class PortalKeeper:
    @rpc
    def portal_stations(self):
        return handlers.stations_page(self.db(readonly=True))

    @rpc
    def portal_station(self, code):
        return handlers.station_page(code, self.db(readonly=True))

    @rpc
    def portal_deputies(self, query=None):
        return handlers.deputies_page(load(DeputyListQuerySchema(), query), self.db(readonly=True))

    @rpc
    def portal_deputy(self, deputy_id, query=None):
        year = load(YearQuerySchema(), query).get("year") or duty_handlers.this_year()
        return handlers.deputy_page(deputy_id, year, self.db(readonly=True))

    @rpc
    def portal_sitemap_entries(self):
        return handlers.sitemap_entries(self.db(readonly=True))
