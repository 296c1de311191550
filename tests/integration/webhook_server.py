"""A real local HTTP server that records the requests it gets (webhook and forwarding tests)."""
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)


class RecordingServer:
    """``with RecordingServer(status=200, fail_first=0, delay=0) as server: server.url``.
    Answers ``fail_status`` to the first ``fail_first`` requests, then ``status``; sleeps
    ``delay`` seconds before answering (a slow endpoint). With ``tls`` (a server-side
    ssl.SSLContext) it speaks https and records the SNI names clients sent in
    ``server_names``."""

    def __init__(self, status=200, fail_first=0, fail_status=500, delay=0.0, tls=None):
        self.status = status
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    outer.requests.append(Received(self.path, dict(self.headers), body))
                    failing = len(outer.requests) <= outer.fail_first
                if outer.delay:
                    time.sleep(outer.delay)
                status = outer.fail_status if failing else outer.status
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        self.server_names = []
        if tls:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    @property
    def port(self):
        return self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
