"""Two replicas of the voting service each run the tally ticker: both may take the checkpoint of
the same position of a ballot log at once. The log position is stored once (PostgreSQL,
the service's own role)."""
import psycopg
import pytest

from kernel.config import service_dsn
from kernel.db import PostgresUnitOfWork
from services.voting.repository import REPOSITORIES
from tests.integration.helpers import service_pool


@pytest.fixture(scope="module")
def pool(prepared):
    with service_pool(prepared, "voting", 2) as pool:
        yield pool


@pytest.fixture
def item_id(prepared):
    """An open item written straight into the table, set back to pending afterwards: the e2e
    platform later runs on this database, and its tally ticker works on every open item."""
    with psycopg.connect(service_dsn(prepared, "voting"), autocommit=True) as conn:
        meeting = conn.execute("INSERT INTO meetings (kind, title, starts_at) VALUES ('standing_committee', "
                               "'checkpoint test', now()) RETURNING id").fetchone()[0]
        item = conn.execute("INSERT INTO items (meeting_id, position, kind, title, mode, status, expected, "
                            "threshold) VALUES (%s, 1, 'resolution', 'checkpoint test', 'named', 'open', 0, 1) "
                            "RETURNING id", (meeting,)).fetchone()[0]
        yield item
        conn.execute("UPDATE items SET status = 'pending' WHERE id = %s", (item,))


def test_two_tickers_taking_the_same_checkpoint_store_it_once(pool, item_id):
    def ticker():
        return PostgresUnitOfWork(pool, "voting", REPOSITORIES, pool_timeout=30)
    first, second = ticker(), ticker()
    with first, second:   # both read no checkpoint yet, both write the same position
        first.ballots.add_checkpoint(item_id, 3, 41, "root-41")
        first.commit()
        second.ballots.add_checkpoint(item_id, 3, 41, "root-41")
        second.commit()
    later = ticker()
    with later:
        later.ballots.add_checkpoint(item_id, 5, 57, "root-57")
        later.commit()
        assert later.ballots.checkpoints(item_id) == [{"ballots": 3, "last_seq": 41, "root": "root-41"},
                                                       {"ballots": 5, "last_seq": 57, "root": "root-57"}]
