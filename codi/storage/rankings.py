"""Ranking runs: one row per ranked Dockerfile of a review, with the model's telemetry when one was asked.

Kept so that fallbacks can be counted over time (which model, how often and
why its answer was not used) and a posted order can be traced to its source.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Float, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from codi.pipeline.rank import RankedCandidates
from codi.storage.evidence import UtcDateTime


class RankingRecord(SQLModel, table=True):
    """How one Dockerfile's candidates were ordered at one commit."""

    __tablename__ = "ranking_run"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC), sa_column=Column(UtcDateTime(), nullable=False))
    repository: str = Field(sa_column=Column(String(200), nullable=False))
    head_sha: str = Field(sa_column=Column(String(64), nullable=False))
    path: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(sa_column=Column(String(20), nullable=False))
    """`model` or `deterministic`."""
    ranked: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    deterministic: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    model: str | None = Field(default=None, sa_column=Column(String(200)))
    prompt_tokens: int | None = Field(default=None, sa_column=Column(Integer))
    output_tokens: int | None = Field(default=None, sa_column=Column(Integer))
    latency_s: float | None = Field(default=None, sa_column=Column(Float))
    fallback_reason: str | None = Field(default=None, sa_column=Column(Text))


class RankingStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, repository: str, head_sha: str, ranked: RankedCandidates) -> RankingRecord:
        telemetry = ranked.telemetry
        row = RankingRecord(
            repository=repository,
            head_sha=head_sha,
            path=ranked.path,
            source=ranked.source,
            ranked=list(ranked.order),
            deterministic=list(ranked.ranking.order),
            model=telemetry.model if telemetry else None,
            prompt_tokens=telemetry.prompt_tokens if telemetry else None,
            output_tokens=telemetry.output_tokens if telemetry else None,
            latency_s=telemetry.latency_s if telemetry else None,
            fallback_reason=telemetry.fallback_reason if telemetry else None,
        )
        with Session(self._engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
        return row

    def for_commit(self, repository: str, head_sha: str) -> list[RankingRecord]:
        with Session(self._engine, expire_on_commit=False) as session:
            query = select(RankingRecord).where(
                RankingRecord.repository == repository, RankingRecord.head_sha == head_sha
            )
            return list(session.exec(query.order_by(RankingRecord.id)))
