"""What staff hand a department for its AMQP subscription (gateway/department_amqp.py)."""
import shlex
import urllib.parse

import pytest

from gateway.department_amqp import subscription_of
from contracts.departments_amqp import ProvisioningError, department_password

CONFIG = {"AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/renda", "DEPARTMENT_AMQP_SECRET": "s3cret"}


def test_the_handover_names_the_departments_user_queue_and_a_working_command():
    sub = subscription_of(CONFIG, "edu")
    uri = urllib.parse.urlsplit(sub["amqp_uri"])
    assert (uri.username, uri.hostname, uri.port, uri.path) == ("dept-edu", "127.0.0.1", 5672, "/renda")
    assert uri.password == department_password(CONFIG, "edu") and uri.password != "guest"
    assert sub["queue"] == "department.edu" and sub["dead_letter_queue"] == "department.edu.dlq"
    words = shlex.split(sub["command"])
    assert words[0] == f"DEPARTMENT_AMQP_URI={sub['amqp_uri']}"
    assert words[1:] == ["python", "-m", "services.suggestion.subscriber", "--department", "edu"]
    assert sub["forward_command"].startswith(sub["command"]) and "--forward" in sub["forward_command"]
    assert subscription_of(CONFIG, "health")["amqp_uri"] != sub["amqp_uri"]   # each department its own password


def test_the_public_broker_address_replaces_the_platforms_own():
    sub = subscription_of({**CONFIG, "DEPARTMENT_AMQP_PUBLIC_URI": "amqps://x:y@mq.example.gov.cn:5671/renda"}, "edu")
    uri = urllib.parse.urlsplit(sub["amqp_uri"])
    assert (uri.scheme, uri.username, uri.hostname, uri.port) == ("amqps", "dept-edu", "mq.example.gov.cn", 5671)


def test_no_secret_no_handover():
    with pytest.raises(ProvisioningError):
        subscription_of({**CONFIG, "DEPARTMENT_AMQP_SECRET": ""}, "edu")
