"""A service with a timer, for tests/integration/test_runner_shutdown.py (nameko's Timer.stop is
what a second stop broke). Its first tick writes the file RUNNER_TEST_READY names."""
import os

from nameko.timer import timer


class TickingService:
    name = "ticking"

    @timer(interval=0.05)
    def tick(self):
        ready = os.environ.get("RUNNER_TEST_READY")
        if ready and not os.path.exists(ready):
            open(ready, "w").close()
