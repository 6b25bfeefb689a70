"""Runs: one row per optimize, review, action or App review, with its files and the build evidence it used.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=False),
        sa.Column("repository", sa.String(200)),
        sa.Column("pull_number", sa.Integer),
        sa.Column("head_sha", sa.String(64)),
        sa.Column("local_path", sa.Text),
        sa.Column("environment", sa.JSON, nullable=False),
        sa.Column("durations", sa.JSON, nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_run_started_at", "run", ["started_at"])
    op.create_index("ix_run_repository", "run", ["repository"])
    op.create_table(
        "run_file",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("stack", sa.String(50)),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("measurements", sa.JSON, nullable=False),
        sa.Column("ranking", sa.JSON(none_as_null=True)),
    )
    op.create_index("ix_run_file_run_id", "run_file", ["run_id"])
    op.create_index("ix_run_file_stack", "run_file", ["stack"])
    op.create_table(
        "run_evidence",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("evidence_key", sa.String(64), primary_key=True),
    )
    op.create_index("ix_run_evidence_key", "run_evidence", ["evidence_key"])


def downgrade() -> None:
    for table in ("run_evidence", "run_file", "run"):
        op.drop_table(table)
