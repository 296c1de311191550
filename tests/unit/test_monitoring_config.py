"""The monitoring configuration as code: Prometheus' scrape config and alert rules (checked and
unit-tested by promtool, from Debian's prometheus package that scripts/setup.sh installs) and
the Grafana dashboards and their provisioning (valid JSON, every panel on the provisioned
datasource). That each dashboard query runs against the live platform is
tests/e2e/test_prometheus_e2e.py."""
import glob
import json
import os
import subprocess

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
DASHBOARDS = sorted(glob.glob(os.path.join(DEPLOY, "grafana", "dashboards", "*.json")))


def promtool(*args, cwd=DEPLOY):
    result = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_scrape_configs_are_valid_and_scrape_every_process_and_the_broker(config):
    if config == "prometheus.yml":
        promtool("check", "config", config)  # also checks the rule files it names
    jobs = {job["job_name"] for job in yaml.safe_load(open(os.path.join(DEPLOY, config)))["scrape_configs"]}
    assert jobs == {"gateway", "news", "deputy", "suggestion", "budget", "voting", "webhooks",
                    "rabbitmq", "rabbitmq-queues"}


def test_alert_rules_pass_their_unit_tests():
    promtool("check", "rules", "rules.yml", cwd=os.path.join(DEPLOY, "prometheus"))
    output = promtool("test", "rules", "rules.test.yml", cwd=os.path.join(DEPLOY, "prometheus"))
    assert "SUCCESS" in output


def test_every_alert_has_a_unit_test_that_fires_it():
    rules = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "rules.yml")))
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    tests = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "rules.test.yml")))["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    assert alerts - fired == set()


def test_dashboards_are_valid_json_on_the_provisioned_datasource():
    provisioned = yaml.safe_load(open(os.path.join(DEPLOY, "grafana", "provisioning", "datasources",
                                                   "prometheus.yml")))["datasources"]
    uids = {source["uid"] for source in provisioned}
    assert [os.path.basename(path) for path in DASHBOARDS] == [
        "departments-delivery.json", "platform-overview.json", "service-detail.json"]
    seen_uids = set()
    for path in DASHBOARDS:
        dashboard = json.load(open(path, encoding="utf-8"))
        assert dashboard["uid"] not in seen_uids
        seen_uids.add(dashboard["uid"])
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), path
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] in uids, (path, panel["title"])
            assert panel["targets"] and all(target["expr"].strip() for target in panel["targets"]), panel["title"]


def test_compose_mounts_the_rules_dashboards_and_plugins_that_exist():
    compose = yaml.safe_load(open(os.path.join(DEPLOY, "compose.yaml")))["services"]
    mounts = compose["prometheus"]["volumes"] + compose["grafana"]["volumes"] + compose["rabbitmq"]["volumes"]
    for mount in mounts:
        source = mount.split(":")[0]
        if source.startswith("./"):
            assert os.path.exists(os.path.join(DEPLOY, source)), mount
    assert any(mount.endswith("/etc/prometheus/rules.yml:ro") for mount in compose["prometheus"]["volumes"])
