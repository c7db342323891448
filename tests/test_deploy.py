"""The container image recipe and the Kubernetes manifests, checked without Docker or a cluster."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
import yaml
from conftest import ROOT

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted(DEPLOY.glob("*.yaml"))


def documents():
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text()):
            yield path.name, document


@pytest.mark.parametrize("name, document", list(documents()), ids=lambda v: v if isinstance(v, str) else "")
def test_manifests_validate_against_the_kubernetes_schema(name, document):
    kubernetes_validate.validate(document, "1.30.0", strict=True)


def by_kind():
    return {document["kind"]: document for _, document in documents()}


def test_deployment_probes_and_key_secret():
    kinds = by_kind()
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Secret"} <= set(kinds)
    spec = kinds["Deployment"]["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "0.0.0.0" in container["args"]
    env = {e["name"]: e for e in container["env"]}
    mounted = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["GATEWAY_API_KEYS_FILE"]["value"].startswith(mounted["keys"])
    secret_volume = next(v for v in spec["volumes"] if v["name"] == "keys")
    assert secret_volume["secret"]["secretName"] == kinds["Secret"]["metadata"]["name"]
    drain = float(env["GATEWAY_DRAIN_TIMEOUT"]["value"])
    assert spec["terminationGracePeriodSeconds"] > drain  # Kubernetes waits for the drain to finish
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_service_and_autoscaler_target_the_deployment():
    kinds = by_kind()
    labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert kinds["Service"]["spec"]["selector"].items() <= labels.items()
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", kinds["Deployment"]["metadata"]["name"])


def test_dockerfile_runs_non_root_on_all_interfaces_with_a_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD .*?/healthz", text, re.M)
    cmd = re.findall(r"^CMD\s+(.*)$", text, re.M)[-1]
    assert '"--host", "0.0.0.0"' in cmd and '"gateway"' in cmd
    for copied in re.findall(r"^COPY\s+(\S+)", text, re.M):
        assert (ROOT / copied).exists(), f"Dockerfile copies {copied}, which is not in the repository"
