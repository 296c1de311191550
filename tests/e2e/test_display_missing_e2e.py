"""The meeting display and the chair's view of a meeting that does not exist say 会议不存在
(a 404 page, in Chinese), instead of a screen waiting forever for a vote."""
import pytest

from tests.e2e.test_live_e2e import Meeting
from tests.support.chromium import Chromium

UNKNOWN = ["999999999", "abc"]
VISIBLE_TEXT = "document.getElementById('missing') && document.getElementById('missing').offsetParent !== null " \
               "? document.getElementById('missing').textContent : null"


@pytest.fixture(scope="module")
def browser(platform):
    with Chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("page", ["display", "chair"])
@pytest.mark.parametrize("meeting_id", UNKNOWN)
def test_an_unknown_meeting_is_a_404_page_that_says_so(client, page, meeting_id):
    response = client.get(f"/meetings/{meeting_id}/{page}")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>会议不存在</title>" in response.text and 'lang="zh-CN"' in response.text


@pytest.mark.parametrize("page", ["display", "chair"])
def test_a_known_meeting_gets_its_page(client, config, cluster_rpc, page):
    meeting = Meeting(client, config, ["D0671"], cluster_rpc)
    response = client.get(f"/meetings/{meeting.id}/{page}")
    assert response.status_code == 200 and "会议不存在" not in response.text


@pytest.mark.parametrize("page", ["display", "chair"])
def test_the_screen_shows_it_in_chinese(platform, browser, page):
    browser.navigate(f"{platform.gateway_url}/meetings/999999999/{page}")
    browser.wait_value(VISIBLE_TEXT, "会议不存在")
    assert browser.evaluate("document.title") == "会议不存在"


@pytest.mark.parametrize("page", ["display", "chair"])
def test_a_page_whose_stream_answers_404_turns_into_the_notice(platform, browser, client, config, cluster_rpc, page):
    """As when the page was served while the voting service did not answer: the live stream
    then answers 404 for the unknown meeting, and the page stops waiting and says so."""
    meeting = Meeting(client, config, ["D0672"], cluster_rpc)
    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/{page}")
    # null-safe: the element exists only once the page has loaded
    browser.wait_value("document.getElementById('connection') && document.getElementById('connection').className",
                       "connection on")
    browser.evaluate("new MeetingLive('999999999', function (state) { if (state.missing) "
                     "{ MeetingLive.showMissing(); } }).start(); true")
    browser.wait_value(VISIBLE_TEXT, "会议不存在")
    assert browser.evaluate("document.getElementById('connection').offsetParent") is None   # the rest is hidden
    assert not [line for line in browser.console if line.startswith("exception")], browser.console
