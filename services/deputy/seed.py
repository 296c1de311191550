"""Demo roster: 693 deputies and 51 stations, loaded through the service's own use case
so that every deputy is announced by a ``deputy_registered`` event."""
from kernel.db import PostgresUnitOfWork, make_pool
from kernel.config import service_dsn
from services.deputy import demo, handlers
from services.deputy.repository import REPOSITORIES


def load_demo(config):
    pool = make_pool(service_dsn(config, "deputy"), 2, "deputy-seed")
    pool.open(wait=True, timeout=10)
    try:
        uow = PostgresUnitOfWork(pool, "deputy", REPOSITORIES, correlation_id="demo-seed")
        added = handlers.load_roster(demo.generate_stations(), demo.generate_deputies(), uow)
    finally:
        pool.close()
    return f"{added} deputies added"
