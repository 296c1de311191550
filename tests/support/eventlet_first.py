"""Loaded by pytest.ini (``-p tests.support.eventlet_first``) before the pytest plugins that
installed packages bring (anyio, hypothesis, schemathesis ...): eventlet must patch before
anything imports ssl, or TLS under eventlet recurses without end (SSLContext properties)."""
import eventlet

eventlet.monkey_patch()
