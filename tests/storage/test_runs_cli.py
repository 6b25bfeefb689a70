"""`codi optimize` and `codi review` record runs; `codi runs list|show|prune` reads and prunes them (SQLite and
PostgreSQL); each bad input gets its message and exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from codi.cli.main import main
from codi.storage.database import init_db
from codi.storage.evidence import BuildEvidence, EvidenceStore
from codi.storage.runs import RunStore
from tests.storage.test_runs import a_run, measured

APP = Path(__file__).resolve().parents[1] / "data" / "apps" / "flask-naive"
UNREACHABLE = "postgresql+psycopg://codi@127.0.0.1:1/codi"


@pytest.fixture
def database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CODI_DATABASE_URL", database_url)
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    return database_url


def codi(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_optimize_records_a_run_that_list_and_show_give(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = shutil.copytree(APP, tmp_path / "app")
    status, out, err = codi(capsys, "optimize", str(app / "Dockerfile"), "-f", "json")
    assert status == 0 and json.loads(out) and "codi: recorded run 1 (codi runs show 1)" in err

    status, out, _ = codi(capsys, "runs", "list", "--format", "json")
    [listed] = json.loads(out)["runs"]
    assert status == 0 and (listed["id"], listed["kind"], listed["outcome"], listed["stacks"]) == (
        1, "optimize", "candidates", ["python"],
    )  # fmt: skip
    assert listed["local_path"] == str(app / "Dockerfile") and listed["candidates"] >= 2

    status, out, _ = codi(capsys, "runs", "show", "1", "--format", "json")
    shown = json.loads(out)
    [file] = shown["files"]
    assert status == 0 and file["text"] == (app / "Dockerfile").read_text() and len(file["sha256"]) == 64
    assert {candidate["strategy"] for candidate in file["candidates"]} >= {"fixes", "multi-stage"}
    assert set(shown["durations"]) == {"optimise", "post"} and shown["environment"]["build_network"] is None

    status, out, _ = codi(capsys, "runs", "show", "1")
    assert status == 0 and out.startswith(f"run 1: optimize of {app / 'Dockerfile'}: candidates\n")
    assert "candidate multi-stage: estimate" in out and "codi 0.1.0, catalog " in out


def test_a_build_that_cannot_start_is_recorded_as_an_error(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv("CODI_BUILD_NETWORK", "none")
    status, _, err = codi(capsys, "optimize", str(APP / "Dockerfile"), "--build")
    assert status == 2 and "DOCKER_HOST is not set" in err and "codi: recorded run 1" in err
    run = RunStore(init_db(database)).get(1)
    assert (run.outcome, run.environment.build_network) == ("error", "none")
    assert run.detail is not None and run.detail.startswith("DOCKER_HOST is not set")
    assert run.files[0].candidates and run.files[0].measurements == [] and "build" in run.durations


def test_review_records_a_run_with_its_findings(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    git("commit", "-q", "--allow-empty", "-m", "base")
    (repo / "Dockerfile").write_text("FROM python:3.11\nRUN cd /tmp && echo $HOME\n")
    git("add", "Dockerfile")
    git("commit", "-q", "-m", "head")

    status, _, err = codi(capsys, "review", str(repo), "--base", "main~1")
    assert status == 1 and "codi: recorded run 1" in err
    run = RunStore(init_db(database)).get(1)
    head = git("rev-parse", "HEAD")
    assert (run.kind, run.outcome, run.head_sha, run.local_path) == ("review", "failure", head, str(repo))
    [file] = run.files
    assert {"DL3003", "SC2086"} <= {finding.code for finding in file.findings}
    assert {"lint", "shellcheck", "optimise", "post"} <= set(run.durations)


def test_prune_removes_old_runs_and_their_evidence_files(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = init_db(database)
    logs = tmp_path / "data" / "evidence" / "logs"
    logs.mkdir(parents=True)
    month_ago, now = datetime.now(UTC) - timedelta(days=30), datetime.now(UTC)
    with Session(engine) as session:  # evidence built a month ago: one used by an old run, one by a new run
        for key in ("o", "n"):
            (logs / f"{key}.log").write_text("build log\n")
            session.add(BuildEvidence(key=key * 64, created_at=month_ago, result="pass", platform="linux/amd64",
                                      strategy="original", log_path=str(logs / f"{key}.log"), codi_version="0.1.0"))
        session.commit()
    store = RunStore(engine)
    store.record(a_run(started=now - timedelta(days=10), measurements=[measured("original", "pass", None, "o" * 64)]))
    kept = store.record(a_run(started=now, measurements=[measured("original", "pass", None, "n" * 64)]))

    status, out, _ = codi(capsys, "runs", "prune", "--older-than", "7")
    assert (status, out) == (0, "pruned 1 run(s), 1 build evidence record(s), 1 file(s)\n")
    assert [run.id for run in store.list().runs] == [kept]
    assert not (logs / "o.log").exists() and EvidenceStore(engine).get("o" * 64) is None
    assert (logs / "n.log").exists() and EvidenceStore(engine).get("n" * 64) is not None
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["runs", "show", "999"], 1, "codi: no run 999 (see `codi runs list`)"),
        (["runs", "show", "first"], 2, "a run id is a number (see `codi runs list`), not 'first'"),
        (["runs", "prune", "--older-than", "soon"], 2, "--older-than: not a number of days: 'soon'"),
        (["runs", "prune", "--older-than", "-3"], 2, "--older-than: must be a positive number of days, not '-3'"),
        (["runs", "prune"], 2, "the following arguments are required: --older-than"),
        (["runs", "list", "--since", "yesterday"], 2, "not an ISO 8601 date or time: 'yesterday' (e.g. 2026-12-01)"),
        (["runs", "list", "--limit", "-1"], 2, "--limit: must be a whole number, 0 or more, not '-1'"),
    ],
)
def test_bad_arguments_are_named(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str
) -> None:
    try:
        got = main(argv)
    except SystemExit as exit:  # argparse's own errors
        got = int(exit.code or 0)
    err = capsys.readouterr().err
    assert got == status and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (UNREACHABLE, f"CODI_DATABASE_URL {UNREACHABLE} cannot be used: connection failed"),
        ("mysql://codi@127.0.0.1/codi", "CODI_DATABASE_URL names an unsupported database 'mysql'"),
    ],
)
def test_a_database_that_cannot_be_used_is_named(
    url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODI_DATABASE_URL", url)
    for argv in (["runs", "list"], ["runs", "show", "1"], ["runs", "prune", "--older-than", "1"]):
        status, out, err = codi(capsys, *argv)
        assert (status, out) == (2, "") and message in err and err.startswith("codi: invalid configuration:")
    # codi optimize still gives its candidates: the run is what is lost, and it says so
    status, out, err = codi(capsys, "optimize", str(APP / "Dockerfile"), "-f", "json")
    assert status == 0 and json.loads(out)["candidates"]
    assert f"codi: warning: the run was not recorded: invalid configuration: {message}" in err


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["runs", "--help"], ["runs", "prune", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "exit status:\n  0  listed, shown or pruned\n  1  show: no run has that id\n  2  bad arguments" in out
