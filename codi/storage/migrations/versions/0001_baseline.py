"""Baseline: build evidence, build errors, ranking runs and build approvals, as codi made them before Alembic.

A database made by `SQLModel.metadata.create_all` (codi up to 0.1.0) has these tables and no
`alembic_version`: only the missing tables are created, so its rows stay and it is adopted.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
OBJECT = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
"""Measurements and scan summaries: JSONB on PostgreSQL."""


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "build_evidence" not in existing:
        op.create_table(
            "build_evidence",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("key", sa.String(64), nullable=False, unique=True),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("result", sa.String(4), nullable=False),
            sa.Column("image_id", sa.String(200)),
            sa.Column("platform", sa.String(100), nullable=False),
            sa.Column("strategy", sa.String(50), nullable=False),
            sa.Column("measurements", OBJECT),
            sa.Column("scan", OBJECT),
            sa.Column("sbom_path", sa.Text),
            sa.Column("log_path", sa.Text),
            sa.Column("files_path", sa.Text),
            sa.Column("codi_version", sa.String(50), nullable=False),
            sa.Column("module_versions", sa.JSON, nullable=False),
            sa.CheckConstraint("result IN ('pass', 'fail')", name="build_evidence_result"),
        )
    if "build_error" not in existing:
        op.create_table(
            "build_error",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("key", sa.String(64), sa.ForeignKey("build_evidence.key"), nullable=False, unique=True),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("log_tail", sa.Text, nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
        )
    if "ranking_run" not in existing:
        op.create_table(
            "ranking_run",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created_at", TIMESTAMP, nullable=False),
            sa.Column("repository", sa.String(200), nullable=False),
            sa.Column("head_sha", sa.String(64), nullable=False),
            sa.Column("path", sa.Text, nullable=False),
            sa.Column("source", sa.String(20), nullable=False),
            sa.Column("ranked", sa.JSON, nullable=False),
            sa.Column("deterministic", sa.JSON, nullable=False),
            sa.Column("model", sa.String(200)),
            sa.Column("prompt_tokens", sa.Integer),
            sa.Column("output_tokens", sa.Integer),
            sa.Column("latency_s", sa.Float),
            sa.Column("fallback_reason", sa.Text),
        )
    if "build_approval" not in existing:
        op.create_table(
            "build_approval",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("approved_at", TIMESTAMP, nullable=False),
            sa.Column("repository", sa.String(200), nullable=False),
            sa.Column("pull_number", sa.Integer, nullable=False),
            sa.Column("head_sha", sa.String(64), nullable=False),
            sa.Column("approver", sa.String(100), nullable=False),
        )
        op.create_index("ix_build_approval_commit", "build_approval", ["repository", "pull_number", "head_sha"])


def downgrade() -> None:
    for table in ("build_approval", "ranking_run", "build_error", "build_evidence"):
        op.drop_table(table)
