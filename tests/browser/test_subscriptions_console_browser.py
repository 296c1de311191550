"""Department subscriptions in the console: a clerk adds a webhook (the signing secret shown
once, with a copy button), watches a delivery fail, replays the dead delivery once the
endpoint works, and deletes the webhook; staff show a department's AMQP access to hand over."""
import re

from playwright.sync_api import expect

from tests.browser.console import assigned, menu, sign_in
from tests.integration.webhook_server import RecordingServer
from tests.support.platform import eventually

DEPARTMENT = "agri"    # no other browser story assigns to it


def deliveries(client, **params):
    return client.get(f"/api/v1/departments/{DEPARTMENT}/webhooks/deliveries", as_user="staff",
                      params={"limit": 500, **params}).json()["items"]


def test_a_clerk_adds_a_webhook_replays_a_dead_delivery_and_deletes_it(page, gateway, client):
    with RecordingServer(fail_first=2, fail_status=500) as server:   # down twice, then fixed
        sign_in(page, gateway, f"dept-{DEPARTMENT}")
        menu(page, "事件订阅")
        expect(page.get_by_role("heading", name="事件订阅：农业农村局")).to_be_visible()
        expect(page.get_by_text("AMQP 订阅")).to_have_count(0)                # staff hand that over
        add = page.get_by_role("form", name="添加推送地址")
        add.get_by_label("接收地址").fill("不是地址")
        add.get_by_role("button", name="添加").click()
        expect(add.get_by_text("请填写以 https:// 开头的接收地址")).to_be_visible()
        add.get_by_label("接收地址").fill(server.url + "/renda")
        add.get_by_label("推送的事件").click(force=True)
        page.get_by_role("option", name="交办", exact=True).click()
        add.get_by_label("说明").fill("农业农村局办公系统")
        add.get_by_role("button", name="添加").click()
        shown = page.get_by_role("dialog", name="推送地址已添加")
        secret = shown.get_by_label("签名密钥", exact=True).inner_text().strip()
        assert len(secret) >= 32
        expect(shown.get_by_role("button", name="复制签名密钥")).to_be_visible()
        shown.get_by_role("button", name="我已保存，关闭").click()
        expect(shown).to_be_hidden()
        expect(page.get_by_text(secret)).to_have_count(0)                   # shown once
        expect(page.get_by_role("row").filter(has_text=server.url)).to_contain_text("交办")

        s = assigned(client, DEPARTMENT)
        dead = eventually(lambda: [d for d in deliveries(client, status="dead")
                                   if d["event_type"] == "suggestion_assigned"], timeout=60, what="a dead delivery")
        page.get_by_role("button", name="刷新").click()
        row = page.get_by_role("row").filter(has_text="发送失败")
        expect(row).to_contain_text("HTTP 500")
        expect(row.get_by_role("cell", name="2", exact=True)).to_be_visible()  # two attempts
        row.get_by_role("button", name="重发").click()
        expect(page.get_by_text("已重新发送")).to_be_visible()
        eventually(lambda: [d for d in deliveries(client, status="delivered") if d["id"] == dead[0]["id"]],
                   timeout=30, what="the replayed delivery delivered")
        page.get_by_role("button", name="刷新").click()
        expect(page.get_by_role("row").filter(has_text="发送失败")).to_have_count(0)   # replayed: delivered now
        expect(page.get_by_role("row").filter(has_text="已送达").first).to_contain_text("交办")
        ours = [r for r in server.requests if dead[0]["event_id"] in r.body.decode()]
        assert len(ours) == 3 and s["id"]                                   # two failed attempts, then the replay

        page.get_by_role("row").filter(has_text=server.url).get_by_role("button", name="删除").click()
        page.get_by_role("dialog", name="删除推送地址").get_by_role("button", name="删除").click()
        expect(page.get_by_text("尚未登记推送地址")).to_be_visible()


def test_staff_show_a_departments_amqp_access_to_hand_over(page, gateway, client):
    sign_in(page, gateway, "staff")
    menu(page, "事件订阅")
    expect(page.get_by_text("请先选择承办单位")).to_be_visible()
    page.get_by_label("承办单位").click(force=True)
    page.get_by_role("option", name="宁陕县农业农村局", exact=True).click()
    expect(page).to_have_url(re.compile(f"department={DEPARTMENT}"))
    page.get_by_role("button", name="显示接入信息").click()
    access = page.get_by_role("group", name="AMQP 接入信息").or_(page.get_by_label("AMQP 接入信息"))
    expect(access).to_contain_text(f"department.{DEPARTMENT}")
    expect(access.get_by_label("订阅命令", exact=True)).to_contain_text(
        f"python -m services.suggestion.subscriber --department {DEPARTMENT}")
    uri = access.get_by_label("连接地址", exact=True).inner_text()
    assert re.match(rf"^amqp://[^:]+dept-{DEPARTMENT}:[0-9a-f]{{32}}@", uri), uri
    expect(access.get_by_role("button", name="复制订阅命令")).to_be_visible()
