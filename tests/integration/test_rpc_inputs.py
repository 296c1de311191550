"""Bad input that reaches a service over RPC (not through the gateway) is a ValidationFailed
naming the field, never a database error: every ``@rpc`` entrypoint refuses NUL and lone
surrogates in its arguments (kernel/consumer.py), and a value the database refuses all the
same is a ValidationFailed too (kernel/db.py)."""
import pytest

from kernel.consumer import rpc
from kernel.db import Database
from kernel.errors import ValidationFailed
from kernel.inputs import NUL_MESSAGE, SURROGATE_MESSAGE
from services.suggestion.service import SuggestionService


class StoreService:
    """A service under a bootstrapped name (its role and schema exist)."""
    name = "news"

    db = Database()

    @rpc
    def echo(self, text, payload=None):
        with self.db() as uow:
            uow.cursor.execute("SELECT %s::text", (text,))
            return uow.cursor.fetchone()[0]

    @rpc
    def as_integer(self, value):
        with self.db() as uow:
            uow.cursor.execute("SELECT %s::integer", (value,))
            return uow.cursor.fetchone()[0]


@pytest.fixture
def store(start_service):
    return start_service(StoreService)


def test_clean_text_goes_through(store, cluster):
    assert cluster.news.echo(text="改善校车 😀") == "改善校车 😀"


@pytest.mark.parametrize("text, message", [("a\x00b", NUL_MESSAGE), ("a\ud800b", SURROGATE_MESSAGE)],
                         ids=["nul", "surrogate"])
def test_refused_text_in_an_argument_is_named(store, cluster, text, message):
    with pytest.raises(ValidationFailed) as refused:
        cluster.news.echo(text=text)
    assert refused.value.details == {"text": [message]}


def test_refused_text_inside_a_payload_is_named_by_its_field(store, cluster):
    with pytest.raises(ValidationFailed) as refused:
        cluster.news.echo(text="ok", payload={"assignments": [{"department": "e\x00du"}]})
    assert refused.value.details == {"assignments.0.department": [NUL_MESSAGE]}


def test_a_value_the_database_refuses_is_a_validation_error(store, cluster):
    with pytest.raises(ValidationFailed) as refused:
        cluster.news.as_integer(value=2**40)
    assert "out of range" in refused.value.details["_input"][0]
    assert cluster.news.as_integer(value=7) == 7  # and the service goes on


def test_similar_limit_is_validated_by_the_service_too(start_service, cluster):
    start_service(SuggestionService)
    staff = {"role": "staff", "username": "staff", "subject": None}
    for limit in ("abc", -1, 10**9):
        with pytest.raises(ValidationFailed) as refused:
            cluster.suggestion.similar(actor=staff, suggestion_id="S-missing", limit=limit)
        assert set(refused.value.details) == {"limit"}
