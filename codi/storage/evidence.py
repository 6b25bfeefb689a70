"""Build evidence: one record per build, keyed by everything that decides the build's result.

A build whose idempotency key already has a record is never run again
(`EvidenceStore.find_or_build`): the same base image, candidate text, build
context, platform, module versions and codi version give the same image, so
the stored result stands in for a rebuild. Two workers racing on one key both
may build, but only the first insert is kept (the key is unique); the other
reads the winner's record and reports it as reused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, SQLModel, select

from codi.pipeline.measured import Measurements, ScanSummary

KEY_SCHEME = "codi-build-evidence/1"
"""Leads every key's encoding; a new encoding gets a new tag, so it never matches records made by an old one."""
LOG_TAIL_CHARS = 16_000
"""A failure's log tail is cut to its last this many characters: the end of a build log says why it failed."""


def idempotency_key(
    base_image_digest: str,
    candidate_text: str,
    context_hash: str,
    platform: str,
    module_versions: Iterable[tuple[str, str]],
    codi_version: str,
) -> str:
    """The build's identity: sha256 (64 lowercase hex digits) of a canonical encoding of its inputs.

    The encoding is the compact JSON array `[KEY_SCHEME, base_image_digest,
    candidate_text, context_hash, platform, [[module, version], …], codi_version]`
    with ASCII escapes (`ensure_ascii`), so its bytes never depend on the locale.
    JSON quoting keeps the fields apart (`("ab", "c")` and `("a", "bc")` differ);
    module pairs are sorted, so the order modules were injected in does not matter.
    """
    encoding = json.dumps(
        [
            KEY_SCHEME,
            base_image_digest,
            candidate_text,
            context_hash,
            platform,
            sorted([name, version] for name, version in module_versions),
            codi_version,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(encoding.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class BuildFailure:
    """Why a build failed (build error, missing file, failed smoke test …) and the end of its log."""

    reason: str
    log_tail: str


@dataclass(frozen=True)
class BuildOutcome:
    """What one build of one candidate on one platform produced; `find_or_build`'s callable returns it.

    A build that could not be attempted (engine down, disk full) raises instead:
    nothing is recorded, so the key is built again next time.
    """

    platform: str
    strategy: str
    """`original`, `fixes`, `multi-stage` or `minimal`."""
    codi_version: str
    module_versions: tuple[tuple[str, str], ...] = ()
    image_id: str | None = None
    measurements: Measurements | None = None
    """None when the build stopped before the image could be measured."""
    scan: ScanSummary | None = None
    """None: not scanned."""
    sbom_path: str | None = None
    log_path: str | None = None
    files_path: str | None = None
    """JSON object path → size of the image's application files (judged against the original's)."""
    failure: BuildFailure | None = None
    """None for a build that passed."""

    @property
    def result(self) -> Literal["pass", "fail"]:
        return "pass" if self.failure is None else "fail"


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite hands back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class _DataclassJSON(TypeDecorator[Any]):
    """A frozen dataclass stored as a JSON object (JSONB on PostgreSQL); SQL NULL for None."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def __init__(self, kind: type[Measurements] | type[ScanSummary]) -> None:
        super().__init__()
        self.kind = kind

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else dataclasses.asdict(value)

    def process_result_value(self, value: dict[str, Any] | None, dialect: Dialect) -> Any:
        return None if value is None else self.kind.from_json(value)


def _now() -> datetime:
    return datetime.now(UTC)


class BuildEvidence(SQLModel, table=True):
    """One build's record: its result, image, measurements, scan summary and where its SBOM and log are."""

    __tablename__ = "build_evidence"
    __table_args__ = (CheckConstraint("result IN ('pass', 'fail')", name="build_evidence_result"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=_now, sa_column=Column(UtcDateTime(), nullable=False))
    result: str = Field(sa_column=Column(String(4), nullable=False))
    image_id: str | None = Field(default=None, sa_column=Column(String(200)))
    platform: str = Field(sa_column=Column(String(100), nullable=False))
    strategy: str = Field(sa_column=Column(String(50), nullable=False))
    measurements: Measurements | None = Field(default=None, sa_column=Column(_DataclassJSON(Measurements)))
    scan: ScanSummary | None = Field(default=None, sa_column=Column(_DataclassJSON(ScanSummary)))
    """SQL NULL: not scanned; a summary with zero counts: scanned, nothing found."""
    sbom_path: str | None = Field(default=None, sa_column=Column(Text))
    log_path: str | None = Field(default=None, sa_column=Column(Text))
    files_path: str | None = Field(default=None, sa_column=Column(Text))
    codi_version: str = Field(sa_column=Column(String(50), nullable=False))
    module_versions: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Sorted `[module, version]` pairs."""


class BuildError(SQLModel, table=True):
    """Why a recorded build failed, with the end of its log (one per failed evidence record)."""

    __tablename__ = "build_error"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), ForeignKey("build_evidence.key"), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=_now, sa_column=Column(UtcDateTime(), nullable=False))
    log_tail: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))


class AlreadyRecorded(Exception):
    """The key has a record already (another worker won the race); records are never overwritten."""


class EvidenceStore:
    """Reads and writes build evidence through an engine from `codi.storage.database.init_db`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str) -> BuildEvidence | None:
        with Session(self._engine, expire_on_commit=False) as session:
            return session.exec(select(BuildEvidence).where(BuildEvidence.key == key)).first()

    def get_error(self, key: str) -> BuildError | None:
        with Session(self._engine, expire_on_commit=False) as session:
            return session.exec(select(BuildError).where(BuildError.key == key)).first()

    def record_success(self, key: str, outcome: BuildOutcome) -> BuildEvidence:
        """Record a passed build; raises `AlreadyRecorded` when the key has a record."""
        if outcome.failure is not None:
            raise ValueError("a failed build is recorded with record_failure")
        return self._insert(key, outcome)

    def record_failure(self, key: str, outcome: BuildOutcome) -> BuildEvidence:
        """Record a failed build and its error (reason, log tail) together; raises `AlreadyRecorded` likewise."""
        if outcome.failure is None:
            raise ValueError("a passed build is recorded with record_success")
        return self._insert(key, outcome)

    def find_or_build(self, key: str, build: Callable[[], BuildOutcome]) -> tuple[BuildEvidence, bool]:
        """The key's record and whether it was reused; `build` runs only when the key has none.

        When another worker records the key while `build` runs, its record wins
        and is returned as reused: this build's image is not the recorded one.
        """
        existing = self.get(key)
        if existing is not None:
            return existing, True
        outcome = build()
        record = self.record_success if outcome.failure is None else self.record_failure
        try:
            return record(key, outcome), False
        except AlreadyRecorded:
            winner = self.get(key)
            assert winner is not None, "a recorded key has a record"
            return winner, True

    def _insert(self, key: str, outcome: BuildOutcome) -> BuildEvidence:
        evidence = BuildEvidence(
            key=key,
            result=outcome.result,
            image_id=outcome.image_id,
            platform=outcome.platform,
            strategy=outcome.strategy,
            measurements=outcome.measurements,
            scan=outcome.scan,
            sbom_path=outcome.sbom_path,
            log_path=outcome.log_path,
            files_path=outcome.files_path,
            codi_version=outcome.codi_version,
            module_versions=sorted([name, version] for name, version in outcome.module_versions),
        )
        with Session(self._engine, expire_on_commit=False) as session:
            try:
                session.add(evidence)
                if outcome.failure is not None:
                    session.flush()  # the error row refers to the evidence row's key
                    session.add(
                        BuildError(
                            key=key,
                            created_at=evidence.created_at,
                            log_tail=outcome.failure.log_tail[-LOG_TAIL_CHARS:],
                            reason=outcome.failure.reason,
                        )
                    )
                session.commit()
            except IntegrityError:
                session.rollback()
                if self.get(key) is not None:
                    raise AlreadyRecorded(key) from None
                raise
        return evidence
