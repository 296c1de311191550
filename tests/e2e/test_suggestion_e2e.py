"""Suggestion handling end to end through the gateway (all processes, real RabbitMQ and
PostgreSQL): the whole lifecycle with re-handling, the events it publishes (and the
department copies), illegal transitions, permissions per role, bad input, idempotent
filing, and deadline warnings raised exactly once."""
import datetime
import uuid

import psycopg
import pytest

from tests.e2e.conftest import assert_json_error, post
from tests.support.platform import EventProbe, eventually

LEAD, CO_SIGNER, OTHER = "D0101", "D0102", "D0103"


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    """The suggestion service knows the deputies (its read model) before we file."""
    for code in (LEAD, CO_SIGNER, OTHER):
        eventually(lambda: cluster_rpc.suggestion.directory_entry(code), timeout=30, what=f"directory {code}")
    return client


def new_payload(**overrides):
    payload = {"title": f"关于修缮通村公路的建议{uuid.uuid4().hex[:6]}",
               "content": "筒车湾镇通村公路年久失修，雨季塌方频发，建议交通运输局安排专项资金维修道路和桥梁。",
               "category": "交通建设", "co_signers": [CO_SIGNER], "session": 3}
    payload.update(overrides)
    return payload


def file(client, as_user=LEAD, **overrides):
    response = client.post("/api/v1/suggestions", as_user=as_user, json=new_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def assigned(client, lead="transport", co="finance", **overrides):
    s = file(client, **overrides)
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    assignments = [{"department": lead, "role": "lead"}] + ([{"department": co, "role": "co"}] if co else [])
    return post(client, f"/api/v1/suggestions/{s['id']}/assign", "staff", {"assignments": assignments})


@pytest.fixture
def probe(config):
    probe = EventProbe(config["AMQP_URI"], "suggestion")
    yield probe
    probe.close()


def test_whole_lifecycle_with_rehandling(ready, probe, config):
    client = ready
    s = file(client)
    assert s["status"] == "submitted" and s["number"].startswith("19-3-")
    assert s["lead_deputy"] == LEAD and CO_SIGNER in s["deputy_codes"]
    sid = s["id"]
    routed = post(client, f"/api/v1/suggestions/{sid}/review", "staff", {"decision": "accept"})
    assert routed["status"] == "routed"
    proposals = client.get(f"/api/v1/suggestions/{sid}/proposals", as_user="staff").json()["items"]
    assert proposals[0]["department"] == "transport" and proposals[0]["role"] == "lead"
    s = post(client, f"/api/v1/suggestions/{sid}/assign", "staff",
             {"assignments": [{"department": "transport", "role": "lead"}, {"department": "finance", "role": "co"}]})
    assert s["status"] == "assigned" and sorted(s["departments"]) == ["finance", "transport"]
    due = datetime.date.fromisoformat(s["assignments"][0]["due_date"])
    assert 88 <= (due - datetime.date.today()).days <= 93  # 3 months
    assert post(client, f"/api/v1/suggestions/{sid}/acknowledge", "dept-transport")["status"] == "acknowledged"
    post(client, f"/api/v1/suggestions/{sid}/acknowledge", "dept-finance")
    post(client, f"/api/v1/suggestions/{sid}/views", "dept-finance", {"content": "财政局意见：可从专项资金中安排。"})
    s = post(client, f"/api/v1/suggestions/{sid}/extension", "dept-transport", {"reason": "需要勘察设计"})
    s = post(client, f"/api/v1/suggestions/{sid}/extension/decision", "staff",
             {"department": "transport", "approved": True})
    lead = [a for a in s["assignments"] if a["department"] == "transport"][0]
    assert lead["extension_status"] == "approved" and lead["due_date"] == lead["latest_due_date"]
    s = post(client, f"/api/v1/suggestions/{sid}/reply", "dept-transport",
             {"category": "B", "content": "已列入明年交通建设计划。"})
    assert s["status"] == "replied"
    s = post(client, f"/api/v1/suggestions/{sid}/evaluation", LEAD, {"satisfaction": "unsatisfied",
                                                                        "comment": "没有具体时间表"})
    assert s["status"] == "rehandling"
    lead = [a for a in s["assignments"] if a["department"] == "transport"][0]
    assert 27 <= (datetime.date.fromisoformat(lead["due_date"]) - datetime.date.today()).days <= 32  # 1 month
    post(client, f"/api/v1/suggestions/{sid}/reply", "dept-transport", {"category": "B", "content": "明年三月开工。"})
    s = post(client, f"/api/v1/suggestions/{sid}/evaluation", LEAD, {"satisfaction": "basically_satisfied"})
    assert s["status"] == "closed"
    s = post(client, f"/api/v1/suggestions/{sid}/follow-up", "dept-transport", {"content": "道路已于三月修复通车。"})
    view = client.get(f"/api/v1/suggestions/{sid}", as_user=LEAD).json()
    types = [t["type"] for t in view["timeline"]]
    assert types == ["suggestion_submitted", "suggestion_accepted", "suggestion_routed", "suggestion_assigned",
                     "suggestion_acknowledged", "suggestion_acknowledged", "suggestion_view_sent",
                     "suggestion_extension_requested", "suggestion_extension_decided", "suggestion_replied",
                     "suggestion_evaluated", "suggestion_rehandling_opened", "suggestion_replied",
                     "suggestion_evaluated", "suggestion_closed", "suggestion_followed_up"]
    assert view["timeline"][0]["actor"]["subject"] == LEAD
    assert view["timeline"][3]["actor"]["username"] == "staff"
    # the events went out, with the contract's fields, in order
    seen = probe.collect(lambda e: e["aggregate_id"] == sid, len(types), timeout=15)
    assert [e["type"] for e in seen] == types
    replied = seen[9]["data"]
    assert replied["reply_category"] == "B" and replied["department"] == "transport"
    for envelope in seen:
        data = envelope["data"]
        for key in ("suggestion_id", "number", "title", "category", "status", "lead_deputy", "deputies",
                    "departments", "actor"):
            assert key in data, (envelope["type"], key)
        assert CO_SIGNER in data["deputies"]


def test_department_copies_go_to_the_departments_exchange(ready, config):
    client = ready
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(config["AMQP_URI"]))
    channel = connection.channel()
    channel.exchange_declare("suggestion.departments", exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "suggestion.departments", routing_key="health.#")
    s = assigned(client, lead="health", co=None)
    received = []
    for method, _, body in channel.consume(queue, inactivity_timeout=0.2):
        if method is not None:
            channel.basic_ack(method.delivery_tag)
            received.append((method.routing_key, body))
            if any(rk == "health.suggestion_assigned" and s["id"].encode() in b for rk, b in received):
                break
        if len(received) > 500:
            break
    channel.cancel()
    connection.close()
    assert any(rk == "health.suggestion_assigned" for rk, _ in received)
    assert all(rk.startswith("health.") for rk, _ in received)


def test_illegal_transitions_answer_409_with_the_current_state(ready):
    client = ready
    s = file(client)
    error = assert_json_error(client.post(f"/api/v1/suggestions/{s['id']}/evaluation", as_user=LEAD,
                                          json={"satisfaction": "satisfied"}), 409, "CONFLICT")
    assert error["details"]["status"] == "submitted"
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "reject", "reason": "petition"})
    error = assert_json_error(client.post(f"/api/v1/suggestions/{s['id']}/review", as_user="staff",
                                          json={"decision": "accept"}), 409, "CONFLICT")
    assert error["details"]["status"] == "rejected"
    t = assigned(client, lead="edu", co=None)
    error = assert_json_error(client.post(f"/api/v1/suggestions/{t['id']}/follow-up", as_user="dept-edu",
                                          json={"content": "已解决"}), 409, "CONFLICT")
    assert error["details"]["status"] == "assigned"
    post(client, f"/api/v1/suggestions/{t['id']}/reply", "dept-edu", {"category": "A", "content": "已解决。"})
    error = assert_json_error(client.post(f"/api/v1/suggestions/{t['id']}/withdraw", as_user=LEAD, json={}),
                              409, "CONFLICT")
    assert error["details"]["status"] == "replied"


def test_withdraw_before_reply(ready):
    client = ready
    s = assigned(client, lead="water", co=None)
    s = post(client, f"/api/v1/suggestions/{s['id']}/withdraw", LEAD, {"reason": "已由镇政府解决"})
    assert s["status"] == "withdrawn" and s["departments"] == []


def test_return_goes_back_to_staff_for_reassignment(ready):
    client = ready
    s = assigned(client, lead="agri", co=None)
    s = post(client, f"/api/v1/suggestions/{s['id']}/return", "dept-agri", {"reason": "不属于本单位职责"})
    assert s["status"] == "returned"
    s = post(client, f"/api/v1/suggestions/{s['id']}/assign", "staff",
             {"assignments": [{"department": "transport", "role": "lead"}]})
    assert s["status"] == "assigned" and s["departments"] == ["transport"]
    inbox = client.get("/api/v1/departments/agri/inbox", as_user="dept-agri").json()
    assert s["id"] not in [i["suggestion_id"] for i in inbox["items"]]


def test_permissions_per_role(ready):
    client = ready
    s = assigned(client, lead="culture", co=None)
    sid = s["id"]
    assert client.get(f"/api/v1/suggestions/{sid}", as_user=LEAD).status_code == 200
    assert client.get(f"/api/v1/suggestions/{sid}", as_user=CO_SIGNER).status_code == 200
    # what a caller may not see is answered as if it did not exist: 404, like the public gets
    assert_json_error(client.get(f"/api/v1/suggestions/{sid}", as_user=OTHER), 404, "NOT_FOUND")
    assert client.get(f"/api/v1/suggestions/{sid}", as_user="dept-culture").status_code == 200
    assert_json_error(client.get(f"/api/v1/suggestions/{sid}", as_user="dept-edu"), 404, "NOT_FOUND")
    assert client.get(f"/api/v1/suggestions/{sid}", as_user="staff").status_code == 200
    assert_json_error(client.get(f"/api/v1/suggestions/{sid}"), 404, "NOT_FOUND")  # public: not yet a result
    # lists are scoped
    mine = client.get("/api/v1/suggestions?limit=500", as_user=LEAD).json()
    assert sid in [i["id"] for i in mine["items"]]
    others = client.get("/api/v1/suggestions?limit=500", as_user=OTHER).json()
    assert sid not in [i["id"] for i in others["items"]]
    assert all(OTHER in i["deputy_codes"] for i in others["items"])
    inbox = client.get("/api/v1/departments/culture/inbox", as_user="dept-culture").json()
    assert sid in [i["suggestion_id"] for i in inbox["items"]]
    assert_json_error(client.get("/api/v1/departments/culture/inbox", as_user="dept-edu"), 403, "FORBIDDEN")
    assert_json_error(client.get("/api/v1/departments/culture/inbox", as_user=LEAD), 403, "FORBIDDEN")
    # a department acts only on its own assignments (another's is not found); a deputy cannot reply,
    # a department cannot evaluate (role checks: 403)
    assert_json_error(client.post(f"/api/v1/suggestions/{sid}/acknowledge", as_user="dept-edu"), 404, "NOT_FOUND")
    assert_json_error(client.post(f"/api/v1/suggestions/{sid}/reply", as_user=LEAD,
                                  json={"category": "A", "content": "x" * 5}), 403)
    assert_json_error(client.post(f"/api/v1/suggestions/{sid}/review", as_user=LEAD,
                                  json={"decision": "accept"}), 403)
    assert_json_error(client.post(f"/api/v1/suggestions/{sid}/evaluation", as_user=OTHER,
                                  json={"satisfaction": "satisfied"}), 404, "NOT_FOUND")
    assert_json_error(client.post(f"/api/v1/suggestions/{sid}/evaluation", as_user="dept-culture",
                                  json={"satisfaction": "satisfied"}), 403, "FORBIDDEN")
    # once replied, the public sees the handling result, without deputies
    post(client, f"/api/v1/suggestions/{sid}/reply", "dept-culture", {"category": "A", "content": "已采纳并实施。"})
    public = client.get(f"/api/v1/suggestions/{sid}").json()
    assert public["replies"][0]["reply_content"] == "已采纳并实施。" and public["number"] == s["number"]
    assert "deputies" not in public and "lead_deputy" not in public and "content" not in public
    listed = client.get("/api/v1/suggestions?limit=500").json()
    assert all(i["status"] in ("replied", "closed", "rehandling") for i in listed["items"])
    assert sid in [i["id"] for i in listed["items"]]


@pytest.mark.parametrize("overrides, status, field", [
    ({"title": None}, 400, "title"),
    ({"content": None}, 400, "content"),
    ({"title": "长" * 101}, 400, "title"),
    ({"content": "长" * 5001}, 400, "content"),
    ({"category": "星际旅行"}, 400, "category"),
    ({"co_signers": ["D9999"]}, 422, "co_signers"),
])
def test_bad_filings_name_the_field(ready, overrides, status, field):
    payload = {k: v for k, v in new_payload(**overrides).items() if v is not None}
    error = assert_json_error(ready.post("/api/v1/suggestions", as_user=LEAD, json=payload), status)
    assert field in error["details"], error
    if field == "co_signers":
        assert "D9999" in error["details"]["co_signers"][0]


def test_bad_assignments_name_the_field(ready):
    client = ready
    s = file(client)
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    error = assert_json_error(client.post(f"/api/v1/suggestions/{s['id']}/assign", as_user="staff", json={
        "assignments": [{"department": "nowhere", "role": "lead"}]}), 422, "UNPROCESSABLE")
    assert "nowhere" in error["details"]["department"][0]
    error = assert_json_error(client.post(f"/api/v1/suggestions/{s['id']}/assign", as_user="staff", json={
        "assignments": [{"department": "edu"}]}), 400, "VALIDATION_ERROR")
    assert "role" in error["details"]["assignments"]["0"]
    error = assert_json_error(client.post(f"/api/v1/suggestions/{s['id']}/review", as_user="staff", json={
        "decision": "reject", "reason": "other"}), 400)
    assert "reason_text" in error["details"]


def test_idempotent_filing(ready):
    client = ready
    key = uuid.uuid4().hex
    payload = new_payload()
    first = client.post("/api/v1/suggestions", as_user=LEAD, json=payload, headers={"Idempotency-Key": key})
    second = client.post("/api/v1/suggestions", as_user=LEAD, json=payload, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and first.json()["number"] == second.json()["number"]
    mine = client.get("/api/v1/suggestions?limit=500", as_user=LEAD).json()["items"]
    assert [i["title"] for i in mine].count(payload["title"]) == 1


def test_staff_file_on_behalf_and_merge_keeps_deputies(ready):
    client = ready
    a = file(client, title="关于加强江口回族镇中学校车安全管理的建议",
             content="江口回族镇中学校车老旧，存在超载现象，建议教育局加强校车安全管理，更新校车车辆。", category="教育")
    b = client.post("/api/v1/suggestions", as_user="staff", json={
        "deputy": OTHER, "title": "关于加强江口回族镇中学校车安全的建议", "category": "教育",
        "content": "江口回族镇中学校车老旧超载，建议加强校车安全管理并更新车辆。"}).json()
    assert b["lead_deputy"] == OTHER and b["number"].startswith("19-B-")
    similar = client.get(f"/api/v1/suggestions/{b['id']}/similar", as_user="staff").json()
    assert a["id"] in [i["id"] for i in similar["items"]]
    merged = post(client, f"/api/v1/suggestions/{b['id']}/review", "staff", {"decision": "merge",
                                                                               "merge_into": a["id"]})
    assert merged["status"] == "merged" and merged["merged_into"] == a["id"]
    target = client.get(f"/api/v1/suggestions/{a['id']}", as_user=OTHER)  # OTHER keeps the right to a reply
    assert target.status_code == 200 and OTHER in target.json()["deputy_codes"]


def test_routing_rules_crud_and_departments(ready):
    client = ready
    departments = client.get("/api/v1/departments").json()
    assert departments["total"] >= 30 and "edu" in [d["code"] for d in departments["items"]]
    rule = client.post("/api/v1/routing-rules", as_user="staff", json={
        "keywords": ["无人机"], "department": "weather", "role": "lead", "weight": 5})
    assert rule.status_code == 201, rule.text
    rule_id = rule.json()["id"]
    s = file(client, title="关于推广无人机人工增雨的建议", content="建议在干旱季节推广无人机人工增雨作业。", category="其他")
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    proposals = client.get(f"/api/v1/suggestions/{s['id']}/proposals", as_user="staff").json()["items"]
    assert proposals[0]["department"] == "weather"
    changed = client.patch(f"/api/v1/routing-rules/{rule_id}", as_user="staff", json={"weight": 0.5})
    assert changed.status_code == 200 and changed.json()["weight"] == 0.5
    assert client.request("DELETE", f"/api/v1/routing-rules/{rule_id}", as_user="staff").status_code == 200
    assert_json_error(client.post("/api/v1/routing-rules", as_user="staff", json={
        "keywords": ["x"], "department": "nowhere"}), 422)
    assert_json_error(client.get("/api/v1/routing-rules", as_user="dept-edu"), 403)


def test_dashboard_counts_real_suggestions(ready):
    client = ready
    file(client)
    dashboard = client.get(f"/api/v1/deputies/{LEAD}/dashboard", as_user=LEAD).json()
    summary = dashboard["suggestions"]
    assert summary["filed"] >= 1 and sum(summary["by_status"].values()) == summary["filed"]
    assert summary["items"] and summary["items"][0]["number"]


def test_a_hidden_suggestion_answers_like_a_missing_one(ready):
    """Same status, code and message shape for another deputy's suggestion in handling as for
    an id that never existed: a deputy or department cannot probe which ids exist."""
    client = ready
    sid = assigned(client, lead="culture", co=None)["id"]
    for user in (OTHER, "dept-edu", None):
        hidden = assert_json_error(client.get(f"/api/v1/suggestions/{sid}", as_user=user), 404, "NOT_FOUND")
        missing = assert_json_error(client.get("/api/v1/suggestions/ffffffffffffffff", as_user=user), 404,
                                    "NOT_FOUND")
        assert hidden["message"].replace(sid, "?") == missing["message"].replace("ffffffffffffffff", "?")
    for path, user, body in ((f"/api/v1/suggestions/{sid}/withdraw", OTHER, {}),
                             (f"/api/v1/suggestions/{sid}/reply", "dept-edu", {"category": "A", "content": "x" * 5}),
                             (f"/api/v1/suggestions/{sid}/return", "dept-edu", {"reason": "不属于本单位职责"}),
                             (f"/api/v1/suggestions/{sid}/extension", "dept-edu", {"reason": "需要协调"}),
                             (f"/api/v1/suggestions/{sid}/views", "dept-edu", {"content": "意见"}),
                             (f"/api/v1/suggestions/{sid}/follow-up", "dept-edu", {"content": "已解决"})):
        assert_json_error(client.post(path, as_user=user, json=body), 404, "NOT_FOUND")
    assert client.get(f"/api/v1/suggestions/{sid}", as_user=LEAD).status_code == 200


def test_dashboard_shows_others_only_the_public_results(ready):
    """Without a token (or as another deputy, or a department) a deputy's dashboard lists only
    what /api/v1/suggestions shows the public; the deputy and staff see everything."""
    client = ready
    submitted = file(client, title="关于尚未审查的建议（不公开）")
    rejected = file(client, title="关于被退回的建议（不公开）")
    post(client, f"/api/v1/suggestions/{rejected['id']}/review", "staff",
         {"decision": "reject", "reason": "petition"})
    hidden = {submitted["id"], rejected["id"]}
    public_statuses = {"replied", "rehandling", "closed"}
    public_list = client.get(f"/api/v1/suggestions?deputy={LEAD}&limit=500").json()
    for user in (None, OTHER, "dept-culture"):
        summary = client.get(f"/api/v1/deputies/{LEAD}/dashboard", as_user=user).json()["suggestions"]
        assert set(summary["by_status"]) <= public_statuses, (user, summary["by_status"])
        assert summary["filed"] == public_list["total"], user
        assert {i["status"] for i in summary["items"]} <= public_statuses
        assert not hidden & {i["id"] for i in summary["items"]}
        assert "不公开" not in str(summary)
    for user in (LEAD, "staff"):
        summary = client.get(f"/api/v1/deputies/{LEAD}/dashboard", as_user=user).json()["suggestions"]
        assert hidden <= {i["id"] for i in summary["items"]}, user  # the two newest
        assert summary["by_status"]["submitted"] >= 1 and summary["by_status"]["rejected"] >= 1


def test_due_soon_and_overdue_raised_once(ready, probe, config, clock_pool):
    """Assignments made 'in the past' through the injectable clock: the running service's
    timer (every second in tests) warns about each once, and the overdue list shows it."""
    ids = {name: assigned_in_the_past(clock_pool, days_ago) for name, days_ago in (("overdue", 100), ("due_soon", 85))}
    found = probe.collect(lambda e: e["aggregate_id"] in ids.values() and
                          e["type"] in ("suggestion_due_soon", "suggestion_overdue"), 2, timeout=15)
    assert {(e["aggregate_id"], e["type"]) for e in found} == {(ids["overdue"], "suggestion_overdue"),
                                                               (ids["due_soon"], "suggestion_due_soon")}
    assert found[0]["data"]["department"] == "land" and found[0]["data"]["actor"] == {"role": "system"}
    overdue = client_get_overdue(ready)
    assert ids["overdue"] in overdue and ids["due_soon"] not in overdue
    # a later tick (proved by a sentinel's warning) raised nothing more for the first two
    sentinel = assigned_in_the_past(clock_pool, 100)
    probe.wait_for(lambda e: e["aggregate_id"] == sentinel and e["type"] == "suggestion_overdue", timeout=15)
    with psycopg.connect(config["DATABASE_URL"], autocommit=True) as db:
        counts = db.execute("SELECT event_type, count(*) FROM suggestion.outbox WHERE aggregate_id = ANY(%s) AND "
                            "exchange = 'suggestion.events' AND event_type IN ('suggestion_due_soon', "
                            "'suggestion_overdue') GROUP BY event_type", (list(ids.values()),)).fetchall()
    assert dict(counts) == {"suggestion_due_soon": 1, "suggestion_overdue": 1}


@pytest.fixture(scope="module")
def clock_pool(config):
    """Connections into the suggestion schema, for use cases run with a past clock. As the
    superuser: the shared test server's last connection slots are reserved for it, so this
    works even when parallel test runs use up the others."""
    from psycopg.conninfo import make_conninfo

    from kernel.db import make_pool

    dsn = make_conninfo(config["DATABASE_URL"], options="-c search_path=suggestion,extensions")
    pool = make_pool(dsn, 1, "e2e-clock")
    pool.open(wait=False)
    yield pool
    pool.close()


def assigned_in_the_past(pool, days_ago, department="land"):
    """File, accept and assign with the clock set ``days_ago`` days back (the use cases
    take ``now``), writing through the service's own role as the service would."""
    from kernel.db import PostgresUnitOfWork
    from services.suggestion import handlers
    from services.suggestion.repository import REPOSITORIES

    staff = {"username": "staff", "role": "staff", "subject": None}
    then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)

    def unit():
        return PostgresUnitOfWork(pool, "suggestion", REPOSITORIES, pool_timeout=15)
    s = handlers.file_suggestion(new_payload(co_signers=[]), {"username": LEAD, "role": "deputy", "subject": LEAD},
                                 unit(), now=then)
    handlers.review(s.id, {"decision": "accept"}, staff, unit(), now=then)
    handlers.assign(s.id, {"assignments": [{"department": department, "role": "lead"}]}, staff, unit(), now=then)
    return s.id


def client_get_overdue(client):
    response = client.get("/api/v1/suggestions/overdue?limit=500", as_user="staff")
    assert response.status_code == 200, response.text
    return [i["suggestion_id"] for i in response.json()["items"]]


def test_staff_list_pending_extension_requests_and_the_lead_sees_the_co_handlers_views(ready):
    client = ready
    s = assigned(client, lead="transport", co="finance")
    sid = s["id"]
    wanted = (datetime.date.fromisoformat(s["assignments"][0]["due_date"]) + datetime.timedelta(days=20)).isoformat()
    post(client, f"/api/v1/suggestions/{sid}/extension", "dept-transport", {"reason": "需要勘察设计", "due_date": wanted})
    pending = client.get("/api/v1/suggestions/extensions", as_user="staff", params={"department": "transport",
                                                                                     "limit": 500}).json()
    mine = [i for i in pending["items"] if i["suggestion_id"] == sid]
    assert len(mine) == 1 and mine[0]["extension_due_date"] == wanted and mine[0]["extension_reason"] == "需要勘察设计"
    assert mine[0]["number"] == s["number"] and all(i["department"] == "transport" for i in pending["items"])
    assert_json_error(client.get("/api/v1/suggestions/extensions", as_user="dept-transport"), 403, "FORBIDDEN")
    post(client, f"/api/v1/suggestions/{sid}/extension/decision", "staff",
         {"department": "transport", "approved": True, "due_date": wanted})
    after = client.get("/api/v1/suggestions/extensions", as_user="staff", params={"limit": 500}).json()
    assert sid not in [i["suggestion_id"] for i in after["items"]]     # decided: no longer waiting

    post(client, f"/api/v1/suggestions/{sid}/views", "dept-finance", {"content": "建议统筹交通专项资金"})
    seen = {a["department"]: a for a in client.get(f"/api/v1/suggestions/{sid}", as_user="dept-transport")
            .json()["assignments"]}
    assert seen["finance"]["view_content"] == "建议统筹交通专项资金" and seen["finance"]["view_sent_at"]
    assert seen["transport"]["due_date"] == wanted and seen["transport"]["extension_status"] == "approved"
