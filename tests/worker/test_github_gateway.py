"""`GitHubGateway` against the local GitHub API: tokens, retries and their bounds, pagination, error kinds."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter

import pytest

from codi.settings import Settings
from codi.webhooks.jobs import RepoRef
from codi.worker.github import GitHubGateway, GitHubRejected, GitHubUnavailable, RetryPolicy
from tests.github_api.server import FakeGitHub
from tests.worker.conftest import INSTALLATION, NAME, OWNER, seed_pull

REPO = RepoRef(installation_id=INSTALLATION, owner=OWNER, name=NAME)
FAST = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=2.0, max_total_wait=3.0)


def gateway(
    settings: Settings, calls: Counter[str], policy: RetryPolicy = FAST, url: str | None = None
) -> GitHubGateway:
    return GitHubGateway(
        settings.github_app_id,
        settings.private_key(),
        url or settings.github_api_url,
        timeout=5,
        retry=policy,
        count_call=lambda status: calls.update([status]),
    )


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_one_installation_token_serves_many_calls(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    calls: Counter[str] = Counter()

    async def several() -> None:
        github = gateway(settings, calls)
        for _ in range(3):
            await github.pull_request(REPO, 1)
        await github.close()

    run(several())
    token_requests = [r for r in github_api.requests if r.path.endswith("/access_tokens")]
    assert len(token_requests) == 1
    assert calls == Counter({"201": 1, "200": 3})


def test_server_errors_are_retried_then_reported_unavailable(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    calls: Counter[str] = Counter()
    github_api.inject("GET", r"/pulls/1$", 503, times=10)
    with pytest.raises(GitHubUnavailable, match="GitHub answered 503"):
        run(gateway(settings, calls).pull_request(REPO, 1))
    assert calls["503"] == FAST.max_attempts


def test_a_rate_limit_longer_than_the_policy_waits_gives_up_at_once(
    settings: Settings, github_api: FakeGitHub
) -> None:
    """The job is deferred by arq instead (GitHubUnavailable carries GitHub's wait)."""
    seed_pull(github_api)
    calls: Counter[str] = Counter()
    github_api.inject("GET", r"/pulls/1$", 429, headers={"Retry-After": "120"})
    with pytest.raises(GitHubUnavailable) as raised:
        run(gateway(settings, calls).pull_request(REPO, 1))
    assert raised.value.retry_after == 120
    assert calls["429"] == 1


def test_a_primary_rate_limit_waits_until_the_reset(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    calls: Counter[str] = Counter()
    reset = int(time.time()) + 2
    github_api.inject(
        "GET", r"/pulls/1$", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    )
    pull = run(gateway(settings, calls).pull_request(REPO, 1))
    assert pull.number == 1
    assert time.time() >= reset - 1
    assert calls["403"] == 1 and calls["200"] == 1


def test_connection_errors_are_retried_then_reported_unavailable(settings: Settings, github_api: FakeGitHub) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    calls: Counter[str] = Counter()
    with pytest.raises(GitHubUnavailable, match="ConnectError"):
        run(gateway(settings, calls, url=closed).pull_request(REPO, 1))
    assert calls["ConnectError"] == FAST.max_attempts


def test_validation_errors_are_not_retried(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    calls: Counter[str] = Counter()
    with pytest.raises(GitHubRejected) as raised:
        run(gateway(settings, calls).create_check_run(REPO, "0" * 40, "codi", {"title": "t", "summary": "s"}))
    assert raised.value.status == 422 and calls["422"] == 1


def test_files_are_paginated_and_missing_content_is_none(settings: Settings, github_api: FakeGitHub) -> None:
    head = {f"svc{i}/Dockerfile": f"FROM alpine:3.{i}\n" for i in range(120)}
    pull = seed_pull(github_api, base_files={}, head_files=head)
    calls: Counter[str] = Counter()

    async def read() -> tuple[int, str | None, str | None]:
        github = gateway(settings, calls)
        files = await github.pull_request_files(REPO, 1)
        present = await github.file_text(REPO, "svc7/Dockerfile", pull.head_sha)
        missing = await github.file_text(REPO, "nope/Dockerfile", pull.head_sha)
        await github.close()
        return len(files), present, missing

    assert run(read()) == (120, "FROM alpine:3.7\n", None)
    assert github_api.violations == []


def test_a_secondary_rate_limit_without_headers_waits_a_minute(settings: Settings, github_api: FakeGitHub) -> None:
    """GitHub may answer a secondary limit with a bare 403 naming it: not a refusal, a wait of at least a minute."""
    seed_pull(github_api)
    calls: Counter[str] = Counter()
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
    github_api.inject("GET", r"/pulls/1$", 403, body=body)
    with pytest.raises(GitHubUnavailable, match="rate limited") as raised:
        run(gateway(settings, calls).pull_request(REPO, 1))
    assert raised.value.retry_after == 60
    assert raised.value.retry_at == pytest.approx(time.time() + 60, abs=5)
    assert calls["403"] == 1
