"""A review ranked by the real local model in a `codi worker` process: the summary's ranking with the model's
labelled text, the check run's top candidate, the call in /metrics and in the database."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from codi.llm import bundled_model_path
from codi.settings import Settings
from codi.storage.database import init_db
from codi.storage.rankings import RankingStore
from tests.github_api.fixtures import GitHubAppCredentials
from tests.github_api.server import FakeGitHub
from tests.github_api.webhooks import webhook_payload
from tests.worker.conftest import NAME, OWNER, ReceiverServer, WorkerProcess, seed_pull, worker_env
from tests.worker.test_end_to_end import deliver, job_result, receiver  # noqa: F401  (fixture)

DOCKERFILE = (
    "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    "COPY . .\nEXPOSE 8000\nCMD python app.py\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_review_is_ranked_by_the_model_and_the_call_is_counted_and_stored(
    settings: Settings,
    github_app: GitHubAppCredentials,
    github_api: FakeGitHub,
    receiver: ReceiverServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'codi.db'}"
    port = _free_port()
    env = worker_env(settings, github_app, CODI_LLM_MODEL_PATH=str(bundled_model_path()), CODI_DATABASE_URL=database)
    worker = WorkerProcess(env, args=["--metrics-port", str(port)])
    try:
        pull = seed_pull(github_api, head_files={"Dockerfile": DOCKERFILE})
        answer = deliver(receiver, github_app.webhook_secret, "pull_request", webhook_payload("pull_request", "opened", pull))
        job_result(settings, answer.json()["job_id"], timeout=120)

        [summary] = github_api.issue_comments(OWNER, NAME, 1)
        assert "#### Ranking" in summary.body and "**`Dockerfile`**: 1. **" in summary.body
        model = "SmolLM2-135M-Instruct.Q4_1"
        assert f"Ordered by the local model `{model}`" in summary.body or f"the model `{model}`'s answer was not used" in summary.body
        [check_run] = github_api.check_runs(OWNER, NAME)
        assert "### Top candidates" in (check_run.summary or "") and "- `Dockerfile`: **" in (check_run.summary or "")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert f'codi_llm_calls_total{{model="{model}",outcome=' in metrics
        [row] = RankingStore(init_db(database)).for_commit(f"{OWNER}/{NAME}", pull.head_sha)
        assert row.model == model and row.prompt_tokens and sorted(row.ranked) == ["fixes", "multi-stage"]
        assert github_api.violations == []
    finally:
        worker.stop()
