"""The news service. The portal (门户网站) and information scoring come in a later issue;
until then the process answers ping, health and metrics."""
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService


class NewsService(PlatformService):
    name = "news"

    db = Database()
    relay = OutboxRelay()
