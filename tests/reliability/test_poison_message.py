"""Poison messages on a running platform land in the handler's dead-letter queue, the
services keep serving, and a redelivered (republished identical) event applies once."""
import json
import re
import uuid

import pika
import pytest
import requests

from kernel.envelope import new_envelope
from tests.support.platform import EventProbe, eventually, new_deputy_payload

pytestmark = pytest.mark.slow

QUEUE = "evt-deputy-deputy_registered--{service}.on_deputy_deputy_registered"
CONSUMERS = ("suggestion", "voting")


def dlq(service):
    return QUEUE.format(service=service) + ".dlq"


def consumed_ok(platform, service):
    text = requests.get(f"http://127.0.0.1:{platform.ports[service]}/metrics", timeout=5).text
    match = re.search(rf'^{service}_events_consumed_total\{{event_type="deputy_registered",outcome="ok"\}} (\S+)$',
                      text, re.M)
    return float(match.group(1)) if match else 0.0


def publish(channel, body, **properties):
    channel.basic_publish("deputy.events", "deputy_registered", body,
                          pika.BasicProperties(delivery_mode=2, **properties))


def poison_messages():
    wrong_type = new_envelope("deputy_updated", {"code": "D0001"}, "deputy")
    return [
        ("undecodable", b'{"event_id": "not closed', {"content_type": "application/json"}),
        ("undecodable", b"\x00\x01\x02 binary", {"content_type": "application/x-unknown"}),
        ("invalid_envelope", json.dumps({"hello": "world"}).encode(), {"content_type": "application/json"}),
        ("invalid_envelope", json.dumps([1, 2, 3]).encode(), {"content_type": "application/json"}),
        ("invalid_envelope", b"no properties at all", {}),
        ("invalid_envelope", json.dumps({**new_envelope("deputy_registered", {}, "deputy"),
                                         "schema_version": 0}).encode(), {"content_type": "application/json"}),
        # a valid envelope whose data the handler cannot apply: retried, then dead-lettered
        ("handler_failed", json.dumps(new_envelope("deputy_registered", {"name": "无编号"}, "deputy")).encode(),
         {"content_type": "application/json"}),
        ("unexpected_type", json.dumps(wrong_type).encode(), {"content_type": "application/json"}),
    ]


def test_poison_dead_lettered_platform_serves_redelivery_applied_once(stack, launch):
    platform = launch(["gateway", "deputy", "suggestion", "voting"])
    client = platform.client()
    connection, channel = stack.channel()
    try:
        for service in CONSUMERS:
            channel.queue_purge(dlq(service))
        poison = poison_messages()
        for _, body, properties in poison:
            publish(channel, body, **properties)
        for service in CONSUMERS:
            eventually(lambda: stack.queue_depth(dlq(service)) == len(poison), timeout=20,
                       what=f"{len(poison)} dead letters in {dlq(service)}")
        # What each dead letter says about itself.
        reasons = []
        for _ in poison:
            method, properties, body = channel.basic_get(dlq("suggestion"), auto_ack=False)
            reasons.append((properties.headers["x-dead-letter-reason"], body))
            assert properties.headers["x-original-queue"] == QUEUE.format(service="suggestion")
            assert properties.headers["x-error"]
        channel.basic_nack(method.delivery_tag, multiple=True, requeue=True)  # leave them for an operator
        assert sorted(reasons) == sorted((reason, body) for reason, body, _ in poison)
        # Not blocked, not retried: the queues themselves are empty again.
        for service in CONSUMERS:
            assert stack.queue_depth(QUEUE.format(service=service)) == 0
            assert platform.procs[service].poll() is None, f"{service} died"

        # The platform still serves a write that reaches both read models.
        probe = EventProbe(stack.amqp_uri, "deputy", "deputy_registered")
        try:
            response = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload())
            assert response.status_code == 201, response.text
            code = response.json()["id"]
            event = probe.wait_for(lambda e: e["data"]["code"] == code, timeout=20)
        finally:
            probe.close()
        for service in CONSUMERS:
            eventually(lambda: stack.directory(service, [code]) == {code: 1}, timeout=20,
                       what=f"{code} in the {service} read model")

        # Redelivery: the identical envelope twice more (same event_id) is handled, not applied.
        before = {service: consumed_ok(platform, service) for service in CONSUMERS}
        for _ in range(2):
            publish(channel, json.dumps(event).encode(), content_type="application/json",
                    message_id=event["event_id"], type="deputy_registered")
        for service in CONSUMERS:
            eventually(lambda: consumed_ok(platform, service) >= before[service] + 2, timeout=20,
                       what=f"{service} to handle both redeliveries")
            assert stack.directory(service, [code]) == {code: 1}
            assert stack.scalar(f"SELECT count(*) FROM {service}.processed_events WHERE event_id = %s",
                                (event["event_id"],)) == 1
            assert stack.queue_depth(dlq(service)) == len(poison)  # redeliveries are not errors
        # A new event with an unseen id but an old version changes nothing either.
        stale = {**event, "event_id": str(uuid.uuid4())}
        publish(channel, json.dumps(stale).encode(), content_type="application/json")
        for service in CONSUMERS:
            eventually(lambda: consumed_ok(platform, service) >= before[service] + 3, timeout=20,
                       what=f"{service} to handle the stale copy")
            assert stack.directory(service, [code]) == {code: 1}
    finally:
        connection.close()
