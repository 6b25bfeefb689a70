"""Runs of `/codi apply` name the commit they pushed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("run", sa.Column("commit_sha", sa.String(64)))


def downgrade() -> None:
    op.drop_column("run", "commit_sha")
