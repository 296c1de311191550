"""The departments' AMQP subscriptions (contracts/departments_amqp.py), provisioned by the
service that owns the departments: every department in its table at bootstrap, and a new one
when staff add it, before its row commits."""
import psycopg
from kombu.exceptions import OperationalError as BrokerError

from contracts import departments_amqp
from kernel.config import service_dsn
from kernel.errors import ServiceUnavailable
from services.suggestion.repository import DepartmentRepository


def provision_departments(config):
    """Bootstrap hook (after migrations): queues and users of every department, and the
    webhook deliverer's queue."""
    with psycopg.connect(service_dsn(config, "suggestion")) as conn:
        codes = [d["code"] for d in DepartmentRepository(conn.cursor()).all()]
    return departments_amqp.provision(config, codes)


def provisioner(config):
    """``provision(code)`` for ``handlers.save_department``: an unreachable broker or user
    admin refuses the new department (503) instead of saving one nobody can subscribe to."""
    def provision(code):
        try:
            departments_amqp.provision(config, [code])
        except (BrokerError, OSError, departments_amqp.ProvisioningError) as exc:
            raise ServiceUnavailable("the department's queue could not be provisioned",
                                     {"reason": type(exc).__name__}) from exc
    return provision
