"""The deployment files: Kubernetes manifests valid against the API schemas, compose and its nginx config current."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from deploy import serve_team

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S_VERSION = "1.33.0"  # a Kubernetes release still in support; kubernetes-validate ships its schemas


def manifests() -> list[tuple[str, dict]]:
    return [(p.name, doc) for p in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(p.read_text())]


@pytest.mark.parametrize("name,doc", manifests(), ids=[m[0] for m in manifests()])
def test_kubernetes_manifest_is_valid(name, doc):
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_a_broken_manifest_is_caught():
    _name, doc = next(m for m in manifests() if m[1]["kind"] == "Deployment")
    doc["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_kubernetes_pieces_fit_together():
    by_kind = {d["kind"]: d for _n, d in manifests()}
    dep, svc, ing = by_kind["Deployment"], by_kind["Service"], by_kind["Ingress"]
    assert dep["spec"]["replicas"] >= 2
    assert svc["spec"]["selector"] == dep["spec"]["template"]["metadata"]["labels"]
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    notes = ing["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    app = dep["spec"]["template"]["spec"]["containers"][0]
    assert app["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"
    assert ing["spec"]["rules"][0]["host"] in app["command"]  # server.allowedHosts names the Ingress host
    # the same CSP as nginx, with the hash of the installed Streamlit's inline script
    csp = re.search(r'Content-Security-Policy: ([^"]+)"', notes["nginx.ingress.kubernetes.io/configuration-snippet"])
    rendered = serve_team.render("/x", "1", ["a:1"], brotli=False)
    assert csp.group(1) in rendered
    assert serve_team.inline_script_hashes() in csp.group(1)


def test_compose_nginx_config_is_current():
    fresh = serve_team.COMPOSE_NOTE + serve_team.render(serve_team.COMPOSE_PREFIX, "8080", ["app:8501"], brotli=True,
                                                        user="www-data")
    assert (DEPLOY / "nginx.compose.conf").read_text() == fresh, \
        "regenerate: python -m deploy.serve_team --render deploy/nginx.compose.conf --upstream app:8501 --port 8080"


def test_compose_runs_replicas_behind_the_proxy_only():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["deploy"]["replicas"] >= 2 and "ports" not in app  # replicas are never published
    assert proxy["ports"] == ["127.0.0.1:8080:8080"]
    assert "--server.allowedHosts" in app["command"]
    assert "/_stcore/health" in " ".join(app["healthcheck"]["test"])
