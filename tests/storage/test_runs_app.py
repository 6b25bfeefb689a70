"""The App's review records a run: an in-process arq worker on real Redis, the local GitHub API, and the run
store on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from codi.adapters.shellcheck import ShellCheckRunner
from codi.pipeline.lint import lint_text
from codi.settings import Settings
from codi.storage.database import init_db
from codi.storage.runs import RunFilter, RunStore, sha256_text
from tests.github_api.server import FakeGitHub
from tests.worker.conftest import (  # noqa: F401  (fixtures)
    HEAD_DOCKERFILE,
    NAME,
    OWNER,
    github_api,
    github_app,
    redis_db,
    redis_db_number,
    review_job,
    run_jobs,
    seed_pull,
    settings,
)


def test_an_app_review_records_its_run(
    settings: Settings, github_api: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": database_url, "data_dir": tmp_path / "data"})
    pull = seed_pull(github_api)
    assert run_jobs(settings, review_job(pull)) == {"complete": 1, "failed": 0, "retried": 0}

    engine = init_db(database_url)
    store = RunStore(engine)
    [summary] = store.list(RunFilter(repository=f"{OWNER}/{NAME}")).runs
    run = store.get(summary.id)
    assert (run.kind, run.outcome, run.repository, run.pull_number, run.head_sha) == (
        "app", "failure", f"{OWNER}/{NAME}", pull.number, pull.head_sha,
    )  # fmt: skip
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert run.outcome == check_run.conclusion
    [file] = run.files
    assert (file.path, file.text, file.sha256) == ("Dockerfile", HEAD_DOCKERFILE, sha256_text(HEAD_DOCKERFILE))
    expected = lint_text(HEAD_DOCKERFILE, checker=ShellCheckRunner.discover()).findings
    assert sorted((f.line, f.code) for f in file.findings) == sorted((f.line, f.code) for f in expected)
    assert file.stack is not None and file.measurements == []  # builds are off
    assert {"analyse", "build", "rank", "post"} == set(run.durations)
    assert (run.environment.model, run.environment.network, run.environment.build_network) == (None, "air-gapped", None)
    engine.dispose()


def test_with_a_public_url_the_summary_links_to_the_stored_runs_report(
    settings: Settings, github_api: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    settings = settings.model_copy(
        update={"database_url": database_url, "data_dir": tmp_path / "data", "public_url": "https://codi.example/"}
    )
    pull = seed_pull(github_api)
    assert run_jobs(settings, review_job(pull)) == {"complete": 1, "failed": 0, "retried": 0}

    engine = init_db(database_url)
    [stored] = RunStore(engine).list(RunFilter(repository=f"{OWNER}/{NAME}")).runs
    [summary] = github_api.issue_comments(OWNER, NAME, pull.number)  # upserted: one comment, not two
    assert f"https://codi.example/runs/{stored.id}/report" in summary.body
    engine.dispose()


def test_without_a_public_url_the_summary_has_no_report_link(
    settings: Settings, github_api: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": database_url, "data_dir": tmp_path / "data"})
    pull = seed_pull(github_api)
    assert run_jobs(settings, review_job(pull)) == {"complete": 1, "failed": 0, "retried": 0}
    [summary] = github_api.issue_comments(OWNER, NAME, pull.number)
    assert "/report" not in summary.body
