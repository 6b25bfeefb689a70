"""codi's database schema as Alembic revisions, shipped in the package and applied by `init_db` (`upgrade head`).

The first revision adopts a database made before migrations existed (by `create_all`): it creates only the
tables that are missing, so rows already stored stay. Each later change to a table is a new revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

SCRIPTS = Path(__file__).resolve().parent


def upgrade(connection: Connection) -> None:
    """Bring the schema on `connection` to the newest revision, inside the caller's transaction (and lock)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
