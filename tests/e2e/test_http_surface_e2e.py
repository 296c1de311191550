"""End to end through the gateway: error answers are JSON, the OpenAPI document and
Swagger UI, health, metrics of every process, the station hierarchy."""
import json
import socket

import pytest
import requests

from tests.e2e.conftest import assert_json_error
from tests.support.platform import PROCESSES, new_deputy_payload

ONE_MIB = 1 << 20


# -- errors are JSON, never HTML or a traceback ------------------------------------------------
@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v2/deputies", "/api/v1/deputies/D0001/nope"])
def test_unknown_route_is_404_json(client, path):
    error = assert_json_error(client.get(path), 404, "NOT_FOUND")
    assert error["details"]["path"] == path


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/v1/deputies"),
    ("PUT", "/api/v1/deputies/D0001"),
    ("POST", "/api/v1/stations"),
    ("GET", "/api/v1/auth/token"),
])
def test_wrong_method_is_405_json_with_allow(client, method, path):
    response = client.request(method, path, as_user="staff")
    assert_json_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers.get("Allow"), response.headers


@pytest.mark.parametrize("raw", [b"{", b'{"name": }', b"\xff\xfe not utf-8", b"{'single': 'quotes'}"])
def test_malformed_json_is_400(client, raw):
    response = client.post("/api/v1/deputies", as_user="staff", data=raw,
                           headers={"Content-Type": "application/json"})
    assert_json_error(response, 400, "MALFORMED_JSON")


def test_malformed_json_on_sign_in_is_400(client):
    response = client.post("/api/v1/auth/token", data=b'{"username": "staff",',
                           headers={"Content-Type": "application/json"})
    assert_json_error(response, 400, "MALFORMED_JSON")


def test_non_json_content_type_is_415(client):
    response = client.post("/api/v1/deputies", as_user="staff", data=b"name=x",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_json_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_body_over_one_mib_is_413(client):
    payload = new_deputy_payload(occupation="x" * ONE_MIB)
    error = assert_json_error(client.post("/api/v1/deputies", as_user="staff", json=payload),
                              413, "PAYLOAD_TOO_LARGE")
    assert error["details"]["limit_bytes"] == ONE_MIB


def test_body_over_one_mib_is_413_even_unauthenticated(client):
    # The limit is checked before anything else: a large body never costs a token check.
    response = client.post("/api/v1/deputies", data=b"{" + b" " * (ONE_MIB + 10) + b"}",
                           headers={"Content-Type": "application/json"})
    assert_json_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_chunked_body_over_one_mib_is_413(client):
    """No Content-Length: the limit must hold while reading, too."""
    def chunks():
        yield b'{"occupation": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'
    response = client.post("/api/v1/deputies", as_user="staff", data=chunks(),
                           headers={"Content-Type": "application/json"})
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert_json_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("size, status", [(ONE_MIB, 400), (ONE_MIB + 1, 413)], ids=["at-limit", "one-over"])
def test_chunked_body_limit_is_exact(client, size, status):
    head, tail = b'{"occupation": "', b'"}'
    filler = b"x" * (size - len(head) - len(tail))
    response = client.post("/api/v1/deputies", as_user="staff", data=iter([head, filler, tail]),
                           headers={"Content-Type": "application/json"})
    # at the limit the body is read (and its occupation is too long); one byte more is refused
    assert_json_error(response, status, "VALIDATION_ERROR" if status == 400 else "PAYLOAD_TOO_LARGE")


def test_chunked_body_under_the_limit_is_read(client):
    payload = new_deputy_payload(name="分块请求")
    body = json.dumps(payload).encode()
    response = client.post("/api/v1/deputies", as_user="staff", data=iter([body[:10], body[10:]]),
                           headers={"Content-Type": "application/json"})
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "分块请求"


def test_body_just_under_the_limit_is_read(client):
    # Under 1 MiB the body is parsed: the answer is about its content, not its size.
    body = json.dumps(new_deputy_payload(occupation="x" * (ONE_MIB - 1000))).encode()
    assert len(body) < ONE_MIB
    response = client.post("/api/v1/deputies", as_user="staff", data=body,
                           headers={"Content-Type": "application/json"})
    error = assert_json_error(response, 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"occupation"}


def test_garbage_http_request_gets_no_traceback(platform):
    with socket.create_connection(("127.0.0.1", platform.ports["gateway"]), timeout=5) as sock:
        sock.sendall(b"GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = sock.recv(65536)
    assert b"Traceback" not in answer


# -- OpenAPI and Swagger UI ----------------------------------------------------------------------
def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_document_is_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/deputies"])
    assert {"get", "patch"} <= set(paths["/api/v1/deputies/{deputy_id}"])
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/stations", "/api/v1/deputies/{deputy_id}/dashboard",
                 "/health"):
        assert path in paths, path
    schemas = doc["components"]["schemas"]
    assert {"Error", "Deputy", "DeputyCreate"} <= set(schemas)
    assert {"name", "phone", "station_code"} <= set(schemas["DeputyCreate"]["properties"])
    assert "name" in schemas["DeputyCreate"]["required"]
    # Every operation has responses; every $ref points at something in the document.
    for path, item in paths.items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}, method
            assert operation["responses"], (path, method)
            for param in operation.get("parameters", []):
                assert param["in"] in {"path", "query", "header"} and param["name"], param
    for ref in set(_refs(doc)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    create = paths["/api/v1/deputies"]["post"]
    assert {"201", "400", "401", "403", "409", "413", "422"} <= set(create["responses"])
    assert create["security"] == [{"bearer": []}, {"session": []}]  # a bearer token or the session cookie
    session_scheme = doc["components"]["securitySchemes"]["session"]
    assert (session_scheme["type"], session_scheme["in"], session_scheme["name"]) == ("apiKey", "cookie", "renda_session")
    assert any(param["name"] == "X-CSRF-Token" for param in create["parameters"])
    for path in ("/api/v1/auth/token", "/api/v1/auth/session"):  # sign-in throttling is documented
        assert "Retry-After" in paths[path]["post"]["responses"]["429"]["headers"]
    assert "bearer" in doc["components"]["securitySchemes"]


def test_swagger_ui_references_the_document(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "swagger-ui-bundle.js" in page.text and "renda-swagger-init.js" in page.text
    init = client.get("/api/docs/static/renda-swagger-init.js")  # a file: the page runs no inline script
    assert init.status_code == 200 and "/api/v1/openapi.json" in init.text
    assert "javascript" in init.headers["Content-Type"]
    bundle = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert "javascript" in bundle.headers["Content-Type"]
    css = client.get("/api/docs/static/swagger-ui.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize("name", ["nope.js", "../gateway/service.py", "..%2f..%2fetc%2fpasswd"])
def test_swagger_static_serves_no_other_files(client, name):
    response = client.get(f"/api/docs/static/{name}")
    assert_json_error(response, 404, "NOT_FOUND")
    assert "import" not in response.text and "root:" not in response.text


# -- health and metrics ----------------------------------------------------------------------------
def test_health_all_ready(client):
    response = client.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["unavailable"] == []
    assert set(body["services"]) == set(PROCESSES) - {"gateway"}
    for name, status in body["services"].items():
        assert status["ready"] is True and status["service"] == name, status
    assert body["services"]["deputy"]["checks"] == {"database": True, "outbox_relay": True}
    assert body["gateway"]["ready"] is True


@pytest.mark.parametrize("name", list(PROCESSES))
def test_each_process_health_and_liveness(platform, name):
    base = f"http://127.0.0.1:{platform.ports[name]}"
    live = requests.get(f"{base}/health/live", timeout=5)
    assert live.status_code == 200 and live.json() == {"service": name, "live": True}
    ready = requests.get(f"{base}/health", timeout=5)
    assert ready.status_code == 200, ready.text
    if name == "gateway":  # the gateway's /health is the platform's
        assert ready.json()["status"] == "ok" and ready.json()["gateway"]["ready"] is True
    else:
        assert ready.json()["ready"] is True and ready.json()["service"] == name


def _metric_lines(text):
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_gateway_metrics_count_its_entrypoints(client):
    client.get("/api/v1/deputies/D0001")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    lines = _metric_lines(response.text)
    assert any(line.startswith('gateway_entrypoint_calls_total{entrypoint="get_deputy",outcome="ok"}')
               for line in lines), response.text[:2000]
    assert any(line.startswith("gateway_entrypoint_latency_seconds_bucket") for line in lines)
    assert any(line.startswith("gateway_db_pool_connections") for line in lines)


@pytest.mark.parametrize("name", [n for n in PROCESSES if n != "gateway"])
def test_each_service_exposes_its_metrics(client, platform, name):
    client.get("/health")  # every service answered a health RPC at least once
    response = requests.get(f"http://127.0.0.1:{platform.ports[name]}/metrics", timeout=5)
    assert response.status_code == 200
    lines = _metric_lines(response.text)
    names = {line.split("{")[0].split(" ")[0] for line in lines}
    assert f"{name}_entrypoint_calls_total" in names, sorted(names)
    assert f"{name}_outbox_backlog_events" in names, sorted(names)
    assert f"{name}_outbox_lag_seconds" in names
    assert any(line.startswith(f'{name}_entrypoint_calls_total{{entrypoint="health",outcome="ok"}}')
               for line in lines)
    # low-cardinality labels only: no deputy ids anywhere in the exposition
    assert "D0001" not in response.text


def test_deputy_metrics_after_a_write(client, platform):
    assert client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload()).status_code == 201
    text = requests.get(f"http://127.0.0.1:{platform.ports['deputy']}/metrics", timeout=5).text
    lines = _metric_lines(text)
    calls = [line for line in lines
             if line.startswith('deputy_entrypoint_calls_total{entrypoint="register_deputy",outcome="ok"}')]
    assert calls and float(calls[0].split()[-1]) >= 1
    assert any(line.startswith("deputy_outbox_backlog_events ") for line in lines)


# -- stations ---------------------------------------------------------------------------------------
def test_station_hierarchy(client):
    response = client.get("/api/v1/stations")
    assert response.status_code == 200, response.text
    roots = response.json()
    assert len(roots) == 1
    root = roots[0]
    assert root["level"] == "county" and root["parent_code"] is None

    def walk(node):
        yield node
        for child in node["children"]:
            assert child["parent_code"] == node["code"]
            yield from walk(child)
    everything = list(walk(root))
    assert len(everything) == 51
    assert len({s["code"] for s in everything}) == 51
    by_level = {}
    for station in everything:
        by_level.setdefault(station["level"], []).append(station)
    assert len(by_level["county"]) == 1 and len(by_level["town"]) == 10 and len(by_level["village"]) == 40
    towns = [c for c in root["children"] if c["level"] == "town"]
    villages_under_root = [c for c in root["children"] if c["level"] == "village"]
    assert len(towns) == 10
    assert len(root["children"]) == 10 + len(villages_under_root)
    # villages hang off their own town's centre (or the county home for the county seat)
    for town in towns:
        assert all(v["level"] == "village" and v["town"] == town["town"] for v in town["children"])
    assert all(v["town"] == root["town"] for v in villages_under_root)
