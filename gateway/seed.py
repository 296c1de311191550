"""Demo accounts (development only; password ``demo``): admin, staff, one per deputy
(username = deputy code), one per department (``dept-<code>``), one per budget unit (``unit-<code>``)."""
from kernel.config import is_production, service_dsn
from kernel.db import PostgresUnitOfWork, make_pool
from gateway.accounts import REPOSITORIES
from gateway.auth import hash_password
from contracts import reference
from demo import budget as budget_demo
from demo import county as demo

DEMO_PASSWORD = "demo"


def demo_accounts(password_hash):
    accounts = [
        {"username": "admin", "role": "admin", "subject": None, "display_name": "系统管理员"},
        {"username": "staff", "role": "staff", "subject": None, "display_name": "常委会办公室"},
    ]
    accounts += [{"username": d["code"], "role": "deputy", "subject": d["code"], "display_name": d["name"]}
                 for d in demo.generate_deputies()]
    accounts += [{"username": f"dept-{d['code']}", "role": "department", "subject": d["code"],
                  "display_name": d["name"]} for d in reference.DEPARTMENTS]
    # the portal (issue 12): an editor, and each town's information reporter
    accounts += [{"username": "editor", "role": "editor", "subject": None, "display_name": "网站编辑"}]
    accounts += [{"username": f"town-{code}", "role": "town", "subject": code, "display_name": f"{name}信息员"}
                 for code, name in ((reference.TOWN_CODES[n], n) for n in reference.TOWNS_WITH_CENTRE)]
    accounts += [{"username": f"unit-{u['code']}", "role": "unit", "subject": u["code"], "display_name": u["name"]}
                 for u in budget_demo.generate_units()]  # budget units (预算单位), issue 11
    for account in accounts:
        account.update(password_hash=password_hash, active=True)
    return accounts


def load_demo(config):
    if is_production(config):
        return "skipped in production"
    # One salted hash of the shared demo password serves every demo account.
    accounts = demo_accounts(hash_password(DEMO_PASSWORD))
    pool = make_pool(service_dsn(config, "gateway"), 1, "gateway-seed")
    pool.open(wait=True, timeout=10)
    try:
        with PostgresUnitOfWork(pool, "gateway", REPOSITORIES) as uow:
            uow.accounts.add_many(accounts)
            uow.commit()
    finally:
        pool.close()
    return f"{len(accounts)} accounts present"
