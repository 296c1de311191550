"""The test platform's processes never outlive the test run that started them."""
import os
import subprocess
import sys

from tests.support.platform import eventually

PARENT = """
import os, subprocess, sys, time
from tests.support.platform import die_with_parent
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                         preexec_fn=die_with_parent(os.getpid()))
print(child.pid, flush=True)
time.sleep(300)
"""


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:       # a zombie waiting for init counts as gone
        return stat.read().split(")")[-1].split()[0] == "Z"


def test_a_platform_process_dies_when_the_killed_test_run_cannot_stop_it():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=root, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        assert not gone(child)
        parent.kill()                              # SIGKILL: no fixture teardown runs
        parent.wait()
        eventually(lambda: gone(child), 30, "the orphaned process to end")
    finally:
        if not gone(child):
            os.kill(child, 9)
