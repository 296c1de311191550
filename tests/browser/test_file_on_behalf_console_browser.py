"""Congress staff file a suggestion on a deputy's behalf (a paper one handed in): the lead
deputy and a co-signer found by name; it then waits in the review queue like any other."""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.console import menu, sign_in


def test_staff_file_a_suggestion_for_a_deputy_found_by_name(page, gateway, client):
    deputies = client.get("/api/v1/deputies", as_user="staff", params={"level": "county", "limit": 50}).json()["items"]
    lead, co = [d for d in deputies if d["status"] == "active" and d["code"] != "D0611"][-2:]
    title = f"关于增设城关镇夜间公交线路的建议{uuid.uuid4().hex[:4]}"
    sign_in(page, gateway, "staff")
    menu(page, "代为提交建议")
    form = page.get_by_role("form", name="代为提交建议")
    form.get_by_role("button", name="提交").click()
    expect(form.get_by_text("请选择领衔代表")).to_be_visible()
    form.get_by_label("领衔代表").fill(lead["name"])
    page.get_by_role("option", name=re.compile(f"{lead['name']}（{lead['code']}")).click()
    form.get_by_label("附议代表").fill(co["name"])
    page.get_by_role("option", name=re.compile(f"{co['name']}（{co['code']}")).click()
    form.get_by_label("标题").fill(title)
    form.get_by_label("内容").fill("城关镇晚间下班群众出行不便，建议交通运输局增设夜间公交线路并延长末班车时间。")
    form.get_by_role("button", name="提交").click()
    done = page.get_by_role("status").filter(has_text="已代")
    expect(done).to_contain_text(re.compile(f"已代 {lead['code']} 提交：编号 [0-9]+-[0-9B]+-[0-9]+"))
    expect(form.get_by_label("标题")).to_have_value("")                    # ready for the next one

    filed = [s for s in client.get("/api/v1/suggestions", as_user="staff", params={"limit": 50}).json()["items"]
             if s["title"] == title]
    assert len(filed) == 1                                                 # once
    assert filed[0]["lead_deputy"] == lead["code"] and co["code"] in filed[0]["deputy_codes"]
    assert filed[0]["filed_by"]["role"] == "staff" and filed[0]["status"] == "submitted"
    done.get_by_role("link", name="到建议审查").click()
    expect(page.get_by_role("row").filter(has_text=title)).to_be_visible()
