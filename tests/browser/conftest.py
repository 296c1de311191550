"""Browser tests of the web clients: Playwright for Python driving Debian's /usr/bin/chromium
(never a downloaded browser) against the platform started as in e2e. Each test is a story a
person does by clicking and typing; pytest-playwright saves a screenshot of a failure
(pytest.ini: --screenshot only-on-failure)."""
import os

import pytest

# the subscriptions story watches a webhook delivery die and be replayed: two quick attempts
os.environ.setdefault("WEBHOOK_MAX_ATTEMPTS", "2")
os.environ.setdefault("WEBHOOK_RETRY_BASE_SECONDS", "0.3")

CHROMIUM = "/usr/bin/chromium"
# without the background-networking flags Chromium keeps dialling Google on a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def phone(browser, browser_context_args):
    """A page on a 390×844 touch phone."""
    context = browser.new_context(**browser_context_args, **PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def gateway(platform):
    return platform.gateway_url
