"""The portal as people use it. A reader on a phone: home, a column, an article, search, the
feed link and the 适老化 switch, all without signing in; the suggestion-handling results. An
editor writes, uploads a photo into the body and submits; staff approve and schedule it for a
moment a few seconds ahead, and the article (with its photo) appears on the portal when due. A
town's reporter submits a piece and sees the quarter's ranking."""
import datetime
import io
import re
import uuid

from PIL import Image

from playwright.sync_api import expect

from tests.browser.console import menu, sign_in
from tests.support.platform import eventually

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def test_a_reader_finds_news_on_a_phone_without_signing_in(phone, gateway):
    page = phone
    response = page.goto(f"{gateway}/portal/")
    assert "set-cookie" not in response.headers
    expect(page.get_by_role("link", name="宁陕县人大常委会").first).to_be_visible()
    expect(page.get_by_role("heading", name="最新发布")).to_be_visible()
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="通知公告").click()
    expect(page.get_by_role("heading", name="通知公告", level=1)).to_be_visible()
    article = page.get_by_role("main").get_by_role("listitem").first.get_by_role("link")
    title = article.inner_text()
    article.click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("发布时间")).to_be_visible()
    expect(page.get_by_text(re.compile("陕ICP备"))).to_be_visible()

    page.get_by_label("搜索").fill("代表")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("共找到")
    expect(page.get_by_role("main").get_by_role("listitem").first).to_be_visible()

    feed = page.get_by_role("link", name="订阅（Atom）")
    assert feed.get_attribute("href") == "/feed.xml"
    answer = page.request.get(f"{gateway}/feed.xml")
    assert answer.headers["content-type"].startswith("application/atom+xml") and "<entry>" in answer.text()

    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_text("适老化模式（大字号·高对比）").click()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") > size * 1.2
    page.goto(f"{gateway}/portal/")          # remembered on the next page
    expect(page.locator("#elder-mode")).to_be_checked()


def test_a_reader_reads_the_suggestion_handling_results(phone, gateway):
    page = phone
    page.goto(f"{gateway}/portal/")
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="建议办理结果").click()
    expect(page.get_by_role("heading", name="建议办理结果", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"共 \d+ 件"))).to_be_visible()
    page.get_by_label("类别").select_option(index=1)
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"/portal/suggestions\?category="))
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="建议办理结果").click()
    # a replied one (other stories of this run may have put a suggestion being re-handled first)
    first = page.get_by_role("main").get_by_role("listitem").filter(has_text="已答复").first.get_by_role("link")
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="办理答复")).to_be_visible()
    expect(page.get_by_text(re.compile("答复时间")).first).to_be_visible()


def test_an_editor_writes_staff_schedule_and_it_appears_when_due(browser, browser_context_args, gateway):
    title = f"县人大常委会开展定时发布测试{uuid.uuid4().hex[:6]}"
    editor = browser.new_context(**browser_context_args).new_page()
    sign_in(editor, gateway, "editor")
    menu(editor, "稿件管理")
    editor.get_by_role("button", name="写稿").click()
    editor.get_by_label("标题").fill(title)
    editor.get_by_label("正文（HTML）").fill("<p>调研组来到乡村，察看民宿发展情况。</p><script>alert(1)</script>")
    photo = io.BytesIO()
    Image.new("RGB", (1200, 600), (30, 110, 60)).save(photo, "JPEG")
    editor.get_by_label("上传图片/附件").set_input_files(
        files=[{"name": "调研现场.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()}])
    expect(editor.get_by_text("已上传并插入正文")).to_be_visible()
    assert re.search(r'<img src="/media/[0-9a-f]{64}-w960\.jpg" alt="调研现场">',
                     editor.get_by_label("正文（HTML）").input_value())
    expect(editor.frame_locator("iframe[title=预览]").get_by_role("heading", name=title)).to_be_visible()
    editor.get_by_role("button", name="保存").click()
    expect(editor.get_by_role("status")).to_contain_text("草稿")
    assert "<script>" not in editor.get_by_label("正文（HTML）").input_value()    # the server sanitised it
    editor.get_by_role("button", name="送审").click()
    expect(editor.get_by_role("status")).to_contain_text("待审核")
    editor.context.close()

    staff = browser.new_context(**browser_context_args).new_page()
    sign_in(staff, gateway, "staff")
    menu(staff, "稿件审核")
    staff.get_by_role("row").filter(has_text=title).click()
    staff.get_by_role("button", name="审核通过").click()
    expect(staff.get_by_role("status")).to_contain_text("待签发")
    due = datetime.datetime.now(BEIJING) + datetime.timedelta(seconds=20)
    staff.get_by_label("定时发布时间（北京时间）").fill(due.strftime("%Y-%m-%dT%H:%M:%S"))
    staff.get_by_role("button", name="定时签发").click()
    expect(staff.get_by_role("status")).to_contain_text("定时发布")
    expect(staff.get_by_role("list", name="流程记录")).to_contain_text("定时签发")

    reader = staff.context.new_page()
    reader.goto(f"{gateway}/portal/columns/news")
    assert reader.get_by_role("link", name=title).count() == 0        # not before its time

    def on_portal():
        reader.goto(f"{gateway}/portal/columns/news")
        return reader.get_by_role("link", name=title).count() == 1
    eventually(on_portal, timeout=60, what="the scheduled article on the portal")
    reader.get_by_role("link", name=title).click()
    expect(reader.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(reader.get_by_text("察看民宿发展情况")).to_be_visible()
    photo_shown = reader.get_by_role("img", name="调研现场")
    expect(photo_shown).to_be_visible()
    assert photo_shown.evaluate("img => img.naturalWidth") == 960
    staff.reload()
    expect(staff.get_by_role("status")).to_contain_text("已发布")
    staff.context.close()


def test_a_town_reporter_submits_a_piece_and_sees_the_ranking(page, gateway):
    title = f"四亩地镇人大开展代表视察活动{uuid.uuid4().hex[:6]}"
    sign_in(page, gateway, "town-simudi")
    menu(page, "信息报送")
    ranking = page.get_by_role("table").first
    expect(page.get_by_role("heading", name="季度通报排名")).to_be_visible()
    own = page.locator("tr.own")
    expect(own).to_contain_text("四亩地镇")
    before = int(own.locator("td").nth(3).inner_text())
    page.get_by_label("标题").fill(title)
    page.locator("label.el-radio").filter(has_text="调研文章").click()
    page.get_by_label("内容").fill("镇人大组织代表视察民生实事项目，提出意见建议。")
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_text(f"已报送：{title}")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("调研文章")
    expect(own.locator("td").nth(3)).to_have_text(str(before + 1))
    assert ranking.is_visible()
