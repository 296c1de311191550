"""A Server-Sent Events client for tests: reads a stream in a background thread and lets
the test wait for the events it expects (no sleeps)."""
import json
import threading
import time

import requests


class SseStream:
    def __init__(self, url, headers=None, read_timeout=60):
        self.url = url
        self.response = requests.get(url, headers={"Accept": "text/event-stream", **(headers or {})},
                                     stream=True, timeout=(5, read_timeout))
        self.status_code = self.response.status_code
        self.headers = self.response.headers
        self.events = []      # {"id", "event", "data", "raw"}, in arrival order
        self.comments = []    # comment lines (heartbeats)
        self.retry = None
        self.ended = False    # the server closed the stream
        self.error = None
        self._cond = threading.Condition()
        if self.status_code == 200:
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()
        else:
            self.ended = True

    def _read(self):
        buffer = ""
        try:
            for chunk in self.response.iter_content(chunk_size=65536, decode_unicode=False):
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    self._block(block)
        except Exception as exc:  # closed by us, or by the server
            self.error = exc
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    def _block(self, block):
        event = {"id": None, "event": "message", "data": None, "raw": block}
        data_lines = []
        for line in block.split("\n"):
            if line.startswith(":"):
                with self._cond:
                    self.comments.append(line)
                    self._cond.notify_all()
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data_lines.append(value)
            elif field == "id":
                event["id"] = value
            elif field == "event":
                event["event"] = value
            elif field == "retry":
                self.retry = int(value)
        if not data_lines:
            return
        text = "\n".join(data_lines)
        try:
            event["data"] = json.loads(text)
        except ValueError:
            event["data"] = text
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout=10.0, what="an event"):
        """The first event (from the start of the stream) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ended:
                    raise AssertionError(f"no {what} on {self.url} within {timeout}s "
                                         f"(ended={self.ended}, got {[e['event'] for e in self.events]})")
                self._cond.wait(min(remaining, 0.5))

    def wait_event(self, event_type, timeout=10.0, where=None):
        return self.wait_for(lambda e: e["event"] == event_type and (where is None or where(e["data"])),
                             timeout, what=f"'{event_type}' event")

    def wait_comments(self, count, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.comments) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ended:
                    raise AssertionError(f"only {len(self.comments)} comment lines within {timeout}s")
                self._cond.wait(min(remaining, 0.5))
        return self.comments

    def wait_ended(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.ended:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"stream {self.url} still open after {timeout}s")
                self._cond.wait(min(remaining, 0.5))

    def of_type(self, *types):
        with self._cond:
            return [event for event in self.events if event["event"] in types]

    def close(self):
        try:
            self.response.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def seq_of(event):
    """The per-meeting sequence number in an event id ``<epoch>-<seq>``."""
    return int(event["id"].rsplit("-", 1)[1])
