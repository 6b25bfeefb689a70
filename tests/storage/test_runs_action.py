"""`codi action` records a run: a pull_request event against the local GitHub API, the store on SQLite and
PostgreSQL."""

from __future__ import annotations

import os

import pytest

from codi.cli.action import EXIT_FINDINGS
from codi.cli.main import main
from codi.storage.database import init_db
from codi.storage.runs import RunStore, sha256_text
from tests.action.conftest import (  # noqa: F401  (fixtures)
    BOT_LOGIN,
    HEAD_DOCKERFILE,
    NAME,
    OWNER,
    Workflow,
    github_api,
    github_app,
    workflow,
)


def test_a_pull_request_action_records_its_run(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [name for name in os.environ if name.startswith(("GITHUB_", "RUNNER_"))]:
        monkeypatch.delenv(name)
    for name, value in workflow.env(CODI_DATABASE_URL=database_url).items():
        monkeypatch.setenv(name, value)
    assert main(["action", "--comment-author", BOT_LOGIN, "--no-shellcheck"]) == EXIT_FINDINGS
    assert "codi: recorded run 1 (codi runs show 1)" in capsys.readouterr().err

    engine = init_db(database_url)
    run = RunStore(engine).get(1)
    assert (run.kind, run.outcome, run.repository, run.pull_number, run.head_sha) == (
        "action", "failure", f"{OWNER}/{NAME}", 5, workflow.pull.head_sha,
    )  # fmt: skip
    [file] = run.files
    [check_run] = workflow.server.check_runs(OWNER, NAME)
    assert (file.path, file.sha256) == ("Dockerfile", sha256_text(HEAD_DOCKERFILE))
    assert sorted((f.line, f.code) for f in file.findings) == sorted(
        (a.start_line, a.title.split()[0]) for a in check_run.annotations
    )
    engine.dispose()
