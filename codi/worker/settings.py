"""arq settings for codi's worker, and the function `codi worker` runs.

arq's pitfalls, and what these settings do about them (arq 0.28, `arq/worker.py`):

- A finished job keeps its result key for `keep_result` seconds, and while it
  exists arq refuses a new job with the same `_job_id`: kept short (60 s) so a
  failed review can be enqueued again soon.
- A job that times out is not retried: `job_timeout` is generous (10 minutes by
  default, `CODI_JOB_TIMEOUT_SECONDS`), the job stops itself a little earlier to
  complete its check run, and GitHub outages raise `Retry` with a defer instead
  (see `jobs._run`).
- A job past `max_tries` is dropped without running, so the last try ends the
  job itself; a shutdown cancels running jobs, which arq then runs again.
- redis-py retries nothing by default, and a refused connect not even with
  `retry_on_error` set unless OSError is named: see `redis_settings`.
- A worker killed mid-job leaves an in-progress key that expires after the
  longest function timeout + 10 s; only then does another worker run the job
  again. Every job is idempotent, so the re-run posts nothing twice.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import redis.exceptions
from arq.connections import RedisSettings
from arq.constants import default_queue_name
from arq.cron import cron
from arq.worker import Worker, func
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from prometheus_client import start_http_server

from codi.app.metrics import Metrics
from codi.logs import configure_logging
from codi.settings import Settings, load_settings
from codi.webhooks.jobs import HANDLE_COMMENT_COMMAND, RECORD_INSTALLATION, REVIEW_PULL_REQUEST
from codi.worker import builds, jobs
from codi.worker.contexts import sweep_contexts
from codi.worker.routing import Platform, queue_name
from codi.webhooks.serialization import job_deserializer, job_serializer

KEEP_RESULT_SECONDS = 60
POLL_DELAY_SECONDS = 0.1
"""arq polls the queue this often (its default, 0.5 s, added 250 ms to the median review); 10 cheap Redis reads/s."""
BUILD_SHARE_OF_JOB_TIMEOUT = 0.9
"""A build stops itself before arq's job timeout, so its failure is reported, not cancelled."""
MAX_JOBS = 20
"""Jobs one worker process runs at once: they mostly wait on GitHub, the lint itself takes milliseconds."""


async def startup(ctx: dict[str, Any]) -> None:
    """Build the GitHub gateway and the ShellCheck runner once per worker process."""
    settings: Settings = ctx.get("settings") or load_settings()
    ctx["codi"] = jobs.WorkerServices.build(settings, ctx["redis"], ctx.get("metrics"))


async def sweep_stale_contexts(ctx: dict[str, Any]) -> int:
    """Hourly on the review worker: contexts and scratch that a crashed or cancelled review left on disk go."""
    settings: Settings = ctx["codi"].settings
    removed = await asyncio.to_thread(sweep_contexts, settings.data_dir, settings.context_max_age_hours * 3600)
    return len(removed)


async def shutdown(ctx: dict[str, Any]) -> None:
    services: jobs.WorkerServices | None = ctx.get("codi")
    if services is not None:
        await services.close()


class WorkerSettings:
    """What arq needs besides Redis and timeouts, which come from `Settings` (see `create_worker`)."""

    functions = [
        func(jobs.review_pull_request, name=REVIEW_PULL_REQUEST),
        func(jobs.handle_comment_command, name=HANDLE_COMMENT_COMMAND),
        func(jobs.record_installation, name=RECORD_INSTALLATION),
    ]
    cron_jobs = [cron(sweep_stale_contexts, minute=0, run_at_startup=True)]
    """Not in a burst worker, which drains the queue and stops: its job counts are the queue's alone."""
    on_startup = startup
    on_shutdown = shutdown
    keep_result = KEEP_RESULT_SECONDS
    max_tries = jobs.MAX_TRIES
    max_jobs = MAX_JOBS
    poll_delay = POLL_DELAY_SECONDS


REDIS_RETRIES = 8
"""Attempts of one Redis command over a dropped connection: 0.2 s doubling to 5 s, about 20 s in all."""


def redis_settings(url: str) -> RedisSettings:
    """arq's Redis on `url`; a command whose connection drops reconnects and retries with back-off, so a short
    Redis outage stalls the worker's polling and jobs instead of failing them (a longer one: see `jobs._run`)."""
    settings = RedisSettings.from_dsn(url)
    # A refused connect reaches redis-py's retry as a bare OSError, which it would not retry.
    settings.retry_on_error = [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError]
    settings.retry = Retry(ExponentialBackoff(cap=5.0, base=0.1), REDIS_RETRIES)
    return settings


def create_worker(
    settings: Settings, queue_name: str = default_queue_name, metrics: Metrics | None = None, burst: bool = False
) -> Worker:
    """An arq worker on `CODI_REDIS_URL`, jobs timing out after `CODI_JOB_TIMEOUT_SECONDS`."""
    return Worker(
        functions=WorkerSettings.functions,
        cron_jobs=None if burst else WorkerSettings.cron_jobs,
        queue_name=queue_name,
        redis_settings=redis_settings(settings.redis_url),
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        job_timeout=settings.job_timeout_seconds,
        keep_result=WorkerSettings.keep_result,
        max_tries=WorkerSettings.max_tries,
        max_jobs=WorkerSettings.max_jobs,
        poll_delay=WorkerSettings.poll_delay,
        ctx={"settings": settings, "metrics": metrics or Metrics()},
        burst=burst,
        handle_signals=not burst,
    )


def run_worker(settings: Settings, queue_name: str = default_queue_name, metrics_port: int | None = None) -> None:
    """Run until SIGINT/SIGTERM; with `metrics_port`, serve the worker's Prometheus metrics there."""
    configure_logging([settings.webhook_secret], "%(asctime)s %(levelname)s %(name)s: %(message)s")
    metrics = Metrics()
    if metrics_port is not None:
        start_http_server(metrics_port, registry=metrics.registry)
    create_worker(settings, queue_name, metrics).run()


def create_build_worker(settings: Settings, platform: Platform) -> Worker:
    """An arq worker running `run_build` from `platform`'s queue; signals are handled by `run_build_workers`."""
    return Worker(
        functions=[func(builds.run_build, name=builds.RUN_BUILD)],
        queue_name=queue_name(platform),
        redis_settings=redis_settings(settings.redis_url),
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        job_timeout=settings.job_timeout_seconds,
        keep_result=WorkerSettings.keep_result,
        max_tries=WorkerSettings.max_tries,
        poll_delay=WorkerSettings.poll_delay,
        ctx={
            "settings": settings,
            "codi_runner": builds.runner_name(platform),
            "codi_build_timeout_s": settings.job_timeout_seconds * BUILD_SHARE_OF_JOB_TIMEOUT,
        },
        handle_signals=False,
    )


def run_build_workers(settings: Settings, platforms: list[Platform]) -> None:
    """One arq worker per platform queue in this process (arq's Worker takes one queue), until SIGINT/SIGTERM."""
    configure_logging([settings.webhook_secret], "%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(settings, list(dict.fromkeys(platforms))))


async def _serve(settings: Settings, platforms: list[Platform]) -> None:
    """Workers are made inside the running loop: arq's Worker binds the loop it is created in."""
    loop = asyncio.get_running_loop()
    workers = [create_build_worker(settings, platform) for platform in platforms]
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda signum=signum: [worker.handle_sig(signum) for worker in workers])
    try:
        await asyncio.gather(*(worker.async_run() for worker in workers), return_exceptions=True)
    finally:
        for worker in workers:
            await worker.close()
