"""Fixtures for the worker: real Redis on a dedicated DB, the local GitHub API, arq workers in and out of process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import uvicorn
from arq.connections import RedisSettings, create_pool

from codi.settings import Settings
from codi.webhooks.jobs import Job, RepoRef, ReviewJob
from codi.worker.settings import create_worker
from codi.webhooks.serialization import json_jobs
from tests.github_api.fixtures import GitHubAppCredentials, github_api, github_app  # noqa: F401  (fixtures)
from tests.github_api.server import FakeGitHub
from tests.github_api.state import PullRequestState

ROOT = Path(__file__).resolve().parents[2]
REDIS_DBS = range(5, 16)
"""Databases the worker tests may claim: one per test session, so two sessions at once never share keys."""
CLAIM_KEY = "codi:test-session-claim"
INSTALLATION = 7
OWNER, NAME = "octo", "app"

BASE_DOCKERFILE = "FROM debian:12\n"
HEAD_DOCKERFILE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN cd /tmp\n"


def redis_url(db: int) -> str:
    base = urlsplit(os.environ.get("CODI_TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    return base._replace(path=f"/{db}").geturl()


@pytest.fixture(scope="session")
def redis_db_number() -> Iterator[int]:
    """A Redis database no other test session uses now (claimed with SET NX, released at the end)."""
    subprocess.run([ROOT / "scripts" / "services"], check=True)
    token = f"{os.getpid()}-{time.time()}"
    for db in REDIS_DBS:
        connection = redis.Redis.from_url(redis_url(db))
        if connection.set(CLAIM_KEY, token, nx=True, ex=3600):
            break
        connection.close()
    else:
        raise RuntimeError(f"every Redis database in {REDIS_DBS} is claimed by another test session")
    yield db
    if connection.get(CLAIM_KEY) == token.encode():
        connection.flushdb()
    connection.close()


@pytest.fixture
def redis_db(redis_db_number: int) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url(redis_db_number))
    _flush_except_claim(connection)
    yield connection
    _flush_except_claim(connection)
    connection.close()


def _flush_except_claim(connection: redis.Redis) -> None:
    keys = [key for key in connection.scan_iter(count=1000) if key != CLAIM_KEY.encode()]
    if keys:
        connection.delete(*keys)


@pytest.fixture
def settings(
    github_app: GitHubAppCredentials, github_api: FakeGitHub, redis_db: redis.Redis, redis_db_number: int
) -> Settings:
    """Settings pointing at the local GitHub API and this session's Redis database (emptied per test)."""
    return Settings(
        webhook_secret=github_app.webhook_secret,
        github_app_id=github_app.app_id,
        github_private_key_path=github_app.private_key_path,
        redis_url=redis_url(redis_db_number),
        github_api_url=github_api.url,
    )


def seed_pull(
    server: FakeGitHub,
    number: int = 1,
    base_files: dict[str, str] | None = None,
    head_files: dict[str, str] | None = None,
    **options: Any,
) -> PullRequestState:
    """octo/app (installation 7) with a pull request changing a Dockerfile."""
    if INSTALLATION not in server.world.installations:
        server.add_installation(INSTALLATION, OWNER)
        server.add_repo(OWNER, NAME, INSTALLATION)
    return server.add_pull(
        OWNER,
        NAME,
        number,
        base_files if base_files is not None else {"Dockerfile": BASE_DOCKERFILE},
        head_files if head_files is not None else {"Dockerfile": HEAD_DOCKERFILE},
        **options,
    )


def review_job(pull: PullRequestState, reason: str = "opened", delivery_id: str = "delivery-1") -> ReviewJob:
    return ReviewJob(
        repo=RepoRef(installation_id=INSTALLATION, owner=OWNER, name=NAME),
        pull_number=pull.number,
        head_sha=pull.head_sha,
        head_ref=pull.head_ref,
        base_ref=pull.base_ref,
        base_sha=pull.base_sha,
        head_repo_full_name=pull.head_repo.full_name,
        maintainer_can_modify=pull.maintainer_can_modify,
        reason=reason,  # type: ignore[arg-type]
        delivery_id=delivery_id,
    )


async def _run_jobs(settings: Settings, jobs: tuple[Job, ...]) -> dict[str, int]:
    pool = json_jobs(await create_pool(RedisSettings.from_dsn(settings.redis_url)))
    try:
        for job in jobs:
            await pool.enqueue_job(job.function, job.model_dump(mode="json"), _job_id=job.job_id)
    finally:
        await pool.aclose()
    return await run_burst_worker(settings)


async def run_burst_worker(settings: Settings) -> dict[str, int]:
    """Run what is queued on an in-process burst worker; its job counts."""
    worker = create_worker(settings, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()
    return {"complete": worker.jobs_complete, "failed": worker.jobs_failed, "retried": worker.jobs_retried}


def run_jobs(settings: Settings, *jobs: Job) -> dict[str, int]:
    """Enqueue `jobs` and run an in-process arq worker until the queue is empty; its job counts."""
    return asyncio.run(_run_jobs(settings, jobs))


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait for something another process or thread does (there is no event to await across processes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class WorkerProcess:
    """`codi worker` as a subprocess; `started` is set when arq logs that it polls the queue."""

    def __init__(self, env: dict[str, str], queue: str = "arq:queue", args: list[str] | None = None) -> None:
        """`args` replaces `--queue QUEUE` (e.g. `--platform amd64` for a build worker)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "codi", "worker", *(args if args is not None else ["--queue", queue])],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.log: list[str] = []
        self.started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self.started.wait(30):
            self.kill()
            raise AssertionError("codi worker did not start:\n" + "".join(self.log))

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if "Starting worker for" in line:
                self.started.set()

    def kill(self) -> None:
        """SIGKILL: no clean-up, the job's in-progress key stays until it expires."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_env(settings: Settings, github_app: GitHubAppCredentials, **extra: str) -> dict[str, str]:
    return {**github_app.env(settings.github_api_url), "CODI_REDIS_URL": settings.redis_url, **extra}


@pytest.fixture
def start_worker(settings: Settings, github_app: GitHubAppCredentials) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `codi worker` processes (extra CODI_* variables as keywords); all are stopped after the test."""
    started: list[WorkerProcess] = []

    def start(**extra: str) -> WorkerProcess:
        worker = WorkerProcess(worker_env(settings, github_app, **extra))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


class _NotifyingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, started: threading.Event) -> None:
        super().__init__(config)
        self._started_event = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._started_event.set()


class ReceiverServer:
    """An ASGI app served by uvicorn on a free loopback port in a thread."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        started = threading.Event()
        self.server = _NotifyingServer(uvicorn.Config(app, log_level="warning", access_log=False), started)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        if not started.wait(30):
            raise AssertionError("the receiver did not start")
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def builds(settings: Settings, tmp_path: Path) -> Settings:
    """Builds on (no build worker serves them: they are reported "no runner"), a SQLite database and data folder
    of the test's own, a second's wait for build workers."""
    return settings.model_copy(update={
        "builds": True,
        "database_url": f"sqlite:///{tmp_path / 'codi.db'}",
        "data_dir": tmp_path / "data",
        "build_deadline_seconds": 1.0,
    })  # fmt: skip
