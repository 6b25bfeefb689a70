"""infra/k8s: every kustomization renders, each object is valid against Kubernetes' own schemas, and the
rendered objects keep codi's deployment policy.

Rendering is kustomize's own (`kustomize build`, or `kubectl kustomize`, which embeds it): the overlays use
kustomize features (nameSuffix with labels in selectors, generators with merge, JSON patches) that a small
merge in Python would only imitate. Validation is `kubernetes-validate`'s strict mode (unknown fields are
errors) with the schemas its wheel ships, for the oldest Kubernetes the manifests need (1.29: native sidecar
containers) and the newest it knows.

What is asserted beyond the schemas: every pod runs non-root with a read-only root, no capabilities,
RuntimeDefault seccomp, no privilege escalation, a writable emptyDir /tmp and both probes — the build
workers' Docker engine alone is privileged; one build Deployment per platform (codi's queues), the GPU pool
holds the GPU and tolerates its taint; NetworkPolicies (evaluated here as the API defines them) keep build
pods off the metadata address and everything private but their datastores' ports; the engine's rules keep
the builds themselves off Redis, PostgreSQL and the metadata address (checked with real packets in network
namespaces); the settings each container gets load in codi's `Settings`; Secrets are referenced, never
rendered.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from codi import __version__
from codi.adapters.shellcheck import ShellCheckRunner
from codi.app.server import WEBHOOK_PATH, create_app
from codi.cli.main import build_parser
from codi.pipeline.parser import parse
from codi.settings import Settings, load_settings
from codi.worker.routing import PLATFORMS, queue_name

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"
KUSTOMIZATIONS = ("base", "overlays/dev", "overlays/production")
DEPLOYABLE = ("overlays/dev", "overlays/production")
SCHEMA_VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
WORKLOADS = ("Deployment", "StatefulSet")
NAMESPACE = "codi"

PLATFORMS_OF = {"base": {"amd64", "arm64"}, "overlays/dev": {"amd64", "arm64"}, "overlays/production": set(PLATFORMS)}
NODE_ARCH = {"amd64": "amd64", "arm64": "arm64", "gpu": "amd64"}
IMAGE_OF = {"base": "codi:" + __version__, "overlays/dev": "codi:" + __version__,
            "overlays/production": "registry.example.com/codi:" + __version__}
SECRETS_OF = {
    "overlays/dev": {"codi-github-app": {"app-id", "webhook-secret", "private-key.pem"},
                     "codi-redis": {"password"}, "codi-postgresql": {"password"}},
    "overlays/production": {"codi-github-app": {"app-id", "webhook-secret", "private-key.pem"},
                            "codi-redis": {"url"}, "codi-postgresql": {"url"}, "codi-tls": {"tls.crt", "tls.key"}},
}
"""The Secrets each overlay needs and their keys: what README's "Deploying on Kubernetes" tells to create."""
ENGINE = "engine"
"""The build workers' Docker engine: the one container allowed to be privileged (Docker in Docker)."""
CODI_COMPONENTS = {"receiver", "review-worker", "build-worker"}
METADATA = "169.254.169.254"
PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")


# --- rendering -------------------------------------------------------------------------------------------


def kustomize() -> list[str]:
    """kustomize's own renderer: a `kustomize` binary, else `kubectl kustomize`; neither fails the test."""
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if found := shutil.which("kubectl"):
        return [found, "kustomize"]
    pytest.fail("neither kustomize nor kubectl is on PATH: install kubectl (>= 1.27, kustomize v5) or kustomize v5",
                pytrace=False)


@functools.cache
def render(kustomization: str) -> tuple[dict[str, Any], ...]:
    done = subprocess.run([*kustomize(), str(K8S / kustomization)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"kustomize could not render {kustomization}:\n{done.stderr}", pytrace=False)
    return tuple(document for document in yaml.safe_load_all(done.stdout) if document)


def objects(kustomization: str, kind: str) -> list[dict[str, Any]]:
    return [obj for obj in render(kustomization) if obj["kind"] == kind]


def named(kustomization: str, kind: str, name: str) -> dict[str, Any]:
    found = [obj for obj in objects(kustomization, kind) if obj["metadata"]["name"] == name]
    assert len(found) == 1, f"{kustomization}: {kind}/{name}: {len(found)} objects"
    return found[0]


def workloads(kustomization: str) -> list[dict[str, Any]]:
    return [obj for obj in render(kustomization) if obj["kind"] in WORKLOADS]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def all_containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def component(workload: dict[str, Any]) -> str:
    return workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]


def build_deployments(kustomization: str) -> list[dict[str, Any]]:
    return [obj for obj in objects(kustomization, "Deployment") if component(obj) == "build-worker"]


def codi_container(workload: dict[str, Any]) -> dict[str, Any]:
    """The container running codi's image (the build pods' other one is the engine)."""
    (container,) = [c for c in pod_spec(workload)["containers"] if c["name"] != ENGINE]
    return container


def platform_of(deployment: dict[str, Any]) -> str:
    arguments = build_parser().parse_args(codi_container(deployment)["args"])
    assert arguments.command == "worker" and len(arguments.platform) == 1, codi_container(deployment)["args"]
    return str(arguments.platform[0])


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector as the API defines it (matchLabels and matchExpressions, all must hold)."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        holds = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not holds:
            return False
    return True


# --- schemas ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_rendered_object_is_valid_against_kubernetes_schemas(kustomization: str, version: str) -> None:
    rendered = render(kustomization)
    assert len(rendered) > 20
    for obj in rendered:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{kustomization}: {obj['kind']}/{obj['metadata']['name']} invalid for {version}: "
                        f"{error.message} at {'/'.join(map(str, error.path))}", pytrace=False)
        assert obj["kind"] == "Namespace" or obj["metadata"].get("namespace") == NAMESPACE, obj["metadata"]


def test_the_schemas_are_offline_and_strict() -> None:
    """The schemas come from the wheel (no download), and strict mode refuses an unknown field."""
    deployment = named("overlays/dev", "Deployment", "codi-receiver")
    misspelt = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, SCHEMA_VERSIONS[0], strict=True)


# --- pods ------------------------------------------------------------------------------------------------


def image_uid() -> int:
    """The numeric UID infra/docker/Dockerfile's last USER runs codi as."""
    users = [i.args.split(":")[0] for i in parse((ROOT / "infra/docker/Dockerfile").read_text()).instructions
             if i.keyword == "USER"]
    assert users and users[-1].isdigit(), f"codi's image must end with a numeric USER, has {users}"
    return int(users[-1])


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_container_is_non_root_read_only_and_without_capabilities(kustomization: str) -> None:
    for workload in workloads(kustomization):
        spec, name = pod_spec(workload), workload["metadata"]["name"]
        pod = spec["securityContext"]
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        assert spec["automountServiceAccountToken"] is False, name
        if component(workload) in CODI_COMPONENTS:
            assert pod["runAsUser"] == pod["runAsGroup"] == pod["fsGroup"] == image_uid(), name
        for container in all_containers(spec):
            if container["name"] == ENGINE:
                continue
            context = container["securityContext"]
            where = f"{kustomization}: {name}/{container['name']}"
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert not context.get("privileged") and "runAsUser" not in context, where
            volumes = {volume["name"]: volume for volume in spec["volumes"]}
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1 and "emptyDir" in volumes[tmp[0]["name"]], f"{where}: no emptyDir /tmp"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_the_build_pools_engine_is_the_only_privileged_container(kustomization: str) -> None:
    privileged = {
        (workload["metadata"]["name"], container["name"])
        for workload in workloads(kustomization)
        for container in all_containers(pod_spec(workload))
        if container.get("securityContext", {}).get("privileged")
    }
    pools = build_deployments(kustomization)
    assert privileged == {(deployment["metadata"]["name"], ENGINE) for deployment in pools}
    for deployment in pools:
        spec = pod_spec(deployment)
        (engine,) = [c for c in spec["initContainers"] if c["name"] == ENGINE]
        assert engine["restartPolicy"] == "Always"  # a native sidecar: the worker starts once its probe passes
        assert "ports" not in engine and engine["command"][-1] == "start"
        assert engine["startupProbe"]["exec"]["command"][-1] == "check"
        socket_volume = {m["name"]: m["mountPath"] for m in engine["volumeMounts"]}["engine-socket"]
        worker = codi_container(deployment)
        assert {m["name"]: m["mountPath"] for m in worker["volumeMounts"]}["engine-socket"] == socket_volume
        assert {"name": "DOCKER_HOST", "value": f"unix://{socket_volume}/docker.sock"} in worker["env"]
        socket_group = {"name": "CODI_ENGINE_SOCKET_GROUP", "value": str(spec["securityContext"]["runAsGroup"])}
        assert socket_group in engine["env"], "the worker's group must own the engine's socket"
        assert {v["name"]: v for v in spec["volumes"]}["engine-socket"]["emptyDir"]["medium"] == "Memory"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_container_has_liveness_and_readiness_probes(kustomization: str) -> None:
    for workload in workloads(kustomization):
        for container in all_containers(pod_spec(workload)):
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container and "readinessProbe" in container, where


def test_the_receiver_is_probed_on_healthz_and_readyz_which_codi_serves(tmp_path: Path) -> None:
    receiver = codi_container(named("overlays/production", "Deployment", "codi-receiver"))
    assert receiver["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert receiver["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    arguments = build_parser().parse_args(receiver["args"])
    assert (arguments.command, arguments.host) == ("serve", "0.0.0.0")
    assert {"name": "http", "containerPort": arguments.port} in receiver["ports"]
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\n")
    served = {route.path for route in create_app(Settings(
        github_app_id=1, github_private_key_path=key, webhook_secret="s")).routes}
    assert {"/healthz", "/readyz", WEBHOOK_PATH} <= served


def test_the_review_worker_is_probed_on_its_metrics_port() -> None:
    worker = codi_container(named("overlays/dev", "Deployment", "codi-review-worker"))
    arguments = build_parser().parse_args(worker["args"])
    assert arguments.command == "worker" and not arguments.platform
    assert {"name": "metrics", "containerPort": arguments.metrics_port} in worker["ports"]
    assert worker["livenessProbe"]["httpGet"]["port"] == worker["readinessProbe"]["httpGet"]["port"] == "metrics"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_codi_runs_the_overlays_image_of_this_version(kustomization: str) -> None:
    for workload in workloads(kustomization):
        for container in all_containers(pod_spec(workload)):
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), image
            if container["name"] != ENGINE and component(workload) in CODI_COMPONENTS:
                assert image == IMAGE_OF[kustomization], workload["metadata"]["name"]


# --- build pools -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_one_build_deployment_per_platform_on_its_architecture(kustomization: str) -> None:
    pools = build_deployments(kustomization)
    platforms = [platform_of(deployment) for deployment in pools]
    assert sorted(platforms) == sorted(PLATFORMS_OF[kustomization])
    for deployment, platform in zip(pools, platforms):
        spec = pod_spec(deployment)
        assert deployment["metadata"]["name"] == f"codi-build-worker-{platform}"
        assert spec["nodeSelector"] == {"kubernetes.io/arch": NODE_ARCH[platform]}
        assert queue_name(platform) == f"codi:build:{platform}"  # the queue `--platform` makes the worker serve
        others = [d for d in pools if d is not deployment]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert not any(selects(other["spec"]["selector"], labels) for other in others), "pools' selectors overlap"


def test_the_gpu_pool_holds_a_gpu_and_tolerates_gpu_nodes() -> None:
    for deployment in build_deployments("overlays/production"):
        spec = pod_spec(deployment)
        limits = [c.get("resources", {}).get("limits", {}).get("nvidia.com/gpu") for c in all_containers(spec)]
        gpu_toleration = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        if platform_of(deployment) == "gpu":
            assert limits.count("1") == 1 and [c["name"] for c in all_containers(spec)][limits.index("1")] == ENGINE
            assert spec["tolerations"] == [gpu_toleration]
        else:
            assert limits == [None] * len(limits) and "tolerations" not in spec


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_every_deployment_has_a_disruption_budget_and_the_review_worker_an_autoscaler(kustomization: str) -> None:
    budgets = objects(kustomization, "PodDisruptionBudget")
    for deployment in objects(kustomization, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        assert len(covering) == 1 and covering[0]["spec"]["maxUnavailable"] == 1, deployment["metadata"]["name"]
    (autoscaler,) = objects(kustomization, "HorizontalPodAutoscaler")
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "codi-review-worker")
    assert "replicas" not in named(kustomization, "Deployment", "codi-review-worker")["spec"]  # the HPA owns it
    assert 1 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_the_ingress_publishes_only_the_webhook_path_of_the_receivers_service(kustomization: str) -> None:
    (ingress,) = objects(kustomization, "Ingress")
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert [(p["path"], p["pathType"]) for p in paths] == [(WEBHOOK_PATH, "Exact")]
    service = named(kustomization, "Service", paths[0]["backend"]["service"]["name"])
    (port,) = service["spec"]["ports"]
    assert port["name"] == paths[0]["backend"]["service"]["port"]["name"]
    receiver = named(kustomization, "Deployment", "codi-receiver")
    assert selects({"matchLabels": service["spec"]["selector"]}, receiver["spec"]["template"]["metadata"]["labels"])
    assert port["targetPort"] in {p["name"] for p in codi_container(receiver)["ports"]}


# --- secrets and settings --------------------------------------------------------------------------------


def referenced_secrets(kustomization: str) -> dict[str, set[str]]:
    """Each Secret the objects reference, with the keys they read (mounted whole: keys from SECRETS_OF)."""
    found: dict[str, set[str]] = {}
    for workload in workloads(kustomization):
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                found.setdefault(volume["secret"]["secretName"], set())
        for container in all_containers(pod_spec(workload)):
            for variable in container.get("env", []):
                assert "secretKeyRef" not in variable.get("valueFrom", {}), "secrets are files, not variables"
    for ingress in objects(kustomization, "Ingress"):
        for tls in ingress["spec"].get("tls", []):
            found.setdefault(tls["secretName"], set())
    return found


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_secrets_are_referenced_never_rendered(kustomization: str) -> None:
    assert not objects(kustomization, "Secret")
    assert set(referenced_secrets(kustomization)) == set(SECRETS_OF[kustomization])
    for config_map in objects(kustomization, "ConfigMap"):
        for key, value in config_map.get("data", {}).items():
            if key.startswith("CODI_"):
                name = key.removeprefix("CODI_").removesuffix("_FILE").lower()
                assert name in Settings.model_fields, f"{key} is no codi setting"
                secret = name in {"webhook_secret", "redis_password", "database_password"}
                assert not secret or key.endswith("_FILE"), f"{key}: a secret's value inlined"
                assert "://" not in value or urlsplit(value).password is None, f"{key}: a password in a URL"


def container_environment(kustomization: str, workload: dict[str, Any], root: Path) -> dict[str, str]:
    """The variables codi's container gets, secret files written under `root` with made-up values and every
    path into a mounted Secret moved there."""
    spec, container = pod_spec(workload), codi_container(workload)
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in objects(kustomization, "ConfigMap")}
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environment.update(config_maps[source["configMapRef"]["name"]])
    environment.update({v["name"]: v["value"] for v in container.get("env", []) if "value" in v})
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    for mount in container["volumeMounts"]:
        secret = volumes[mount["name"]].get("secret")
        if secret is None:
            continue
        folder = root / mount["mountPath"].lstrip("/")
        folder.mkdir(parents=True, exist_ok=True)
        for key in SECRETS_OF[kustomization][secret["secretName"]]:
            (folder / key).write_text(SECRET_VALUES[key] + "\n")
        for name, value in environment.items():
            if value.startswith(mount["mountPath"] + "/"):
                environment[name] = str(root / value.lstrip("/"))
    return environment


SECRET_VALUES = {
    "app-id": "4242", "webhook-secret": "hook s3cret", "private-key.pem": "-----BEGIN RSA PRIVATE KEY-----",
    "password": "p@ss word", "url": "rediss://:pw@redis.internal:6380/0",
}


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_each_containers_settings_load_in_codi(
    kustomization: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What each codi container is given loads in `Settings`: the App's identity, Redis (every one), the
    database (the workers only: the receiver gets no database secret)."""
    for workload in workloads(kustomization):
        if component(workload) not in CODI_COMPONENTS:
            continue
        root = tmp_path / workload["metadata"]["name"]
        environment = container_environment(kustomization, workload, root)
        for name in [name for name in os.environ if name.startswith("CODI_")]:
            monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        if kustomization == "overlays/production":
            (root / "run/secrets/codi-postgresql/url").parent.mkdir(parents=True, exist_ok=True)
            (root / "run/secrets/codi-postgresql/url").write_text("postgresql://codi:pw@db.internal:5432/codi\n")
        settings = load_settings()
        assert (settings.github_app_id, settings.webhook_secret) == (4242, "hook s3cret")
        assert settings.data_dir == Path("/var/lib/codi") and settings.builds
        if kustomization == "overlays/dev":
            assert settings.redis_url == "redis://:p%40ss%20word@codi-redis:6379/0"
        else:
            assert settings.redis_url == "rediss://:pw@redis.internal:6380/0"
        if component(workload) == "receiver":
            assert not any(name.startswith("CODI_DATABASE") for name in environment)
        elif kustomization == "overlays/dev":
            assert settings.database_url == "postgresql://codi:p%40ss word@codi-postgresql:5432/codi"
        else:
            assert settings.database_url == "postgresql://codi:pw@db.internal:5432/codi"


# --- network policies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """One end of a connection: an address and, for a pod, its labels and namespace."""

    ip: str
    labels: dict[str, str] = field(default_factory=dict)
    namespace: str | None = None

    def __hash__(self) -> int:
        return hash(self.ip)


KUBE_DNS = Peer("10.244.0.3", {"k8s-app": "kube-dns"}, "kube-system")
REDIS_POD = Peer("10.244.1.10", {"app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "queue"}, NAMESPACE)
POSTGRES_POD = Peer("10.244.1.11", {"app.kubernetes.io/name": "postgresql", "app.kubernetes.io/component": "database"},
                    NAMESPACE)
OTHER_POD = Peer("10.244.2.20", {"app": "something-else"}, "default")
MANAGED_REDIS, MANAGED_POSTGRES = Peer("10.20.0.5"), Peer("10.20.0.6")
API_SERVER, KUBELET, GITHUB = Peer("10.96.0.1"), Peer("10.0.0.10"), Peer("140.82.112.3")


def pod(component_name: str) -> Peer:
    return Peer("10.244.3.30", {"app.kubernetes.io/name": "codi", "app.kubernetes.io/component": component_name},
                NAMESPACE)


def _peer_matches(rule_peer: dict[str, Any], policy_namespace: str, peer: Peer) -> bool:
    if "ipBlock" in rule_peer:
        address = ipaddress.ip_address(peer.ip)
        block = rule_peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excepted) for excepted in block.get("except", []))
    if peer.namespace is None:
        return False  # pod and namespace selectors match pods only
    namespace_labels = {"kubernetes.io/metadata.name": peer.namespace}
    if "namespaceSelector" in rule_peer:
        in_namespace = selects(rule_peer["namespaceSelector"], namespace_labels)
    else:
        in_namespace = peer.namespace == policy_namespace
    return in_namespace and selects(rule_peer.get("podSelector", {}), peer.labels)


def _port_matches(ports: list[dict[str, Any]] | None, port: int, protocol: str) -> bool:
    return not ports or any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports)


def allowed(kustomization: str, source: Peer, target: Peer, port: int, protocol: str = "TCP") -> bool:
    """Whether the NetworkPolicies let `source` open `port` on `target`: egress from the source's namespace,
    ingress into the target's, each allowed when no policy selects the pod for that direction or a rule of one
    that does matches (the API's semantics; a source or target outside the cluster has no policies)."""
    def direction(pod_end: Peer, other: Peer, kind: str, peers_key: str) -> bool:
        if pod_end.namespace is None:
            return True
        selecting = [
            policy for policy in objects(kustomization, "NetworkPolicy")
            if policy["metadata"]["namespace"] == pod_end.namespace and kind in policy["spec"]["policyTypes"]
            and selects(policy["spec"]["podSelector"], pod_end.labels)
        ]
        return not selecting or any(
            _port_matches(rule.get("ports"), port, protocol)
            and (not rule.get(peers_key) or any(_peer_matches(p, pod_end.namespace, other) for p in rule[peers_key]))
            for policy in selecting for rule in policy["spec"].get(kind.lower(), [])
        )
    return direction(source, target, "Egress", "to") and direction(target, source, "Ingress", "from")


DATASTORE_PORTS = {6379, 6380, 5432}


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_build_pods_reach_neither_metadata_nor_anything_private_but_their_datastores_ports(kustomization: str) -> None:
    """In dev the datastores are pods, reached by label; production's are external, at addresses only the
    operator knows, so private addresses are open on the datastores' ports alone (README: narrow the CIDR)."""
    build, external = pod("build-worker"), kustomization == "overlays/production"
    redis, postgres = (MANAGED_REDIS, MANAGED_POSTGRES) if external else (REDIS_POD, POSTGRES_POD)
    for port in (22, 53, 80, 443, 2375, 6379, 5432, 8080, 10250):
        assert not allowed(kustomization, build, Peer(METADATA), port), f"metadata :{port}"
        assert not allowed(kustomization, build, Peer("169.254.170.23"), port), f"link-local :{port}"
        for private in (API_SERVER, KUBELET, OTHER_POD):
            expected = external and port in DATASTORE_PORTS
            assert allowed(kustomization, build, private, port) == expected, f"{private} :{port}"
        for neighbour in (pod("receiver"), pod("review-worker")):
            assert not allowed(kustomization, build, neighbour, port), f"{neighbour} :{port}"
        assert allowed(kustomization, build, redis, port) == (port in DATASTORE_PORTS if external else port == 6379)
        assert allowed(kustomization, build, postgres, port) == (port in DATASTORE_PORTS if external else port == 5432)
        assert allowed(kustomization, build, GITHUB, port), f"public :{port} (base images, packages)"
        for source in (OTHER_POD, pod("receiver")):
            assert not allowed(kustomization, source, build, port), f"into a build pod :{port}"
    assert allowed(kustomization, build, KUBE_DNS, 53, "UDP")


@pytest.mark.parametrize("kustomization", DEPLOYABLE)
def test_the_receiver_and_review_worker_reach_only_what_they_use(kustomization: str) -> None:
    receiver, review = pod("receiver"), pod("review-worker")
    dev = kustomization == "overlays/dev"
    redis, postgres = (REDIS_POD, POSTGRES_POD) if dev else (MANAGED_REDIS, MANAGED_POSTGRES)
    for source in (receiver, review):
        assert allowed(kustomization, source, redis, 6379) and allowed(kustomization, source, KUBE_DNS, 53, "UDP")
        for port in (80, 443):
            assert not allowed(kustomization, source, Peer(METADATA), port)
            assert not allowed(kustomization, source, API_SERVER, port)
    assert not allowed(kustomization, receiver, postgres, 5432), "the receiver needs no database"
    assert not allowed(kustomization, receiver, GITHUB, 443), "the receiver calls nobody"
    assert allowed(kustomization, review, postgres, 5432) and allowed(kustomization, review, GITHUB, 443)
    assert not allowed(kustomization, review, GITHUB, 80)
    assert allowed(kustomization, OTHER_POD, receiver, 8000) and not allowed(kustomization, OTHER_POD, receiver, 9100)
    assert allowed(kustomization, OTHER_POD, review, 9100) and not allowed(kustomization, OTHER_POD, review, 8000)


def test_dev_datastores_take_connections_from_codi_alone() -> None:
    dev = "overlays/dev"
    assert allowed(dev, pod("receiver"), REDIS_POD, 6379) and not allowed(dev, OTHER_POD, REDIS_POD, 6379)
    assert allowed(dev, pod("build-worker"), POSTGRES_POD, 5432) and not allowed(dev, OTHER_POD, POSTGRES_POD, 5432)
    assert not allowed(dev, REDIS_POD, GITHUB, 443) and not allowed(dev, POSTGRES_POD, GITHUB, 443)


# --- the engine's rules, with real packets ---------------------------------------------------------------


def engine_script(kustomization: str) -> tuple[str, str]:
    """The rendered engine.sh and blocked CIDRs of the amd64 pool."""
    deployment = named(kustomization, "Deployment", "codi-build-worker-amd64")
    (volume,) = [v for v in pod_spec(deployment)["volumes"] if v["name"] == "engine-script"]
    data = named(kustomization, "ConfigMap", volume["configMap"]["name"])["data"]
    return data["engine.sh"], data["blocked-cidrs"]


def test_the_engine_script_is_shellcheck_clean_and_blocks_private_and_link_local(tmp_path: Path) -> None:
    script, blocked = engine_script("overlays/production")
    assert set(blocked.split()) == set(PRIVATE)
    (tmp_path / "engine.sh").write_text(script)
    done = subprocess.run([ShellCheckRunner.discover().executable, "-s", "sh", str(tmp_path / "engine.sh")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


class Namespaces:
    """Network namespaces this test makes and removes: a build pod's, a build container's behind the pod's
    bridge (as dockerd makes them), and the world outside the pod."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.made: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    def name(self, role: str) -> str:
        return f"codik8s-{role}-{self.tag}"

    def add(self, role: str) -> str:
        name = self.name(role)
        run(["ip", "netns", "add", name])
        self.made.append(name)
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    def start(self, namespace: str, command: list[str]) -> None:
        self.processes.append(subprocess.Popen(["ip", "netns", "exec", namespace, *command],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def close(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()
        for name in self.made:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        shutil.rmtree(Path("/etc/netns") / self.name("pod"), ignore_errors=True)
        with contextlib.suppress(OSError):  # left when empty: `ip netns exec` made or uses it
            Path("/etc/netns").rmdir()


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}", pytrace=False)
    return done.stdout


@pytest.fixture
def namespaces() -> Iterator[Namespaces]:
    for tool in ("ip", "iptables", "redis-server"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (Debian: iproute2, iptables, redis-server)", pytrace=False)
    if os.geteuid() != 0:
        pytest.fail("network namespaces need root (CI and the dev machines run as root)", pytrace=False)
    made = Namespaces()
    try:
        yield made
    finally:
        made.close()


CONNECT = """
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
except OSError as error:
    print(type(error).__name__)
    sys.exit(1)
"""


def connects(namespace: str, address: str, port: int) -> bool:
    done = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", CONNECT, address, str(port)],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0


def wait_listening(namespace: str, address: str, port: int) -> None:
    deadline = time.monotonic() + 10
    while not connects(namespace, address, port):
        if time.monotonic() > deadline:
            pytest.fail(f"nothing listens on {address}:{port} in {namespace}", pytrace=False)
        time.sleep(0.1)


def test_the_engines_rules_keep_builds_off_redis_postgresql_and_metadata_but_not_the_worker(
    namespaces: Namespaces,
) -> None:
    """The pod's namespace (worker and engine) has a bridge br-codi with a build container behind it and an
    uplink to the outside, which holds a Redis (real redis-server) on a private address, a PostgreSQL port,
    the metadata address and a public host. With the engine's rules installed (`engine.sh rules`, the
    rendered script and CIDRs), the build reaches the public host only; the worker reaches Redis."""
    script, blocked = engine_script("overlays/dev")
    pod_ns, build_ns, outside_ns = namespaces.add("pod"), namespaces.add("build"), namespaces.add("out")
    resolver = Path("/etc/netns") / pod_ns / "resolv.conf"
    resolver.parent.mkdir(parents=True, exist_ok=True)
    resolver.write_text("nameserver 10.96.0.10\n")
    tag = namespaces.tag
    commands = [
        # the pod's uplink: eth0 10.244.7.2 <-> the outside 10.244.7.1, which routes the pod's bridge back
        ["ip", "link", "add", f"up{tag}", "netns", pod_ns, "type", "veth", "peer", "name", f"ou{tag}",
         "netns", outside_ns],
        ["ip", "-n", pod_ns, "addr", "add", "10.244.7.2/24", "dev", f"up{tag}"],
        ["ip", "-n", outside_ns, "addr", "add", "10.244.7.1/24", "dev", f"ou{tag}"],
        ["ip", "-n", pod_ns, "link", "set", f"up{tag}", "up"],
        ["ip", "-n", outside_ns, "link", "set", f"ou{tag}", "up"],
        ["ip", "-n", pod_ns, "route", "add", "default", "via", "10.244.7.1"],
        ["ip", "-n", outside_ns, "route", "add", "172.30.0.0/24", "via", "10.244.7.2"],
        # the engine's bridge with one build container on it
        ["ip", "-n", pod_ns, "link", "add", "br-codi", "type", "bridge"],
        ["ip", "-n", pod_ns, "addr", "add", "172.30.0.1/24", "dev", "br-codi"],
        ["ip", "-n", pod_ns, "link", "set", "br-codi", "up"],
        ["ip", "link", "add", f"vb{tag}", "netns", pod_ns, "type", "veth", "peer", "name", "eth0", "netns", build_ns],
        ["ip", "-n", pod_ns, "link", "set", f"vb{tag}", "master", "br-codi", "up"],
        ["ip", "-n", build_ns, "addr", "add", "172.30.0.2/24", "dev", "eth0"],
        ["ip", "-n", build_ns, "link", "set", "eth0", "up"],
        ["ip", "-n", build_ns, "route", "add", "default", "via", "172.30.0.1"],
        ["ip", "netns", "exec", pod_ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"],
        # what dockerd leaves: FORWARD jumps to an empty DOCKER-USER first
        ["ip", "netns", "exec", pod_ns, "iptables", "-N", "DOCKER-USER"],
        ["ip", "netns", "exec", pod_ns, "iptables", "-I", "FORWARD", "-j", "DOCKER-USER"],
    ]
    for address in ("10.96.0.20/32", "10.96.0.21/32", f"{METADATA}/32", "198.51.100.7/32"):
        commands.append(["ip", "-n", outside_ns, "addr", "add", address, "dev", "lo"])
    for command in commands:
        run(command)
    namespaces.start(outside_ns, ["redis-server", "--bind", "10.96.0.20", "--port", "6379", "--save", "",
                                  "--appendonly", "no"])
    for address, port in (("10.96.0.21", 5432), (METADATA, 80), ("198.51.100.7", 443)):
        namespaces.start(outside_ns, [sys.executable, "-c", LISTEN, address, str(port)])
    namespaces.start(build_ns, [sys.executable, "-c", LISTEN, "172.30.0.2", "8080"])
    for address, port in (("10.96.0.20", 6379), ("10.96.0.21", 5432), (METADATA, 80), ("198.51.100.7", 443)):
        wait_listening(outside_ns, address, port)
    wait_listening(build_ns, "172.30.0.2", 8080)

    assert connects(build_ns, "10.96.0.20", 6379), "without the rules the build reaches Redis: the test shows nothing"
    script_file = Path(f"/tmp/codik8s-engine-{tag}.sh")
    script_file.write_text(script)
    try:
        env = {**os.environ, "CODI_ENGINE_BLOCKED_CIDRS": blocked}
        run(["ip", "netns", "exec", pod_ns, "sh", str(script_file), "rules"], env)
        run(["ip", "netns", "exec", pod_ns, "sh", str(script_file), "rules"], env)  # idempotent
    finally:
        script_file.unlink()
    rules = run(["ip", "netns", "exec", pod_ns, "iptables", "-S", "CODI-BUILDS"])
    assert rules.count("-j REJECT") == len(blocked.split()), rules
    assert "-d 10.96.0.10/32 -p udp -m udp --dport 53 -j RETURN" in rules, "DNS to the pod's resolver"

    assert not connects(build_ns, "10.96.0.20", 6379), "the build reaches Redis"
    assert not connects(build_ns, "10.96.0.21", 5432), "the build reaches PostgreSQL"
    assert not connects(build_ns, METADATA, 80), "the build reaches the metadata address"
    assert connects(build_ns, "198.51.100.7", 443), "the build cannot reach the public host"
    assert connects(pod_ns, "10.96.0.20", 6379), "the worker cannot reach Redis"
    assert connects(pod_ns, "172.30.0.2", 8080), "the worker cannot reach the smoke-tested container's port"


LISTEN = """
import socket, sys
server = socket.create_server((sys.argv[1], int(sys.argv[2])))
while True:
    server.accept()[0].close()
"""


# --- the dev overlay's Redis, as its container starts it -------------------------------------------------


def test_dev_redis_starts_with_the_secrets_password_and_its_probe_passes(
    namespaces: Namespaces, tmp_path: Path
) -> None:
    """The StatefulSet's own start script and probe, run with the real redis-server in a network namespace
    (its port is the pod's 6379): the password comes from the Secret's file and never from the config or the
    command line; a client without it is refused; the probe passes."""
    statefulset = named("overlays/dev", "StatefulSet", "codi-redis")
    spec = pod_spec(statefulset)
    (container,) = spec["containers"]
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    config = named("overlays/dev", "ConfigMap", volumes["config"]["configMap"]["name"])["data"]
    moved = {m["mountPath"]: tmp_path / m["mountPath"].lstrip("/") for m in container["volumeMounts"]}
    for folder in moved.values():
        folder.mkdir(parents=True)
    server_config = config["redis.conf"].replace("dir /data", f"dir {moved['/data']}")
    (moved["/etc/codi-redis"] / "redis.conf").write_text(server_config)
    password = 's3cret "pass" \\ word'
    (moved["/run/secrets/redis"] / "password").write_text(password + "\n")

    mounts = re.compile("|".join(re.escape(path + "/") for path in sorted(moved, key=len, reverse=True)))

    def relocated(text: str) -> str:
        return mounts.sub(lambda match: f"{moved[match.group()[:-1]]}/", text)

    (script,) = container["args"]
    redis_ns = namespaces.add("redis")
    namespaces.start(redis_ns, [*container["command"], relocated(script)])
    probe = [relocated(part) for part in container["readinessProbe"]["exec"]["command"]]
    deadline = time.monotonic() + 15
    while subprocess.run(["ip", "netns", "exec", redis_ns, *probe], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            pytest.fail("the readiness probe never passed", pytrace=False)
        time.sleep(0.2)
    anonymous = run(["ip", "netns", "exec", redis_ns, "redis-cli", "-h", "127.0.0.1", "ping"])
    assert "NOAUTH" in anonymous
    assert "s3cret" not in (moved["/etc/codi-redis"] / "redis.conf").read_text()
    assert (moved["/run/redis"] / "redis.conf").stat().st_mode & 0o077 == 0
    policy = run(["ip", "netns", "exec", redis_ns, "redis-cli", "-h", "127.0.0.1", "-a", password,
                  "--no-auth-warning", "config", "get", "maxmemory-policy"])
    assert policy.split() == ["maxmemory-policy", "noeviction"]
