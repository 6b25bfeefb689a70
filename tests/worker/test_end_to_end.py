"""Signed deliveries → the real receiver (uvicorn on loopback) → real Redis → `codi worker` processes → local GitHub."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from arq.connections import RedisSettings, create_pool
from arq.jobs import Job

from codi.app import create_app
from codi.comments.fingerprints import parse_finding_marker
from codi.comments.summary import is_summary_comment
from codi.pipeline.lint import lint_text
from codi.settings import Settings
from codi.webhooks.serialization import json_jobs
from tests.github_api.fixtures import GitHubAppCredentials
from tests.github_api.server import FakeGitHub
from tests.github_api.state import PullRequestState
from tests.github_api.webhooks import sign, webhook_payload
from tests.worker.conftest import (
    HEAD_DOCKERFILE,
    NAME,
    OWNER,
    ReceiverServer,
    WorkerProcess,
    seed_pull,
    wait_until,
)

SUGGESTION = re.compile(r"```suggestion\n(.*?)```", re.S)


@pytest.fixture
def receiver(settings: Settings) -> Iterator[ReceiverServer]:
    server = ReceiverServer(create_app(settings))
    yield server
    server.stop()


def deliver(
    receiver: ReceiverServer,
    secret: str,
    event: str,
    payload: dict[str, Any],
    delivery_id: str | None = None,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature or sign(body, secret),
        "Content-Type": "application/json",
    }
    return httpx.post(f"{receiver.url}/webhooks/github", content=body, headers=headers, timeout=10)


def job_result(settings: Settings, job_id: str, timeout: float = 60) -> Any:
    """Wait for arq to finish the job (arq's own result API) and return what it returned."""

    async def wait() -> Any:
        pool = json_jobs(await create_pool(RedisSettings.from_dsn(settings.redis_url)))
        try:
            return await Job(job_id, pool, _deserializer=pool.job_deserializer).result(timeout=timeout, poll_delay=0.05)
        finally:
            await pool.aclose()

    return asyncio.run(wait())


def _opened(pull: PullRequestState) -> dict[str, Any]:
    return webhook_payload("pull_request", "opened", pull)


def test_opened_then_synchronize_then_redelivery(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    start_worker()
    pull = seed_pull(github_api)
    secret = github_app.webhook_secret

    answer = deliver(receiver, secret, "pull_request", _opened(pull))
    assert answer.status_code == 202
    assert job_result(settings, answer.json()["job_id"]).startswith("failure")

    [check_run] = github_api.check_runs(OWNER, NAME)
    findings = lint_text(HEAD_DOCKERFILE).findings
    assert check_run.status == "completed" and check_run.conclusion == "failure"
    assert {(a.start_line, a.title.split()[0]) for a in check_run.annotations} >= {(f.line, f.code) for f in findings}
    [review] = github_api.reviews(OWNER, NAME, 1)
    comment = next(c for c in github_api.review_comments(OWNER, NAME, 1) if "DL3009" in c.body)
    finding = next(f for f in findings if f.code == "DL3009")
    assert finding.fix is not None
    fixed_line = finding.fix.apply(HEAD_DOCKERFILE).splitlines(keepends=True)[finding.line - 1]
    assert SUGGESTION.search(comment.body).group(1) == fixed_line
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    first_summary = summary.body

    github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "ADD app.py /app/\n"})
    synchronize = webhook_payload("pull_request", "synchronize", pull)
    answer = deliver(receiver, secret, "pull_request", synchronize, delivery_id="sync-1")
    job_result(settings, answer.json()["job_id"])

    fingerprints = [parse_finding_marker(c.body) for c in github_api.review_comments(OWNER, NAME, 1)]
    assert len(fingerprints) == len(set(fingerprints))
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    assert summary.body != first_summary and is_summary_comment(summary.body)
    posted = len([r for r in github_api.requests if r.method != "GET"])

    redelivered = deliver(receiver, secret, "pull_request", synchronize, delivery_id="sync-1")
    assert redelivered.json()["status"] == "duplicate"
    twin = deliver(receiver, secret, "pull_request", synchronize, delivery_id="sync-2")
    assert twin.json()["status"] == "already_queued"
    assert len([r for r in github_api.requests if r.method != "GET"]) == posted
    assert len(github_api.reviews(OWNER, NAME, 1)) == 2
    assert github_api.violations == []


def test_a_bad_signature_gets_401_and_nothing_is_enqueued(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,
    redis_db: redis.Redis,
) -> None:
    pull = seed_pull(github_api)
    forged = "sha256=" + "0" * 64
    answer = deliver(receiver, github_app.webhook_secret, "pull_request", _opened(pull), signature=forged)
    assert answer.status_code == 401
    assert redis_db.zcard("arq:queue") == 0 and list(redis_db.scan_iter("arq:job:*")) == []


def test_the_job_completes_through_502_and_a_secondary_rate_limit(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    start_worker()
    pull = seed_pull(github_api)
    github_api.inject("GET", r"/pulls/1/files", 502)
    github_api.inject("POST", r"/pulls/1/reviews", 403, body={"message": "You have exceeded a secondary rate limit"},
                      headers={"Retry-After": "1"})
    answer = deliver(receiver, github_app.webhook_secret, "pull_request", _opened(pull))
    job_result(settings, answer.json()["job_id"])
    statuses = [(r.method, r.status) for r in github_api.requests if r.path.endswith(("/files", "/reviews"))]
    assert statuses == [("GET", 502), ("GET", 200), ("POST", 403), ("POST", 200)]
    assert [run.status for run in github_api.check_runs(OWNER, NAME)] == ["completed"]
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1
    assert github_api.violations == []


def test_a_worker_killed_after_posting_the_review_leaves_one_review(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    """SIGKILL right after the review POST; arq re-runs the job (next worker) once its in-progress key expires."""
    timeout = "4"  # arq re-runs a dead worker's job after the function timeout + 10 s
    first = start_worker(CODI_JOB_TIMEOUT_SECONDS=timeout)
    pull = seed_pull(github_api)
    github_api.latency = 0.1
    answer = deliver(receiver, github_app.webhook_secret, "pull_request", _opened(pull))
    wait_until(lambda: any(r.method == "POST" and r.path.endswith("/reviews") for r in github_api.requests), 30,
               "the review POST")
    first.kill()
    assert github_api.issue_comments(OWNER, NAME, 1) == []  # killed before the summary
    github_api.latency = 0.0

    [check_run] = github_api.check_runs(OWNER, NAME)
    assert check_run.status == "in_progress"  # until the job's next try

    start_worker(CODI_JOB_TIMEOUT_SECONDS=timeout)
    job_result(settings, answer.json()["job_id"], timeout=60)
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert (check_run.status, check_run.conclusion) == ("completed", "failure")  # the findings' conclusion
    assert check_run.title != "codi could not finish" and check_run.annotations
    assert len(github_api.issue_comments(OWNER, NAME, 1)) == 1
    assert github_api.violations == []


def test_codi_apply_in_a_comment_commits_the_fixes(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    start_worker()
    pull = seed_pull(github_api)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    before = pull.head_sha
    payload = webhook_payload("issue_comment", "created", pull, comment_body="/codi apply", comment_author="maintainer")
    answer = deliver(receiver, github_app.webhook_secret, "issue_comment", payload)
    assert answer.status_code == 202, answer.text
    assert job_result(settings, answer.json()["job_id"]) == "applied"
    assert github_api.files_at(OWNER, NAME, pull.head_ref)["Dockerfile"] != HEAD_DOCKERFILE
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert pull.head_sha != before and pull.head_sha[:7] in reply.body
    assert github_api.violations == []
