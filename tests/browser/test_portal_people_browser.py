"""The portal's stations and deputies as a person on a phone uses them, without signing in:
from the navigation to 代表联络站, a coming reception day with its time and the deputies on
duty, then a click on a deputy's name opens the public profile with the published record."""
import datetime
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import settled
from tests.support.platform import new_deputy_payload

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime.now(BEIJING).date()


def test_a_voter_finds_a_reception_day_and_opens_a_deputys_profile(phone, gateway, client):
    name = "接待" + uuid.uuid4().hex[:4].upper()
    key = uuid.uuid4().hex
    deputy = settled(lambda: client.post("/api/v1/deputies", as_user="staff", headers={"Idempotency-Key": key},
                                         json=new_deputy_payload(name=name, town="城关镇", level="town")),
                     201, "deputy registered")
    day = TODAY + datetime.timedelta(days=6)
    key = uuid.uuid4().hex
    settled(lambda: client.post(f"/api/v1/stations/{deputy['station_code']}/receptions", as_user="staff",
                                headers={"Idempotency-Key": key},
                                json={"date": day.isoformat(), "starts_at": "08:30", "ends_at": "11:30",
                                      "deputies": [deputy["id"]]}), 201, "reception announced")
    title = f"视察城关镇便民服务中心（{uuid.uuid4().hex[:4]}）"
    key = uuid.uuid4().hex
    settled(lambda: client.post("/api/v1/activities", as_user="staff", headers={"Idempotency-Key": key},
                                json={"kind": "inspection", "title": title, "date": TODAY.isoformat(),
                                      "participants": [deputy["id"]]}), 201, "activity recorded")

    page = phone
    response = page.goto(f"{gateway}/portal/")
    assert "set-cookie" not in response.headers
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="代表联络站").click()
    expect(page.get_by_role("heading", name="代表联络站", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="近期接待日")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(day.isoformat())
    expect(row).to_contain_text("08:30—11:30")
    row.get_by_role("link", name=name).click()

    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="接待选民安排")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=day.isoformat())).to_contain_text("08:30—11:30")
    expect(page.get_by_text(title)).to_be_visible()
    expect(page.get_by_role("heading", name="视察调研（1）")).to_be_visible()
    assert deputy["phone"] not in page.content()
