"""Department subscriptions with real filings through the gateway: a deputy files, staff
accept and assign to a lead and a co-handling department; each department's pika
subscriber (``python -m services.suggestion.subscriber``, connected as its own RabbitMQ
user) receives exactly its own department copy, a third department nothing, and the lead
department's webhook gets the same envelope, signed."""
import json
import os
import subprocess
import sys
import threading

import pytest

from contracts.departments_amqp import department_amqp_uri, department_queue
from services.webhooks.domain import verify
from tests.integration.helpers import Broker
from tests.integration.webhook_server import RecordingServer
from tests.support.platform import ROOT, eventually

LEAD, CO, BYSTANDER = "housing", "finance", "ecology"


@pytest.fixture
def broker(config):
    with Broker(config["AMQP_URI"]) as broker:
        broker.purge(*(department_queue(code) for code in (LEAD, CO, BYSTANDER)))
        yield broker


def receive_until(config, department, suggestion_id, timeout=30):
    """Run the department's subscriber until it printed the event of ``suggestion_id``;
    every envelope it printed (demo suggestions' events may come first)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.suggestion.subscriber", "--department", department,
         "--amqp-uri", department_amqp_uri(config, department)],
        cwd=ROOT, env=dict(os.environ, PYTHONWARNINGS="ignore"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    received = []
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            received.append(json.loads(line))
            if received[-1]["data"].get("suggestion_id") == suggestion_id:
                break
    finally:
        timer.cancel()
        proc.terminate()
        proc.wait(15)
    assert received and received[-1]["data"]["suggestion_id"] == suggestion_id, proc.stderr.read()[-2000:]
    return received


def file_accept_assign(client):
    created = client.post("/api/v1/suggestions", as_user="D0007", json={
        "title": "关于加快城区老旧小区改造的建议", "category": "城乡建设",
        "content": "建议加快城区老旧小区改造进度，改善排水和道路设施，方便居民出行。"})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    accepted = client.post(f"/api/v1/suggestions/{sid}/review", as_user="staff", json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assigned = client.post(f"/api/v1/suggestions/{sid}/assign", as_user="staff", json={
        "assignments": [{"department": LEAD, "role": "lead"}, {"department": CO, "role": "co"}]})
    assert assigned.status_code == 200, assigned.text
    return sid


def test_each_department_hears_of_its_assignment_only(client, config, broker):
    with RecordingServer() as server:
        hook = client.post(f"/api/v1/departments/{LEAD}/webhooks", as_user=f"dept-{LEAD}",
                           json={"url": server.url + "/renda", "events": ["suggestion_assigned"]}).json()
        sid = file_accept_assign(client)
        lead_events = receive_until(config, LEAD, sid)
        co_events = receive_until(config, CO, sid)
        for department, received in ((LEAD, lead_events), (CO, co_events)):
            # nothing but this department's own copies
            assert all(department in e["data"]["departments"] or e["data"].get("department") == department
                       for e in received), received
            ours = [e for e in received if e["data"]["suggestion_id"] == sid]
            assert [e["type"] for e in ours] == ["suggestion_assigned"]
            assert ours[0]["producer"] == "suggestion"
            assert sorted(ours[0]["data"]["departments"]) == sorted([LEAD, CO])
        assert lead_events[-1]["event_id"] != co_events[-1]["event_id"]  # one copy per department
        bystander = [json.loads(body) for _, body in broker.take_all(department_queue(BYSTANDER))]
        assert all(e["data"]["suggestion_id"] != sid for e in bystander)

        eventually(lambda: server.requests, 15, "the lead department's webhook called")
        [request] = [r for r in server.requests if json.loads(r.body)["data"]["suggestion_id"] == sid]
        assert json.loads(request.body)["data"]["suggestion_id"] == sid
        assert verify(hook["secret"], request.body, request.headers["X-Renda-Signature"])
