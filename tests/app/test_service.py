"""/healthz, /readyz, /metrics, the injected-connection lifespan, and `codi serve` itself."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from arq.connections import ArqRedis
from fastapi.testclient import TestClient

from codi.app import create_app
from codi.cli.main import main
from codi.settings import Settings
from codi.webhooks.serialization import json_jobs
from tests.app.conftest import (
    APP_ID,
    SECRET,
    CodiProcess,
    deliver,
    example,
    make_settings,
    queued_jobs,
    sign,
    test_redis_url,
)
from tests.app.test_webhooks import PR_JOB_ID, closed_port  # noqa: F401  # fixture

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_healthz_answers_without_redis(key_path: Path, closed_port: int) -> None:
    with TestClient(create_app(make_settings(key_path, redis_url=f"redis://127.0.0.1:{closed_port}/0"))) as client:
        assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_with_redis(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200 and response.json() == {"status": "ready"}


def test_readyz_is_503_when_redis_is_unreachable(key_path: Path, closed_port: int) -> None:
    with TestClient(create_app(make_settings(key_path, redis_url=f"redis://127.0.0.1:{closed_port}/0"))) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "Connect" in response.json()["redis"] or "refused" in response.json()["redis"]


def _sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from Prometheus text (0 when absent)."""
    rendered = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(rendered)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_deliveries_jobs_and_latency(client: TestClient) -> None:
    payload = example("pull_request", "opened")
    deliver(client, "pull_request", payload, delivery_id="m-1")
    deliver(client, "pull_request", payload, delivery_id="m-1")
    deliver(client, "pull_request", payload, signature="sha256=" + "0" * 64)
    deliver(client, "ping", example("ping"))

    response = client.get("/metrics")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert _sample(text, "codi_webhook_deliveries_total", event="pull_request", outcome="enqueued") == 1
    assert _sample(text, "codi_webhook_deliveries_total", event="pull_request", outcome="duplicate") == 1
    assert _sample(text, "codi_webhook_deliveries_total", event="unverified", outcome="bad_signature") == 1
    assert _sample(text, "codi_webhook_deliveries_total", event="ping", outcome="ignored") == 1
    assert _sample(text, "codi_jobs_enqueued_total", function="review_pull_request") == 1
    assert _sample(text, "codi_http_request_duration_seconds_count", path="/webhooks/github") == 4
    assert "# TYPE codi_github_api_calls_total counter" in text
    assert "# TYPE codi_job_duration_seconds histogram" in text


def test_each_app_has_its_own_registry(settings: Settings, redis_db: redis.Redis) -> None:
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        deliver(first, "ping", example("ping"))
        counted = _sample(first.get("/metrics").text, "codi_webhook_deliveries_total", event="ping", outcome="ignored")
        assert counted == 1
        assert _sample(second.get("/metrics").text, "codi_webhook_deliveries_total", event="ping", outcome="ignored") == 0


async def test_an_injected_connection_is_used_and_left_open(settings: Settings, redis_db: redis.Redis) -> None:
    connection = json_jobs(ArqRedis.from_url(test_redis_url()))
    app = create_app(settings, connection)
    try:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codi") as client:
                body = json.dumps(example("pull_request", "opened")).encode()
                response = await client.post(
                    "/webhooks/github",
                    content=body,
                    headers={"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "inj-1", "X-Hub-Signature-256": sign(body)},
                )
        assert response.status_code == 202
        assert await connection.ping()
    finally:
        await connection.aclose()
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]


def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CODI_"):
            monkeypatch.delenv(name)


def test_serve_without_settings_names_each_missing_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _clean_environment(monkeypatch)

    status = main(["serve", "--port", "0"])

    assert status == 2
    error = capsys.readouterr().err
    for name in ("CODI_WEBHOOK_SECRET", "CODI_GITHUB_APP_ID", "CODI_GITHUB_PRIVATE_KEY_PATH"):
        assert f"{name} is required" in error


def test_serve_with_an_invalid_setting_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key_path: Path
) -> None:
    _clean_environment(monkeypatch)
    monkeypatch.setenv("CODI_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("CODI_GITHUB_APP_ID", "not-a-number")
    monkeypatch.setenv("CODI_GITHUB_PRIVATE_KEY_PATH", str(key_path))
    monkeypatch.setenv("CODI_REDIS_URL", "http://127.0.0.1:6379")

    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert "CODI_GITHUB_APP_ID Input should be a valid integer" in error
    assert re.search(r"CODI_REDIS_URL [^;]*must start with redis://", error)


@pytest.fixture
def served(key_path: Path, redis_db: redis.Redis) -> Iterator[str]:
    """`codi serve --port 0` as a process; yields its base URL once uvicorn says it listens."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("CODI_")} | {
        "CODI_WEBHOOK_SECRET": SECRET,
        "CODI_GITHUB_APP_ID": str(APP_ID),
        "CODI_GITHUB_PRIVATE_KEY_PATH": str(key_path),
        "CODI_REDIS_URL": test_redis_url(),
    }
    process = CodiProcess(["serve", "--host", "127.0.0.1", "--port", "0"], environment)
    try:
        yield process.listening()[0]
    finally:
        process.stop()


def test_codi_serve_takes_a_signed_delivery(served: str, redis_db: redis.Redis) -> None:
    with httpx.Client(base_url=served) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        response = deliver(client, "pull_request", example("pull_request", "opened"))

    assert response.status_code == 202
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]
