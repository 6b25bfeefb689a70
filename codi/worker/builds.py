"""Build jobs across per-platform queues: enqueue one per (candidate, platform), collect with a deadline.

The review side calls `enqueue_builds` and `collect_builds`; build workers
(`codi worker --platform amd64 --platform gpu`) run `run_build` from the
queues of the platforms they serve (`routing.queue_name`). A job that no
worker has taken by the deadline is withdrawn from its queue (atomically,
only if no worker holds it), so a runner that starts later does not build it
for nobody, and is reported as `NoRunner`; a job a worker holds but has not
finished is reported as an unfinished `BuildResult`. Nothing waits past the
deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import Job, deserialize_job
from pydantic import BaseModel

from codi.worker.routing import Platform, queue_name

RUN_BUILD = "run_build"
RESULT_POLL_SECONDS = 0.05
BUILD_MEMORY_BYTES = 4 * 1024**3
BUILD_CPUS = 2


class BuildJob(BaseModel):
    """Build one candidate Dockerfile on one platform's runner."""

    candidate: str
    """Which candidate this is, e.g. `services/api/Dockerfile#multi-stage`."""
    text: str
    platform: Platform
    context: str
    """The build context: a directory on the runner (shared storage or a checkout it made)."""

    @property
    def job_id(self) -> str:
        """Same candidate, text, platform and context → same job: enqueueing twice builds once."""
        digest = hashlib.sha256("\0".join([self.candidate, self.text, self.platform, self.context]).encode())
        return f"build:{self.platform}:{digest.hexdigest()[:24]}"


class BuildResult(BaseModel):
    """What a runner reports for one build job."""

    candidate: str
    platform: Platform
    runner: str | None
    """`host:pid:platform` of the worker that ran it (None when no worker finished it)."""
    outcome: Literal["built", "failed", "no-engine", "unfinished"]
    reason: str | None = None
    size_bytes: int | None = None
    layers: int | None = None
    build_seconds: float | None = None


@dataclass(frozen=True)
class NoRunner:
    """No worker serves this platform's queue (none took the job before the deadline)."""

    platform: Platform
    reason: str
    candidate: str


async def enqueue_builds(redis: ArqRedis, jobs: list[BuildJob]) -> list[str]:
    """One arq job per (candidate, platform) on that platform's queue; the job ids, in `jobs`' order."""
    ids = []
    for job in jobs:
        await redis.enqueue_job(
            RUN_BUILD, job.model_dump(mode="json"), _job_id=job.job_id, _queue_name=queue_name(job.platform)
        )
        ids.append(job.job_id)
    return ids


# Removes a job from its queue only if no worker holds it and it has no result: 1 withdrawn, 0 not.
_WITHDRAW = """
if redis.call('exists', KEYS[3]) == 1 or redis.call('exists', KEYS[4]) == 1 then return 0 end
redis.call('zrem', KEYS[1], ARGV[1])
redis.call('del', KEYS[2])
return 1
"""


async def collect_builds(redis: ArqRedis, job_ids: list[str], deadline_s: float) -> list[BuildResult | NoRunner]:
    """Each job's result, waiting at most `deadline_s` in all; results in `job_ids`' order."""
    deadline = time.monotonic() + deadline_s
    return list(await asyncio.gather(*(_collect(redis, job_id, deadline) for job_id in job_ids)))


async def _collect(redis: ArqRedis, job_id: str, deadline: float) -> BuildResult | NoRunner:
    payload = await redis.get(job_key_prefix + job_id)
    job = _job_of(payload, job_id)
    arq_job = Job(job_id, redis, _queue_name=queue_name(job.platform))
    while True:
        if (info := await arq_job.result_info()) is not None:
            return _result(job, info.success, info.result)
        if time.monotonic() >= deadline:
            break
        await asyncio.sleep(RESULT_POLL_SECONDS)
    keys = [queue_name(job.platform), job_key_prefix + job_id, in_progress_key_prefix + job_id, result_key_prefix + job_id]
    if await redis.eval(_WITHDRAW, 4, *keys, job_id):
        return NoRunner(job.platform, f"no runner for {job.platform}", job.candidate)
    if (info := await arq_job.result_info()) is not None:
        return _result(job, info.success, info.result)
    return BuildResult(
        candidate=job.candidate, platform=job.platform, runner=None, outcome="unfinished",
        reason="a runner took the build but did not finish it before the deadline",
    )


def _job_of(payload: bytes | None, job_id: str) -> BuildJob:
    if payload is None:
        raise LookupError(f"no queued build job {job_id} (never enqueued, or its result already expired)")
    return BuildJob.model_validate(deserialize_job(payload).args[0])


def _result(job: BuildJob, success: bool, result: Any) -> BuildResult:
    if success:
        return BuildResult.model_validate(result)
    return BuildResult(
        candidate=job.candidate, platform=job.platform, runner=None, outcome="failed", reason=f"runner error: {result!r}"
    )


def runner_name(platform: Platform) -> str:
    """How a build worker names itself in results: `host:pid:platform`."""
    return f"{socket.gethostname()}:{os.getpid()}:{platform}"


async def run_build(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The build worker's job: build the candidate on the engine in `DOCKER_HOST`, measure it, remove it."""
    job = BuildJob.model_validate(payload)
    runner: str = ctx["codi_runner"]
    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        result = BuildResult(
            candidate=job.candidate, platform=job.platform, runner=runner, outcome="no-engine",
            reason="this runner has no Docker engine (DOCKER_HOST is not set)",
        )
        return result.model_dump(mode="json")
    timeout_s: float = ctx["codi_build_timeout_s"]
    return (await asyncio.to_thread(_build, job, runner, docker_host, timeout_s, ctx["job_id"])).model_dump(mode="json")


def _build(job: BuildJob, runner: str, docker_host: str, timeout_s: float, job_id: str) -> BuildResult:
    from codi.worker.build import CPU_PERIOD_US, BuildFailed, DockerBuildRunner

    engine = DockerBuildRunner(docker_host, Path.home() / ".cache" / "codi" / "build-logs")
    tag = "codi-" + job_id.replace(":", "-")
    try:
        image = engine.build(job.text, Path(job.context), tag, timeout_s, BUILD_MEMORY_BYTES, BUILD_CPUS * CPU_PERIOD_US)
        engine.remove(image)
    except BuildFailed as error:
        return BuildResult(
            candidate=job.candidate, platform=job.platform, runner=runner, outcome="failed", reason=error.reason
        )
    finally:
        engine.close()
    return BuildResult(
        candidate=job.candidate, platform=job.platform, runner=runner, outcome="built",
        size_bytes=image.size_bytes, layers=image.layers, build_seconds=image.build_seconds,
    )
