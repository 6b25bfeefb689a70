"""infra/compose.yml: validated by Compose itself (Debian's docker-compose, installed by scripts/compose), and
run on the real engine: receiver + review worker + Redis + PostgreSQL from it review one signed delivery.

The engine here makes bridge networks, but the local GitHub API server and this test listen on loopback, so the
real run adds infra/compose.host-network.yml (a test setting: every service on the host's network, on free
ports). The build worker and its dind engine are validated, not started: a privileged nested dockerd and the
docker:dind image are not available offline.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from arq.constants import default_queue_name, health_check_key_suffix
from sqlalchemy import create_engine, inspect

from codi.comments.summary import is_summary_comment
from codi.settings import Settings
from codi.worker.routing import queue_name
from tests.github_api.fixtures import GitHubAppCredentials, github_api, github_app  # noqa: F401  (fixtures)
from tests.github_api.server import FakeGitHub
from tests.github_api.webhooks import webhook_payload
from tests.worker.conftest import NAME, OWNER, seed_pull, wait_until
from tests.worker.test_end_to_end import deliver, job_result

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "infra" / "compose.yml"
HOST_NETWORK = ROOT / "infra" / "compose.host-network.yml"
SECRETS = ("github_app_private_key", "webhook_secret", "redis_password", "postgres_password")
CODI_SERVICES = ("receiver", "worker", "build-worker-amd64")


def compose(*args: str, env: dict[str, str], files: tuple[Path, ...] = (COMPOSE,), timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(ROOT / "scripts" / "compose"), *(arg for file in files for arg in ("-f", str(file))), *args]
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def write_secrets(directory: Path, private_key_pem: str, webhook_secret: str) -> dict[str, str]:
    """The four secret files, readable by the containers' users (compose's file secrets are bind mounts)."""
    values = {"github_app_private_key": private_key_pem, "webhook_secret": webhook_secret,
              "redis_password": secrets.token_hex(16), "postgres_password": secrets.token_hex(16)}
    directory.mkdir(exist_ok=True)
    for name, value in values.items():
        (directory / name).write_text(value + "\n")
        (directory / name).chmod(0o644)
    return values


def rendered(env: dict[str, str], files: tuple[Path, ...] = (COMPOSE,)) -> dict[str, Any]:
    return yaml.safe_load(compose("config", env=env, files=files).stdout)


@pytest.fixture(scope="module")
def config_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    secrets_dir = tmp_path_factory.mktemp("compose") / "secrets"
    write_secrets(secrets_dir, "-----BEGIN RSA PRIVATE KEY-----", "s3cret")
    return {"CODI_SECRETS_DIR": str(secrets_dir), "CODI_GITHUB_APP_ID": "123456"}


@pytest.fixture(scope="module")
def config(config_env: dict[str, str]) -> dict[str, Any]:
    """infra/compose.yml as `docker-compose config` renders it (it fails on a file Compose rejects)."""
    return rendered(config_env)


def test_compose_validates_with_healthchecks_ordering_and_secrets_from_files(
    config: dict[str, Any], config_env: dict[str, str]
) -> None:
    services = config["services"]

    assert set(services) == {"receiver", "worker", "build-worker-amd64", "build-engine", "redis", "postgres"}
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        for dependency in service.get("depends_on", {}).values():
            assert dependency == {"condition": "service_healthy"}, name
    assert set(services["receiver"]["depends_on"]) == {"redis"}
    assert set(services["worker"]["depends_on"]) == {"redis", "postgres"}
    assert set(services["build-worker-amd64"]["depends_on"]) == {"redis", "postgres", "build-engine"}
    assert set(config["secrets"]) == set(SECRETS)
    assert {name: secret["file"] for name, secret in config["secrets"].items()} == {
        name: str(Path(config_env["CODI_SECRETS_DIR"]) / name) for name in SECRETS
    }
    # Nothing secret in the environment: codi reads each from its mounted file.
    for name in CODI_SERVICES:
        environment = services[name]["environment"]
        assert environment["CODI_WEBHOOK_SECRET_FILE"] == "/run/secrets/webhook_secret"
        assert environment["CODI_REDIS_PASSWORD_FILE"] == "/run/secrets/redis_password"
        assert environment["CODI_GITHUB_PRIVATE_KEY_PATH"] == "/run/secrets/github_app_private_key"
        assert "s3cret" not in str(environment)
        assert not {"CODI_WEBHOOK_SECRET", "CODI_REDIS_PASSWORD", "CODI_DATABASE_PASSWORD"} & set(environment)
        mounted = {secret["source"] for secret in services[name]["secrets"]}
        assert {path.rpartition("/")[2] for path in environment.values() if path.startswith("/run/secrets/")} == mounted
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "requirepass $$(cat /run/secrets/redis_password)" in services["redis"]["command"][2]


def test_every_codi_variable_in_compose_is_a_setting(config: dict[str, Any]) -> None:
    """A misspelt CODI_* name would be ignored silently by codi: each one is a setting or a setting's _FILE."""
    settings = {f"CODI_{name.upper()}" for name in Settings.model_fields}
    services = config["services"]
    for name in CODI_SERVICES:
        for variable in services[name]["environment"]:
            if variable.startswith("CODI_") and variable != "CODI_HEALTHZ_URL":  # the image's healthcheck's
                assert variable.removesuffix("_FILE") in settings, (name, variable)


def test_workers_serve_codis_queues_and_report_health_on_them(config: dict[str, Any]) -> None:
    services = config["services"]

    assert services["worker"]["command"] == ["worker", "--queue", default_queue_name]
    assert services["worker"]["healthcheck"]["test"][-1] == default_queue_name + health_check_key_suffix
    builder = services["build-worker-amd64"]
    assert builder["command"] == ["worker", "--platform", "amd64"]
    assert builder["healthcheck"]["test"][-1] == queue_name("amd64") + health_check_key_suffix
    # The build worker talks to its own engine's socket and shares that engine's network namespace.
    assert builder["environment"]["DOCKER_HOST"] == "unix:///run/engine/docker.sock"
    assert builder["network_mode"] == "service:build-engine"
    assert "--host=unix:///run/engine/docker.sock --group=2375" in services["build-engine"]["command"][0]
    assert builder["group_add"] == ["2375"]
    for service in services.values():  # the host's engine is nobody's
        assert not any(volume.startswith("/var/run/docker.sock") for volume in service.get("volumes", []))


def test_compose_without_the_app_id_says_what_to_set(config_env: dict[str, str]) -> None:
    result = compose("config", env={**config_env, "CODI_GITHUB_APP_ID": ""}, check=False)
    assert result.returncode != 0
    assert "set CODI_GITHUB_APP_ID to the App's id" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def stack(tmp_path: Path, github_app: GitHubAppCredentials, github_api: FakeGitHub) -> Iterator[dict[str, Any]]:
    """Receiver, review worker, Redis and PostgreSQL from infra/compose.yml on the real engine (host network)."""
    subprocess.run([ROOT / "scripts" / "bases", "python:3.11-slim", "redis:7", "postgres:15"], check=True)
    values = write_secrets(tmp_path / "secrets", github_app.private_key_pem, github_app.webhook_secret)
    ports = {"CODI_PORT": free_port(), "REDIS_PORT": free_port(), "PGPORT": free_port()}
    env = {
        "COMPOSE_PROJECT_NAME": f"codi-compose-test-{os.getpid()}",
        "CODI_SECRETS_DIR": str(tmp_path / "secrets"),
        "CODI_GITHUB_APP_ID": str(github_app.app_id),
        "CODI_GITHUB_API_URL": github_api.url,
        **{name: str(port) for name, port in ports.items()},
    }
    # Compose merges lists, so the override cannot drop the receiver's published port, which the engine
    # refuses on the host's network (there the listen port is the port): the merged file goes without it.
    merged = rendered(env, (COMPOSE, HOST_NETWORK))
    for service in merged["services"].values():
        if service.get("network_mode") == "host":
            service.pop("ports", None)
    files = (tmp_path / "compose.merged.yml",)
    files[0].write_text(yaml.safe_dump(merged))
    started = time.monotonic()
    compose("build", "receiver", env=env, files=files, timeout=1500)
    built = time.monotonic()
    try:
        compose("up", "-d", "--no-build", "receiver", "worker", env=env, files=files, timeout=300)
        yield {"env": env, "files": files, "secrets": values, "ports": ports, "build_s": built - started,
               "up_s": time.monotonic() - built}
    except BaseException:
        print(compose("logs", "--no-color", "--tail", "40", env=env, files=files, check=False).stdout)
        raise
    finally:
        compose("down", "-v", "--remove-orphans", env=env, files=files, timeout=120, check=False)


def test_receiver_and_worker_from_compose_review_a_signed_delivery(
    stack: dict[str, Any], github_app: GitHubAppCredentials, github_api: FakeGitHub
) -> None:
    ports, values = stack["ports"], stack["secrets"]
    receiver = SimpleNamespace(url=f"http://127.0.0.1:{ports['CODI_PORT']}")
    wait_until(lambda: _healthy(receiver.url), 60, "the receiver's /healthz")
    pull = seed_pull(github_api)
    started = time.monotonic()

    answer = deliver(receiver, github_app.webhook_secret, "pull_request", webhook_payload("pull_request", "opened", pull))

    assert answer.status_code == 202, answer.text
    # arq's own result API, through the password-protected Redis of the stack.
    redis_url = f"redis://:{values['redis_password']}@127.0.0.1:{ports['REDIS_PORT']}/0"
    waiting = Settings(webhook_secret="-", github_app_id=1, github_private_key_path=__file__, redis_url=redis_url)
    assert job_result(waiting, answer.json()["job_id"], timeout=120).startswith("failure")
    reviewed_s = time.monotonic() - started
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert check_run.status == "completed" and check_run.conclusion == "failure"
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    assert is_summary_comment(summary.body)
    assert any("DL3009" in comment.body for comment in github_api.review_comments(OWNER, NAME, 1))
    # Builds are on, so before building its candidates the worker looked for approvals in its PostgreSQL.
    database = create_engine(
        f"postgresql+psycopg://codi:{values['postgres_password']}@127.0.0.1:{ports['PGPORT']}/codi"
    )
    try:
        assert {"build_approval", "build_evidence"} <= set(inspect(database).get_table_names())
    finally:
        database.dispose()
    wrong = httpx.post(f"{receiver.url}/webhooks/github", content=b"{}", headers={
        "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert wrong.status_code == 401
    print(f"compose stack: build {stack['build_s']:.1f} s, up {stack['up_s']:.1f} s, review {reviewed_s:.1f} s")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
