"""The idempotency and version-guard rules that unit tests check with the in-memory unit of
work (kernel/testing.py), here on real PostgreSQL through the services' own roles: the SQL
of ``claim_event`` and ``recall``/``remember`` (kernel/db.py) and the deputy directory's
version guard (kernel/deputy_directory.py). Each test is named after its unit-test pair
plus ``_on_postgres``; a few rules only the database can show (concurrent transactions)
have no pair."""
import concurrent.futures
import threading
import uuid

import pytest

from kernel import deputy_directory
from kernel.bootstrap import role_name
from kernel.db import EventContractBroken, PostgresUnitOfWork
from kernel.deputy_directory import DeputyDirectoryRepository
from kernel.envelope import new_envelope
from kernel.errors import ValidationFailed
from services.deputy import handlers as deputy_handlers
from services.deputy import notifications as n
from services.deputy.repository import REPOSITORIES as DEPUTY_REPOSITORIES
from services.suggestion import handlers as suggestion_handlers
from services.suggestion.handlers import SuggestionSettings
from services.suggestion.repository import REPOSITORIES as SUGGESTION_REPOSITORIES
from tests.integration.helpers import service_pool


@pytest.fixture(scope="module")
def suggestion_pool(prepared):
    with service_pool(prepared, "suggestion", 4) as pool:
        yield pool


@pytest.fixture(scope="module")
def deputy_pool(demo_loaded):
    with service_pool(demo_loaded, "deputy", 4) as pool:
        yield pool


def directory_uow(pool, autocommit=False):
    return PostgresUnitOfWork(pool, "suggestion", {"deputy_directory": DeputyDirectoryRepository}, pool_timeout=30,
                              autocommit=autocommit)


def new_code():
    return "U" + uuid.uuid4().hex[:7].upper()


def event(code, event_type="deputy_registered", version=1, **data):
    """As tests/unit/test_deputy_directory.py builds it, for a code of this test's own."""
    return new_envelope(event_type, {"code": code, "name": "王建华", "level": "town", "town": "城关镇",
                                     "station_code": "ST-V01", "term": 19, "status": "active",
                                     "version": version, **data}, "deputy")


def claims(admin_db, event_id):
    return sorted(row[0] for row in admin_db.execute(
        "SELECT consumer FROM suggestion.processed_events WHERE event_id = %s", (event_id,)).fetchall())


# -- pairs of tests/unit/test_deputy_directory.py ------------------------------------------------
def test_same_event_twice_applies_once_on_postgres(suggestion_pool, admin_db):
    code = new_code()
    envelope = event(code)
    assert deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", directory_uow(suggestion_pool))
    assert not deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory",
                                                   directory_uow(suggestion_pool))
    assert deputy_directory.lookup(code, directory_uow(suggestion_pool))["applied_count"] == 1
    assert claims(admin_db, envelope["event_id"]) == ["suggestion.deputy_directory"]


def test_each_consumer_claims_separately_on_postgres(suggestion_pool, admin_db):
    envelope = event(new_code())
    assert deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", directory_uow(suggestion_pool))
    assert deputy_directory.apply_deputy_event(envelope, "other.deputy_directory", directory_uow(suggestion_pool))
    assert claims(admin_db, envelope["event_id"]) == ["other.deputy_directory", "suggestion.deputy_directory"]


def test_newer_event_applies_and_size_counts_deputies_on_postgres(suggestion_pool):
    code = new_code()
    size_before = deputy_directory.size(directory_uow(suggestion_pool))
    deputy_directory.apply_deputy_event(event(code), "c", directory_uow(suggestion_pool))
    deputy_directory.apply_deputy_event(event(code, "deputy_updated", version=2, name="王建国", changed=["name"]), "c",
                                        directory_uow(suggestion_pool))
    entry = deputy_directory.lookup(code, directory_uow(suggestion_pool))
    assert entry["name"] == "王建国" and entry["version"] == 2 and entry["applied_count"] == 2
    assert deputy_directory.size(directory_uow(suggestion_pool)) == size_before + 1
    assert deputy_directory.lookup(new_code(), directory_uow(suggestion_pool)) is None


def test_older_version_never_moves_the_row_back_on_postgres(suggestion_pool):
    code = new_code()
    deputy_directory.apply_deputy_event(event(code, version=3, name="新名字"), "c", directory_uow(suggestion_pool))
    # a distinct event (its claim succeeds) carrying an older version: the SQL guard refuses it
    assert deputy_directory.apply_deputy_event(event(code, "deputy_updated", version=2, name="旧名字"), "c",
                                               directory_uow(suggestion_pool))
    assert deputy_directory.apply_deputy_event(event(code, "deputy_updated", version=3, name="同版本"), "c",
                                               directory_uow(suggestion_pool))
    entry = deputy_directory.lookup(code, directory_uow(suggestion_pool))
    assert (entry["name"], entry["version"], entry["applied_count"]) == ("新名字", 3, 1)


# -- only on PostgreSQL: concurrent transactions ------------------------------------------------
def test_concurrent_deliveries_of_one_event_apply_once_on_postgres(suggestion_pool, admin_db, prepared):
    """Two copies of one event at once (a redelivery racing the first delivery): the first's
    claim-and-upsert statement is held uncommitted; the second, in autocommit as the consumers
    run it, waits on that claim and then finds it taken."""
    code = new_code()
    envelope = event(code)
    first_applied, release = threading.Event(), threading.Event()

    class HeldOpen(PostgresUnitOfWork):
        def commit(self):
            first_applied.set()
            release.wait(30)
            super().commit()

    def deliver(uow):
        return deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", uow)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(deliver, HeldOpen(suggestion_pool, "suggestion",
                                              {"deputy_directory": DeputyDirectoryRepository}, pool_timeout=30))
        assert first_applied.wait(30)
        second = pool.submit(deliver, directory_uow(suggestion_pool, autocommit=True))
        eventually_one_waiting(admin_db, role_name(prepared, "suggestion"))   # on the first's claim
        release.set()
        assert (first.result(timeout=30), second.result(timeout=30)) == (True, False)
    assert deputy_directory.lookup(code, directory_uow(suggestion_pool))["applied_count"] == 1
    assert claims(admin_db, envelope["event_id"]) == ["suggestion.deputy_directory"]


def test_an_event_applied_in_autocommit_is_claimed_with_its_row_on_postgres(suggestion_pool, admin_db):
    """The consumers' one-statement apply: row and claim are written together, a second copy
    writes neither, and a failing upsert leaves no claim (so a redelivery can still apply it)."""
    code = new_code()
    envelope = event(code)
    assert deputy_directory.apply_deputy_event(envelope, "c", directory_uow(suggestion_pool, autocommit=True))
    assert not deputy_directory.apply_deputy_event(envelope, "c", directory_uow(suggestion_pool, autocommit=True))
    assert deputy_directory.lookup(code, directory_uow(suggestion_pool))["applied_count"] == 1
    broken = event(new_code())
    broken["data"]["term"] = "not a number"
    with pytest.raises(ValidationFailed):
        deputy_directory.apply_deputy_event(broken, "c", directory_uow(suggestion_pool, autocommit=True))
    assert claims(admin_db, broken["event_id"]) == []


def eventually_one_waiting(admin_db, role):
    """Until a session of ``role`` waits on a lock (the second INSERT INTO processed_events)."""
    from tests.support.platform import eventually
    eventually(lambda: admin_db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock' "
        "AND query LIKE '%%INSERT INTO processed_events%%'", (role,)).fetchone()[0] == 1, 30,
        "the second claim to wait for the first transaction")


# -- pair of tests/unit/test_deputy_handlers.py ----------------------------------------------------
def command(phone):
    """As tests/unit/test_deputy_handlers.py's command(), with a phone of this test's own."""
    return dict(name="李秀兰", gender="female", ethnicity="汉族", birth_year=1980, level="town", town="城关镇",
                station_code="ST-V01", term=19, occupation="教师", phone=phone, email=None, status="active")


def test_idempotency_key_returns_the_first_deputy_and_emits_once_on_postgres(deputy_pool, admin_db):
    def uow():
        return PostgresUnitOfWork(deputy_pool, "deputy", DEPUTY_REPOSITORIES, pool_timeout=30)

    key = "it-" + uuid.uuid4().hex
    phone = "139" + str(uuid.uuid4().int % 10**8).zfill(8)
    first = deputy_handlers.register_deputy(command(phone), uow(), idempotency_key=key)
    other_phone = "139" + str(uuid.uuid4().int % 10**8).zfill(8)
    again = deputy_handlers.register_deputy({**command(other_phone), "name": "重复"}, uow(), idempotency_key=key)
    assert again.code == first.code and again.name == "李秀兰"
    assert admin_db.execute("SELECT count(*) FROM deputy.deputies WHERE phone = ANY(%s)",
                            ([phone, other_phone],)).fetchone()[0] == 1
    assert admin_db.execute("SELECT event_type FROM deputy.outbox WHERE aggregate_id = %s",
                            (first.code,)).fetchall() == [("deputy_registered",)]
    other = deputy_handlers.register_deputy(command(other_phone), uow(), idempotency_key=key + "-2")
    assert other.code != first.code


def test_concurrent_retries_with_one_idempotency_key_register_once_on_postgres(deputy_pool, admin_db):
    """Retries racing the first request (a client that gave up too early): ``recall`` holds
    a transaction lock on the key, so every one of them gets the first deputy."""
    def uow():
        return PostgresUnitOfWork(deputy_pool, "deputy", DEPUTY_REPOSITORIES, pool_timeout=30)

    key = "it-" + uuid.uuid4().hex
    phone = "139" + str(uuid.uuid4().int % 10**8).zfill(8)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: deputy_handlers.register_deputy(command(phone), uow(),
                                                                       idempotency_key=key).code, range(4)))
    assert len(set(codes)) == 1
    assert admin_db.execute("SELECT count(*) FROM deputy.outbox WHERE aggregate_id = %s",
                            (codes[0],)).fetchone()[0] == 1


# -- pair of tests/unit/test_suggestion_domain.py ------------------------------------------------
def test_idempotent_filing_returns_the_first_on_postgres(suggestion_pool, admin_db):
    lead = new_code()
    deputy_directory.apply_deputy_event(event(lead), "c", directory_uow(suggestion_pool))

    def uow():
        return PostgresUnitOfWork(suggestion_pool, "suggestion", SUGGESTION_REPOSITORIES, pool_timeout=30)

    actor = {"username": lead, "role": "deputy", "subject": lead}
    filing = {"title": "关于改善道路的建议" + uuid.uuid4().hex[:6], "content": "城关镇通村路年久失修，建议安排资金维修。",
              "category": "交通建设", "co_signers": [], "session": None}
    key = "it-" + uuid.uuid4().hex
    settings = SuggestionSettings()
    first = suggestion_handlers.file_suggestion(filing, actor, uow(), idempotency_key=key, settings=settings)
    again = suggestion_handlers.file_suggestion(filing, actor, uow(), idempotency_key=key, settings=settings)
    assert again.id == first.id
    assert admin_db.execute("SELECT count(*) FROM suggestion.suggestions WHERE title = %s",
                            (filing["title"],)).fetchone()[0] == 1
    assert admin_db.execute("SELECT count(*) FROM suggestion.outbox WHERE aggregate_id = %s "
                            "AND event_type = 'suggestion_submitted'", (first.id,)).fetchone()[0] == 1


# -- pair of tests/unit/test_notifications.py ------------------------------------------------------
def test_an_event_applies_once_even_when_delivered_twice_on_postgres(deputy_pool, admin_db):
    def uow():
        return PostgresUnitOfWork(deputy_pool, "deputy", DEPUTY_REPOSITORIES, pool_timeout=30)

    env = new_envelope("suggestion_accepted", {
        "suggestion_id": str(uuid.uuid4()), "number": "19-3-901", "title": "关于改善校车接送的建议", "category": "教育",
        "status": "accepted", "lead_deputy": "D0001", "deputies": ["D0001", "D0002"], "departments": ["edu"],
        "actor": {"role": "staff", "subject": None, "username": "staff"}}, "suggestion")
    assert n.record_suggestion_event(env, uow()) == 2
    assert n.record_suggestion_event(env, uow()) == 0  # claimed already
    # even a second consumer name (claim passes) cannot duplicate rows: (event, deputy) is unique
    assert n.record_suggestion_event(env, uow(), consumer="other") == 0
    assert admin_db.execute("SELECT deputy_code, count(*) FROM deputy.notifications WHERE event_id = %s "
                            "GROUP BY deputy_code ORDER BY 1", (env["event_id"],)).fetchall() == [
        ("D0001", 1), ("D0002", 1)]


# -- pair of tests/unit/test_event_contracts.py --------------------------------------------------
def test_the_fake_unit_of_work_refuses_a_broken_payload_at_emit_on_postgres(deputy_pool, admin_db):
    """The suite runs with CHECK_EVENT_CONTRACTS on (tests/conftest.py): the PostgreSQL unit of
    work refuses a payload that carries a voter's words, and nothing reaches the outbox."""
    tracking_code = "YJ-T-" + uuid.uuid4().hex[:8]
    uow = PostgresUnitOfWork(deputy_pool, "deputy", DEPUTY_REPOSITORIES, pool_timeout=30)
    with pytest.raises(EventContractBroken):
        with uow:
            uow.emit("opinion_received", {"tracking_code": tracking_code, "station_code": "ST-001",
                                          "category": "交通", "content": "路灯坏了"}, aggregate_id=tracking_code)
            uow.commit()
    assert admin_db.execute("SELECT count(*) FROM deputy.outbox WHERE aggregate_id = %s",
                            (tracking_code,)).fetchone()[0] == 0
