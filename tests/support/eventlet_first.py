"""Loaded by pytest.ini (``-p tests.support.eventlet_first``) before the pytest plugins that
installed packages bring (anyio, hypothesis, schemathesis ...): eventlet must patch before
anything imports ssl, or TLS under eventlet recurses without end (SSLContext properties).
Browser tests run in a pytest of their own without eventlet (tests/browser/conftest.py)."""
import os

if not os.environ.get("RENDA_BROWSER_TESTS"):
    import eventlet

    eventlet.monkey_patch()
