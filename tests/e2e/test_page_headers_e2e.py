"""Issue 8, section 7: every page is sent with a Content-Security-Policy that runs no inline
script and forbids framing, with nosniff and a Referrer-Policy; JSON answers carry nosniff too.
The pages still work under that policy in a real browser (the display and chair pages are
driven in tests/e2e/test_display_e2e.py)."""
import re

import pytest
import requests

from tests.support.chromium import Chromium

# {meeting}: a meeting of the demo data; an unknown one gets the 404 page "会议不存在", under the same policy
PAGES = [("/meetings/{meeting}/display", 200), ("/meetings/{meeting}/chair", 200), ("/api/docs", 200),
         ("/meetings/some-meeting/display", 404), ("/meetings/some-meeting/chair", 404)]


def directives(csp):
    return {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}


@pytest.mark.parametrize("path, status", PAGES)
def test_pages_send_a_strict_content_security_policy(client, path, status):
    meeting = client.get("/api/v1/meetings", params={"limit": 1}).json()["items"][0]["id"]
    response = client.get(path.format(meeting=meeting))
    assert response.status_code == status and response.headers["Content-Type"].startswith("text/html")
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]                 # no 'unsafe-inline', no other origin
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin-when-cross-origin")
    # every script of the page is a file: nothing inline that the policy would have to allow
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", response.text, flags=re.S | re.I)
    tags = re.findall(r"<script\b[^>]*>", response.text, flags=re.I)
    assert (tags or status == 404) and all("src=" in tag for tag in tags) and all(not body.strip() for body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", response.text, flags=re.I)  # no inline event handlers


@pytest.mark.parametrize("path, status", [("/api/v1/deputies?limit=1", 200), ("/api/v1/nothing-here", 404),
                                          ("/api/v1/me", 401), ("/static/meeting/chair.js", 200)])
def test_other_answers_carry_nosniff_and_no_framing(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_swagger_ui_still_renders_under_the_policy(platform):
    with Chromium() as browser:
        browser.navigate(f"{platform.gateway_url}/api/docs")
        browser.wait_value("!!document.querySelector('.swagger-ui .info .title') && "
                           "document.querySelectorAll('.opblock').length > 20", True, timeout=30)
        assert not [line for line in browser.console if line.startswith("exception")], browser.console


def test_no_inline_script_is_run_even_if_one_got_into_a_page(platform):
    """The policy itself, checked in the browser: an injected inline script does not run."""
    with Chromium() as browser:
        browser.navigate(f"{platform.gateway_url}/meetings/x/display")
        browser.wait_value("document.readyState", "complete")
        browser.evaluate("const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                         "document.body.appendChild(s); 0")
        assert browser.evaluate("window.injected === undefined") is True
