"""A read-model keeper (the suggestion service's deputy directory) killed with SIGKILL while it
holds unacknowledged messages whose effects it has ALREADY COMMITTED: the broker redelivers
them to the restarted service, and each deputy is applied exactly once.

To hold the keeper exactly there, its database role commits with ``synchronous_commit = on``
while ``synchronous_standby_names`` names a standby that never comes: each handler's COMMIT is
written locally and then waits (wait event ``SyncRep``) before it returns, so the message is
never acked. Every other role commits ``local`` and is not held. After the kill the waits are
released: those transactions stay committed, and their messages are redelivered."""
import collections

import pytest

from tests.reliability.conftest import DATABASE
from tests.support.platform import eventually, new_deputy_payload

pytestmark = pytest.mark.slow

WRITES = 40
QUEUE = "evt-deputy-deputy_registered--suggestion.on_deputy_deputy_registered"


def held_commits(stack):
    return stack.scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = 'svc_suggestion' "
                        "AND wait_event = 'SyncRep'")


def unacked(stack, queue):
    for line in stack.rabbit.ctl("list_queues", "name", "messages_unacknowledged").splitlines():
        name, _, count = line.rpartition("\t")
        if name == queue:
            return int(count)
    raise AssertionError(f"no queue {queue}")


@pytest.fixture
def suggestion_commits_held_on_demand(stack):
    """Commits of svc_suggestion wait for a standby once ``hold()`` is called; ``release()``
    lets them finish. Everything is reset afterwards, whatever happens."""
    stack.execute(f"ALTER DATABASE {DATABASE} SET synchronous_commit = local")
    stack.execute(f"ALTER ROLE svc_suggestion IN DATABASE {DATABASE} SET synchronous_commit = on")

    def set_standby(names):
        stack.execute("ALTER SYSTEM SET synchronous_standby_names = %s" % ("DEFAULT" if names is None else f"'{names}'"))
        stack.execute("SELECT pg_reload_conf()")

    class Holder:
        def hold(self):
            set_standby("no_such_standby")

        def release(self):
            set_standby(None)
    try:
        yield Holder()
    finally:
        set_standby(None)
        stack.execute(f"ALTER ROLE svc_suggestion IN DATABASE {DATABASE} RESET synchronous_commit")
        stack.execute(f"ALTER DATABASE {DATABASE} RESET synchronous_commit")


def test_keeper_killed_holding_committed_unacked_messages_applies_each_once(stack, launch,
                                                                           suggestion_commits_held_on_demand):
    holder = suggestion_commits_held_on_demand
    platform = launch(["gateway", "deputy", "suggestion", "voting"])
    client = platform.client()
    client.token("staff")
    assert stack.queue_depth(QUEUE) == 0
    holder.hold()
    try:
        codes = []
        for _ in range(WRITES):
            answer = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(), timeout=30)
            assert answer.status_code == 201, answer.text
            codes.append(answer.json()["id"])
        # The keeper's handlers take the events and hang in COMMIT: committed, never acked.
        eventually(lambda: held_commits(stack) >= 1, timeout=60, what="suggestion commits waiting (SyncRep)")
        assert unacked(stack, QUEUE) >= 1  # the keeper holds messages it has not acked
        assert stack.directory("suggestion", codes) == {}  # not visible before the commit returns
        platform.kill("suggestion")  # SIGKILL
    finally:
        holder.release()

    # The killed keeper's transactions completed their commit after all: deputies it applied
    # without ever acking their events (no commit of its returned while it lived).
    eventually(lambda: held_commits(stack) == 0, timeout=30, what="the held commits to finish")
    committed_by_the_dead = stack.directory("suggestion", codes)
    assert len(committed_by_the_dead) >= 1 and set(committed_by_the_dead.values()) == {1}
    # ... and their messages, never acked, go back to the queue.
    eventually(lambda: unacked(stack, QUEUE) == 0, timeout=30, what="the broker to take the messages back")

    platform.start("suggestion")
    platform.wait_ready("suggestion")

    def all_applied():
        applied = stack.directory("suggestion", codes)
        return len(applied) == WRITES and applied
    applied = eventually(all_applied, timeout=60, what=f"all {WRITES} deputies in the suggestion read model")
    # The restarted keeper got every event again, those already applied included ...
    eventually(lambda: platform.consumed("suggestion", "deputy_registered") >= WRITES, timeout=30,
               what="the restarted keeper to handle all the deliveries")
    # ... and applied each deputy once.
    assert collections.Counter(applied.values()) == {1: WRITES}
    assert stack.scalar("SELECT count(*) FROM suggestion.processed_events WHERE consumer = 'suggestion.deputy_directory' "
                        "AND event_id IN (SELECT event_id::text FROM deputy.outbox WHERE aggregate_id = ANY(%s))",
                        (codes,)) == WRITES
    eventually(lambda: len(stack.directory("voting", codes)) == WRITES, timeout=60, what="the voting read model")
    platform.assert_all_running()
