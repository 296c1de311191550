"""Congress staff run a standing-committee meeting in the console (1440×900): create it with
members picked from the standing committee and an observer, add items in agenda order (an
amendment before its motion, a removal by paper ballot), sign members in on their behalf, open
an item (each refusal explained: the amendment first, then the quorum with present/required),
watch who has not voted in the chair view while ballots arrive — pushed over the live stream —,
close, and read the result, the audit and the recount command (which is then run)."""
import subprocess
import sys
import pathlib
import uuid

from playwright.sync_api import expect

from demo.county import STANDING_COMMITTEE_CODES
from tests.browser.console import menu, sign_in
from tests.browser.mobile_deputies import screenshot
from tests.support.platform import eventually

ROOT = pathlib.Path(__file__).resolve().parents[2]
MEMBERS = list(STANDING_COMMITTEE_CODES[22:25])     # three committee members: quorum is two


def names_of(client, codes):
    """The members' names from the roster (waits for the deputy service after the platform starts)."""
    def name(code):
        answer = client.get(f"/api/v1/deputies/{code}", as_user="staff")
        return answer.json()["name"] if answer.status_code == 200 else None
    return {code: eventually(lambda: name(code), timeout=30, what=f"deputy {code}") for code in codes}


def agenda_item(page, position, title):
    return page.get_by_role("listitem", name=f"第 {position} 项：{title}")


def add_item(page, kind, title, amends=None):
    form = page.get_by_role("form", name="添加议程事项")
    form.get_by_text(kind, exact=True).click()
    form.get_by_label("事项名称").fill(title)
    if amends:
        form.get_by_label("所修正的议案").click(force=True)
        page.get_by_role("option", name=amends).click()
    form.get_by_role("button", name="添加事项").click()
    expect(page.get_by_role("listitem").filter(has_text=title)).to_be_visible()


def vote(client, meeting_id, item_id, code, choice):
    answer = client.post(f"/api/v1/meetings/{meeting_id}/items/{item_id}/ballots", as_user=code,
                         json={"choice": choice})
    assert answer.status_code == 201, answer.text


def test_staff_run_a_meeting_from_creation_to_the_audited_result(page, gateway, client):
    names = names_of(client, MEMBERS)
    eventually(lambda: client.get("/api/v1/meetings").status_code == 200, timeout=30, what="the voting service")
    a, b, c = MEMBERS
    title = f"县人大常委会第二十三次会议（{uuid.uuid4().hex[:6]}）"
    motion = "关于批准2026年县级预算调整方案的决议"
    amendment = "关于预算调整方案第三条的修正案"

    sign_in(page, gateway, "staff")
    menu(page, "会议表决")
    page.get_by_role("button", name="新建会议").click()
    page.get_by_label("会议名称").fill(title)
    members = page.get_by_role("group", name="组成人员")
    expect(members.get_by_text("常委会组成人员（取自")).to_be_visible()
    members.get_by_role("button", name="清空").click()
    for code in MEMBERS:
        members.get_by_text(f"{names[code]}（{code}）").click()
    page.get_by_label("列席人员（无表决权；代表编号或姓名，每行一个）").fill("县人民政府办公室主任")
    page.get_by_role("button", name="创建会议").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    meeting_id = page.url.rstrip("/").split("/")[-1]
    meeting = client.get(f"/api/v1/meetings/{meeting_id}", as_user="staff").json()
    assert sorted(meeting["members"]) == sorted(MEMBERS)
    assert [o["name"] for o in meeting["observers"]] == ["县人民政府办公室主任"]

    add_item(page, "决议", motion)
    add_item(page, "修正案", amendment, amends=f"第 1 项：{motion}")
    expect(agenda_item(page, 2, amendment)).to_contain_text(f"修正第 1 项「{motion}」，须先于原议案表决")
    expect(agenda_item(page, 1, motion)).to_contain_text("无记名表决")

    page.get_by_role("button", name=f"为{names[a]}签到").click()
    quorum = page.get_by_role("status").filter(has_text="法定人数")
    expect(quorum).to_contain_text("应到 3 人，实到 1 人")
    expect(quorum).to_contain_text("未达法定人数")

    agenda_item(page, 1, motion).get_by_role("button", name="开始表决").click()
    expect(page.get_by_role("alert").filter(has_text="修正案应先")).to_contain_text(f"修正案应先于原议案表决：请先表决「第 2 项「{amendment}」」")
    agenda_item(page, 2, amendment).get_by_role("button", name="开始表决").click()
    expect(page.get_by_role("alert").filter(has_text="不足法定人数")).to_contain_text("不足法定人数，不能开始表决：应到 3 人，实到 1 人，须过半数即至少 2 人出席")

    page.get_by_role("button", name=f"为{names[b]}签到").click()
    expect(quorum).to_contain_text("已达法定人数")
    agenda_item(page, 2, amendment).get_by_role("button", name="开始表决").click()
    expect(quorum).to_contain_text("赞成票须达 2 票")
    expect(agenda_item(page, 2, amendment)).to_contain_text("表决中")
    expect(page.get_by_role("alert").filter(has_text="不能开始表决")).to_have_count(0)

    page.get_by_role("link", name="主持人视图（控制台）").click()
    expect(page.get_by_text("实时连接中")).to_be_visible()
    current = page.get_by_role("region", name="当前事项")
    expect(current.get_by_role("heading", name=amendment)).to_be_visible()
    waiting = page.get_by_role("list", name="尚未表决名单")
    expect(page.get_by_role("heading", name="尚未表决（2）")).to_be_visible()
    expect(waiting).to_contain_text(names[a])
    expect(waiting).to_contain_text(names[b])
    expect(waiting).not_to_contain_text(names[c])                  # absent: not expected to vote

    amendment_id = item_id_of(client, meeting_id, amendment)
    vote(client, meeting_id, amendment_id, a, "yes")
    expect(page.get_by_role("heading", name="尚未表决（1）")).to_be_visible()    # pushed, not polled
    expect(waiting).not_to_contain_text(names[a])
    expect(page.locator("body")).not_to_contain_text("赞成")          # never anyone's choice
    assert client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user=c).status_code == 200   # late, on a keypad
    expect(waiting).to_contain_text(names[c])
    expect(page.get_by_label("出席情况").locator("div", has_text="实到").locator("dd")).to_have_text("3")
    screenshot(page, "console-meeting-chair.png")
    vote(client, meeting_id, amendment_id, b, "yes")
    vote(client, meeting_id, amendment_id, c, "no")
    expect(page.get_by_text("已签到的组成人员都已表决")).to_be_visible()

    page.get_by_role("button", name="结束表决").click()
    expect(current).to_contain_text("表决结果：通过")
    expect(page.get_by_role("button", name=f"开始表决：{motion}")).to_be_visible()   # the motion is next

    page.get_by_role("link", name="会议管理").click()
    closed = agenda_item(page, 2, amendment)
    result = closed.get_by_role("group", name="表决结果")
    expect(result.locator("div", has_text="赞成").locator("dd")).to_have_text("2")
    expect(result.locator("div", has_text="反对").locator("dd")).to_have_text("1")
    expect(result.locator("div", has_text="应到").locator("dd")).to_have_text("3")
    expect(result.get_by_text("通过", exact=True)).to_be_visible()
    audit = closed.get_by_role("link", name="审计数据（票箱摘要与匿名选票）")
    href = audit.get_attribute("href")
    assert client.get(href).status_code == 200
    command = closed.locator("code").inner_text()
    assert command.startswith(".venv/bin/python -m tools.recount --url ") and command.endswith(href)
    screenshot(page, "console-meeting.png")
    recount = subprocess.run([sys.executable, *command.split()[1:]], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert recount.returncode == 0, recount.stdout + recount.stderr


def item_id_of(client, meeting_id, title):
    items = client.get(f"/api/v1/meetings/{meeting_id}", as_user="staff").json()["items"]
    return next(item["id"] for item in items if item["title"] == title)


def test_staff_add_a_member_count_a_paper_ballot_and_an_appointment_list_voted_per_person(page, gateway, client):
    codes = list(STANDING_COMMITTEE_CODES[19:22])
    a, b, c = codes
    title = f"县人大常委会第二十四次会议（{uuid.uuid4().hex[:6]}）"
    late = names_of(client, [c])[c]

    def create_meeting():
        answer = client.post("/api/v1/meetings", as_user="staff", json={
            "title": title, "kind": "standing_committee", "starts_at": "2026-12-20T09:00:00+08:00", "members": [a, b]})
        return answer.json()["id"] if answer.status_code == 201 else None
    meeting_id = eventually(create_meeting, timeout=30, what="the voting service answers")
    for code in (a, b):
        assert client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user="staff",
                           json={"deputy_id": code}).status_code == 200
    removal = "关于撤销王某某县交通运输局局长职务的决定"
    appointment = "县人民政府组成人员任命名单"

    sign_in(page, gateway, "staff")
    page.goto(f"{gateway}/console/meetings/{meeting_id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    people = page.get_by_role("group", name="添加人员")
    people.get_by_label("查找代表，添加为组成人员").fill(late)              # a member added after creation
    page.get_by_role("option", name=f"{late}（{c}）").click()
    expect(page.get_by_role("status").filter(has_text="法定人数")).to_contain_text("应到 3 人，实到 2 人")
    expect(page.get_by_role("button", name=f"为{late}签到")).to_be_visible()
    assert client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user=c).status_code == 200   # on the keypad
    expect(page.get_by_role("status").filter(has_text="法定人数")).to_contain_text("应到 3 人，实到 3 人")  # pushed
    expect(page.get_by_role("button", name=f"为{late}签退")).to_be_visible()
    people.get_by_label("添加列席人员").fill(c)                          # …who cannot also be an observer
    people.get_by_role("button", name="添加列席").click()
    expect(page.get_by_role("alert").filter(has_text="已是本次会议")).to_contain_text(
        f"{c} 已是本次会议的组成人员，不能再作为列席人员添加")
    add_item(page, "撤职", removal)
    expect(agenda_item(page, 1, removal)).to_contain_text("纸质票表决")          # removal: paper by default
    form = page.get_by_role("form", name="添加议程事项")
    form.get_by_text("任命名单", exact=True).click()
    form.get_by_label("事项名称").fill(appointment)
    form.get_by_role("button", name="添加事项").click()
    expect(form.get_by_text("任命名单至少要有一名人选")).to_be_visible()            # the rule, next to its field
    form.get_by_label("表决方式").click(force=True)
    page.get_by_role("option", name="记名表决", exact=True).click()
    form.get_by_label("人选").fill("张建国 县发展和改革局局长\n李秀英 县教育局局长")
    form.get_by_role("button", name="添加事项").click()
    listed = agenda_item(page, 2, appointment)
    expect(listed).to_contain_text("任命名单（逐人表决）")
    expect(listed).to_contain_text("人选：张建国（县发展和改革局局长）、李秀英（县教育局局长）")

    first = agenda_item(page, 1, removal)
    first.get_by_role("button", name="开始表决").click()
    expect(first).to_contain_text("表决中")
    first.get_by_role("button", name="结束表决").click()
    expect(page.get_by_role("alert").filter(has_text="录入")).to_contain_text("请先录入计票结果，再结束表决")
    first.get_by_role("button", name="录入计票结果").click()
    dialog = page.get_by_role("dialog", name="录入计票结果")
    dialog.get_by_label("赞成").fill("4")
    dialog.get_by_role("button", name="保存计票结果").click()
    expect(dialog.get_by_role("alert").filter(has_text="实到")).to_contain_text("赞成、反对、弃权之和为 4，超过了实到人数 3")
    dialog.get_by_label("赞成").fill("2")
    dialog.get_by_label("反对").fill("1")
    dialog.get_by_role("button", name="保存计票结果").click()
    expect(dialog).to_be_hidden()
    first.get_by_role("button", name="结束表决").click()
    counted = first.get_by_role("group", name="表决结果")
    expect(counted.locator("div", has_text="赞成").locator("dd")).to_have_text("2")
    expect(counted.locator("div", has_text="反对").locator("dd")).to_have_text("1")
    expect(counted.get_by_text("通过", exact=True)).to_be_visible()

    listed.get_by_role("button", name="开始表决").click()
    expect(listed).to_contain_text("表决中")
    item_id = item_id_of(client, meeting_id, appointment)
    for code, choices in ((a, {"张建国": "yes", "李秀英": "no"}), (b, {"张建国": "yes", "李秀英": "yes"}),
                          (c, {"张建国": "no", "李秀英": "no"})):
        answer = client.post(f"/api/v1/meetings/{meeting_id}/items/{item_id}/ballots", as_user=code,
                             json={"choices": choices})
        assert answer.status_code == 201, answer.text
    listed.get_by_role("button", name="结束表决").click()
    per_person = listed.get_by_role("table")
    expect(per_person.get_by_role("row").filter(has_text="张建国")).to_contain_text("通过")
    expect(per_person.get_by_role("row").filter(has_text="李秀英")).to_contain_text("未通过")
    assert client.get(f"/api/v1/meetings/{meeting_id}/items/{item_id}/audit").status_code == 200
