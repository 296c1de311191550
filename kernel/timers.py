"""Timer entrypoints whose interval comes from the configuration."""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """nameko's @timer with its interval read from the config at setup."""

    def __init__(self, config_key, default, **kwargs):
        self.config_key = config_key
        super().__init__(interval=default, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key, self.interval))
        super().setup()
