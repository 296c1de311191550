"""The budget service in-process (nameko container, real broker and database): an import
runs in its worker process while the service keeps answering other RPCs — calls made while
the import is 'running' come back — and progress (rows_done of rows_total) is visible before
the import's one transaction commits."""
import hashlib
import os
import uuid

import pytest

from services.budget import seed
from contracts.budget import import_directory
from services.budget.service import BudgetService
from tests.support.platform import eventually

STAFF = {"username": "staff", "role": "staff", "subject": None}
ROWS = 150_000
# Not the demo year: the rules run after the commit, and 150,000 payments would put a clean demo
# unit over its lines in the year the end-to-end tests check for planted problems only.
YEAR = 2099


@pytest.fixture(scope="module")
def demo_budget(prepared):
    seed.load_demo(prepared)
    return prepared


def test_other_rpcs_answer_while_an_import_runs(demo_budget, start_service, cluster):
    start_service(BudgetService)
    directory = import_directory(demo_budget)
    name = uuid.uuid4().hex + ".csv"
    path = os.path.join(directory, name)
    tag = uuid.uuid4().hex[:6].upper()
    with open(path, "w", encoding="utf-8") as f:
        f.write("voucher_no,pay_date,unit_code,func_code,econ_code,payee_name,payee_account,payee_type,amount\n")
        for i in range(ROWS):
            f.write(f"R{tag}{i:07d},{YEAR}-{1 + i % 11:02d}-15,105001,2050101,30201,某公司,6105,unit,{1 + i % 900}.25\n")
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    view = cluster.budget.start_import(actor=STAFF, payload={
        "kind": "payments", "year": YEAR, "filename": "big.csv", "content_hash": digest,
        "size_bytes": os.path.getsize(path), "file_ref": name})
    assert view["created"] is True and view["status"] == "queued"

    answered_while_running, progress_seen = 0, set()

    def finished():
        nonlocal answered_while_running
        state = cluster.budget.get_import(actor=STAFF, import_id=view["id"])
        if state["status"] == "running":
            assert len(cluster.budget.list_units()["items"]) == 81  # another RPC, mid-import
            answered_while_running += 1
            progress_seen.add((state["rows_done"], state["rows_total"]))
        return state if state["status"] in ("committed", "rejected") else None

    state = eventually(finished, 300, "the import to finish")
    assert state["status"] == "committed", state
    assert state["rows_applied"] == ROWS
    assert answered_while_running > 0
    assert any(total == ROWS for _, total in progress_seen)  # rows_total known while running
