"""The budget service. Online budget supervision (预算联网监督) comes in a later issue;
until then the process answers ping, health and metrics."""
from kernel.db import Database
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService


class BudgetService(PlatformService):
    name = "budget"

    db = Database()
    relay = OutboxRelay()
