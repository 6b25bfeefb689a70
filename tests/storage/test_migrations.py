"""Alembic migrations on SQLite and PostgreSQL: an empty database, and one made by the schema before migrations.

The previous schema is the DDL `create_all` emitted before Alembic, frozen in tests/data/schema-0-*.sql:
the test does not use today's models to make it, so a change to a model cannot hide a missing migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import codi.storage.approvals  # noqa: F401  (their tables in SQLModel.metadata)
import codi.storage.rankings  # noqa: F401
from codi.storage.approvals import ApprovalStore
from codi.storage.database import _parse, init_db
from codi.storage.evidence import EvidenceStore
from codi.storage.migrations import SCRIPTS
from codi.storage.rankings import RankingStore
from codi.storage.runs import Run, RunEnvironment, RunFile, RunStore

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = ScriptDirectory(str(SCRIPTS)).get_current_head()
KEY = "e" * 64
WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _schema(engine: Engine) -> tuple[set[str], list[object], str | None]:
    """Tables, differences from the models (Alembic's autogenerate comparison) and the recorded revision."""
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        revision = MigrationContext.configure(connection).get_current_revision()
    return set(inspect(engine).get_table_names()), differences, revision


@pytest.fixture
def engines(database_url: str) -> Iterator[list[Engine]]:
    """Engines opened by the test, disposed after it (the PostgreSQL schema is dropped after that)."""
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()


def test_an_empty_database_is_upgraded_to_the_models_schema(database_url: str, engines: list[Engine]) -> None:
    engine = init_db(database_url)
    engines.append(engine)
    tables, differences, revision = _schema(engine)
    assert tables == {"alembic_version", "build_evidence", "build_error", "ranking_run", "build_approval",
                      "run", "run_file", "run_evidence"}  # fmt: skip
    assert differences == [], "a model changed without a migration"
    assert revision == HEAD == "0003"
    engines.append(init_db(database_url))  # at head already: nothing to do, nothing fails
    assert _schema(engines[-1])[2] == HEAD


def test_a_database_of_the_previous_schema_is_adopted_with_its_rows(database_url: str, engines: list[Engine]) -> None:
    old = create_engine(_parse(database_url))
    engines.append(old)
    dialect = old.dialect.name
    with old.begin() as connection:
        for statement in (DATA / f"schema-0-{dialect}.sql").read_text().split(";"):
            if statement.strip():
                connection.exec_driver_sql(statement)
        tables = MetaData()
        tables.reflect(connection)  # the old tables' own column types, not today's models
        rows = {
            "build_evidence": {"key": KEY, "created_at": WHEN, "result": "fail", "platform": "linux/amd64",
                               "strategy": "minimal", "log_path": "/var/lib/codi/logs/e.log", "codi_version": "0.1.0",
                               "module_versions": [["security", "1.1.0"]]},
            "build_error": {"key": KEY, "created_at": WHEN, "log_tail": "tail", "reason": "COPY failed"},
            "ranking_run": {"created_at": WHEN, "repository": "octo/app", "head_sha": "a" * 40, "path": "Dockerfile",
                            "source": "model", "ranked": ["slim", "fixes"], "deterministic": ["fixes", "slim"],
                            "model": "SmolLM2", "prompt_tokens": 400, "output_tokens": 20, "latency_s": 1.5},
            "build_approval": {"approved_at": WHEN, "repository": "octo/app", "pull_number": 7, "head_sha": "a" * 40,
                               "approver": "maintainer"},
        }  # fmt: skip
        for name, row in rows.items():
            connection.execute(tables.tables[name].insert(), row)
    assert _schema(old)[2] is None  # no alembic_version: made before migrations

    engine = init_db(database_url)
    engines.append(engine)
    tables, differences, revision = _schema(engine)
    assert {"run", "run_file", "run_evidence"} <= tables and differences == [] and revision == HEAD

    evidence = EvidenceStore(engine).get(KEY)
    assert evidence is not None and (evidence.result, evidence.strategy, evidence.module_versions) == (
        "fail", "minimal", [["security", "1.1.0"]],
    )  # fmt: skip
    error = EvidenceStore(engine).get_error(KEY)
    assert error is not None and error.reason == "COPY failed"
    [ranking] = RankingStore(engine).for_commit("octo/app", "a" * 40)
    assert (ranking.ranked, ranking.model, ranking.created_at) == (["slim", "fixes"], "SmolLM2", WHEN)
    [approval] = ApprovalStore(engine).approvals("octo/app", 7, "a" * 40)
    assert approval.approver == "maintainer"

    environment = RunEnvironment(codi_version="0.1.0", catalog_version="0" * 12, module_versions={}, network="none")
    file = RunFile(path="Dockerfile", sha256="0" * 64, text="FROM scratch\n")
    run_id = RunStore(engine).record(Run(kind="optimize", outcome="no-candidate", started_at=WHEN, finished_at=WHEN,
                                         local_path="/src", files=[file], environment=environment))  # fmt: skip
    assert RunStore(engine).get(run_id).files == [file]


def test_a_database_of_revision_0002_keeps_its_runs_and_gains_the_apply_commit(
    database_url: str, engines: list[Engine]
) -> None:
    """0003 adds `run.commit_sha` (the commit `/codi apply` pushed): a run stored before it reads back without one."""
    old = create_engine(_parse(database_url))
    engines.append(old)
    with old.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.exec_driver_sql(
            "INSERT INTO run (kind, outcome, started_at, finished_at, repository, pull_number, head_sha, environment,"
            " durations) VALUES ('app', 'success', '2026-11-01 12:00:00+00:00', '2026-11-01 12:00:03+00:00',"
            " 'octo/app', 7, 'aaaa', '{\"codi_version\": \"0.1.0\", \"catalog_version\": \"000000000000\","
            " \"module_versions\": {}, \"network\": \"air-gapped\"}', '{}')"
        )
    assert _schema(old)[2] == "0002"

    engine = init_db(database_url)
    engines.append(engine)
    _, differences, revision = _schema(engine)
    assert differences == [] and revision == HEAD
    [summary] = RunStore(engine).list().runs
    stored = RunStore(engine).get(summary.id)
    assert (stored.kind, stored.repository, stored.head_sha, stored.commit_sha) == ("app", "octo/app", "aaaa", None)
