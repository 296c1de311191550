"""The README's "Try it" commands paste into a shell as written: the meeting's live stream
(Server-Sent Events) example is run by bash against the platform, and answers a snapshot."""
import os
import pathlib
import re
import select
import signal
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def try_it_block():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return next(block for block in blocks if "/live" in block)


def test_the_live_stream_example_runs_in_bash_as_written(platform):
    lines = [line for line in try_it_block().splitlines() if "MEETING" in line]
    assert len(lines) == 2 and "<" not in lines[1].split("#")[0]    # no placeholder left to replace by hand
    script = "\n".join(lines).replace("localhost:8080", platform.gateway_url.replace("http://", ""))
    shell = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    output = b""
    try:
        deadline = time.monotonic() + 30
        while b"event: snapshot" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([shell.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(shell.stdout.fileno(), 65536) if ready else b""
            if ready and not chunk:
                break    # the command ended
            output += chunk
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGTERM)   # the stream does not end by itself: Ctrl-C, as a person would
        shell.wait(10)
    assert b"event: snapshot" in output, (output[-500:], shell.stderr.read()[-500:])
    assert b'"meeting_id":' in output
