"""The OpenAPI document is exact: every operation, walked with real and with generated
values, answers only documented status codes and content types, bodies that match the
documented schemas, and never a 5xx.

Two walks, each as the public, a deputy, a department and staff:

* every GET operation on the demo data's real resources (every kind of suggestion, both
  meetings and all their items, every department's inbox, ...), and a meeting run through
  (the answers only an open item gives), validated by Schemathesis' checks: deterministic,
  so that no answer shape is left to chance;
* every operation of the document with values Schemathesis generates from it (its
  examples, coverage and fuzzing phases, bounded by ``CONFORMANCE_MAX_EXAMPLES``), real
  identifiers mixed into the path parameters, run by its CLI in a subprocess.

Generated writes change data and sign-in attempts fail by the hundred, so this module runs
against a platform of its own (its own database and vhost on the same servers), never the
session platform the other e2e tests share. Tokens are taken before anything is generated,
and the staff walk runs last (it may reset a deputy's password or deactivate one)."""
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from gateway import openapi
from gateway.service import GatewayService
from kernel.bootstrap import bootstrap, load_demo
from tests.support.platform import PlatformProcesses, reset_database, reset_vhost

NAME = os.environ.get("TEST_DATABASE", "renda_test") + "_conformance"
VHOST = os.environ.get("TEST_VHOST", "renda_test") + "_conformance"
MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_MAX_EXAMPLES", "10"))
SEED = os.environ.get("CONFORMANCE_SEED", "20261128")
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance)
# Who walks, in this order (staff last: its generated writes may reset a deputy's password).
USERS = {"public": None, "deputy": "D0003", "department": "dept-edu", "staff": "staff"}
NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"
pytestmark = pytest.mark.timeout(900)


def _with_last_segment(url, name):
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def own_platform(config):
    """The whole platform with the demo data, on a database and vhost of this module."""
    urls = {"DATABASE_URL": _with_last_segment(os.environ["DATABASE_URL"], NAME),
            "SERVICE_DATABASE_URL": _with_last_segment(os.environ["SERVICE_DATABASE_URL"], NAME),
            "AMQP_URI": _with_last_segment(os.environ["AMQP_URI"], VHOST)}
    admin_url = _with_last_segment(os.environ["DATABASE_URL"], "postgres")
    reset_database(admin_url, NAME)
    reset_vhost(VHOST)
    own_config = dict(config, **urls)
    bootstrap(own_config, demo=False)
    load_demo(own_config)
    processes = PlatformProcesses(dict(os.environ, **urls), tempfile.mkdtemp(prefix="renda-conformance-"))
    processes.start_all()
    yield processes
    processes.stop_all()
    reset_database(admin_url, NAME)
    subprocess.run(["rabbitmqctl", "delete_vhost", VHOST], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def base_url(own_platform):
    return own_platform.gateway_url


@pytest.fixture(scope="module")
def tokens(base_url):
    """Every walker's token, taken before any generated sign-in or password change."""
    tokens = {}
    for role, username in USERS.items():
        if username:
            answer = requests.post(f"{base_url}/api/v1/auth/token", json={"username": username, "password": "demo"},
                                   timeout=10)
            assert answer.status_code == 200, answer.text
            tokens[role] = answer.json()["access_token"]
    return tokens


def _headers(tokens, role):
    return {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}


@pytest.fixture(scope="module")
def real_ids(base_url, tokens):
    """Identifiers of the demo data, per path parameter name (read as staff)."""
    def get(path, role="staff"):
        answer = requests.get(base_url + path, headers=_headers(tokens, role), timeout=15)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    suggestions = get("/api/v1/suggestions?limit=500")["items"]
    by_status = {}
    for suggestion in suggestions:  # a few of every state: each state has its own answer shape
        by_status.setdefault(suggestion["status"], []).append(suggestion["id"])
    meetings = [meeting["id"] for meeting in get("/api/v1/meetings")["items"]]
    items = [(meeting_id, item["id"]) for meeting_id in meetings
             for item in get(f"/api/v1/meetings/{meeting_id}")["items"]]
    notifications = [n["id"] for n in get("/api/v1/me/notifications?limit=5", role="deputy")["items"]]
    articles = get("/api/v1/articles?limit=100")["items"]          # staff: every workflow state
    by_article_status = {}
    for article in articles:
        by_article_status.setdefault(article["status"], []).append(article)
    some_articles = [a for group in by_article_status.values() for a in group[:2]]
    submissions = [s["id"] for s in get("/api/v1/submissions?limit=3")["items"]]
    station = get("/api/v1/stations")[0]["code"]
    opinion = requests.post(base_url + "/api/v1/opinions", json={"station": station, "content": "建议增设路灯，方便夜间出行。"},
                            timeout=15)
    assert opinion.status_code == 201, opinion.text
    return {
        "suggestion_id": [i for ids in by_status.values() for i in ids[:4]] + [NO_SUCH_ID],
        "meeting_id": [str(m) for m in meetings] + ["999999"],
        "items": [(str(m), str(i)) for m, i in items] + [(str(meetings[0]), "999999")],
        "deputy_id": ["D0001", USERS["deputy"], "D9999"],
        "code": [d["code"] for d in get("/api/v1/departments")["items"]] + [station, "nope"],
        "tracking_code": [opinion.json()["tracking_code"], "YJNOSUCHCODE"],
        "reception_id": ["999999"],
        "rule_id": [str(r["id"]) for r in get("/api/v1/routing-rules")["items"][:3]] + ["999999"],
        "notification_id": [str(n) for n in notifications] + ["999999"],
        "webhook_id": [NO_SUCH_ID],
        "delivery_id": [NO_SUCH_ID],
        "receipt": ["0" * 64],
        "slug": ["news", "towns", "no-such-column"],
        "article_id": [str(a["id"]) for a in some_articles] + ["999999"],
        "key": [a["slug"] for a in some_articles] + [str(a["id"]) for a in some_articles[:2]] + ["no-such-article"],
        "submission_id": [str(i) for i in submissions] + ["999999"],
        # budget (issue 11): alerts of every rule, and imports (none in the demo data)
        "alert_id": [str(a["id"]) for a in get("/api/v1/budget/alerts?limit=12")["items"]] + ["999999"],
        "import_id": [NO_SUCH_ID],
    }


def _concrete_paths(template, ids):
    """Every path of ``template`` over the real identifiers (items with their meeting)."""
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    if not names:
        return [template]
    pools = []
    for name in names:
        if name == "meeting_id" and "item_id" in names:
            continue
        pools.append([{"meeting_id": m, "item_id": i} for m, i in ids["items"]] if name == "item_id"
                     else [{name: value} for value in ids[name]])
    paths = []
    for combination in itertools.product(*pools):
        values = {k: v for part in combination for k, v in part.items()}
        paths.append(template.format(**values))
    return paths


# query variants for the GETs whose answer shape depends on the query
QUERIES = {
    "/api/v1/suggestions": [{"limit": "500"}],
    "/api/v1/suggestions/stats": [{}, {"format": "csv"}, {"group_by": "category"}, {"group_by": "term"},
                                  {"group_by": "session", "format": "csv"}, {"format": "xlsx"}],
    "/api/v1/departments/{code}/inbox": [{"limit": "500"}, {"active": "false", "limit": "500"}, {"overdue": "true"}],
    "/api/v1/deputies": [{"limit": "500"}],
    "/api/v1/me/notifications": [{"limit": "200"}],
    "/api/v1/articles": [{}, {"q": "人大"}, {"status": "published"}, {"column": "news"}],
    "/api/v1/submissions/scores": [{"year": "2026", "quarter": "4"}, {"year": "2026", "quarter": "4", "format": "csv"},
                                   {"year": "2026", "quarter": "4", "format": "xlsx"}],
    "/api/v1/budget/execution": [{"group_by": g} for g in ("unit", "department", "func", "econ", "month")],
}


@pytest.fixture(scope="module")
def schema(base_url):
    return schemathesis.openapi.from_url(base_url + "/api/v1/openapi.json")


def test_document_covers_every_route_and_status(base_url):
    """Every @api route is in the document with its error statuses and content types."""
    doc = requests.get(base_url + "/api/v1/openapi.json", timeout=10).json()
    declared = {operation.get("operationId") for item in doc["paths"].values() for operation in item.values()}
    assert {method.__name__ for method, _ in openapi.routes(GatewayService)} <= declared
    for item in doc["paths"].values():
        for method, operation in item.items():
            if operation.get("operationId"):  # the @api routes (not /health, /metrics)
                assert {"400", "401", "503", "504"} <= set(operation["responses"]), operation["operationId"]
    stats = doc["paths"]["/api/v1/suggestions/stats"]["get"]["responses"]["200"]["content"]
    assert set(stats) == {"application/json", "text/csv",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    live = doc["paths"]["/api/v1/meetings/{meeting_id}/live"]["get"]["responses"]["200"]["content"]
    assert set(live) == {"text/event-stream"}
    assert {"409", "413", "415", "422"} <= set(doc["paths"]["/api/v1/suggestions"]["post"]["responses"])


@pytest.mark.parametrize("role", list(USERS))
def test_every_get_on_real_resources_answers_as_documented(schema, base_url, tokens, real_ids, role):
    failures, calls = [], 0
    session = requests.Session()
    for template, methods in schema.raw_schema["paths"].items():
        if "get" not in methods or template.endswith("/live"):
            continue
        operation = schema[template]["GET"]
        for path in _concrete_paths(template, real_ids):
            for query in QUERIES.get(template, [{}]):
                path_values = _path_values(template, path)
                case = operation.Case(path_parameters=path_values, query=query)
                calls += 1
                try:
                    case.call_and_validate(base_url=base_url, session=session, headers=_headers(tokens, role),
                                           checks=list(CHECKS))
                except FailureGroup as group:  # collect every failing answer, one line each
                    failures += [f"GET {path} {query}: {failure.title}: "
                                 + " | ".join(failure.message.splitlines()[:2])[:300] for failure in group.exceptions]
    assert calls > 100
    assert not failures, f"{len(failures)} failures in {calls} answers:\n" + "\n".join(failures[:40])


def _path_values(template, path):
    values = {}
    for pattern, actual in zip(template.split("/"), path.split("/")):
        if pattern.startswith("{"):
            values[pattern[1:-1]] = actual
    return values


def test_live_stream_answers_as_documented(base_url, real_ids):
    """The SSE route (left out of the generated walk: a real meeting's stream never ends)."""
    meeting_id = real_ids["meeting_id"][0]
    with requests.get(f"{base_url}/api/v1/meetings/{meeting_id}/live", stream=True, timeout=10) as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/event-stream")
        first = next(answer.iter_lines())
        assert first.startswith(b"retry:") or first.startswith(b"id:")
    missing = requests.get(f"{base_url}/api/v1/meetings/999999/live", timeout=10)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("application/json")
    bad = requests.get(f"{base_url}/api/v1/meetings/1%00/live", timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["details"] == {
        "meeting_id": ["must not contain NUL (\\u0000) characters"]}


def test_a_meeting_run_through_answers_as_documented(schema, base_url, tokens, real_ids):
    """The answers only a running meeting gives (generated values never reach a quorum):
    sign-ins, an item opened, a ballot and its receipt, running and final results, the
    chair's pending list, a paper ballot's tally, the audit. Before the generated walks, as
    those may revoke the deputy's token."""
    def call(role, method, template, status, body=None, **path):
        extra = {} if body is None else {"body": body, "media_type": "application/json"}
        case = schema[template][method].Case(path_parameters={k: str(v) for k, v in path.items()}, **extra)
        answer = case.call_and_validate(base_url=base_url, headers=_headers(tokens, role), checks=list(CHECKS))
        assert answer.status_code == status, (method, template, answer.status_code, answer.text[:500])
        return answer.json()

    meetings = [call("staff", "GET", "/api/v1/meetings/{meeting_id}", 200, meeting_id=meeting_id)
                for meeting_id in real_ids["meeting_id"][:-1]]
    meeting = next(m for m in meetings if any(item["status"] == "pending" for item in m["items"]))
    meeting_id = meeting["id"]  # the demo's meeting ready to run
    assert USERS["deputy"] in meeting["members"]
    for code in meeting["members"]:
        call("staff", "POST", "/api/v1/meetings/{meeting_id}/checkin", 200, {"deputy_id": code}, meeting_id=meeting_id)
    call("staff", "POST", "/api/v1/meetings/{meeting_id}/members", 200, {"observers": ["县审计局局长"]},
         meeting_id=meeting_id)
    pending = [item for item in meeting["items"] if item["status"] == "pending"]
    secret = next(i for i in pending if i["mode"] == "secret" and i["kind"] == "amendment")
    named = next(i for i in pending if i["mode"] == "named")
    paper = next(i for i in pending if i["mode"] in ("paper", "show_of_hands") and i["kind"] != "amendment")
    item = "/api/v1/meetings/{meeting_id}/items/{item_id}"
    for voted in (secret, named):
        ids = {"meeting_id": meeting_id, "item_id": voted["id"]}
        call("staff", "POST", item + "/open", 200, **ids)
        receipt = call("deputy", "POST", item + "/ballots", 201, {"choice": "yes"}, **ids)["receipt"]
        call("public", "GET", item + "/result", 200, **ids)
        call("staff", "GET", item + "/pending", 200, **ids)
        call("public", "GET", item + "/receipts/{receipt}", 200, receipt=receipt, **ids)
        call("staff", "POST", item + "/close", 200, **ids)
        call("public", "GET", item + "/result", 200, **ids)
        call("public", "GET", item + "/audit", 200, **ids)
        call("public", "GET", item + "/receipts/{receipt}", 200, receipt=receipt, **ids)
    ids = {"meeting_id": meeting_id, "item_id": paper["id"]}
    call("staff", "POST", item + "/open", 200, **ids)
    call("staff", "POST", item + "/tally", 200, {"yes": 20, "no": 3, "abstain": 2}, **ids)
    call("staff", "POST", item + "/close", 200, **ids)
    call("public", "GET", item + "/result", 200, **ids)
    call("public", "GET", "/api/v1/meetings/{meeting_id}/attendance", 200, meeting_id=meeting_id)
    call("deputy", "POST", "/api/v1/meetings/{meeting_id}/checkout", 200, {}, meeting_id=meeting_id)


def _schemathesis_config(directory, ids):
    """A schemathesis.toml that mixes the real identifiers into the path parameters."""
    lines = []
    dictionaries = {name: values for name, values in ids.items() if name != "items"}
    dictionaries["item_id"] = sorted({item for _, item in ids["items"]})
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", "values = " + json.dumps([str(v) for v in values]), ""]
    lines.append("[parameters]")
    for name in dictionaries:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.7 }}')
    path = os.path.join(directory, "schemathesis.toml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def _operations_for(role):
    """The operationIds a role's generated walk covers: what it may call, and the public
    operations (they answer differently to a signed-in caller). The public walks all."""
    if role in ("public", "staff"):
        return None
    return sorted(method.__name__ for method, entrypoint in openapi.routes(GatewayService)
                  if entrypoint.roles is None or role in entrypoint.roles)


@pytest.mark.parametrize("role", list(USERS))
def test_every_operation_with_generated_values_answers_as_documented(base_url, tokens, real_ids, role, tmp_path):
    config = _schemathesis_config(tmp_path, real_ids)
    st = shutil.which("st", path=os.path.dirname(sys.executable)) or "st"
    command = [st, "--config-file", config, "run", f"{base_url}/api/v1/openapi.json",
               "--checks", ",".join(check.__name__ for check in CHECKS),
               "--phases", "examples,coverage,fuzzing", "--max-examples", str(MAX_EXAMPLES), "--seed", SEED,
               # one worker: CPython 3.11.7's ast.parse is not thread-safe ("AST constructor recursion
               # depth mismatch"), and Hypothesis parses lambdas while it describes strategies
               "--no-shrink", "--workers", "1", "--request-timeout", "10",
               "--exclude-operation-id", "meeting_live"]  # a real meeting's stream never ends: walked above
    for operation_id in _operations_for(role) or ():
        command += ["--include-operation-id", operation_id]
    if role in tokens:
        command += ["--header", f"Authorization: Bearer {tokens[role]}"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, NO_COLOR="1", COLUMNS="160"))
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"Schemathesis found answers that break the document ({role}):\n" + \
        report[-12000:]
    assert "generated" in report[report.rfind("SUMMARY"):], report[-3000:]
