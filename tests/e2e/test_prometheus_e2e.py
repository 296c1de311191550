"""Real Prometheus (Debian's package) with deploy/prometheus.yml and its alert rules, scraping
the running platform and RabbitMQ's exporter: every target is up, the key series exist, the
gauges of waiting work agree with the API, every alert rule evaluates without error, and
every Grafana dashboard query runs. Only the scrape addresses (the test platform's ports) and
the intervals differ from the deployed configuration."""
import glob
import json
import os
import shutil
import subprocess
import tempfile

import pytest
import requests
import yaml

from tests.support.platform import ROOT, eventually, free_port
from tools import replica_targets

DEPLOY = os.path.join(ROOT, "deploy")


def render_config(platform, directory):
    config = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus.yml")))
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [os.path.join(DEPLOY, rules) for rules in config["rule_files"]]
    replica_files = os.path.join(directory, "replicas")
    for job in config["scrape_configs"]:
        if job["job_name"] in platform.ports:
            for static in job["static_configs"]:
                static["targets"] = [f"127.0.0.1:{platform.ports[job['job_name']]}"]
        for discovery in job.get("file_sd_configs", []):
            discovery["files"] = [os.path.join(replica_files, os.path.basename(f)) for f in discovery["files"]]
    # A replica file as scripts/run.sh writes it: a second gateway target, the test platform's one
    # gateway under another address (localhost), so it is a target of its own that can be up.
    groups = {name: [] for name in replica_targets.procfile_entries()}
    groups["gateway"] = [{"targets": [f"localhost:{platform.ports['gateway']}"],
                          "labels": {"process": "gateway", "replica": "2"}}]
    replica_targets.write(replica_files, groups)
    path = os.path.join(directory, "prometheus.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(config, handle)
    return path, {job["job_name"] for job in config["scrape_configs"]}


@pytest.fixture(scope="module")
def prometheus(platform):
    directory = tempfile.mkdtemp(prefix="renda-prometheus-")
    config_path, jobs = render_config(platform, directory)
    port = free_port()
    log = open(os.path.join(directory, "prometheus.log"), "wb")
    process = subprocess.Popen(["prometheus", f"--config.file={config_path}",
                                f"--storage.tsdb.path={os.path.join(directory, 'data')}",
                                f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: requests.get(f"{url}/-/ready", timeout=2).status_code == 200, 60, "Prometheus ready")
        yield url, jobs
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(directory, ignore_errors=True)


def query(url, expression):
    answer = requests.get(f"{url}/api/v1/query", params={"query": expression}, timeout=10).json()
    assert answer["status"] == "success", (expression, answer)
    return answer["data"]["result"]


def test_every_target_is_up(prometheus):
    url, jobs = prometheus

    def all_up():
        targets = requests.get(f"{url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        healthy = {target["labels"]["job"] for target in targets if target["health"] == "up"}
        return healthy == jobs and len(targets) == len(jobs) + 1 and all(t["health"] == "up" for t in targets)
    eventually(all_up, 60, f"all of {sorted(jobs)} and the gateway's replica file's target up")


def test_a_replica_listed_in_its_file_is_scraped_in_its_job(prometheus, client):
    """``make run REPLICAS=gateway=2``'s second gateway reaches Prometheus through
    var/prometheus/gateway-replicas.json (file discovery in deploy/prometheus.yml), in job gateway,
    so the alert rules and dashboards count it with the first."""
    url, _ = prometheus
    [sample] = eventually(lambda: query(url, 'up{job="gateway", replica="2"} == 1'), 60, "the replica scraped")
    assert sample["metric"]["process"] == "gateway"
    assert client.get("/api/v1/deputies?limit=1").status_code == 200
    eventually(lambda: query(url, 'gateway_http_requests_total{replica="2", route="/api/v1/deputies"}'), 30,
               "the replica's request counts")


def test_key_series_exist(prometheus, client, config):
    url, _ = prometheus
    vhost = config["AMQP_URI"].rsplit("/", 1)[1]
    assert client.get("/api/v1/deputies?limit=1").status_code == 200
    assert client.get("/api/v1/deputies/NO-SUCH").status_code == 404
    expected = [
        'gateway_http_requests_total{route="/api/v1/deputies", method="GET", status="200"}',
        'gateway_http_requests_total{route="/api/v1/deputies/<deputy_id>", status="404"}',
        'gateway_http_request_duration_seconds_count{route="/api/v1/deputies"}',
        'suggestion_outbox_backlog_events', 'voting_outbox_lag_seconds',
        'deputy_entrypoint_calls_total', 'webhooks_deliveries_waiting{status="dead"}',
        f'rabbitmq_detailed_queue_messages{{vhost="{vhost}", queue=~"department\\\\..+"}}',
        f'rabbitmq_detailed_queue_consumers{{vhost="{vhost}"}}',
    ]
    for expression in expected:
        eventually(lambda: query(url, expression), 30, f"series {expression}")


def test_overdue_gauge_agrees_with_the_overdue_list(prometheus, client):
    url, _ = prometheus

    def agree():
        listed = client.get("/api/v1/suggestions/overdue?limit=1", as_user="staff").json()["total"]
        [sample] = query(url, "sum(max by (department) (suggestion_overdue_assignments)) or vector(0)")
        return float(sample["value"][1]) == listed
    eventually(agree, 30, "the gauge to show the overdue list's total")


def test_every_alert_rule_evaluates_without_error(prometheus):
    url, _ = prometheus
    expected = {rule["alert"] for group in yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "rules.yml")))["groups"]
                for rule in group["rules"]}

    def evaluated():
        groups = requests.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        if {rule["name"] for rule in rules} != expected or any(rule.get("lastEvaluation", "").startswith("0001")
                                                               for rule in rules):
            return None
        return rules
    rules = eventually(evaluated, 30, "every rule loaded and evaluated once")
    assert [(rule["name"], rule.get("lastError")) for rule in rules if rule["health"] != "ok"] == []
    firing = [rule["name"] for rule in rules if rule["state"] == "firing"]
    assert "ServiceDown" not in firing and "BrokerMetricsDown" not in firing


def test_every_dashboard_query_runs(prometheus):
    url, _ = prometheus
    for path in sorted(glob.glob(os.path.join(DEPLOY, "grafana", "dashboards", "*.json"))):
        for panel in json.load(open(path, encoding="utf-8"))["panels"]:
            for target in panel["targets"]:
                query(url, target["expr"].replace("${service}", "suggestion"))
