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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import Job
from pydantic import BaseModel

from codi.pipeline.config import SmokeSettings
from codi.pipeline.measured import ImageReport, MeasuredImage, judge
from codi.pipeline.optimize.model import Candidate
from codi.settings import Settings
from codi.storage.database import init_db
from codi.storage.evidence import EvidenceStore
from codi.worker.build import BuildNetwork, DockerBuildRunner
from codi.worker.measure import BuildLimits, ImageLab, measured_image
from codi.worker.routing import BUILD_TARGETS, Platform, platform_for, queue_name

RUN_BUILD = "run_build"
RESULT_POLL_SECONDS = 0.05


class BuildJob(BaseModel):
    """Build one Dockerfile (an original or a candidate) on one platform's runner."""

    candidate: str
    """Which image this is, e.g. `services/api/Dockerfile#multi-stage` (`#original` for the original)."""
    strategy: str = "original"
    text: str
    platform: Platform
    context: str
    """The build context: a directory on the runner (shared storage or a checkout it made)."""
    module_versions: list[tuple[str, str]] = []
    smoke: SmokeSettings = SmokeSettings()

    @property
    def job_id(self) -> str:
        """Same image, text, platform, context and smoke test → same job: enqueueing twice builds once."""
        parts = [self.candidate, self.text, self.platform, self.context, self.smoke.__repr__()]
        digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape"))
        return f"build:{self.platform}:{digest.hexdigest()[:24]}"


class BuildResult(BaseModel):
    """What a runner reports for one build job; the measurements themselves are in the evidence record `key`."""

    candidate: str
    platform: Platform
    runner: str | None
    """`host:pid:platform` of the worker that ran it (None when no worker finished it)."""
    outcome: Literal["built", "failed", "no-engine", "unfinished"]
    reason: str | None = None
    key: str | None = None
    """The evidence record's idempotency key (None when nothing was recorded)."""
    reused: bool = False
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


async def collect_builds(redis: ArqRedis, jobs: list[BuildJob], deadline_s: float) -> list[BuildResult | NoRunner]:
    """Each enqueued job's result, waiting at most `deadline_s` in all; results in `jobs`' order."""
    deadline = time.monotonic() + deadline_s
    return list(await asyncio.gather(*(_collect(redis, job, deadline) for job in jobs)))


async def _collect(redis: ArqRedis, job: BuildJob, deadline: float) -> BuildResult | NoRunner:
    job_id = job.job_id
    if not await redis.exists(job_key_prefix + job_id, result_key_prefix + job_id):  # a fast runner may be done
        raise LookupError(f"no queued build job {job_id} (never enqueued, or its result already expired)")
    arq_job = Job(job_id, redis, _queue_name=queue_name(job.platform), _deserializer=redis.job_deserializer)
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


def _result(job: BuildJob, success: bool, result: Any) -> BuildResult:
    if success:
        return BuildResult.model_validate(result)
    return BuildResult(
        candidate=job.candidate, platform=job.platform, runner=None, outcome="failed", reason=f"runner error: {result!r}"
    )


@dataclass(frozen=True)
class FileBuilds:
    """One Dockerfile of a review to build: its original text, its candidates and its context on the runners."""

    path: str
    original: str
    candidates: tuple[Candidate, ...]
    context: Path


async def measure_files(
    redis: ArqRedis, store: EvidenceStore, files: Sequence[FileBuilds], smoke: SmokeSettings, deadline_s: float
) -> dict[str, tuple[ImageReport, ...]]:
    """Builds every original and candidate on its platform's runners, waits up to `deadline_s`, judges each file.

    A build no runner finished is judged as a failed one whose reason says why (`no runner for arm64`).
    """
    planned: list[tuple[str, str, str, BuildJob]] = []  # (path, strategy, text, job)
    for file in files:
        images = [("original", file.original, ())] + [
            (c.strategy, c.dockerfile, c.module_versions) for c in file.candidates
        ]
        for strategy, text, modules in images:
            job = BuildJob(
                candidate=f"{file.path}#{strategy}",
                strategy=strategy,
                text=text,
                platform=platform_for(text, None),
                context=str(file.context),
                module_versions=list(modules),
                smoke=smoke,
            )
            planned.append((file.path, strategy, text, job))
    jobs = [job for *_, job in planned]
    await enqueue_builds(redis, jobs)
    results = await collect_builds(redis, jobs, deadline_s)
    measured: dict[str, list[MeasuredImage]] = {}
    for (path, strategy, text, _), result in zip(planned, results):
        measured.setdefault(path, []).append(await asyncio.to_thread(_measured_of, store, result, strategy, text))
    return {path: judge(images[0], images[1:]) for path, images in measured.items()}


def _measured_of(store: EvidenceStore, result: BuildResult | NoRunner, strategy: str, text: str) -> MeasuredImage:
    """The evidence record a runner wrote, or a failed image saying why there is none."""
    if isinstance(result, BuildResult) and result.key:
        evidence = store.get(result.key)
        if evidence is not None:
            return measured_image(store, evidence, strategy, text, result.reused)
    reason = result.reason or "the build left no evidence"
    return MeasuredImage(strategy, text, "", False, "fail", None, None, reason, None, None)


def runner_name(platform: Platform) -> str:
    """How a build worker names itself in results: `host:pid:platform`."""
    return f"{socket.gethostname()}:{os.getpid()}:{platform}"


async def run_build(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The build worker's job: build, measure, scan and smoke-test on the engine in `DOCKER_HOST`, with evidence."""
    job = BuildJob.model_validate(payload)
    runner: str = ctx["codi_runner"]
    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        result = BuildResult(
            candidate=job.candidate, platform=job.platform, runner=runner, outcome="no-engine",
            reason="this runner has no Docker engine (DOCKER_HOST is not set)",
        )
        return result.model_dump(mode="json")
    settings: Settings = ctx["settings"]
    if "codi_store" not in ctx:  # made on the first build: a runner without an engine needs no database
        ctx["codi_store"] = EvidenceStore(init_db(settings.database_url))
    limits = BuildLimits(timeout_s=ctx["codi_build_timeout_s"])
    measured = await asyncio.to_thread(
        _measure, job, docker_host, ctx["codi_store"], settings.data_dir, limits, settings.build_network
    )
    return BuildResult(
        candidate=job.candidate,
        platform=job.platform,
        runner=runner,
        outcome="built" if measured.result == "pass" else "failed",
        reason=measured.failure_reason,
        key=measured.key or None,
        reused=measured.reused,
        size_bytes=measured.measurements.size_bytes if measured.measurements else None,
        layers=measured.measurements.layers if measured.measurements else None,
        build_seconds=measured.measurements.build_seconds if measured.measurements else None,
    ).model_dump(mode="json")


def _measure(
    job: BuildJob, docker_host: str, store: EvidenceStore, data_dir: Path, limits: BuildLimits, network: BuildNetwork
) -> MeasuredImage:
    runner = DockerBuildRunner(docker_host, data_dir / "evidence" / "logs", network)
    try:
        lab = ImageLab(runner, store, data_dir / "evidence", BUILD_TARGETS[job.platform], limits)
        return lab.measure(job.strategy, job.text, Path(job.context), job.module_versions, job.smoke)
    finally:
        runner.close()
