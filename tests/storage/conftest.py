"""Evidence stores on both backends: a SQLite file per test, a PostgreSQL schema per test (prefixed per session)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("CODI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""Where the PostgreSQL tests connect; `scripts/services` starts the server there when it is down."""


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_session_prefix() -> str:
    """PostgreSQL answers (started when down), and this session's schema names start with a prefix of its own."""
    subprocess.run([ROOT / "scripts" / "services"], check=True)
    return f"codi_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgres_url(postgres_session_prefix: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema (search_path in libpq options), dropped after the test."""
    schema = f"{postgres_session_prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a SQLite file and a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'codi.db'}"
    return request.getfixturevalue("postgres_url")
