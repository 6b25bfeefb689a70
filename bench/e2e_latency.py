"""PR event → check run completed and review posted: end-to-end latency of the GitHub App.

Everything real but GitHub: the receiver (`create_app` under uvicorn on loopback),
Redis, one `codi worker` process, and the local GitHub API of the tests
(`tests/github_api`, validating every request against GitHub's OpenAPI
description) answering each call after `--latency` seconds, as a remote API
would. For each of N pull requests one signed `pull_request.opened` delivery is
posted, and the latency is the time from sending it to the later of the review
POST and the check-run PATCH that completes it, both read from the server's
request log (no polling in the measurement).

Peer, in the same run: the same pipeline with 0 ms per call, so the ratio shows
what GitHub's round trips cost against codi's own work.

    .venv/bin/python bench/e2e_latency.py [--prs 20] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.app import create_app  # noqa: E402
from codi.settings import Settings  # noqa: E402
from tests.github_api.fixtures import make_app_credentials  # noqa: E402
from tests.github_api.server import FakeGitHub  # noqa: E402
from tests.github_api.state import PullRequestState  # noqa: E402
from tests.github_api.webhooks import sign, webhook_payload  # noqa: E402
from tests.worker.conftest import (  # noqa: E402
    BASE_DOCKERFILE,
    HEAD_DOCKERFILE,
    INSTALLATION,
    NAME,
    OWNER,
    ReceiverServer,
    WorkerProcess,
)

REDIS_DB = 14


def measure(github: FakeGitHub, receiver: ReceiverServer, secret: str, first_pr: int, count: int) -> list[float]:
    """Seconds from delivery to review posted and check run completed, for PRs first_pr … first_pr + count - 1."""
    latencies = []
    for number in range(first_pr, first_pr + count):
        pull = github.add_pull(OWNER, NAME, number, {"Dockerfile": BASE_DOCKERFILE}, {"Dockerfile": HEAD_DOCKERFILE})
        body = json.dumps(webhook_payload("pull_request", "opened", pull)).encode()
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": f"bench-{number}",
            "X-Hub-Signature-256": sign(body, secret),
            "Content-Type": "application/json",
        }
        sent = time.time()
        answer = httpx.post(f"{receiver.url}/webhooks/github", content=body, headers=headers, timeout=10)
        assert answer.status_code == 202, answer.text
        done = _wait_done(github, pull)
        latencies.append(done - sent)
    return latencies


def _wait_done(github: FakeGitHub, pull: PullRequestState, timeout: float = 60) -> float:
    """When the PR's review POST and completing check-run PATCH were recorded (the server's own timestamps)."""
    deadline = time.monotonic() + timeout
    review_path = f"/repos/{OWNER}/{NAME}/pulls/{pull.number}/reviews"
    while time.monotonic() < deadline:
        runs = [run for run in github.check_runs(OWNER, NAME) if run.head_sha == pull.head_sha]
        if runs and runs[0].status == "completed":
            run_path = f"/repos/{OWNER}/{NAME}/check-runs/{runs[0].id}"
            stamps = [r.timestamp for r in list(github.requests) if r.path in (review_path, run_path)]
            return max(stamps)
        time.sleep(0.005)
    raise TimeoutError(f"PR #{pull.number} was not reviewed within {timeout} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per GitHub API call (default 0.05)")
    args = parser.parse_args()

    subprocess.run([ROOT / "scripts" / "services"], check=True)
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    app = make_app_credentials(Path(tempfile.mkdtemp()))
    github = FakeGitHub()
    github.start()
    github.configure_app(app.app_id, app.public_key_pem)
    github.add_installation(INSTALLATION, OWNER)
    github.add_repo(OWNER, NAME, INSTALLATION)
    settings = Settings(
        webhook_secret=app.webhook_secret,
        github_app_id=app.app_id,
        github_private_key_path=app.private_key_path,
        redis_url=redis_url,
        github_api_url=github.url,
    )
    receiver = ReceiverServer(create_app(settings))
    worker = WorkerProcess({**app.env(github.url), "CODI_REDIS_URL": redis_url})
    try:
        measure(github, receiver, app.webhook_secret, 1, 1)  # warm-up: token, imports, ShellCheck's first start
        results = {}
        next_pr = 2
        for label, latency in (("github", args.latency), ("peer", 0.0)):
            github.latency = latency
            before = len(github.requests)
            results[label] = measure(github, receiver, app.webhook_secret, next_pr, args.prs)
            calls_per_pr = (len(github.requests) - before) / args.prs
            next_pr += args.prs
        assert not github.violations, github.violations
    finally:
        worker.stop()
        receiver.stop()
        github.stop()
        redis.Redis.from_url(redis_url).flushdb()

    print(f"PR opened → check run completed + review posted, N={args.prs} PRs each, one worker, cpu={os.cpu_count()}")
    for label, values in results.items():
        per_call = f"{args.latency * 1000:.0f} ms" if label == "github" else "0 ms"
        print(
            f"  {label:6} ({per_call} per GitHub call): p50 {statistics.median(values) * 1000:7.1f} ms   "
            f"p95 {percentile(values, 0.95) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms"
        )
    ratio = statistics.median(results["github"]) / statistics.median(results["peer"])
    print(f"  ratio p50 github/peer: {ratio:.1f}x   GitHub API calls per PR: {calls_per_pr:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
