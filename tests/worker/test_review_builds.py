"""A review with real builds: webhook → review worker → head archive from the local GitHub → build worker on the
real engine → evidence → the summary's measured table; the next commit reuses the unchanged builds."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from codi.settings import Settings
from tests.build.engine import docker_host  # noqa: F401  (fixture)
from tests.github_api.fixtures import GitHubAppCredentials
from tests.github_api.server import FakeGitHub
from tests.github_api.webhooks import webhook_payload
from tests.worker.conftest import NAME, OWNER, ReceiverServer, WorkerProcess, seed_pull, worker_env
from tests.worker.test_build_routing import build_worker
from tests.worker.test_end_to_end import deliver, job_result, receiver  # noqa: F401  (fixture)

DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD python app.py\n"
APP = 'print("hello from the app")\n'
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| (?P<image>[^|]+) \| (?P<result>[^|]+) \| (?P<size>[^|]+) \|", re.M)


@pytest.fixture
def shared(tmp_path: Path) -> dict[str, str]:
    """What review and build workers share: the evidence database and the data folder (contexts, artefacts)."""
    return {"CODI_DATABASE_URL": f"sqlite:///{tmp_path / 'evidence.db'}", "CODI_DATA_DIR": str(tmp_path / "data")}


def test_review_builds_measures_and_reuses(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,  # noqa: F811
    start_worker: Callable[..., WorkerProcess],
    docker_host: str,  # noqa: F811
    shared: dict[str, str],
) -> None:
    builder = build_worker(worker_env(settings, github_app, DOCKER_HOST=docker_host, **shared), ["amd64"])
    try:
        start_worker(CODI_BUILDS="true", CODI_BUILD_DEADLINE_SECONDS="400", **shared)
        pull = seed_pull(github_api, base_files={"README.md": "app\n"},
                         head_files={"svc/Dockerfile": DOCKERFILE, "svc/app.py": APP, "README.md": "app\n"})
        github_api.set_permission(OWNER, NAME, pull.author, "write")  # a writer's branch: built without approval
        answer = deliver(receiver, github_app.webhook_secret, "pull_request",
                         webhook_payload("pull_request", "opened", pull))
        job_result(settings, answer.json()["job_id"], timeout=450)

        [summary] = github_api.issue_comments(OWNER, NAME, 1)
        assert "#### Measured builds" in summary.body
        table = summary.body.split("#### Measured builds", 1)[1]
        rows = {m["image"].strip(): m for m in ROW.finditer(table) if m["path"] == "svc/Dockerfile"}
        assert set(rows) == {"original", "fixes", "slim"}  # slim: the same stage on python:3.11-slim
        assert {name: row["result"].strip() for name, row in rows.items()} == dict.fromkeys(rows, "pass")
        assert rows["fixes"]["size"].strip().endswith("MB")
        assert "fixes candidate, measured" in summary.body and "not scanned" in summary.body
        archive_calls = [r for r in github_api.requests if r.operation_id == "repos/download-tarball-archive"]
        assert [r.status for r in archive_calls] == [302]
        assert any(r.path.startswith("/_codeload/") and r.status == 200 for r in github_api.requests)
        # The build read svc/app.py from the context (it passed), which is removed once the builds are collected.
        assert list((Path(shared["CODI_DATA_DIR"]) / "contexts" / OWNER / NAME).iterdir()) == []

        # A new commit outside the Dockerfile's context (svc/): every build is reused, not rebuilt.
        github_api.push(OWNER, NAME, 1, {"svc/Dockerfile": DOCKERFILE, "svc/app.py": APP, "README.md": "documented\n"})
        answer = deliver(receiver, github_app.webhook_secret, "pull_request",
                         webhook_payload("pull_request", "synchronize", pull), delivery_id="sync-1")
        job_result(settings, answer.json()["job_id"], timeout=450)
        [summary] = github_api.issue_comments(OWNER, NAME, 1)
        images = {m["image"].strip() for m in ROW.finditer(summary.body.split("#### Measured builds", 1)[1])}
        assert images == {"original (reused)", "fixes (reused)", "slim (reused)"}
        assert github_api.violations == []
    finally:
        builder.stop()
