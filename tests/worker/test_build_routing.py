"""Build routing: which queue a candidate goes to, and real `codi worker --platform` processes taking them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from arq.connections import RedisSettings, create_pool

from codi.settings import Settings
from codi.worker.builds import BuildJob, BuildResult, NoRunner, collect_builds, enqueue_builds
from codi.worker.routing import platform_for, queue_name
from codi.webhooks.serialization import json_jobs
from tests.github_api.fixtures import GitHubAppCredentials
from tests.worker.conftest import ROOT, WorkerProcess, worker_env


@pytest.mark.parametrize(
    ("text", "requested", "platform"),
    [
        ("FROM debian:12\n", None, "amd64"),
        ("FROM debian:12\n", "linux/amd64", "amd64"),
        ("FROM nvidia/cuda:12.2.0-runtime-ubuntu22.04\nRUN true\n", None, "gpu"),
        ("FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n", None, "gpu"),
        ("FROM python:3.11 AS build\nFROM ghcr.io/acme/cuda-base:1 AS run\n", None, "gpu"),
        ("FROM debian:12\nENV NVIDIA_VISIBLE_DEVICES=all\n", None, "gpu"),
        ("FROM nvidia/cuda:12.2.0-base\n", "linux/arm64", "gpu"),
        ("FROM --platform=linux/arm64 debian:12\n", None, "arm64"),
        ("from python:3.11 as b\nFROM   --platform=linux/arm64/v8 debian:12\n", None, "arm64"),
        ("FROM debian:12\n", "linux/arm64", "arm64"),
        ("FROM --platform=$BUILDPLATFORM golang:1.19\n", None, "amd64"),
    ],
)
def test_platform_for(text: str, requested: str | None, platform: str) -> None:
    assert platform_for(text, requested) == platform


def test_queue_name() -> None:
    assert queue_name("arm64") == "codi:build:arm64"


def build_worker(env: dict[str, str], platforms: list[str]) -> WorkerProcess:
    """`codi worker --platform P…` as a subprocess."""
    return WorkerProcess(env, args=[arg for platform in platforms for arg in ("--platform", platform)])


@pytest.fixture
def start_build_worker(settings: Settings, github_app: GitHubAppCredentials) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*platforms: str) -> WorkerProcess:
        worker = build_worker(worker_env(settings, github_app, DOCKER_HOST=""), list(platforms))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


async def _enqueue_and_collect(settings: Settings, jobs: list[BuildJob], deadline_s: float) -> list[BuildResult | NoRunner]:
    pool = json_jobs(await create_pool(RedisSettings.from_dsn(settings.redis_url)))
    try:
        await enqueue_builds(pool, jobs)
        return await collect_builds(pool, jobs, deadline_s)
    finally:
        await pool.aclose()


def _job(candidate: str, text: str, requested: str | None = None) -> BuildJob:
    return BuildJob(candidate=candidate, text=text, platform=platform_for(text, requested), context="/nonexistent")


def test_jobs_run_on_their_platforms_worker_and_a_missing_platform_is_reported(
    settings: Settings, start_build_worker: Callable[..., WorkerProcess]
) -> None:
    amd64 = start_build_worker("amd64")
    gpu = start_build_worker("gpu")
    jobs = [
        _job("Dockerfile#fixes", "FROM debian:12\nRUN true\n"),
        _job("Dockerfile.gpu#fixes", "FROM nvidia/cuda:12.2.0-runtime-ubuntu22.04\n"),
        _job("Dockerfile#fixes", "FROM debian:12\nRUN true\n", requested="linux/arm64"),
    ]
    started = time.monotonic()
    results = asyncio.run(_enqueue_and_collect(settings, jobs, deadline_s=3.0))
    elapsed = time.monotonic() - started

    built_amd64, built_gpu, arm64 = results
    assert isinstance(built_amd64, BuildResult) and isinstance(built_gpu, BuildResult)
    assert built_amd64.runner is not None and built_amd64.runner.endswith(f":{amd64.process.pid}:amd64")
    assert built_gpu.runner is not None and built_gpu.runner.endswith(f":{gpu.process.pid}:gpu")
    # No DOCKER_HOST on these runners: the real job says so instead of building.
    assert built_amd64.outcome == built_gpu.outcome == "no-engine"
    assert arm64 == NoRunner("arm64", "no runner for arm64", "Dockerfile#fixes")
    assert elapsed < 3.0 + 2.0


def test_one_process_serves_every_platform_it_is_started_with_and_stops_on_sigterm(
    settings: Settings, start_build_worker: Callable[..., WorkerProcess]
) -> None:
    both = start_build_worker("amd64", "gpu")
    jobs = [_job("a#fixes", "FROM debian:12\n"), _job("b#fixes", "FROM nvidia/cuda:12.2.0-base-ubuntu22.04\n")]
    results = asyncio.run(_enqueue_and_collect(settings, jobs, deadline_s=5.0))
    assert [(r.runner or "").split(":", 1)[1] for r in results if isinstance(r, BuildResult)] == [
        f"{both.process.pid}:amd64",
        f"{both.process.pid}:gpu",
    ]
    both.stop()
    assert both.process.returncode == 0


def test_a_job_nobody_took_is_withdrawn_so_a_later_runner_cannot_build_it(settings: Settings) -> None:
    job = _job("Dockerfile#minimal", "FROM --platform=linux/arm64 debian:12\n")
    assert asyncio.run(_enqueue_and_collect(settings, [job], deadline_s=0.3)) == [
        NoRunner("arm64", "no runner for arm64", "Dockerfile#minimal")
    ]
    connection = redis.Redis.from_url(settings.redis_url)
    try:
        assert connection.zcard(queue_name("arm64")) == 0
        assert not connection.exists("arq:job:" + job.job_id)
    finally:
        connection.close()


async def _collect_unknown(settings: Settings) -> None:
    pool = json_jobs(await create_pool(RedisSettings.from_dsn(settings.redis_url)))
    try:
        await collect_builds(pool, [_job("never#enqueued", "FROM debian:12\n")], deadline_s=0.1)
    finally:
        await pool.aclose()


def test_collecting_a_job_never_enqueued_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(LookupError, match="no queued build job build:amd64:"):
        asyncio.run(_collect_unknown(settings))


def test_worker_rejects_an_unknown_platform() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codi", "worker", "--platform", "sparc"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2
    assert "invalid choice: 'sparc'" in done.stderr
