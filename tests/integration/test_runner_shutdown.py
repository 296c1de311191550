"""kernel.runner stops once and ends. A second SIGTERM during the graceful stop (a process-group
kill beside the parent-death signal, a second Ctrl-C) made nameko's stop raise and left the
process running for good, holding its database sessions, relay lock and queues — a later test
run on the same database then met it. And a stop that hangs ends after STOP_GRACE_SECONDS."""
import os
import signal
import subprocess
import sys

from tests.support.platform import ROOT, eventually


def start(module, tmp_path, **env):
    ready = tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-m", "kernel.runner", module], cwd=ROOT,
                               env=dict(os.environ, RUNNER_TEST_READY=str(ready), **env),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    eventually(lambda: ready.exists() or process.poll() is not None, 60, f"{module} running")
    assert process.poll() is None, process.stdout.read().decode()
    return process


def test_two_sigterms_stop_the_process_once_and_it_exits(tmp_path):
    process = start("tests.support.runner_ticking", tmp_path)
    try:
        process.send_signal(signal.SIGTERM)
        process.send_signal(signal.SIGTERM)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, output.decode()
    assert b"Traceback" not in output


def test_a_stop_that_hangs_ends_after_the_grace_period(tmp_path):
    process = start("tests.support.runner_stuck", tmp_path, STOP_GRACE_SECONDS="1")
    try:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 1
    assert b"graceful stop unfinished after 1s" in output
