"""Fixtures for the receiver: real Redis on a dedicated DB, GitHub's own payload examples, signed deliveries."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from arq.constants import default_queue_name, job_key_prefix
from arq.jobs import JobDef, deserialize_job
from fastapi.testclient import TestClient

from codi.app import create_app
from codi.settings import Settings
from codi.webhooks.serialization import job_deserializer
from tests.github_api.fixtures import GitHubAppCredentials
from tests.github_api.webhooks import examples_by_event

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 3
SECRET = "it's a secret to everybody"
APP_ID = 25811
"""The app id in GitHub's check_run.requested_action example: there, codi's own check run."""


def test_redis_url(db: int = REDIS_DB) -> str:
    base = urlsplit(os.environ.get("CODI_TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    return base._replace(path=f"/{db}").geturl()


test_redis_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="session", autouse=True)
def redis_running() -> None:
    subprocess.run([ROOT / "scripts" / "services"], check=True)


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(test_redis_url())
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "app.pem"
    path.write_text("not read by the receiver\n")
    return path


@pytest.fixture
def settings(key_path: Path) -> Settings:
    return make_settings(key_path)


def make_settings(key_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = dict(
        webhook_secret=SECRET, github_app_id=APP_ID, github_private_key_path=key_path, redis_url=test_redis_url()
    )
    return Settings(**(values | changes))


@pytest.fixture
def client(settings: Settings, redis_db: redis.Redis) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


_EXAMPLES = examples_by_event()
"""GitHub's example payloads by event (tests/github_api/webhooks.py fetches and reads them)."""


def example(event: str, action: str | None = None) -> dict[str, Any]:
    """A copy of GitHub's first example of `event.action`, preferring one sent to an App (with `installation`)."""
    candidates = [e for e in _EXAMPLES[event] if action is None or e.get("action") == action]
    assert candidates, f"no GitHub example for {event}.{action}"
    with_installation = [e for e in candidates if e.get("installation")]
    return copy.deepcopy((with_installation or candidates)[0])


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    client: Any,
    event: str,
    payload: Any = None,
    *,
    body: bytes | None = None,
    delivery_id: str | None = None,
    signature: str | None = None,
) -> Any:
    """POST one delivery as GitHub does; signed with the test secret unless `signature` is given."""
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "Content-Type": "application/json",
        "X-Hub-Signature-256": sign(raw) if signature is None else signature,
    }
    if signature == "":
        del headers["X-Hub-Signature-256"]
    return client.post("/webhooks/github", content=raw, headers=headers)


def queued_jobs(connection: redis.Redis) -> dict[str, JobDef]:
    """Every arq job waiting in the default queue, by job id."""
    jobs = {}
    for job_id in connection.zrange(default_queue_name, 0, -1):
        raw = connection.get(job_key_prefix + job_id.decode())
        assert raw is not None, f"queued job {job_id!r} has no data"
        jobs[job_id.decode()] = deserialize_job(raw, deserializer=job_deserializer)
    return jobs


@contextmanager
def redis_user_without(connection: redis.Redis, command: str) -> Iterator[str]:
    """The URL of a throwaway Redis user (on the test DB) that may run every command but `command`."""
    name = f"codi-test-{uuid.uuid4().hex[:8]}"
    connection.acl_setuser(
        name, enabled=True, passwords=["+pw"], keys=["*"], channels=["*"], commands=["+@all", f"-{command}"]
    )
    try:
        yield test_redis_url().replace("redis://", f"redis://{name}:pw@")
    finally:
        connection.acl_deluser(name)


class CodiProcess:
    """`python -m codi ARGS` whose stderr lines are collected as they come (read them, wait for one, stop it)."""

    def __init__(self, args: list[str], environment: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "codi", *args], cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, found: Callable[[str], bool], timeout: float = 30.0) -> str:
        """The first line `found` accepts; the test fails with the whole stderr when none comes in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found(line):
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        pytest.fail("no such line; stderr was:\n" + "\n".join(self.lines))

    def listening(self) -> tuple[str, str]:
        """`codi serve`'s base URL once uvicorn says it listens, and that line."""
        line = self.wait_for(lambda text: "Uvicorn running on" in text)
        return line.split("Uvicorn running on ")[1].split()[0], line

    def stop(self) -> str:
        """Terminate it; everything it wrote to stderr."""
        self.process.terminate()
        self.process.wait(timeout=15)
        self._reader.join(timeout=5)
        return "\n".join(self.lines)


def codi_environment(
    app: GitHubAppCredentials, tmp_path: Path, secret: str, api_url: str, redis_url: str | None = None
) -> dict[str, str]:
    """This environment without its CODI_* variables, plus the App's, a webhook secret, the test Redis DB
    (unless `redis_url`) and a database and data folder under `tmp_path`."""
    return {name: value for name, value in os.environ.items() if not name.startswith("CODI_")} | app.env(api_url) | {
        "CODI_WEBHOOK_SECRET": secret,
        "CODI_REDIS_URL": redis_url or test_redis_url(),
        "CODI_DATABASE_URL": f"sqlite:///{tmp_path / 'codi.db'}",
        "CODI_DATA_DIR": str(tmp_path / "data"),
    }
