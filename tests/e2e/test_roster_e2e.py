"""End to end through the gateway: deputies and stations, events into the read models."""
from tests.support.platform import EventProbe, new_deputy_payload


def test_list_filters_and_search(client):
    page = client.get("/api/v1/deputies", params={"level": "county", "limit": 500}).json()
    assert page["total"] == 150 and all(d["level"] == "county" for d in page["items"])
    assert all("phone" not in d for d in page["items"])
    town = client.get("/api/v1/deputies", params={"town": "江口回族镇", "limit": 500}).json()
    assert town["total"] > 0 and {d["town"] for d in town["items"]} == {"江口回族镇"}
    found = client.get("/api/v1/deputies", params={"q": "王"}).json()
    assert found["total"] > 0 and all("王" in d["name"] for d in found["items"])


def test_register_deputy_reaches_both_read_models(client, platform, config):
    probe = EventProbe(config["AMQP_URI"], "deputy", "deputy_registered")
    try:
        response = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload())
        assert response.status_code == 201, response.text
        code = response.json()["id"]
        event = probe.wait_for(lambda e: e["data"]["code"] == code)
        assert event["producer"] == "deputy" and "phone" not in event["data"]
    finally:
        probe.close()
    assert response.headers["X-Correlation-ID"]
