"""Runs to serve: five through the real linter and optimiser (two repositories, two stacks, outcomes, a local
file, measured candidates over a month) and the reports' hostile run (tests/reports/runs.py); `/codi apply` runs
through the real fixer for the tests that add them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from codi.app import create_app
from codi.pipeline.lint import fix_passes, lint_text
from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.optimize.stack import detect_stack
from codi.storage.database import init_db
from codi.storage.runs import Run, RunMeasurement, RunStore, applied_file, environment, run_file
from tests.app.conftest import make_settings
from tests.reports.runs import rich_run

TOKEN = "an api token 0123456789"
BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PYTHON = "FROM python:3.11\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD python /app/main.py\n"
NODE = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD node server.js\n"


def measured(strategy: str, status: str, ratio: float | None) -> RunMeasurement:
    return RunMeasurement(strategy=strategy, evidence_key=f"{strategy}-{ratio}", status=status, size_bytes=100,
                          size_delta_ratio=ratio, smoke="pass" if status == "pass" else "fail")  # fmt: skip


def a_run(text: str, days: int, outcome: str, repository: str | None, measurements: list[RunMeasurement]) -> Run:
    file = run_file("Dockerfile", text, lint_text(text).findings, optimize("Dockerfile", text))
    file.measurements = measurements
    started = BASE + timedelta(days=days)
    local = repository is None
    return Run(kind="optimize" if local else "app", outcome=outcome, started_at=started,
               finished_at=started + timedelta(seconds=3), repository=repository, pull_number=None if local else days,
               head_sha=None if local else f"{days:02d}" * 20, local_path="/srv/app/Dockerfile" if local else None,
               files=[file], environment=environment(None, [], "none"), durations={"lint": 0.25})  # fmt: skip


def an_apply_run(text: str, days: int, repository: str) -> Run:
    """`/codi apply` committing every safe fix of `text`: its findings are the fixes `fix_passes` applied."""
    file = applied_file("Dockerfile", text, fix_passes(text).applied, detect_stack(text).stack)
    started = BASE + timedelta(days=days, hours=1)
    return Run(kind="apply", outcome="applied", started_at=started, finished_at=started + timedelta(seconds=2),
               repository=repository, pull_number=days, head_sha=f"{days:02d}" * 20, commit_sha="c" * 40,
               files=[file], environment=environment(), durations={"analyse": 0.1, "post": 0.3})  # fmt: skip


def apply_runs() -> list[Run]:
    """Two on octo/api's Python Dockerfile, one on octo/web's Node one."""
    return [
        an_apply_run(PYTHON, 0, "octo/api"), an_apply_run(PYTHON, 10, "octo/api"), an_apply_run(NODE, 20, "octo/web")
    ]  # fmt: skip


def seeded_runs() -> list[Run]:
    """Oldest first; ids 1 to 6 in a fresh store."""
    original = measured("original", "pass", None)
    hostile = rich_run()
    hostile.id = None
    return [
        a_run(PYTHON, 0, "failure", "Octo/API",
              [original, measured("fixes", "pass", -0.3), measured("slim", "pass", -0.6)]),
        a_run(PYTHON, 10, "success", "octo/api",
              [original, measured("slim", "pass", -0.5), measured("x", "fail", None)]),
        a_run(NODE, 20, "success", "octo/web", [original, measured("slim", "pass", -0.2)]),
        a_run(NODE, 25, "failure", "octo/web", []),
        a_run(PYTHON, 28, "candidates", None, []),
        hostile,  # 2026-12-01 09:30: after the others
    ]


def seed(database_url: str, extra: Sequence[Run] = ()) -> list[int]:
    """The seeded runs (ids 1 to 6), then `extra`."""
    store = RunStore(init_db(database_url))
    try:
        return [store.record(run) for run in [*seeded_runs(), *extra]]
    finally:
        store.close()


@contextmanager
def api_client(key_path: Path, database_url: str, **changes: Any) -> Iterator[TestClient]:
    """The receiver app with the API on (CODI_API_TOKEN set) over `database_url`; its store closed after."""
    settings = make_settings(key_path, **({"database_url": database_url, "api_token": TOKEN} | changes))
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            yield client
    finally:
        if hasattr(app.state, "run_stores"):
            app.state.run_stores.close()


BEARER = {"Authorization": f"Bearer {TOKEN}"}
