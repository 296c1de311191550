"""Congress staff read the handling statistics: charts (ECharts) and a table of 办复率, 办结率,
满意率 and the A/B/C shares by department or category, and export the same figures as CSV and as an Excel workbook."""
import io
import re

import openpyxl
from playwright.sync_api import expect

from tests.browser.console import menu, sign_in


def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def test_staff_read_the_statistics_by_department_and_category_and_export_csv(page, gateway, client):
    sign_in(page, gateway, "staff")
    menu(page, "办理统计")
    expect(page.get_by_role("figure", name="办复率、办结率、满意率").locator("canvas")).to_be_visible()
    expect(page.get_by_role("figure", name="答复类别占比（A/B/C）").locator("canvas")).to_be_visible()

    by_department = client.get("/api/v1/suggestions/stats", params={"group_by": "department"}).json()
    busiest = max(by_department["rows"], key=lambda r: r["assigned"])
    row = page.get_by_role("row").filter(has_text=busiest["label"]).first
    for figure in ("reply_rate", "close_rate", "satisfaction_rate", "share_a"):
        expect(row).to_contain_text(percent(busiest[figure]))

    page.get_by_text("按类别").click()
    expect(page).to_have_url(re.compile(r"group_by=category"))
    by_category = client.get("/api/v1/suggestions/stats", params={"group_by": "category"}).json()
    first = by_category["rows"][0]
    expect(page.get_by_role("row").filter(has_text=first["label"]).first).to_contain_text(percent(first["reply_rate"]))

    export = page.get_by_role("link", name="导出 CSV")
    expect(export).to_have_attribute("href", re.compile(r"group_by=category&format=csv"))
    answer = page.request.get(gateway + export.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert first["label"] in answer.text()

    workbook = page.get_by_role("link", name="导出 Excel")
    expect(workbook).to_have_attribute("href", re.compile(r"group_by=category&format=xlsx"))
    answer = page.request.get(gateway + workbook.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.body())).active
    assert first["label"] in [row[1] for row in sheet.iter_rows(values_only=True)]
