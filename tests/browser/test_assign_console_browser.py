"""Congress staff assign an accepted suggestion: the routing rules' proposals with their scores,
taken as they are or changed (a co-handler added), with a due date."""
import datetime
import re
import uuid

from playwright.sync_api import expect

from tests.browser.console import filed, menu, post, sign_in


def test_staff_assign_from_the_proposals_with_a_co_handler_and_a_due_date(page, gateway, client):
    s = filed(client, title=f"关于改善乡村学校校舍和教师周转房的建议{uuid.uuid4().hex[:6]}")
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    due = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    sign_in(page, gateway, "staff")
    menu(page, "交办")
    page.get_by_role("row").filter(has_text=s["title"]).click()
    work = page.get_by_role("region", name="交办")
    proposals = work.get_by_role("row").filter(has_text="主办")
    expect(proposals.first).to_contain_text("教育局")                   # the rules' best guess, with its score
    expect(proposals.first).to_contain_text(re.compile(r"主办\s*[0-9.]+$"))
    work.get_by_role("button", name="采用推荐").click()
    expect(work.get_by_label("主办单位")).to_be_visible()
    co = work.get_by_role("group", name="协办单位")
    co.get_by_text("人社局", exact=True).click()                       # one more co-handler than proposed
    expect(co.get_by_role("checkbox", name="人社局")).to_be_checked()
    due_field = work.get_by_label("办理期限（不填：交办后 3 个月，难办件 6 个月）")
    due_field.fill(due)
    due_field.press("Enter")
    expect(due_field).to_have_value(due)
    work.get_by_role("button", name="交办", exact=True).click()
    expect(page.get_by_text(f"{s['number']} 已交办")).to_be_visible()
    expect(page.get_by_text("教育局（主办）")).to_be_visible()
    assignments = client.get(f"/api/v1/suggestions/{s['id']}", as_user="staff").json()["assignments"]
    assert {(a["department"], a["role"]) for a in assignments} >= {("edu", "lead"), ("hrss", "co")}
    assert {a["due_date"] for a in assignments} == {due}


def test_staff_see_the_overdue_board_by_department(page, gateway, client):
    board = client.get("/api/v1/suggestions/overdue", as_user="staff", params={"limit": 500}).json()
    assert board["total"] > 0, "the demo data has overdue assignments"
    worst = max(board["items"], key=lambda i: i["days_overdue"])
    sign_in(page, gateway, "staff")
    menu(page, "逾期督办")
    expect(page.get_by_text(f"共 {board['total']} 条")).to_be_visible()
    names = {d["code"]: d["name"] for d in client.get("/api/v1/departments").json()["items"]}
    page.get_by_label("承办单位").click(force=True)
    page.get_by_role("option", name=names[worst["department"]], exact=True).click()
    expect(page).to_have_url(re.compile(f"department={worst['department']}"))
    row = page.get_by_role("row").filter(has_text=worst["number"])
    expect(row).to_contain_text(f"逾期 {worst['days_overdue']} 天")
    expect(row).to_contain_text(worst["due_date"])
    only = client.get("/api/v1/suggestions/overdue", as_user="staff",
                      params={"department": worst["department"]}).json()["total"]
    expect(page.get_by_text(f"共 {only} 条")).to_be_visible()
