"""Webhook rules without I/O: signatures, the retry schedule, who may manage (URL and address
rules: test_webhook_targets.py)."""
import hashlib
import hmac

import pytest

from services.webhooks.domain import may_manage, outcome, retry_delay, sign, verify, webhook_secret


def test_signature_is_hmac_sha256_of_the_raw_body():
    body = '{"event_id":"e1","type":"suggestion_assigned"}'.encode()
    secret = "whsec_abc"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert sign(secret, body) == expected
    assert verify(secret, body, expected)
    assert not verify(secret, body + b" ", expected)
    assert not verify("whsec_other", body, expected)
    assert not verify(secret, body, None)


def test_secrets_are_per_webhook_and_derived_from_the_master_key():
    one = webhook_secret("master", "id-1", "salt-1")
    assert one == webhook_secret("master", "id-1", "salt-1") and one.startswith("whsec_")
    assert len({one, webhook_secret("master", "id-2", "salt-1"), webhook_secret("master", "id-1", "salt-2"),
                webhook_secret("other", "id-1", "salt-1")}) == 4


def test_exponential_backoff_capped():
    assert [retry_delay(n, 2, 2, 3600) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert retry_delay(20, 2, 2, 3600) == 3600
    assert retry_delay(3, 0.1, 3, 10) == pytest.approx(0.9)


def test_outcome_after_an_attempt():
    assert outcome(1, 3, True) == "delivered"
    assert outcome(1, 3, False) == "pending"
    assert outcome(3, 3, False) == "dead"
    assert outcome(3, 3, True) == "delivered"
    assert outcome(1, 8, False, permanent=True) == "dead"  # a refused target is not retried


def test_who_may_manage_a_departments_webhooks():
    assert may_manage({"role": "department", "subject": "edu"}, "edu")
    assert not may_manage({"role": "department", "subject": "health"}, "edu")
    assert may_manage({"role": "staff"}, "edu") and may_manage({"role": "admin"}, "edu")
    assert not may_manage({"role": "deputy", "subject": "edu"}, "edu")
    assert not may_manage(None, "edu")
