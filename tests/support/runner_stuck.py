"""A service whose dependency never finishes stopping, for tests/integration/test_runner_shutdown.py."""
import eventlet
from nameko.extensions import DependencyProvider

from tests.support.runner_ticking import TickingService


class NeverStops(DependencyProvider):
    def stop(self):
        eventlet.sleep(3600)


class StuckService(TickingService):
    name = "stuck"
    never = NeverStops()
