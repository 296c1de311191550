"""Budget supervision in the console (1440×900): staff read the county's execution against
序时进度 and drill down to a unit's lines and payments; staff import a treasury file with bad
rows and see it refused with each bad row, column and reason; a budget unit finds the alert
sent to it and explains it in writing."""
import re

from playwright.sync_api import expect

from demo import budget as demo
from tests.browser.console import DESK, menu, post

# Answers come from the platform started for the run; on a loaded two-core machine (bcrypt at
# sign-in, four aggregations on the dashboard) they may take longer than Playwright's 5 s
# default. A bound on waiting, not a speed assertion.
WAIT = 30_000


def sign_in(page, gateway, username, password="demo"):
    """tests/browser/console.py's sign-in, with the longer bound on the answer."""
    page.set_viewport_size(DESK)
    page.goto(f"{gateway}/console/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=f"欢迎，{username}")).to_be_visible(timeout=WAIT)

HEADER = "支付凭证号,支付日期,预算单位编码,功能分类编码,经济分类编码,指标文号,收款人名称,收款人账号,收款人类型,金额,摘要\n"


def test_staff_read_execution_and_drill_down_to_a_lines_payments(page, gateway, client):
    sign_in(page, gateway, "staff")
    menu(page, "预算执行监督")
    expect(page.get_by_role("figure", name="执行进度与序时进度（按月累计）").locator("canvas")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("figure", name="三公经费（按单位，前15）").locator("canvas")).to_be_visible(timeout=WAIT)
    ranking = page.get_by_label("滞后排名")
    expect(ranking.get_by_role("row").nth(1)).to_contain_text("县农业技术推广中心", timeout=WAIT)  # the planted laggard first

    page.get_by_label("主管部门执行").get_by_role("link", name="县农业农村局").click()
    expect(page).to_have_url(re.compile(r"department=107"), timeout=WAIT)
    page.get_by_label("所属单位执行").get_by_role("link", name="县农业技术推广中心").click()
    expect(page.get_by_role("heading", name="县农业技术推广中心")).to_be_visible(timeout=WAIT)
    lines = client.get("/api/v1/budget/lines", as_user="staff", params={"unit": "107002", "limit": 1}).json()
    first = lines["items"][0]["line_ref"]
    page.get_by_role("link", name=first).click()
    drawer = page.get_by_role("dialog")
    expect(drawer).to_contain_text(f"指标 {first} 的支付", timeout=WAIT)
    expect(drawer.get_by_label("支付明细").get_by_role("row").nth(1)).to_contain_text("ZF", timeout=WAIT)


def test_staff_import_a_file_with_bad_rows_and_read_the_report(page, gateway, tmp_path):
    path = tmp_path / "国库支付.csv"
    path.write_bytes((HEADER
                      + "B0000001,2026-11-03,105002,2050201,30201,,宁陕县城关商贸有限公司,610500001,单位,1200.50,办公用品\n"
                      + "B0000002,2026-11-31,105002,2050201,30201,,宁陕县城关商贸有限公司,610500001,单位,12元,办公用品\n")
                     .encode("gbk"))
    sign_in(page, gateway, "staff")
    menu(page, "支付数据导入")
    page.get_by_label("选择文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并导入").click()
    region = page.get_by_role("region", name="导入进度")
    expect(region.get_by_role("heading")).to_contain_text("已拒绝", timeout=90_000)
    report = region.get_by_label("错误报告")
    expect(report.get_by_role("row").filter(has_text="支付日期")).to_contain_text("3")
    expect(report.get_by_role("row").filter(has_text="金额")).to_contain_text("不是有效金额")
    expect(region.get_by_role("link", name="下载错误报告")).to_have_attribute("href", re.compile(r"errors\.csv$"))


def test_a_unit_explains_the_alert_sent_to_it(page, gateway, client):
    unit = next(code for code, rule in demo.PLANTED.items() if rule == "idle_project")
    alert = client.get("/api/v1/budget/alerts", as_user="staff", params={"unit": unit, "rule": "idle_project"}).json()
    alert = alert["items"][0]
    post(client, f"/api/v1/budget/alerts/{alert['id']}/send", "staff")

    sign_in(page, gateway, f"unit-{unit}")
    menu(page, "预算预警")
    expect(page.get_by_text("有 1 条预警等待本单位说明或整改")).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name=alert["message"]).click()
    expect(page.get_by_text("待单位说明", exact=True).last).to_be_visible(timeout=WAIT)   # the alert's own page
    page.get_by_role("button", name="提交说明").click()
    expect(page.get_by_role("alert").filter(has_text="此项必填")).to_be_visible()  # nothing sent without a text
    page.get_by_label("说明或意见").fill("项目因征地手续延后，第二、三季度未能开工，现已开工并支付进度款。")
    page.get_by_role("button", name="提交说明").click()
    expect(page.get_by_text("单位已说明").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("list", name="处置过程")).to_contain_text("项目因征地手续延后")
    answer = client.get(f"/api/v1/budget/alerts/{alert['id']}", as_user="staff").json()
    assert answer["status"] == "explained"
