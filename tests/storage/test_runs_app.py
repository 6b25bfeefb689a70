"""The App's review and `/codi apply` record runs: an in-process arq worker on real Redis, the local GitHub API,
and the run store on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from codi.adapters.shellcheck import ShellCheckRunner
from codi.pipeline.lint import fix_passes, lint_text
from codi.settings import Settings
from codi.storage.database import init_db
from codi.storage.runs import Run, RunFilter, RunStore, sha256_text
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
from tests.worker.test_outcomes import command_job


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


def _stored_runs(database_url: str) -> list[Run]:
    engine = init_db(database_url)
    store = RunStore(engine)
    try:
        return [store.get(summary.id) for summary in store.list(RunFilter(kind="apply")).runs]
    finally:
        engine.dispose()


def test_codi_apply_records_the_fixes_it_committed(
    settings: Settings, github_api: FakeGitHub, database_url: str, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": database_url, "data_dir": tmp_path / "data"})
    pull = seed_pull(github_api, head_files={"Dockerfile": HEAD_DOCKERFILE, "web/Dockerfile": "FROM debian:12\n"})
    before = pull.head_sha
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(settings, command_job("apply")) == {"complete": 1, "failed": 0, "retried": 0}

    [run] = _stored_runs(database_url)
    after = github_api.pull(OWNER, NAME, pull.number).head_sha
    assert (run.kind, run.outcome, run.repository, run.pull_number) == ("apply", "applied", f"{OWNER}/{NAME}", 1)
    assert (run.head_sha, run.commit_sha) == (before, after) and after != before
    [file] = run.files  # web/Dockerfile has nothing to fix: not committed, not recorded
    assert (file.path, file.text, file.sha256) == ("Dockerfile", HEAD_DOCKERFILE, sha256_text(HEAD_DOCKERFILE))
    applied = fix_passes(HEAD_DOCKERFILE, checker=ShellCheckRunner.discover()).applied
    assert applied and [(f.code, f.line, f.message) for f in file.findings] == [
        (fix.code, fix.finding.span.line, fix.finding.message) for fix in applied
    ]
    assert file.stack is not None and file.candidates == [] and file.measurements == []
    assert set(run.durations) == {"analyse", "post"} and run.detail is None
    assert (run.environment.model, run.environment.build_network) == (None, None)
    assert github_api.violations == []


@pytest.mark.parametrize(
    "seeded, outcome, detail",
    [
        ({"head_files": {"Dockerfile": "FROM debian:12\nUSER app\n"}}, "nothing to apply", None),
        ({"head_repo": "contributor/app", "maintainer_can_modify": False}, "refused",
         "a fork that does not allow edits from maintainers"),
        ({"head_repo": "contributor/app", "maintainer_can_modify": True}, "failed", "GitHub rejected the commit: "),
    ],
    ids=["nothing-to-apply", "fork-refused", "commit-rejected"],
)  # fmt: skip
def test_codi_apply_that_commits_nothing_records_why(
    settings: Settings,
    github_api: FakeGitHub,
    database_url: str,
    tmp_path: Path,
    seeded: dict[str, object],
    outcome: str,
    detail: str | None,
) -> None:
    settings = settings.model_copy(update={"database_url": database_url, "data_dir": tmp_path / "data"})
    pull = seed_pull(github_api, **seeded)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(settings, command_job("apply"))["complete"] == 1

    [run] = _stored_runs(database_url)
    assert (run.outcome, run.head_sha, run.commit_sha, run.files) == (outcome, pull.head_sha, None, [])
    assert run.detail is None if detail is None else (run.detail or "").startswith(detail)
