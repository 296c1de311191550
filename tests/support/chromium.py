"""Headless Chromium (Debian's ``chromium``) driven over the DevTools protocol for tests.

The protocol runs over a pipe (``--remote-debugging-pipe``: commands on the browser's fd 3,
answers and events on its fd 4, each message JSON ended by a NUL byte): no port to pick,
no websocket library. Tests poll the DOM (``Runtime.evaluate``) until what they expect is
there, with a deadline; they never sleep."""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

BINARIES = ("chromium", "chromium-browser", "google-chrome")


def chromium_binary():
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("headless Chromium is needed: run scripts/setup.sh (apt-get install chromium)")


class Chromium:
    def __init__(self, width=1600, height=900):
        self.profile = tempfile.mkdtemp(prefix="renda-chromium-")
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # above 3 and 4, so that the redirections below cannot close what they just made
        commands_read, answers_write = (self._high_fd(fd) for fd in (commands_read, answers_write))
        argv = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
                "--remote-debugging-pipe", "about:blank"]
        # the browser expects the pipe on fds 3 and 4
        shell = f'exec "$@" 3<&{commands_read} 4>&{answers_write} {commands_read}<&- {answers_write}>&-'
        self.proc = subprocess.Popen(["bash", "-c", shell, "chromium", *argv], pass_fds=(commands_read, answers_write),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self.console = []  # console messages and exceptions of the page
        self.session = None
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True, session=False)[
            "sessionId"]
        self.send("Runtime.enable")
        self.send("Page.enable")

    @staticmethod
    def _high_fd(fd):
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return high

    # -- protocol -------------------------------------------------------------------------
    def send(self, method, timeout=30.0, session=True, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._event(answer)

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            if self.proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.proc.returncode}")
            if not select.select([self._answers], [], [], min(1.0, max(0.0, deadline - time.monotonic())))[0]:
                continue
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _event(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console.append("exception: " + str(details.get("exception", {}).get("description", details)))

    # -- page -----------------------------------------------------------------------------
    def navigate(self, url):
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise RuntimeError(f"{url}: {result['errorText']}")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def texts(self, *element_ids):
        """{id: textContent} of elements of the page (None for a missing one)."""
        expression = "(() => { const out = {}; for (const id of %s) { const e = document.getElementById(id); " \
                     "out[id] = e ? e.textContent : null; } return out; })()" % json.dumps(list(element_ids))
        return self.evaluate(expression)

    def wait_texts(self, expected, timeout=15.0):
        """Poll the DOM until every ``{id: text}`` of ``expected`` shows; return the texts."""
        return self._poll(lambda: self.texts(*expected), expected, timeout)

    def wait_value(self, expression, expected, timeout=15.0):
        """Poll until the JavaScript ``expression`` evaluates to ``expected``."""
        return self._poll(lambda: self.evaluate(expression), expected, timeout)

    def _poll(self, read, expected, timeout):
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            value = read()
            if value == expected:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"page shows {value}, expected {expected} (console: {self.console[-5:]})")
            time.sleep(delay)  # the DOM is polled, with a deadline: this is the poll interval
            delay = min(delay * 2, 0.2)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
        return path

    def close(self):
        try:
            self.send("Browser.close", timeout=5, session=False)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._commands, self._answers):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
