"""tools/replica_targets.py: ``make run REPLICAS=...`` is checked against deploy/Procfile, and
Prometheus learns where replicas 2..n listen (the ports scripts/replica.sh gives them) from the
files deploy/prometheus.yml reads. That Prometheus really scrapes a target from such a file is
tests/e2e/test_prometheus_e2e.py."""
import json
import os
import subprocess

import pytest
import yaml

from tools import replica_targets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTRIES = replica_targets.procfile_entries()


def test_the_procfile_entries_and_their_ports():
    assert ENTRIES["gateway"] == (8080, 1)
    assert ENTRIES["suggestion"] == (8103, 100)
    assert set(ENTRIES) == {"gateway", "news", "deputy", "suggestion", "budget", "voting", "webhooks"}


def test_replicas_two_to_n_listen_where_replica_sh_puts_them():
    groups = replica_targets.extra_targets(replica_targets.parse("gateway=3,suggestion=2", ENTRIES), ENTRIES)
    assert groups["gateway"] == [
        {"targets": ["127.0.0.1:8081"], "labels": {"process": "gateway", "replica": "2"}},
        {"targets": ["127.0.0.1:8082"], "labels": {"process": "gateway", "replica": "3"}}]
    assert groups["suggestion"] == [{"targets": ["127.0.0.1:8203"],
                                     "labels": {"process": "suggestion", "replica": "2"}}]
    assert groups["news"] == []     # run once: its file is emptied, so scaling down drops the targets


@pytest.mark.parametrize("spec, message", [
    ("sugestion=2", "is not <process>=<count>"),
    ("suggestion", "is not <process>=<count>"),
    ("suggestion=0", "is not <process>=<count>"),
    ("suggestion=two", "is not <process>=<count>"),
    ("suggestion=10", "at most"),
    ("gateway=21", "at most"),
])
def test_a_bad_request_is_refused_with_the_reason(spec, message):
    with pytest.raises(replica_targets.ReplicaSpecError, match=message):
        replica_targets.parse(spec, ENTRIES)


def test_the_command_writes_every_entrys_file_and_fails_on_a_typo(tmp_path):
    """As scripts/run.sh runs it: the system python3, before the virtualenv exists."""
    run = subprocess.run(["python3", "-m", "tools.replica_targets", "--write", str(tmp_path), "gateway=2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{e}-replicas.json" for e in ENTRIES)
    assert json.loads((tmp_path / "gateway-replicas.json").read_text())[0]["targets"] == ["127.0.0.1:8081"]
    typo = subprocess.run(["python3", "-m", "tools.replica_targets", "--write", str(tmp_path), "gatway=2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert typo.returncode == 2 and "gatway=2" in typo.stderr


def test_prometheus_reads_each_process_jobs_replica_file():
    """deploy/prometheus.yml's file_sd path for each process is the file the tool writes under var/prometheus."""
    config = yaml.safe_load(open(os.path.join(ROOT, "deploy", "prometheus.yml")))
    found = {job["job_name"]: job.get("file_sd_configs") for job in config["scrape_configs"]}
    for entry in ENTRIES:
        [sd] = found[entry]
        [pattern] = sd["files"]
        resolved = os.path.normpath(os.path.join(ROOT, "deploy", os.path.dirname(pattern)))
        assert resolved == os.path.join(ROOT, "var", "prometheus")
        assert os.path.basename(pattern) == f"{entry}-replicas*.json"
