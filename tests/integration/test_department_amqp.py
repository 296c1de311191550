"""Department subscriptions over AMQP (issue 3, item 8): the exchange, per-department quorum
queues with a delivery limit and dead-lettering, per-department users that can read only
their own queue, and the pika subscriber program that receives exactly its department's
events. Events are envelopes published to ``suggestion.departments`` the way the
suggestion service's outbox relay publishes department copies."""
import json
import os
import subprocess
import sys
import urllib.parse
import uuid

import pika
import pytest
import requests

from kernel.envelope import new_envelope
from contracts import departments_amqp
from contracts.reference import DEPARTMENTS
from contracts.departments_amqp import (EXCHANGE, department_amqp_uri, department_queue,
                                        management_url)
from tests.support.platform import ROOT, eventually


def department_event(department, event_type="suggestion_assigned", **data):
    envelope = new_envelope(event_type, {"suggestion_id": str(uuid.uuid4()), "number": "19-3-001",
                                         "title": "测试建议", "departments": [department], **data},
                            producer="suggestion", aggregate_id=str(uuid.uuid4()))
    return envelope


def publish(broker, envelope, department):
    broker.publish(envelope, exchange=EXCHANGE, routing_key=f"{department}.{envelope['type']}")


def management_get(config, path):
    url = urllib.parse.urlsplit(management_url(config))
    base = f"{url.scheme}://{url.hostname}:{url.port}"
    response = requests.get(base + "/api" + path, auth=(url.username, url.password), timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def empty_queues(broker):
    names = [department_queue(code) for code in ("edu", "health", "transport")]
    broker.purge(*names)
    yield names
    broker.purge(*names)


def test_every_department_has_a_quorum_queue_with_delivery_limit_and_dead_lettering(prepared):
    vhost = urllib.parse.quote(departments_amqp.vhost_of(prepared["AMQP_URI"]), safe="")
    queues = {q["name"]: q for q in management_get(prepared, f"/queues/{vhost}")}
    bindings = management_get(prepared, f"/exchanges/{vhost}/{EXCHANGE}/bindings/source")
    bound = {(b["destination"], b["routing_key"]) for b in bindings}
    codes = [d["code"] for d in DEPARTMENTS]   # the seeded ones, provisioned by the suggestion service's bootstrap hook
    assert len(codes) >= 30
    for code in codes:
        queue = queues[department_queue(code)]
        assert queue["durable"] and queue["type"] == "quorum", queue
        assert queue["arguments"]["x-delivery-limit"] == departments_amqp.delivery_limit(prepared)
        assert queue["arguments"]["x-dead-letter-exchange"] == departments_amqp.DEAD_LETTER_EXCHANGE
        assert queues[department_queue(code) + ".dlq"]["durable"]
        assert (department_queue(code), f"{code}.#") in bound
    # the webhook deliverer's queue takes only departments with webhooks (test_webhook_delivery.py)
    assert (departments_amqp.WEBHOOK_QUEUE, "#") not in bound


def test_a_department_user_reads_only_its_own_queue(prepared, broker, empty_queues):
    """dept-health is refused (ACCESS_REFUSED) on department.edu; dept-edu consumes it."""
    envelope = department_event("edu")
    publish(broker, envelope, "edu")
    broker.wait_count("department.edu", 1)

    other = pika.BlockingConnection(pika.URLParameters(department_amqp_uri(prepared, "health")))
    try:
        channel = other.channel()
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            channel.basic_get("department.edu", auto_ack=False)
        assert refused.value.reply_code == 403 and "ACCESS_REFUSED" in refused.value.reply_text
        # ... nor may it publish into the department exchange, nor declare anything
        channel = other.channel()
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            channel.queue_declare("department.health.mine", durable=True)
        assert refused.value.reply_code == 403
    finally:
        other.close()
    assert broker.message_count("department.edu") == 1

    own = pika.BlockingConnection(pika.URLParameters(department_amqp_uri(prepared, "edu")))
    try:
        channel = own.channel()
        method, _, body = channel.basic_get("department.edu", auto_ack=False)
        assert method is not None and json.loads(body)["event_id"] == envelope["event_id"]
        channel.basic_ack(method.delivery_tag)
    finally:
        own.close()
    assert broker.message_count("department.edu") == 0


def test_a_wrong_password_is_refused(prepared):
    uri = department_amqp_uri(prepared, "edu").replace("dept-edu:", "dept-edu:x", 1)
    with pytest.raises(pika.exceptions.ProbableAuthenticationError):
        pika.BlockingConnection(pika.URLParameters(uri))


def run_subscriber(prepared, department, max_events, *extra):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.Popen(
        [sys.executable, "-m", "services.suggestion.subscriber", "--department", department,
         "--amqp-uri", department_amqp_uri(prepared, department), "--max-events", str(max_events),
         "--prefetch", "10", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_each_subscriber_receives_exactly_its_departments_events(prepared, broker, empty_queues):
    sent = {"edu": [], "health": []}
    for index in range(12):
        department = ("edu", "health", "transport")[index % 3]
        event_type = ("suggestion_assigned", "suggestion_overdue", "suggestion_closed")[index % 3]
        envelope = department_event(department, event_type)
        publish(broker, envelope, department)
        sent.setdefault(department, []).append(envelope)
    # A department whose code starts with "edu" is another department: not delivered to edu
    # (nor anywhere: it has no queue, and the webhook intake is bound only to departments with webhooks).
    with pytest.raises(pika.exceptions.UnroutableError):
        publish(broker, department_event("education"), "education")

    edu = run_subscriber(prepared, "edu", len(sent["edu"]))
    health = run_subscriber(prepared, "health", len(sent["health"]))
    try:
        edu_out, edu_err = edu.communicate(timeout=30)
        health_out, health_err = health.communicate(timeout=30)
    finally:
        for proc in (edu, health):
            if proc.poll() is None:
                proc.kill()
    assert edu.returncode == 0, edu_err
    assert health.returncode == 0, health_err
    got_edu = [json.loads(line) for line in edu_out.splitlines()]
    got_health = [json.loads(line) for line in health_out.splitlines()]
    assert got_edu == sent["edu"]  # same envelopes, in publication order
    assert got_health == sent["health"]
    # all acked: nothing left behind; the third department's events wait in its own queue
    assert broker.message_count("department.edu") == 0
    assert broker.message_count("department.health") == 0
    assert broker.message_count("department.transport") == len(sent["transport"])


def test_subscriber_exits_2_when_refused_another_departments_queue(prepared):
    proc = subprocess.run(
        [sys.executable, "-m", "services.suggestion.subscriber", "--department", "health", "--queue",
         "department.edu", "--amqp-uri", department_amqp_uri(prepared, "health"), "--max-events", "1"],
        cwd=ROOT, env=dict(os.environ, PYTHONWARNINGS="ignore"), capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "ACCESS_REFUSED" in proc.stderr


def test_forwarding_subscriber_acks_only_after_the_target_took_it(prepared, broker, empty_queues):
    """--forward URL: an endpoint that fails keeps the event in the queue (nacked, requeued
    after a back-off) until it answers 2xx; then it is acked."""
    from tests.integration.webhook_server import RecordingServer

    with RecordingServer(fail_first=2) as server:
        envelope = department_event("edu")
        publish(broker, envelope, "edu")
        proc = run_subscriber(prepared, "edu", 1, "--forward", server.url + "/hook")
        try:
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert len(server.requests) == 3  # two failures, then success
        assert all(json.loads(r.body) == envelope for r in server.requests)
    eventually(lambda: broker.message_count("department.edu") == 0, 20, "the event acked")


def test_a_message_that_is_not_an_envelope_goes_to_the_departments_dead_letter_queue(prepared, broker, empty_queues):
    broker.purge("department.edu.dlq")
    broker.publish(b"{not json", exchange=EXCHANGE, routing_key="edu.suggestion_assigned")
    good = department_event("edu")
    publish(broker, good, "edu")
    proc = run_subscriber(prepared, "edu", 1)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert [json.loads(line)["event_id"] for line in out.splitlines()] == [good["event_id"]]
    broker.wait_count("department.edu.dlq", 1)
    [(_, body)] = broker.take_all("department.edu.dlq")
    assert body == b"{not json"
    assert broker.message_count("department.edu") == 0
