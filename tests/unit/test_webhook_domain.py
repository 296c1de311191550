"""Webhook rules without I/O: URL checks, signatures, the retry schedule, who may manage."""
import hashlib
import hmac

import pytest

from services.webhooks.domain import (may_manage, outcome, retry_delay, sign, url_problems, verify,
                                      webhook_secret)


@pytest.mark.parametrize("url", ["https://oa.edu.example.cn/renda", "http://127.0.0.1:8080/hook?x=1",
                                 "https://10.1.2.3/hook"])
def test_good_urls(url):
    assert url_problems(url, allow_http=True) == []


@pytest.mark.parametrize("url", ["", None, 42, "ftp://x.cn/a", "oa.example.cn/hook", "https://", "http:///x",
                                 "https://u:p@x.cn/", "https://x.cn/#frag", "https://x.cn:99999/",
                                 "https://x.cn/" + "a" * 2000])
def test_bad_urls(url):
    assert url_problems(url, allow_http=True)


def test_production_wants_https_and_no_private_targets():
    assert url_problems("http://oa.example.cn/", allow_http=False)
    for url in ("https://127.0.0.1/x", "https://10.0.0.5/x", "https://192.168.1.1/", "https://localhost/x"):
        assert url_problems(url, allow_http=False), url
    assert url_problems("https://oa.example.cn/hook", allow_http=False) == []


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


def test_who_may_manage_a_departments_webhooks():
    assert may_manage({"role": "department", "subject": "edu"}, "edu")
    assert not may_manage({"role": "department", "subject": "health"}, "edu")
    assert may_manage({"role": "staff"}, "edu") and may_manage({"role": "admin"}, "edu")
    assert not may_manage({"role": "deputy", "subject": "edu"}, "edu")
    assert not may_manage(None, "edu")
