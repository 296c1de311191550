"""Congress staff review new suggestions in the console: each beside its similar ones, then
accept it, reject it with a reason (a missing explanation named next to its field), or merge it
into the similar one."""
import uuid

from playwright.sync_api import expect

from tests.browser.console import filed, menu, post, sign_in

TEXT = "城关镇第二小学门前道路没有人行横道和减速带，上下学高峰车辆多、车速快，学生过马路存在安全隐患，建议设置人行横道、减速带并安排交警值守。"


def queue_row(page, title):
    return page.get_by_role("row").filter(has_text=title)


def open_in_queue(page, title):
    queue_row(page, title).click()
    expect(page.get_by_role("region", name="本件").get_by_role("heading", name=title)).to_be_visible()


def test_staff_merge_a_duplicate_seen_side_by_side(page, gateway, client):
    tag = uuid.uuid4().hex[:6]
    first = filed(client, title=f"关于第二小学门前设置人行横道的建议{tag}", content=TEXT, category="交通建设")
    post(client, f"/api/v1/suggestions/{first['id']}/review", "staff", {"decision": "accept"})
    again = filed(client, title=f"关于在第二小学门前设置人行横道减速带的建议{tag}", content=TEXT + "另建议增设警示标志。",
                  category="交通建设")
    sign_in(page, gateway, "staff")
    menu(page, "建议审查")
    open_in_queue(page, again["title"])
    similar = page.get_by_role("region", name="相似建议")
    candidate = similar.get_by_role("listitem").filter(has_text=first["number"])
    expect(candidate).to_contain_text("相似度")
    candidate.get_by_role("button", name="对照").click()
    expect(similar.get_by_role("heading", name=first["title"])).to_be_visible()   # its text beside this one
    candidate.get_by_role("button", name="并入此件").click()
    page.get_by_role("button", name="确认并案").click()
    expect(page.get_by_text(f"已并入 {first['number']}")).to_be_visible()
    expect(queue_row(page, again["title"])).to_have_count(0)
    assert client.get(f"/api/v1/suggestions/{again['id']}", as_user="staff").json()["merged_into"] == first["id"]


def test_staff_reject_with_a_reason_and_accept_another(page, gateway, client):
    tag = uuid.uuid4().hex[:6]
    personal = filed(client, title=f"关于解决本人子女入学问题的请求{tag}",
                     content="本人子女今年入学，希望能安排到城关镇第一小学就读，请予以协调解决。")
    good = filed(client, title=f"关于增加乡镇卫生院全科医生的建议{tag}",
                 content="乡镇卫生院全科医生数量不足，群众看病需要到县城，建议通过定向培养和待遇倾斜增加全科医生。",
                 category="医疗卫生")
    sign_in(page, gateway, "staff")
    menu(page, "建议审查")

    open_in_queue(page, personal["title"])
    page.get_by_role("button", name="不予立案").click()
    dialog = page.get_by_role("dialog", name="不予立案")
    dialog.get_by_text("其他", exact=True).click()
    dialog.get_by_role("button", name="确认不予立案").click()
    expect(dialog.get_by_text("填写有误")).to_be_visible()              # the server names the missing explanation
    dialog.get_by_label("说明（理由为“其他”时必填）").fill("属于个人事项，已转教育局按程序办理")
    dialog.get_by_role("button", name="确认不予立案").click()
    expect(page.get_by_text(f"{personal['number']} 不予立案")).to_be_visible()
    rejected = client.get(f"/api/v1/suggestions/{personal['id']}", as_user="staff").json()
    assert rejected["status"] == "rejected" and rejected["reject_note"] == "属于个人事项，已转教育局按程序办理"

    open_in_queue(page, good["title"])
    page.get_by_text("重点督办").click()
    page.get_by_role("button", name="立案", exact=True).click()
    expect(page.get_by_text(f"已立案：{good['number']}")).to_be_visible()
    assert client.get(f"/api/v1/suggestions/{good['id']}", as_user="staff").json()["key_supervision"] is True
