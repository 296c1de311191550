"""Deputies' notifications for real: suggestion events published to ``suggestion.events``
(as the suggestion service's relay would), the deputy service in-process with its mailer
pointed at a real SMTP server (aiosmtpd, its own process), the inbox through the gateway."""
import os
import subprocess
import tempfile
import uuid

import psycopg
import pytest
import requests
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.service import GatewayService
from kernel.config import service_dsn
from kernel.metrics import service_metrics
from services.deputy.service import DeputyService
from tests.integration.helpers import Broker, counter_value
from tests.support.platform import PYTHON, ROOT, account_headers, eventually, free_port, new_deputy_payload
from tests.support.smtp_sink import read_messages

QUEUE = "evt-suggestion-{0}--deputy.on_suggestion_{0}"
EVENT_TYPES = ("suggestion_accepted", "suggestion_rejected", "suggestion_assigned", "suggestion_replied",
               "suggestion_overdue")
MAX_ATTEMPTS = 3


@pytest.fixture(scope="module")
def smtp_server():
    port = free_port()
    out = os.path.join(tempfile.mkdtemp(prefix="renda-smtp-"), "mails.jsonl")
    proc = subprocess.Popen([PYTHON, "-m", "tests.support.smtp_sink", "--port", str(port), "--out", out,
                             "--tempfail-times", "2"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield {"port": port, "out": out}
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(10)


def smtp_config(base, smtp_server):
    return dict(base, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server["port"], SMTP_FROM="人大平台 <noreply@renda.test>",
                SMTP_TIMEOUT_SECONDS=5, SMTP_MAX_ATTEMPTS=MAX_ATTEMPTS, SMTP_RETRY_BASE_SECONDS=0.2,
                SMTP_RETRY_MAX_SECONDS=1, SMTP_POLL_SECONDS=0.5)


@pytest.fixture(scope="module")
def stack(demo_loaded, smtp_server):
    """Deputy service (mailer on) + gateway, in-process; the inbox queues start empty."""
    with Broker(demo_loaded["AMQP_URI"]) as broker:
        for event_type in EVENT_TYPES:
            broker.purge(QUEUE.format(event_type), QUEUE.format(event_type) + ".dlq")
    runners = []
    for cls, config in ((DeputyService, smtp_config(demo_loaded, smtp_server)), (GatewayService, demo_loaded)):
        runner = ServiceRunner(dict(config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"))
        runner.add_service(cls)
        runner.start()
        runners.append(runner)
    with ClusterRpcProxy(demo_loaded, timeout=15) as rpc:
        yield {"url": "http://" + runners[1].service_map["gateway"].config["WEB_SERVER_ADDRESS"], "rpc": rpc,
               "config": demo_loaded}
    for runner in reversed(runners):
        runner.stop()


@pytest.fixture
def broker(stack):
    with Broker(stack["config"]["AMQP_URI"]) as broker:
        yield broker


def new_deputy(stack, email=None):
    return stack["rpc"].deputy.register_deputy(payload=new_deputy_payload(name="通知测试", email=email))["code"]


def token(stack, role, subject):
    """Every token is checked against its account: new deputies get one in the gateway's schema."""
    username = {"department": f"dept-{subject}", "staff": "staff"}.get(role, subject)
    return account_headers(stack["config"], username, role, subject)


def inbox(stack, code, **params):
    response = requests.get(f"{stack['url']}/api/v1/me/notifications", params=params,
                            headers=token(stack, "deputy", code), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def suggestion_event(event_type, deputies, **data):
    number = "19-3-%03d" % (uuid.uuid4().int % 1000)
    return {"event_id": str(uuid.uuid4()), "type": event_type, "occurred_at": "2026-11-27T08:00:00+00:00",
            "schema_version": 1, "producer": "suggestion", "correlation_id": "nt-" + uuid.uuid4().hex[:8],
            "aggregate_id": "s-" + number,
            "data": {"suggestion_id": "s-" + number, "number": number, "title": "关于改善校车接送的建议",
                     "category": "教育", "status": event_type.split("_", 1)[1], "lead_deputy": deputies[0],
                     "deputies": list(deputies), "departments": ["edu"],
                     "actor": {"role": "staff", "subject": None, "username": "staff"}, **data}}


ASSIGNED = {"assignments": [{"department": "edu", "role": "lead", "due_date": "2027-02-27"}]}


def handled(event_type):
    return counter_value(service_metrics("deputy").events_consumed, event_type, "ok")


def publish(broker, envelope):
    broker.publish(envelope, exchange="suggestion.events", routing_key=envelope["type"])


def publish_and_wait(broker, envelope, times=1):
    before = handled(envelope["type"])
    for _ in range(times):
        publish(broker, envelope)
    eventually(lambda: handled(envelope["type"]) >= before + times, 15, f"{times} deliveries of {envelope['type']}")


def mails_to(smtp_server, address):
    return [m for m in read_messages(smtp_server["out"]) if address in m["rcpt_tos"]]


# -- the inbox ------------------------------------------------------------------------------
def test_a_redelivered_event_makes_one_notification_per_deputy(stack, broker):
    lead, cosigner = new_deputy(stack), new_deputy(stack)
    envelope = suggestion_event("suggestion_assigned", [lead, cosigner], **ASSIGNED)
    publish_and_wait(broker, envelope, times=3)  # the broker delivering the same event again
    for code, whose in ((lead, "您领衔的建议"), (cosigner, "您的建议")):
        page = inbox(stack, code)
        assert (page["total"], page["unread"]) == (1, 1), page
        item = page["items"][0]
        assert item["type"] == "suggestion_assigned" and item["number"] == envelope["data"]["number"]
        assert item["subject"] == "建议已交办" and item["read"] is False and item["email_status"] == "none"
        assert item["body"] == (f"{whose}《关于改善校车接送的建议》({envelope['data']['number']})"
                                "已交办至 教育局（主办），答复期限 2027-02-27。")


def test_events_of_each_kind_reach_the_inbox_newest_first(stack, broker):
    code = new_deputy(stack)
    sequence = [("suggestion_accepted", {}, "建议已立案"),
                ("suggestion_assigned", ASSIGNED, "建议已交办"),
                ("suggestion_overdue", {"department": "edu", "due_date": "2027-02-27"}, "建议办理已超期"),
                ("suggestion_replied", {"department": "edu", "reply_category": "A", "content": "已解决"},
                 "建议已答复")]
    for event_type, data, _ in sequence:
        publish_and_wait(broker, suggestion_event(event_type, [code], **data))
    page = inbox(stack, code)
    assert [item["subject"] for item in page["items"]] == [subject for _, _, subject in reversed(sequence)]
    rejected_code = new_deputy(stack)
    publish_and_wait(broker, suggestion_event("suggestion_rejected", [rejected_code], reason="petition"))
    assert inbox(stack, rejected_code)["items"][0]["body"].endswith("经审查未予立案，原因：属信访或投诉事项。")


def test_a_deputy_sees_only_their_own_and_marks_them_read(stack, broker):
    me, other = new_deputy(stack), new_deputy(stack)
    for _ in range(3):
        publish_and_wait(broker, suggestion_event("suggestion_accepted", [me]))
    publish_and_wait(broker, suggestion_event("suggestion_accepted", [other]))
    page = inbox(stack, me)
    assert (page["total"], page["unread"], len(page["items"])) == (3, 3, 3)
    assert inbox(stack, me, limit=2, offset=2)["items"] == page["items"][2:]
    others_id = inbox(stack, other)["items"][0]["id"]
    url = stack["url"] + "/api/v1/me/notifications"

    first = page["items"][0]["id"]
    response = requests.post(f"{url}/{first}/read", headers=token(stack, "deputy", me), timeout=10)
    assert response.status_code == 200 and response.json()["read"] is True and response.json()["read_at"]
    after = inbox(stack, me, unread="true")
    assert (after["total"], after["unread"]) == (2, 2) and first not in [i["id"] for i in after["items"]]

    # another deputy's notification is as unknown as a missing one, and stays unread
    response = requests.post(f"{url}/{others_id}/read", headers=token(stack, "deputy", me), timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"
    assert inbox(stack, other)["unread"] == 1
    response = requests.post(f"{url}/not-a-number/read", headers=token(stack, "deputy", me), timeout=10)
    assert response.status_code == 400 and "id" in response.json()["error"]["details"]

    response = requests.post(f"{url}/read-all", headers=token(stack, "deputy", me), timeout=10)
    assert response.status_code == 200 and response.json() == {"updated": 2, "unread": 0}
    assert inbox(stack, me)["unread"] == 0 and inbox(stack, other)["unread"] == 1


@pytest.mark.parametrize("method, path", [("GET", ""), ("POST", "/1/read"), ("POST", "/read-all")])
def test_public_is_401_and_other_roles_403(stack, method, path):
    url = stack["url"] + "/api/v1/me/notifications" + path
    assert requests.request(method, url, timeout=10).status_code == 401
    for role, subject in (("department", "edu"), ("unit", "105001")):
        response = requests.request(method, url, headers=token(stack, role, subject), timeout=10)
        assert response.status_code == 403 and response.json()["error"]["code"] == "FORBIDDEN"


def test_bad_paging_is_400_naming_the_field(stack):
    code = new_deputy(stack)
    response = requests.get(f"{stack['url']}/api/v1/me/notifications", params={"limit": 0},
                            headers=token(stack, "deputy", code), timeout=10)
    assert response.status_code == 400 and "limit" in response.json()["error"]["details"]


# -- e-mail ---------------------------------------------------------------------------------
def address(prefix="deputy"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


def email_row(stack, code):
    return stack["rpc"].deputy.list_notifications(actor={"role": "deputy", "subject": code})["items"][0]


def test_an_email_arrives_once_with_the_right_recipient_and_subject(stack, broker, smtp_server):
    mail, mail_later = address(), address()
    code, later = new_deputy(stack, mail), new_deputy(stack, mail_later)
    envelope = suggestion_event("suggestion_assigned", [code], **ASSIGNED)
    publish_and_wait(broker, envelope)
    received = eventually(lambda: mails_to(smtp_server, mail), 15, "the e-mail")
    assert len(received) == 1
    message = received[0]
    assert message["to"] == mail and message["mail_from"] == "noreply@renda.test"
    assert message["subject"] == f"【代表建议】建议已交办 {envelope['data']['number']}"
    assert "已交办至 教育局（主办）" in message["body"]
    # the server has the message before the sender commits 'sent'
    eventually(lambda: email_row(stack, code)["email_status"] == "sent", 10, "the row marked sent")

    # the broker delivers the event again; a later e-mail is sent after it (in order): still one
    publish_and_wait(broker, envelope, times=2)
    publish_and_wait(broker, suggestion_event("suggestion_accepted", [later]))
    eventually(lambda: mails_to(smtp_server, mail_later), 15, "the later e-mail")
    assert len(mails_to(smtp_server, mail)) == 1


def test_two_replicas_send_every_email_exactly_once(stack, broker, smtp_server):
    replica = ServiceRunner(dict(smtp_config(stack["config"], smtp_server),
                                 WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"))
    replica.add_service(DeputyService)
    replica.start()
    try:
        addresses = [address("pair") for _ in range(12)]
        codes = [new_deputy(stack, a) for a in addresses]
        for i in range(0, len(codes), 3):  # four events, three deputies each, both replicas consuming
            publish(broker, suggestion_event("suggestion_accepted", codes[i:i + 3]))
        eventually(lambda: all(mails_to(smtp_server, a) for a in addresses), 20, "all twelve e-mails")
        eventually(lambda: all(email_row(stack, c)["email_status"] == "sent" for c in codes), 10, "rows marked sent")
        assert sorted(len(mails_to(smtp_server, a)) for a in addresses) == [1] * 12
    finally:
        replica.stop()


def test_a_temporary_failure_is_retried_and_a_permanent_one_given_up(stack, broker, smtp_server):
    flaky, refused, busy = address("tempfail"), address("reject"), address("busy")
    codes = {a: new_deputy(stack, a) for a in (flaky, refused, busy)}
    for a, code in codes.items():
        publish_and_wait(broker, suggestion_event("suggestion_accepted", [code]))

    # 451 twice, accepted on the third try
    eventually(lambda: mails_to(smtp_server, flaky), 20, "the e-mail after two 451 answers")
    eventually(lambda: email_row(stack, codes[flaky])["email_status"] == "sent", 10, "marked sent")
    assert len(mails_to(smtp_server, flaky)) == 1
    # 550: no retry; 451 every time: given up after MAX_ATTEMPTS tries
    eventually(lambda: email_row(stack, codes[refused])["email_status"] == "failed", 10, "550 given up")
    eventually(lambda: email_row(stack, codes[busy])["email_status"] == "failed", 20, "busy given up")
    assert not mails_to(smtp_server, refused) and not mails_to(smtp_server, busy)
    # attempts are not on the API: read them from the table
    with psycopg.connect(service_dsn(stack["config"], "deputy")) as db:
        attempts = dict(db.execute("SELECT email_to, email_attempts FROM notifications WHERE email_to = ANY(%s)",
                                   ([flaky, refused, busy],)).fetchall())
    assert attempts == {flaky: 3, refused: 1, busy: MAX_ATTEMPTS}


def budget_alert_event(alert_id):
    return {"event_id": str(uuid.uuid4()), "type": "budget_alert_raised", "occurred_at": "2026-11-28T08:00:00+00:00",
            "schema_version": 1, "producer": "budget", "correlation_id": "nt-" + uuid.uuid4().hex[:8],
            "aggregate_id": str(alert_id),
            "data": {"alert_id": alert_id, "rule": "large_payment", "rule_name": "大额支付", "year": 2026,
                     "unit_code": "108002", "unit_name": "宁陕县水利局", "subject": "G1", "severity": "high",
                     "status": "raised", "message": "单笔支付 720,000.00 元", "figures": {"amount": "720000.00"},
                     "evidence": {"vouchers": ["G1"]}, "as_of": "2026-11-28"}}


def test_a_raised_budget_alert_reaches_the_staff_inbox_once_and_no_deputy(stack, broker):
    alert_id = uuid.uuid4().int % 10**9
    envelope = budget_alert_event(alert_id)
    someone = new_deputy(stack)
    before = handled("budget_alert_raised")
    for _ in range(2):  # a redelivery makes no second row
        broker.publish(envelope, exchange="budget.events", routing_key="budget_alert_raised")
    eventually(lambda: handled("budget_alert_raised") >= before + 2, 15, "two deliveries of budget_alert_raised")
    url = stack["url"] + "/api/v1/me/notifications"
    staff = token(stack, "staff", None)
    items = requests.get(url, params={"limit": 200}, headers=staff, timeout=10).json()["items"]
    mine = [n for n in items if f"预警编号 {alert_id}" in n["body"]]
    assert len(mine) == 1, items
    assert mine[0]["type"] == "budget_alert_raised" and mine[0]["subject"] == "预算执行预警：大额支付"
    assert "宁陕县水利局（108002）" in mine[0]["body"] and not mine[0]["read"]
    assert inbox(stack, someone)["total"] == 0
    response = requests.post(f"{url}/{mine[0]['id']}/read", headers=staff, timeout=10)
    assert response.status_code == 200 and response.json()["read"] is True
    other_reads = requests.post(f"{url}/{mine[0]['id']}/read", headers=token(stack, "deputy", someone),
                                              timeout=10)
    assert other_reads.status_code == 404  # a deputy cannot touch the staff's inbox


def staff_view(stack, headers, notification_id):
    """(the notice as this staff member sees it, their unread count)."""
    page = requests.get(stack["url"] + "/api/v1/me/notifications", params={"limit": 200}, headers=headers,
                        timeout=10).json()
    return next(n for n in page["items"] if n["id"] == notification_id), page["unread"]


def test_each_staff_member_marks_the_shared_staff_inbox_read_for_themself(stack, broker):
    alert_id = uuid.uuid4().int % 10**9
    before = handled("budget_alert_raised")
    broker.publish(budget_alert_event(alert_id), exchange="budget.events", routing_key="budget_alert_raised")
    eventually(lambda: handled("budget_alert_raised") >= before + 1, 15, "budget_alert_raised applied")
    one = account_headers(stack["config"], "staff-" + uuid.uuid4().hex[:8], "staff", None)
    other = account_headers(stack["config"], "staff-" + uuid.uuid4().hex[:8], "staff", None)
    items = requests.get(stack["url"] + "/api/v1/me/notifications", params={"limit": 200}, headers=one,
                         timeout=10).json()["items"]
    [notice] = [n for n in items if f"预警编号 {alert_id}" in n["body"]]
    _, others_unread_before = staff_view(stack, other, notice["id"])

    read = requests.post(f"{stack['url']}/api/v1/me/notifications/{notice['id']}/read", headers=one, timeout=10)
    assert read.status_code == 200 and read.json()["read"] is True and read.json()["read_at"]
    seen, _ = staff_view(stack, one, notice["id"])
    assert seen["read"] is True
    not_seen, others_unread = staff_view(stack, other, notice["id"])
    assert not_seen["read"] is False and not_seen["read_at"] is None
    assert others_unread == others_unread_before  # one member's reading changes nobody else's count

    everything = requests.post(stack["url"] + "/api/v1/me/notifications/read-all", headers=other, timeout=10)
    assert everything.status_code == 200 and everything.json()["updated"] == others_unread_before
    assert staff_view(stack, other, notice["id"])[1] == 0
    again = requests.post(f"{stack['url']}/api/v1/me/notifications/{notice['id']}/read", headers=one, timeout=10)
    assert again.json()["read_at"] == read.json()["read_at"]  # the first mark stays
