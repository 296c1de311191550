"""Demo roster: 693 deputies and 51 stations, loaded through the service's own use case
so that every deputy is announced by a ``deputy_registered`` event; then the demo duty data
(reception days, activities, voters' opinions: services/deputy/duty_demo.py)."""
from datetime import datetime, timezone

from contracts import reference
from kernel.db import PostgresUnitOfWork, make_pool
from kernel.department_directory import seed_starting_list
from kernel.config import service_dsn
from demo import county as demo
from services.deputy import duty_demo, handlers, voters
from services.deputy.repository import REPOSITORIES


def load_demo(config):
    pool = make_pool(service_dsn(config, "deputy"), 2, "deputy-seed")
    pool.open(wait=True, timeout=10)
    try:
        uow = PostgresUnitOfWork(pool, "deputy", REPOSITORIES, correlation_id="demo-seed")
        added = handlers.load_roster(demo.generate_stations(), demo.generate_deputies(), uow)
        seed_starting_list(reference.DEPARTMENTS, uow)    # the demo forwards voters' opinions to departments
        duty = duty_demo.load(uow, voters.today_in_beijing(datetime.now(timezone.utc)))
    finally:
        pool.close()
    return f"{added} deputies added; duty demo: " + ", ".join(f"{n} {kind}" for kind, n in duty.items())
