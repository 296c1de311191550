"""The meeting display and the chair's view in headless Chromium (Debian's ``chromium``):
the pages served by the gateway follow the live stream — a ballot cast through the API
changes the numbers on the screen."""
import json

import pytest

from tests.e2e.test_live_e2e import Meeting
from tests.support.chromium import Chromium


@pytest.fixture(scope="module")
def browser(platform):
    with Chromium() as chromium:
        yield chromium


def test_the_display_changes_when_a_ballot_is_cast(platform, browser, client, config, cluster_rpc):
    members = [f"D06{n:02d}" for n in range(31, 36)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members[:4]:
        meeting.check_in(code)
    title = "关于召开县第十九届人民代表大会第六次会议的决定"
    item_id = meeting.add_item(title)
    meeting.open(item_id)

    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/display")
    # a secret item: until it closes the screen shows how many have voted, never how
    browser.wait_texts({"item-title": title, "item-mode": "无记名表决", "expected": "5", "present": "4",
                        "yes": "—", "no": "—", "abstain": "—", "voted": "0", "not-voted": "4", "result": ""})
    assert browser.evaluate("document.getElementById('secrecy').hidden") is False

    meeting.vote(item_id, members[0], "yes")
    browser.wait_texts({"voted": "1", "not-voted": "3", "yes": "—", "no": "—", "abstain": "—"})
    meeting.vote(item_id, members[1], "no")
    meeting.vote(item_id, members[2], "yes")
    meeting.vote(item_id, members[1], "yes")  # changed: the last choice counts
    browser.wait_texts({"voted": "3", "not-voted": "1", "yes": "—", "no": "—", "abstain": "—"})

    meeting.close(item_id)
    browser.wait_texts({"result": "通过", "yes": "3", "no": "0", "abstain": "0", "not-voted": "1",
                        "item-status": "表决结束", "threshold": "通过需赞成 ≥ 3 票（全体组成人员过半数）"})
    assert browser.evaluate("document.getElementById('secrecy').hidden") is True
    browser.screenshot(f"{platform.log_dir}/display.png")
    assert not [line for line in browser.console if line.startswith("exception")], browser.console


def test_a_display_opened_after_the_vote_shows_the_result(platform, browser, client, config, cluster_rpc):
    members = [f"D06{n:02d}" for n in range(41, 44)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members[:2]:
        meeting.check_in(code)
    item_id = meeting.add_item("关于撤销某项决定的决定")
    meeting.open(item_id)
    meeting.vote(item_id, members[0], "no")
    meeting.close(item_id)
    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/display")
    browser.wait_texts({"expected": "3", "present": "2", "yes": "0", "no": "1", "not-voted": "1",
                        "result": "未通过"})


def test_the_chair_sees_who_has_not_voted_and_never_a_choice(platform, browser, client, config, cluster_rpc):
    members = [f"D06{n:02d}" for n in range(51, 54)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members:
        meeting.check_in(code)
    item_id = meeting.add_item("关于代表资格审查的报告")
    meeting.open(item_id)
    names = {row["deputy_id"]: row["name"] for row in
             client.get(f"/api/v1/meetings/{meeting.id}/attendance").json()["members"]}

    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/chair")
    sign_in_on_the_page(browser, "staff", "demo")
    browser.wait_texts({"pending-count": "3", "voted": "0", "signed-in-as": "staff"})
    # a browser session: the token is in an httpOnly cookie no script can read, not in storage
    assert browser.evaluate("sessionStorage.length + localStorage.length") == 0
    assert "renda_session" not in browser.evaluate("document.cookie")
    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/chair")  # a reload stays signed in
    browser.wait_texts({"pending-count": "3", "signed-in-as": "staff"})

    meeting.vote(item_id, members[1], "abstain")
    browser.wait_texts({"pending-count": "2", "voted": "1"})
    listed = browser.evaluate("Array.from(document.querySelectorAll('#pending li')).map(li => li.textContent)")
    assert sorted(listed) == sorted(f"{names[code]}（{code}）" for code in (members[0], members[2]))
    page = browser.evaluate("document.body.innerText")
    assert members[1] not in page  # who voted is not listed, and what they chose is shown nowhere

    browser.evaluate("document.getElementById('sign-out').click()")
    browser.wait_value("document.getElementById('login-panel').hidden", False)
    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/chair")
    browser.wait_texts({"pending-error": "登录后显示未表决名单"})  # signed out for good


def sign_in_on_the_page(browser, username, password):
    """Fill the chair page's sign-in form and submit it, as a person would."""
    browser.wait_value("!!document.getElementById('login') && document.readyState === 'complete'", True)
    browser.evaluate("document.getElementById('username').value = %s; document.getElementById('password').value = %s;"
                     "document.getElementById('login').requestSubmit(); 0" % (json.dumps(username), json.dumps(password)))


def test_an_appointment_list_voted_per_person_shows_each_candidate_after_close(platform, browser, client, config,
                                                                    cluster_rpc):
    members = [f"D06{n:02d}" for n in range(61, 64)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members:
        meeting.check_in(code)
    response = client.post(f"/api/v1/meetings/{meeting.id}/items", as_user="staff", json={
        "kind": "appointment", "title": "任命名单", "mode": "secret", "merged": False,
        "candidates": [{"name": "张三", "post": "副县长"}, {"name": "李四", "post": "局长"}]})
    assert response.status_code == 201, response.text
    item_id = response.json()["id"]
    meeting.open(item_id)
    browser.navigate(f"{platform.gateway_url}/meetings/{meeting.id}/display")
    browser.wait_texts({"item-title": "任命名单", "item-kind": "任免"})
    for code, choices in zip(members[:2], ({"张三": "yes", "李四": "no"}, {"张三": "yes", "李四": "yes"})):
        response = client.post(f"/api/v1/meetings/{meeting.id}/items/{item_id}/ballots",
                               headers=meeting.headers(code), json={"choices": choices})
        assert response.status_code == 201, response.text
    rows = "Array.from(document.querySelectorAll('#candidate-rows tr')).map(tr => " \
           "Array.from(tr.cells).map(td => td.textContent))"
    # secret: per-candidate counts appear only when the item closes
    browser.wait_value(rows, [["张三", "—", "—", "—", ""], ["李四", "—", "—", "—", ""]])
    browser.wait_texts({"voted": "2"})
    meeting.close(item_id)
    browser.wait_value(rows, [["张三", "2", "0", "0", "通过"], ["李四", "1", "1", "0", "未通过"]])
