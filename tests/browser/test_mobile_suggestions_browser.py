"""Stories 2–6 of the deputies' phone app (390×844): home, filing a suggestion, following it,
evaluating the reply or withdrawing it, notifications. Each test uses its own new deputies."""
import datetime
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import (as_staff_accept_and_assign, department_name, file_suggestion, new_deputy,
                                           sign_in, unread_notifications, with_own_password)
from tests.support.platform import eventually


def unique(text):
    return f"{text}（{uuid.uuid4().hex[:6]}）"


def test_home_shows_my_suggestions_meetings_unread_notifications_and_figures(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    waiting = file_suggestion(client, deputy, unique("关于增设城关镇公交站台的建议"))
    handled = file_suggestion(client, deputy, unique("关于改善乡村学校食堂条件的建议"))
    as_staff_accept_and_assign(client, handled["id"], due_date="2027-03-01")
    meeting_title = unique("县人大常委会第十次会议")
    starts = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=2))
    starts = starts.replace(hour=9, minute=0, second=0, microsecond=0)

    def create_meeting():
        answer = client.post("/api/v1/meetings", as_user="staff", json={
            "title": meeting_title, "kind": "standing_committee", "starts_at": starts.isoformat(),
            "members": [deputy["id"]]})
        assert answer.status_code in (201, 422), answer.text
        return answer if answer.status_code == 201 else None
    eventually(create_meeting, 30, "the voting service knows the new deputy")
    eventually(lambda: unread_notifications(client, deputy) == 2, 30, "accepted and assigned notifications")

    sign_in(phone, gateway, deputy)
    mine = phone.locator("[aria-label=我的建议]")
    expect(mine.get_by_text(waiting["title"])).to_be_visible()
    expect(mine.get_by_text(handled["title"])).to_be_visible()
    row = mine.locator(".van-cell", has_text=handled["title"])
    expect(row.get_by_text("已交办")).to_be_visible()
    expect(row.get_by_text("办理期限 2027/03/01")).to_be_visible()
    expect(mine.locator(".van-cell", has_text=waiting["title"]).get_by_text("待审查")).to_be_visible()

    figures = phone.locator("[aria-label=履职概况]")
    expect(figures.locator(".van-grid-item", has_text="提出建议").locator(".figure")).to_have_text("2")
    expect(figures.locator(".van-grid-item", has_text="出席会议").locator(".figure")).to_have_text("0/1")

    meetings = phone.locator("[aria-label=近期会议]")
    expect(meetings.get_by_text(meeting_title)).to_be_visible()
    expect(meetings.get_by_text(starts.strftime("%Y/%m/%d") + " 09:00")).to_be_visible()   # Beijing time

    tab = phone.locator(".van-tabbar-item", has_text="消息")
    expect(tab.locator(".van-badge")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path="docs/screenshots/mobile-home.png", full_page=True)
