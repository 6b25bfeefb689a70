"""The engine behind `CODI_DATABASE_URL`: SQLite (default `CODI_DATA_DIR/evidence.db`) or PostgreSQL (psycopg 3).

A URL codi cannot use stops start-up with a `SettingsError` naming the variable,
like every other setting; the password never appears in the message.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from codi.settings import SettingsError
from codi.storage.migrations import upgrade

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for another process's write lock before failing (evidence writes take ms)."""
POSTGRES_CONNECT_TIMEOUT_S = 10
SCHEMA_LOCK = 0x636F6469
"""PostgreSQL advisory lock held while migrating the schema, so workers starting together do not collide
(SQLite's write lock, taken with BEGIN IMMEDIATE, does the same there)."""
DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
"""URL schemes codi accepts → the driver it uses (`postgresql://` means psycopg 3, the driver codi installs)."""
EXPECTED = "expected sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DATABASE"


def init_db(url: str) -> Engine:
    """An engine for `url` with its schema migrated to the newest revision (idempotent; a database made before
    migrations is adopted with its rows); `SettingsError` when unusable."""
    engine = _engine(_parse(url))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": SCHEMA_LOCK})
            else:  # take the write lock before looking for the tables
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            upgrade(connection)
    except DBAPIError as error:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        detail = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise SettingsError(f"invalid configuration: CODI_DATABASE_URL {shown} cannot be used: {detail}") from None
    return engine


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(f"invalid configuration: CODI_DATABASE_URL is not a database URL ({EXPECTED})") from None
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise SettingsError(
            f"invalid configuration: CODI_DATABASE_URL names an unsupported database {parsed.drivername!r} ({EXPECTED})"
        )
    if driver == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise SettingsError(
            "invalid configuration: CODI_DATABASE_URL needs a SQLite file (an in-memory database "
            f"is lost on exit and not shared between workers; {EXPECTED})"
        )
    return parsed.set(drivername=driver)


def _engine(url: URL) -> Engine:
    if url.drivername != "sqlite":
        return create_engine(url, connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}, pool_pre_ping=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: sqlite3.Connection, _record: Any) -> None:
    """WAL lets readers run beside the one writer; the busy timeout makes a second writer wait, not fail.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database
    is locked" at once instead of waiting while another connection holds the write
    lock (it avoids a deadlock that way): the switch is retried until the busy timeout.
    """
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            break
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    cursor.close()
