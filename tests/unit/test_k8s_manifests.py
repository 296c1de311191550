"""deploy/k8s/ rendered offline with `kubectl kustomize` (Debian's kubectl; scripts/setup.sh installs
it) for both overlays: core kinds validated against Kubernetes' own schemas (kubernetes-validate,
strict: an unknown field is an error), the operators' kinds checked for the fields they need, and
the platform's own rules: one image, every process of SERVICES, secrets only from Secrets, probes,
only the gateway open to the outside, the PrometheusRule equal to deploy/prometheus/rules.yml."""
import os
import re
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from kernel.config import DEVELOPMENT_SECRETS
from tools import k8s_manifests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVERLAYS = ("county", "province")
KUBERNETES_VERSION = "1.30.0"  # the oldest Kubernetes the manifests are meant for
CUSTOM_KINDS = {"RabbitmqCluster", "Cluster", "ServiceMonitor", "PrometheusRule"}
PROCESSES = k8s_manifests.processes_of()


def render(overlay):
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing: run scripts/setup.sh (it installs Debian's kubernetes-client)"
    done = subprocess.run([kubectl, "kustomize", os.path.join(ROOT, "deploy", "k8s", "overlays", overlay)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request):
    return request.param, render(request.param)


def of_kind(documents, kind):
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def containers(documents):
    for doc in documents:
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                yield doc, container


def test_generated_files_are_up_to_date():
    assert k8s_manifests.stale_files() == [], "run python -m tools.k8s_manifests"


def test_prometheus_rule_holds_exactly_the_rules_file():
    with open(k8s_manifests.RULES_FILE, encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    for overlay in OVERLAYS:
        (rule,) = of_kind(render(overlay), "PrometheusRule").values()
        assert rule["spec"]["groups"] == rules["groups"]


def test_core_kinds_are_valid_against_the_kubernetes_schemas(rendered):
    _, documents = rendered
    checked = 0
    for doc in documents:
        if doc["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 2 * len(PROCESSES) + 5


def test_a_broken_manifest_is_refused_by_the_validator(rendered):
    _, documents = rendered
    deployment = of_kind(documents, "Deployment")["gateway"]
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/health"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_process_runs_from_one_image_as_the_runner(rendered):
    _, documents = rendered
    deployments = of_kind(documents, "Deployment")
    assert set(deployments) == set(PROCESSES)
    images = {container["image"] for _, container in containers(documents)}
    assert len(images) == 1 and ":" in images.pop()  # one image, pinned by the overlay
    for process, module in PROCESSES.items():
        (container,) = deployments[process]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", "kernel.runner", module]
    (job,) = of_kind(documents, "Job").values()
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["python", "-m", "kernel.bootstrap"]


def test_secrets_come_from_secrets_and_production_refuses_development_ones(rendered):
    _, documents = rendered
    assert not of_kind(documents, "Secret"), "no secret is shipped: the cluster's operator creates them"
    (config_map,) = of_kind(documents, "ConfigMap").values()
    assert config_map["data"]["APP_ENV"] == "production"
    for _, container in containers(documents):
        assert container["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]["name"]}}]
        env = {item["name"]: item for item in container["env"]}
        for key in DEVELOPMENT_SECRETS:
            assert env[key]["valueFrom"]["secretKeyRef"] == {"name": "renda-secrets", "key": key}
        for item in container["env"]:
            value = item.get("value", "")
            assert "guest" not in value and value not in DEVELOPMENT_SECRETS.values()
            if "password" in item["name"].lower() or "secret" in item["name"].lower():
                assert "secretKeyRef" in item["valueFrom"], item["name"]
        # AMQP_URI and DATABASE_URL carry their passwords only through $(VAR) of secretKeyRef entries
        for url_key in ("AMQP_URI", "DATABASE_URL"):
            if url_key in env:
                for reference in ("RABBITMQ_PASSWORD",) if url_key == "AMQP_URI" else ("PG_SUPERUSER_PASSWORD",):
                    assert f"$({reference})" in env[url_key]["value"]
                    assert "secretKeyRef" in env[reference]["valueFrom"]
    deployments = of_kind(documents, "Deployment")
    for deployment in deployments.values():
        env = {item["name"] for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert "DATABASE_URL" not in env, "the administrative DSN belongs to the bootstrap Job alone"


def test_probes_resources_and_replicas(rendered):
    overlay, documents = rendered
    deployments = of_kind(documents, "Deployment")
    for process, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        # gateway's /health asks every service (kernel/service.py vs gateway/service.py): not its readiness
        assert container["readinessProbe"]["httpGet"]["path"] == ("/health/live" if process == "gateway" else "/health")
        assert set(container["resources"]) == {"requests", "limits"}
        replicas = deployment["spec"]["replicas"]
        assert replicas == 1 if overlay == "county" else replicas >= 2
    autoscalers = of_kind(documents, "HorizontalPodAutoscaler")
    budgets = of_kind(documents, "PodDisruptionBudget")
    if overlay == "county":
        assert not autoscalers and not budgets
        return
    assert set(autoscalers) == set(PROCESSES)
    for process, autoscaler in autoscalers.items():
        assert autoscaler["spec"]["scaleTargetRef"]["name"] == process
        assert autoscaler["spec"]["minReplicas"] == deployments[process]["spec"]["replicas"]
        pod_labels = deployments[process]["spec"]["template"]["metadata"]["labels"]
        selector = budgets[process]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
    assert "renda-rabbitmq" in budgets


def selects(policy, labels):
    return policy["spec"]["podSelector"].get("matchLabels", {}).items() <= labels.items()


def test_only_the_gateway_is_reachable_from_outside(rendered):
    _, documents = rendered
    policies = of_kind(documents, "NetworkPolicy")
    deny = policies["default-deny-ingress"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    open_to_all = [name for name, policy in policies.items()
                   for rule in policy["spec"].get("ingress", []) if "from" not in rule]
    assert open_to_all == ["gateway-from-anywhere"]
    gateway_labels = of_kind(documents, "Deployment")["gateway"]["spec"]["template"]["metadata"]["labels"]
    assert selects(policies["gateway-from-anywhere"], gateway_labels)
    for process, deployment in of_kind(documents, "Deployment").items():
        if process != "gateway":
            assert not selects(policies["gateway-from-anywhere"], deployment["spec"]["template"]["metadata"]["labels"])
    for name, service in of_kind(documents, "Service").items():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", name


def test_rabbitmq_and_postgres_through_their_operators(rendered):
    overlay, documents = rendered
    (rabbit,) = of_kind(documents, "RabbitmqCluster").values()
    assert rabbit["apiVersion"] == "rabbitmq.com/v1beta1"
    assert rabbit["spec"]["replicas"] == (1 if overlay == "county" else 3)
    assert rabbit["spec"]["persistence"]["storage"] and rabbit["spec"]["resources"]["requests"]
    (postgres,) = of_kind(documents, "Cluster").values()
    assert postgres["apiVersion"] == "postgresql.cnpg.io/v1"
    assert postgres["spec"]["instances"] == (1 if overlay == "county" else 3)
    assert postgres["spec"]["storage"]["size"] and postgres["spec"]["enableSuperuserAccess"] is True
    for _, container in containers(documents):
        env = {item["name"]: item for item in container["env"]}
        assert env["AMQP_URI"]["value"].endswith(f"@{rabbit['metadata']['name']}:5672/")
        assert env["RABBITMQ_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{rabbit['metadata']['name']}-default-user"
        # one database per service: the DSN template names the service's own database
        service_url = env["SERVICE_DATABASE_URL"]["value"]
        assert service_url.endswith(f"@{postgres['metadata']['name']}-rw:5432/{{service}}")


def test_service_monitors_scrape_every_process_with_the_rules_job_names(rendered):
    _, documents = rendered
    monitors = of_kind(documents, "ServiceMonitor")
    processes = monitors["renda-processes"]
    assert processes["spec"]["jobLabel"] == "app.kubernetes.io/name"  # job = process name, as in rules.yml
    for process in PROCESSES:
        service = of_kind(documents, "Service")[process]
        assert processes["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        assert service["metadata"]["labels"]["app.kubernetes.io/name"] == process
        assert [port["name"] for port in service["spec"]["ports"]] == [processes["spec"]["endpoints"][0]["port"]]
    rabbit_jobs = {relabel["replacement"] for endpoint in monitors["renda-rabbitmq"]["spec"]["endpoints"]
                   for relabel in endpoint["relabelings"] if relabel["targetLabel"] == "job"}
    assert rabbit_jobs == {"rabbitmq", "rabbitmq-queues"}
    with open(k8s_manifests.RULES_FILE, encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)
    expressions = {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}
    assert set(re.search(r'job=~"([^"]+)"', expressions["ServiceDown"]).group(1).split("|")) == set(PROCESSES)
    assert set(re.search(r'job=~"([^"]+)"', expressions["BrokerMetricsDown"]).group(1).split("|")) == rabbit_jobs
