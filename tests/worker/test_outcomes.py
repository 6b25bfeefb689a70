"""Every job ends in a visible state: real Redis, real arq workers and `codi worker` processes, the local GitHub API.

What each test asserts is what a maintainer sees: the check run's final status, conclusion and summary, the
job's place in arq's queue (its score: when it runs again), and the worker's log line.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from arq.connections import RedisSettings, create_pool

from codi.settings import Settings
from codi.webhooks.jobs import CommentCommandJob, Job, RepoRef
from codi.worker.jobs import MAX_TRIES
from codi.webhooks.serialization import json_jobs
from tests.comments.helpers import github_render
from tests.github_api.server import FakeGitHub
from tests.github_api.state import CheckRun
from tests.worker.conftest import (
    INSTALLATION,
    NAME,
    OWNER,
    WorkerProcess,
    review_job,
    run_burst_worker,
    run_jobs,
    seed_pull,
    wait_until,
)
from tests.worker.test_end_to_end import job_result

SLOW_DOCKERFILE = "FROM debian:12\n" + "".join(f"RUN apt-get install -y pkg{i} && cd /x{i}\n" for i in range(8000))
"""Within every input cap (8,001 instructions, 350 KB) and many seconds of lint, ShellCheck and optimiser."""
QUEUE = "arq:queue"


async def _enqueue(settings: Settings, job: Job, job_try: int | None = None) -> None:
    pool = json_jobs(await create_pool(RedisSettings.from_dsn(settings.redis_url)))
    try:
        await pool.enqueue_job(job.function, job.model_dump(mode="json"), _job_id=job.job_id, _job_try=job_try)
    finally:
        await pool.aclose()


def enqueue(settings: Settings, job: Job, job_try: int | None = None) -> None:
    """Queue `job`; with `job_try`, arq runs it as that try (5: the last)."""
    asyncio.run(_enqueue(settings, job, job_try))


def run_last_try(settings: Settings, job: Job) -> dict[str, int]:
    """Run `job` as its last try on an in-process burst worker; its job counts."""

    async def run() -> dict[str, int]:
        await _enqueue(settings, job, MAX_TRIES)
        return await run_burst_worker(settings)

    return asyncio.run(run())


def command_job(command: str, author: str = "maintainer") -> CommentCommandJob:
    return CommentCommandJob(
        repo=RepoRef(installation_id=INSTALLATION, owner=OWNER, name=NAME),
        pull_number=1,
        comment_id=99,
        author=author,
        command=command,  # type: ignore[arg-type]
        delivery_id=f"delivery-{command}",
    )


def only_check_run(github_api: FakeGitHub) -> CheckRun:
    [check_run] = github_api.check_runs(OWNER, NAME)
    return check_run


def gave_up(check_run: CheckRun) -> str:
    """The reason, as GitHub shows it, of a check run codi completed because it could not finish (or the test fails)."""
    expected = ("completed", "failure", "codi could not finish")
    assert (check_run.status, check_run.conclusion, check_run.title) == expected
    shown = github_render(check_run.summary or "").text.strip()
    match = re.fullmatch(r"codi could not finish: (.*)\.\s+Comment /codi rerun on the pull request .*", shown, re.S)
    assert match, shown
    return match.group(1)


def request_seen(github_api: FakeGitHub, method: str, suffix: str) -> Callable[[], bool]:
    return lambda: any(r.method == method and r.path.endswith(suffix) for r in github_api.requests)


# GitHub refusing a request, retries running out, the job's and the analysis's deadlines


def test_github_rejecting_a_request_completes_the_check_run_with_its_answer(
    settings: Settings, github_api: FakeGitHub
) -> None:
    pull = seed_pull(github_api)
    hostile = "Validation Failed <img src=x onerror=alert(1)> @octocat [x](https://evil.example)"
    github_api.inject("POST", r"/pulls/1/reviews$", 422, body={"message": hostile})
    counts = run_jobs(settings, review_job(pull))
    assert counts == {"complete": 0, "failed": 1, "retried": 0}
    check_run = only_check_run(github_api)
    assert gave_up(check_run).startswith("GitHub answered 422")
    rendered = github_render(check_run.summary or "")
    assert "img" not in rendered.tags and rendered.links == [] and rendered.linked_later == []
    assert "Validation Failed <img src=x onerror=alert(1)> @octocat [x](https://evil.example)" in rendered.text
    assert github_api.issue_comments(OWNER, NAME, 1) == []  # it stopped at the refused request


def test_the_last_try_completes_the_check_run_instead_of_asking_for_another(
    settings: Settings, github_api: FakeGitHub
) -> None:
    """arq would drop a sixth try without running it, so the fifth says why it stops."""
    pull = seed_pull(github_api)
    github_api.inject("GET", r"/pulls/1/files$", 429, headers={"Retry-After": "120"})
    counts = run_last_try(settings, review_job(pull))
    assert counts == {"complete": 0, "failed": 1, "retried": 0}
    reason = gave_up(only_check_run(github_api))
    assert "rate limited" in reason and f"still on try {MAX_TRIES} of {MAX_TRIES}" in reason


def test_an_analysis_past_its_deadline_is_killed_reported_and_the_worker_goes_on(
    settings: Settings, github_api: FakeGitHub, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(CODI_ANALYSIS_TIMEOUT_SECONDS="2")
    slow = seed_pull(github_api, 1, head_files={"Dockerfile": SLOW_DOCKERFILE})
    enqueue(settings, review_job(slow))
    started = time.monotonic()
    wait_until(lambda: any(run.status == "completed" for run in github_api.check_runs(OWNER, NAME)), 60,
               "the slow review's end")
    assert time.monotonic() - started < 30
    assert gave_up(only_check_run(github_api)) == "analysis timed out after 2 s"
    assert any("passed its deadline of 2 s: child" in line for line in worker.log)

    normal = seed_pull(github_api, 2)
    job = review_job(normal, delivery_id="delivery-2")
    enqueue(settings, job)
    assert job_result(settings, job.job_id).startswith("failure: ")  # HEAD_DOCKERFILE's findings fail the check
    second = next(run for run in github_api.check_runs(OWNER, NAME) if run.head_sha == normal.head_sha)
    assert (second.status, second.conclusion) == ("completed", "failure") and second.title != "codi could not finish"
    assert second.annotations


def test_a_job_past_its_own_deadline_is_reported_before_arq_cancels_it(
    settings: Settings, github_api: FakeGitHub
) -> None:
    """CODI_JOB_TIMEOUT_SECONDS=6: the job stops its work at 4.5 s (the analysis child is killed) and reports."""
    pull = seed_pull(github_api, head_files={"Dockerfile": SLOW_DOCKERFILE})
    timed = settings.model_copy(update={"job_timeout_seconds": 6, "analysis_timeout_seconds": 300})
    counts = run_jobs(timed, review_job(pull))
    assert counts == {"complete": 0, "failed": 1, "retried": 0}
    assert gave_up(only_check_run(github_api)) == "the job ran out of time (4.5 s)"


# Shutdown and SIGKILL


def test_a_shutdown_leaves_the_check_run_to_the_next_try(
    settings: Settings, github_api: FakeGitHub, start_worker: Callable[..., WorkerProcess]
) -> None:
    first = start_worker()
    pull = seed_pull(github_api)
    github_api.latency = 0.3
    job = review_job(pull)
    enqueue(settings, job)
    wait_until(request_seen(github_api, "POST", "/check-runs"), 30, "the check run")
    first.stop()
    assert first.process.returncode is not None
    assert only_check_run(github_api).status == "in_progress"
    assert any("left in progress for the next" in line for line in first.log)

    github_api.latency = 0.0
    start_worker()
    assert job_result(settings, job.job_id).startswith("failure: ")
    check_run = only_check_run(github_api)
    assert (check_run.status, check_run.conclusion) == ("completed", "failure")
    assert check_run.title != "codi could not finish" and check_run.annotations
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1


def test_a_shutdown_during_the_last_try_completes_the_check_run(
    settings: Settings, github_api: FakeGitHub, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    pull = seed_pull(github_api)
    github_api.latency = 0.3
    enqueue(settings, review_job(pull), job_try=MAX_TRIES)
    wait_until(request_seen(github_api, "POST", "/check-runs"), 30, "the check run")
    worker.stop()
    assert gave_up(only_check_run(github_api)) == f"the worker stopped during the last try ({MAX_TRIES} of {MAX_TRIES})"


# Rate limits: deferred until GitHub's reset, the real wait logged


@pytest.mark.parametrize("kind", ["retry-after", "secondary-reset"])
def test_a_long_rate_limit_defers_the_job_until_the_reset(
    kind: str,
    settings: Settings,
    github_api: FakeGitHub,
    redis_db: redis.Redis,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    pull = seed_pull(github_api)
    if kind == "retry-after":
        wait = 3600
        github_api.inject("GET", r"/pulls/1/files$", 429, headers={"Retry-After": str(wait)})
    else:
        wait = 1800
        body = {"message": "You have exceeded a secondary rate limit and have been temporarily blocked."}
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + wait)}
        github_api.inject("GET", r"/pulls/1/files$", 403, body=body, headers=headers)
    reset = time.time() + wait
    worker = start_worker()
    job = review_job(pull)
    enqueue(settings, job)

    def deferred() -> bool:
        score = redis_db.zscore(QUEUE, job.job_id)
        return score is not None and score > (time.time() + 60) * 1000

    wait_until(deferred, 30, "the job's deferral")
    score = redis_db.zscore(QUEUE, job.job_id)
    assert score is not None and abs(score / 1000 - reset) < 5
    line = next(line for line in worker.log if "retrying in" in line)
    logged = re.search(r"rate limited; retrying in (\d+) s \(until (\d\d:\d\d:\d\d) UTC, as asked\) \(try 1 of 5\)",
                       line)
    assert logged, line
    assert abs(int(logged.group(1)) - wait) <= 5
    assert logged.group(2) == time.strftime("%H:%M:%S", time.gmtime(score / 1000))
    assert only_check_run(github_api).status == "in_progress"  # the deferred try finishes it


# Input caps


def test_dockerfiles_over_the_caps_are_named_in_the_check_run_and_the_summary(
    settings: Settings, github_api: FakeGitHub
) -> None:
    head = {
        "Dockerfile": "FROM debian:12\nRUN cd /tmp\n",
        "long/Dockerfile": "FROM debian:12\nRUN echo " + "x" * (70 * 1024) + "\n",
        "many/Dockerfile": "FROM debian:12\n" + "RUN true\n" * 10_000,
    }
    pull = seed_pull(github_api, head_files=head)
    run_jobs(settings, review_job(pull))
    check_run = only_check_run(github_api)
    assert check_run.conclusion == "failure"  # the file within the caps has findings
    assert {a.path for a in check_run.annotations} == {"Dockerfile"}
    assert check_run.summary is not None and check_run.summary.startswith("\n### Not analysed (input caps)\n")
    expected = [
        "`long/Dockerfile`: line 2 is 70 KiB long, over the cap of 64 KiB per line",
        "`many/Dockerfile`: has 10,001 instructions, over the cap of 10,000",
    ]
    for line in expected:
        assert line in check_run.summary
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    assert "### Not analysed (input caps)" in summary.body
    for line in expected:
        assert line in summary.body


def test_dockerfiles_past_the_count_cap_are_skipped_and_the_check_is_not_a_success(
    settings: Settings, github_api: FakeGitHub
) -> None:
    base = {".codi.yml": "failure-threshold: error\n"}
    head = {**base, **{f"svc{i:02}/Dockerfile": "FROM debian:12\nUSER app\n" for i in range(52)}}
    pull = seed_pull(github_api, base_files=base, head_files=head)
    run_jobs(settings, review_job(pull))
    check_run = only_check_run(github_api)
    assert check_run.conclusion == "neutral"  # all 50 reviewed pass, but 2 were not looked at
    assert check_run.summary is not None
    reason = "the pull request changes 52 Dockerfiles, over the cap of 50"
    # Reviewed files list their candidates in the same `- path: …` form; the skipped ones give the cap.
    skipped = re.findall(r"^- `(svc\d\d/Dockerfile)`: (.*over the cap.*)$", check_run.summary, re.M)
    assert skipped == [("svc50/Dockerfile", reason), ("svc51/Dockerfile", reason)]
    fetched = {r.path for r in github_api.requests if "/contents/" in r.path}
    assert not any("svc50" in path or "svc51" in path for path in fetched)



# Redis dropping the worker's connections


class RedisLink:
    """A TCP forwarder between the worker and Redis that the test can cut: open connections are dropped and
    the port refuses connections until the link is back, as when Redis restarts."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.dropped = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._serve(self.listener)

    def _serve(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def cut(self, seconds: float) -> None:
        """Down now (connections dropped, the port closed), up again after `seconds` on the same port."""
        self.close()
        with self._lock:
            for end in self._open:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue
                self.dropped += 1
            self._open.clear()
        threading.Timer(seconds, self._restore).start()

    def _restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self._serve(self.listener)

    def close(self) -> None:
        """Stop listening (shutdown first: a plain close leaves the thread blocked in accept() listening)."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()


def test_a_redis_outage_during_a_job_is_waited_out(
    settings: Settings, github_api: FakeGitHub, start_worker: Callable[..., WorkerProcess]
) -> None:
    """Redis gone for 3 s while a review runs: the worker's commands reconnect with back-off, the job finishes."""
    target = urlsplit(settings.redis_url)
    link = RedisLink(target.hostname or "127.0.0.1", target.port or 6379)
    try:
        worker = start_worker(CODI_REDIS_URL=f"redis://127.0.0.1:{link.port}{target.path}")
        pull = seed_pull(github_api)
        github_api.latency = 0.3
        job = review_job(pull)
        enqueue(settings, job)
        wait_until(request_seen(github_api, "POST", "/check-runs"), 30, "the check run")
        link.cut(3)
        github_api.latency = 0.0
        assert job_result(settings, job.job_id).startswith("failure: ")
    finally:
        link.close()
    assert link.dropped > 0
    assert worker.process.poll() is None
    check_run = only_check_run(github_api)
    assert (check_run.status, check_run.conclusion) == ("completed", "failure") and check_run.annotations
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1 and len(github_api.issue_comments(OWNER, NAME, 1)) == 1


# A crash, and a command that cannot finish


def _grandchildren() -> list[int]:
    """Processes whose parent is a child of this one: the analysis children, forked by the forkserver."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    children = {pid for pid, parent in parents.items() if parent == os.getpid()}
    return [pid for pid, parent in parents.items() if parent in children]


def test_an_analysis_process_that_dies_is_reported_as_an_internal_error(
    settings: Settings, github_api: FakeGitHub
) -> None:
    """The analysis child killed from outside (as the OOM killer would): the check run says so, nothing hangs."""
    pull = seed_pull(github_api, head_files={"Dockerfile": SLOW_DOCKERFILE})
    killed: list[int] = []

    def kill_the_analysis() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in _grandchildren():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_analysis, daemon=True)
    killer.start()
    counts = run_jobs(settings, review_job(pull))
    killer.join()
    assert killed
    assert counts == {"complete": 0, "failed": 1, "retried": 0}
    assert gave_up(only_check_run(github_api)) == "an internal error (BrokenProcessPool)"


def test_a_command_that_cannot_finish_says_so_in_its_reply(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    github_api.inject("POST", r"/issues/1/comments$", 403, body={"message": "Resource not accessible by integration"})
    counts = run_jobs(settings, command_job("help"))
    assert counts == {"complete": 0, "failed": 1, "retried": 0}
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    shown = github_render(reply.body).text.strip()
    assert shown == (
        "/codi help: codi could not finish: GitHub answered 403: comment on octo/app#1: "
        "Resource not accessible by integration."
    )
