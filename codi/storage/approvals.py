"""Build approvals: a maintainer's `/codi build` lets the App build one head commit of one pull request.

A build runs the pull request's code, so an approval names the exact commit the
approver saw; a new push is a new commit and needs a new approval. An approval
holds only while its approver still has write access (the review asks GitHub
again before it builds), so the row records who approved, not just that someone did.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Integer, String
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from codi.storage.evidence import UtcDateTime


class BuildApproval(SQLModel, table=True):
    """One person with write access allowed builds of one head commit."""

    __tablename__ = "build_approval"
    __table_args__ = (Index("ix_build_approval_commit", "repository", "pull_number", "head_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    approved_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_column=Column(UtcDateTime(), nullable=False)
    )
    repository: str = Field(sa_column=Column(String(200), nullable=False))
    """`owner/name`, lower case (GitHub's names are case-insensitive)."""
    pull_number: int = Field(sa_column=Column(Integer, nullable=False))
    head_sha: str = Field(sa_column=Column(String(64), nullable=False))
    approver: str = Field(sa_column=Column(String(100), nullable=False))


class ApprovalStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def approve(self, repository: str, pull_number: int, head_sha: str, approver: str) -> BuildApproval:
        """Record the approval; the same person approving the same commit again (a retried job) adds no row."""
        with Session(self._engine, expire_on_commit=False) as session:
            existing = session.exec(
                self._query(repository, pull_number, head_sha).where(BuildApproval.approver == approver)
            ).first()
            if existing is not None:
                return existing
            row = BuildApproval(
                repository=repository.lower(), pull_number=pull_number, head_sha=head_sha, approver=approver
            )
            session.add(row)
            session.commit()
            return row

    def approvals(self, repository: str, pull_number: int, head_sha: str) -> list[BuildApproval]:
        """Every approval of exactly this commit of this pull request, first first (none: an empty list)."""
        with Session(self._engine, expire_on_commit=False) as session:
            return list(session.exec(self._query(repository, pull_number, head_sha).order_by(BuildApproval.id)))

    @staticmethod
    def _query(repository: str, pull_number: int, head_sha: str) -> SelectOfScalar[BuildApproval]:
        return select(BuildApproval).where(
            BuildApproval.repository == repository.lower(),
            BuildApproval.pull_number == pull_number,
            BuildApproval.head_sha == head_sha,
        )
