"""The deputies' phone app and the voters' pages (390×844): a deputy reads their own duty
record — score, band and where every point came from; a voter without an account leaves an
opinion at a station, keeps the tracking code and reads the answer on the tracking page."""
import datetime
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import OWN_PASSWORD, screenshot, settled, sign_in
from tests.support.platform import new_deputy_payload

TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()


def new_deputy(client):
    """A fresh deputy who chose their own password."""
    key = uuid.uuid4().hex
    payload = new_deputy_payload(name="履职" + uuid.uuid4().hex[:4].upper(), town="城关镇", level="town")
    code = settled(lambda: client.post("/api/v1/deputies", as_user="staff", json=payload,
                                        headers={"Idempotency-Key": key}), 201, "deputy registered")["id"]
    issued = settled(lambda: client.post(f"/api/v1/deputies/{code}/account", as_user="staff"), 200, "account")
    changed = client.post("/api/v1/me/password", headers={"Authorization": "Bearer " + client.token(
        code, issued["initial_password"])}, json={"current_password": issued["initial_password"],
                                                  "new_password": OWN_PASSWORD})
    assert changed.status_code == 200, changed.text
    return {"id": code, "name": payload["name"], "password": OWN_PASSWORD}


def test_a_deputy_reads_their_own_duty_record(phone, gateway, client):
    deputy = new_deputy(client)
    title = f"视察城关镇污水处理厂（{uuid.uuid4().hex[:4]}）"
    recorded = client.post("/api/v1/activities", as_user="staff", json={
        "kind": "inspection", "title": title, "date": TODAY, "participants": [deputy["id"]]})
    assert recorded.status_code == 201, recorded.text
    station = client.get(f"/api/v1/deputies/{deputy['id']}").json()["station_code"]
    sat = client.post(f"/api/v1/stations/{station}/receptions", as_user="staff",
                      json={"date": TODAY, "deputies": [deputy["id"]], "held": True})
    assert sat.status_code == 201, sat.text

    sign_in(phone, gateway, deputy)
    entry = phone.locator("[aria-label=履职档案]").get_by_text("我的履职档案")
    expect(phone.locator("[aria-label=履职档案]")).to_contain_text("65 分 合格")    # 60 + 3 + 2
    entry.click()
    expect(phone.get_by_test_id("duty-score")).to_have_text("65")
    expect(phone.get_by_test_id("duty-band")).to_have_text("合格")
    inspections = phone.locator("[aria-label=视察]")
    expect(inspections).to_contain_text("1 次 +3 分")
    expect(inspections.get_by_text(title)).to_be_visible()
    expect(phone.locator("[aria-label=进站接待选民]")).to_contain_text("1 次 +2 分")
    phone.get_by_role("button", name="视察调研执法检查（1）").click()
    expect(phone.locator(".van-collapse-item__content").get_by_text(title)).to_be_visible()
    phone.get_by_role("button", name="上一年").click()
    expect(phone.get_by_text(f"{int(TODAY[:4]) - 1} 年度")).to_be_visible()
    expect(phone.get_by_test_id("duty-score")).to_have_text("60")
    expect(phone.get_by_text("本年度还没有履职记录")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "mobile-duty-record.png")


def test_a_voter_leaves_an_opinion_and_follows_it_without_an_account(phone, gateway, client):
    station = settled(lambda: client.get("/api/v1/stations"), 200, "stations")[0]
    phone.goto(f"{gateway}/m/opinions/new")
    phone.get_by_role("button", name="提交意见").click()
    expect(phone.get_by_text("请选择联络站")).to_be_visible()
    phone.get_by_label("联络站").click()
    phone.locator(".van-picker-column__item", has_text=station["name"]).first.click()
    phone.get_by_role("button", name="确认").click()
    phone.get_by_label("意见内容").fill("短")
    phone.get_by_role("button", name="提交意见").click()
    expect(phone.get_by_text("长度应在 5 到 5000 个字之间")).to_be_visible()                 # the server's rule, next to the field
    phone.get_by_label("意见内容").fill("村里的小桥栏杆坏了，孩子上学不安全，希望尽快修好。")
    phone.get_by_label("联系方式").fill("13900002222")
    phone.get_by_role("button", name="提交意见").click()
    code = phone.get_by_test_id("tracking-code")
    expect(code).to_have_text(lambda_text_starts("YJ"))
    tracking = code.inner_text()
    screenshot(phone, "mobile-opinion-code.png")

    answered = client.post(f"/api/v1/opinions/{tracking}/answer", as_user="staff",
                           json={"answer": "已联系村委会，本周内修复栏杆。"})
    assert answered.status_code == 200, answered.text
    phone.get_by_role("button", name="查询办理情况").click()
    expect(phone.get_by_test_id("opinion-status")).to_have_text("已答复")
    expect(phone.get_by_test_id("opinion-answer")).to_contain_text("本周内修复栏杆")
    expect(phone.get_by_text("13900002222")).to_have_count(0)                # the voter's page shows no contact
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "mobile-opinion-track.png")

    phone.goto(f"{gateway}/m/opinions/track")
    phone.get_by_label("跟踪码").fill("YJNOSUCHCODE")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_role("alert")).to_contain_text("没有找到这个跟踪码")


def test_a_voter_writes_from_the_portal_station_page_and_the_deputy_files_it(phone, gateway, client):
    """The portal's station page links to the form with that station chosen; the deputy who
    files the opinion as a suggestion sees on the phone where it came from, and the link leads
    to what the voter sees."""
    deputy = new_deputy(client)
    station = client.get(f"/api/v1/deputies/{deputy['id']}").json()["station_code"]
    phone.goto(f"{gateway}/portal/stations/{station}")
    station_name = phone.get_by_role("heading", level=1).inner_text().strip()
    phone.get_by_role("link", name="在线向本站留言").click()
    expect(phone.get_by_label("联络站")).to_have_value(station_name)
    phone.get_by_label("意见内容").fill("镇上菜市场门口早晚拥堵，建议设置临时停车点。")
    phone.get_by_role("button", name="提交意见").click()
    code = phone.get_by_test_id("tracking-code")
    expect(code).to_have_text(lambda_text_starts("YJ"))
    tracking = code.inner_text()

    classified = client.post(f"/api/v1/opinions/{tracking}/classify", as_user="staff",
                             json={"category": "交通建设", "deputy": deputy["id"]})
    assert classified.status_code == 200, classified.text
    client.tokens.pop(deputy["id"], None)         # the token cached before the password change
    own = {"Authorization": "Bearer " + client.token(deputy["id"], deputy["password"]),
           "Idempotency-Key": uuid.uuid4().hex}
    converted = settled(lambda: client.post(f"/api/v1/opinions/{tracking}/convert", headers=own,
                                            json={"title": "关于菜市场门口设置临时停车点的建议",
                                                  "category": "交通建设"}), 200, "opinion filed as a suggestion")

    sign_in(phone, gateway, deputy)
    phone.goto(f"{gateway}/m/suggestions/{converted['suggestion_id']}")
    source = phone.get_by_text(f"选民意见 {tracking}")
    expect(source).to_be_visible()
    source.click()
    expect(phone.get_by_test_id("opinion-status")).to_be_visible()
    assert phone.url.endswith(f"/m/opinions/track?code={tracking}")
    screenshot(phone, "mobile-opinion-source.png")


def lambda_text_starts(prefix):
    import re
    return re.compile("^" + re.escape(prefix) + "[0-9A-Z]{10}$")
