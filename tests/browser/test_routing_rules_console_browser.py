"""Congress staff keep the routing rules behind the assign page's proposals: add a keyword
rule, see it score a new suggestion, change its weight, switch it off and delete it."""
import uuid

from playwright.sync_api import expect

from tests.browser.console import filed, menu, post, sign_in


def proposal_for(client, suggestion_id, department):
    items = client.get(f"/api/v1/suggestions/{suggestion_id}/proposals", as_user="staff").json()["items"]
    return next((p for p in items if p["department"] == department), None)


def test_staff_add_change_switch_off_and_delete_a_routing_rule(page, gateway, client):
    word = "渡口" + uuid.uuid4().hex[:4]      # a keyword only this story's suggestion contains
    sign_in(page, gateway, "staff")
    menu(page, "分办规则")
    page.get_by_role("button", name="添加规则").click()
    dialog = page.get_by_role("dialog", name="添加规则")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_text("类别和关键词至少填写一项")).to_be_visible()
    dialog.get_by_label("关键词").fill(f"{word}，码头{word}")
    dialog.get_by_label("承办单位").click(force=True)
    page.get_by_role("option", name="宁陕县应急管理局", exact=True).click()
    dialog.get_by_label("权重").fill("7")
    dialog.get_by_role("button", name="保存").click()
    expect(page.get_by_text("规则已添加")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=word).filter(has_text="应急管理局")
    expect(row).to_contain_text("主办")
    expect(row).to_contain_text("7")

    s = filed(client, title=f"关于{word}安全设施的建议", content=f"建议在{word}增设救生设施和警示标志，确保群众出行安全。")
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    assert proposal_for(client, s["id"], "emergency")["score"] >= 7       # the new rule scores it

    row.get_by_role("button", name="编辑").click()
    edit = page.get_by_role("dialog", name="修改规则")
    edit.get_by_label("权重").fill("2.5")
    edit.get_by_text("协办", exact=True).click()
    edit.get_by_role("button", name="保存").click()
    expect(page.get_by_text("规则已修改")).to_be_visible()
    expect(row).to_contain_text("2.5")
    expect(row).to_contain_text("协办")

    row.locator(".el-switch").click()             # the switch (its input is visually hidden)
    expect(row.get_by_role("switch")).not_to_be_checked()
    expect(page.get_by_text("规则已停用")).to_be_visible()
    assert proposal_for(client, s["id"], "emergency") is None             # a switched-off rule proposes nothing

    row.get_by_role("button", name="删除").click()
    page.get_by_role("dialog", name="删除规则").get_by_role("button", name="删除").click()
    expect(page.get_by_text("规则已删除")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(0)
    assert word not in str(client.get("/api/v1/routing-rules", as_user="staff").json())
