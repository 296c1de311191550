"""The gateway's account use cases against its real schema: a deputy's status followed from
events (late, repeated, out of order), and the sign-in throttle's state in PostgreSQL."""
import uuid

import eventlet
import psycopg
import pytest

from gateway import accounts
from gateway.signin import ThrottlePolicy
from kernel.errors import Conflict
from kernel.config import service_dsn
from kernel.db import PostgresUnitOfWork
from tests.integration.helpers import service_pool

POLICY = ThrottlePolicy()


@pytest.fixture(scope="module")
def pool(prepared):
    with service_pool(prepared, "gateway", 12) as pool:
        yield pool


@pytest.fixture
def uow(pool):
    return lambda: PostgresUnitOfWork(pool, "gateway", accounts.REPOSITORIES)


@pytest.fixture
def sql(prepared):
    with psycopg.connect(service_dsn(prepared, "gateway"), autocommit=True) as conn:
        yield lambda statement, params=None: conn.execute(statement, params)


def deputy_event(code, version, status, changed=("status",)):
    return {"event_id": str(uuid.uuid4()), "type": "deputy_updated",
            "data": {"code": code, "version": version, "status": status, "changed": list(changed)}}


@pytest.fixture
def deputy_account(uow, sql):
    code = "T" + uuid.uuid4().hex[:8]
    accounts.issue_deputy_password({"id": code, "name": "测试", "status": "active", "version": 1}, "!", uow())
    return code


def state(sql, username):
    return sql("SELECT active, token_version FROM accounts WHERE username = %s", (username,)).fetchone()


def test_deactivation_revokes_tokens_and_reactivation_does_not_bring_them_back(uow, sql, deputy_account):
    assert state(sql, deputy_account) == (True, 0)
    assert accounts.follow_deputy_status(deputy_event(deputy_account, 2, "inactive"), "t", uow())
    assert state(sql, deputy_account) == (False, 1)
    assert accounts.follow_deputy_status(deputy_event(deputy_account, 3, "active"), "t", uow())
    assert state(sql, deputy_account) == (True, 1)  # usable again; tokens of before stay revoked


def test_a_late_or_repeated_event_changes_nothing(uow, sql, deputy_account):
    deactivated, reactivated = deputy_event(deputy_account, 5, "inactive"), deputy_event(deputy_account, 6, "active")
    accounts.follow_deputy_status(reactivated, "t", uow())
    accounts.follow_deputy_status(deactivated, "t", uow())       # older: ignored
    assert state(sql, deputy_account) == (True, 0)
    accounts.follow_deputy_status(deputy_event(deputy_account, 7, "inactive"), "t", uow())
    again = deputy_event(deputy_account, 7, "inactive")
    accounts.follow_deputy_status(again, "t", uow())
    accounts.follow_deputy_status(again, "t", uow())            # redelivered
    assert state(sql, deputy_account) == (False, 1)


def test_events_that_do_not_touch_the_status_are_ignored(uow, sql, deputy_account):
    assert not accounts.follow_deputy_status(
        deputy_event(deputy_account, 9, "inactive", changed=("occupation",)), "t", uow())
    assert state(sql, deputy_account) == (True, 0)


def test_a_password_reset_revokes_and_outranks_older_events(uow, sql, deputy_account):
    accounts.follow_deputy_status(deputy_event(deputy_account, 2, "inactive"), "t", uow())
    accounts.issue_deputy_password({"id": deputy_account, "name": "测试", "status": "active", "version": 3}, "!", uow())
    assert state(sql, deputy_account) == (True, 2)
    accounts.follow_deputy_status(deputy_event(deputy_account, 2, "inactive"), "t2", uow())  # late copy
    assert state(sql, deputy_account) == (True, 2)
    accounts.change_password(deputy_account, "!", uow())
    assert state(sql, deputy_account) == (True, 3)


def department_event(code, version, active):
    return {"event_id": str(uuid.uuid4()), "type": "department_saved",
            "data": {"code": code, "name": "宁陕县测试局", "short_name": "", "active": active, "version": version}}


def test_a_department_account_follows_the_department_being_made_inactive_and_active(uow, sql):
    code = "t" + uuid.uuid4().hex[:8]
    username = f"dept-{code}"
    accounts.issue_department_password({"code": code, "name": "宁陕县测试局", "active": True, "version": 1},
                                       username, "!", uow())
    assert state(sql, username) == (True, 0)
    assert accounts.follow_department_status(department_event(code, 2, False), "t", uow())
    assert state(sql, username) == (False, 1)
    accounts.follow_department_status(department_event(code, 1, True), "t", uow())   # older: ignored
    assert state(sql, username) == (False, 1)
    assert accounts.follow_department_status(department_event(code, 3, True), "t", uow())
    assert state(sql, username) == (True, 1)  # usable again; tokens of before stay revoked
    with pytest.raises(Conflict):
        accounts.issue_department_password({"code": code, "name": "x", "active": False, "version": 4},
                                           username, "!", uow())


# -- throttling ---------------------------------------------------------------------------------
def keys():
    return [f"account:nobody-{uuid.uuid4().hex[:8]}", f"client:192.0.2.{uuid.uuid4().int % 250}"]


def test_five_failures_then_a_growing_wait(uow, sql):
    attempt = keys()[:1]
    waits = [accounts.take_sign_in_attempt(attempt, POLICY, uow()) for _ in range(6)]
    assert waits[:5] == [0] * 5
    assert 0 < waits[5] <= POLICY.base_seconds
    # the block runs out (moved into the past), one more failure: a longer block
    sql("UPDATE sign_in_throttle SET blocked_until = now() - interval '1 second' WHERE key = %s", attempt)
    assert accounts.take_sign_in_attempt(attempt, POLICY, uow()) == 0
    wait = accounts.take_sign_in_attempt(attempt, POLICY, uow())
    assert POLICY.base_seconds < wait <= 2 * POLICY.base_seconds


def test_failures_are_forgotten_after_the_window(uow, sql):
    attempt = keys()[:1]
    for _ in range(5):
        accounts.take_sign_in_attempt(attempt, POLICY, uow())
    assert accounts.take_sign_in_attempt(attempt, POLICY, uow()) > 0
    sql("UPDATE sign_in_throttle SET last_failure_at = now() - make_interval(secs => %s), "
        "blocked_until = now() - interval '1 second' WHERE key = %s", (POLICY.window_seconds + 1, attempt[0]))
    assert accounts.take_sign_in_attempt(attempt, POLICY, uow()) == 0
    assert sql("SELECT failures FROM sign_in_throttle WHERE key = %s", attempt).fetchone() == (1,)


def test_a_success_clears_the_account_and_takes_back_only_its_own_attempt_for_the_client(uow, sql):
    account, client = both = keys()
    for _ in range(4):
        accounts.take_sign_in_attempt(both, POLICY, uow())
    accounts.take_sign_in_attempt(both, POLICY, uow())    # the 5th attempt is counted in advance ...
    accounts.sign_in_succeeded(both, uow())               # ... and was right
    assert sql("SELECT count(*) FROM sign_in_throttle WHERE key = %s", (account,)).fetchone() == (0,)
    assert sql("SELECT failures, blocked_until FROM sign_in_throttle WHERE key = %s", (client,)).fetchone() == (4, None)
    assert accounts.take_sign_in_attempt(both, POLICY, uow()) == 0


def test_concurrent_guesses_cannot_slip_past_the_count(uow):
    """Twenty guesses at once: only the five free ones are let through to a password check."""
    attempt = keys()[:1]
    pool = eventlet.GreenPool(20)
    waits = list(pool.imap(lambda _: accounts.take_sign_in_attempt(attempt, POLICY, uow()), range(20)))
    assert waits.count(0) == POLICY.free_failures_per_account


def test_an_initial_password_must_be_changed_and_a_reset_asks_again(uow, deputy_account):
    assert accounts.find_account(deputy_account, uow())["must_change_password"] is True   # issued by staff
    accounts.change_password(deputy_account, "!own", uow())
    assert accounts.find_account(deputy_account, uow())["must_change_password"] is False  # the deputy's own
    accounts.issue_deputy_password({"id": deputy_account, "name": "测试", "status": "active", "version": 1}, "!",
                                   uow())
    assert accounts.find_account(deputy_account, uow())["must_change_password"] is True   # a reset: again
