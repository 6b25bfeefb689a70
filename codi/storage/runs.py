"""Runs: one record per `codi optimize`, `codi review`, `codi action`, App review and `/codi apply`, kept to be
looked at later.

A run holds what codi was given (each Dockerfile's path, text and sha256), what it
found, what it proposed, what was measured (with the keys of the build evidence
rows), how the candidates were ranked (and the model's telemetry), the
environment it ran in, how long each pipeline stage took and how it ended. An `apply` run holds the
Dockerfiles `/codi apply` changed as they were at the head, each with the findings whose fixes it committed,
and the commit it pushed.
Reports, the API and the dashboard read runs through `RunStore`'s typed queries.

The edges that run the pipeline build a `Run` with a `RunRecorder` (stage
timings included) from the pure core's results; the core never imports this.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from codi import __version__
from codi.storage.evidence import BuildError, BuildEvidence, UtcDateTime
from codi.storage.run_kinds import RunKind
from codi.timing import StageTimer

if TYPE_CHECKING:  # the edges' and the core's types, for annotations only: `codi runs` does not import the comments
    from codi.comments.candidates import OptimizedFile
    from codi.pipeline.findings import Finding
    from codi.pipeline.lint import AppliedFix
    from codi.pipeline.measured import ImageReport, MeasuredBuilds
    from codi.pipeline.optimize.model import OptimizeResult
    from codi.pipeline.rank import RankedCandidates
    from codi.pipeline.review import ChangedFile, FileReview

STAGES = ("parse", "lint", "shellcheck", "optimise", "analyse", "build", "rank", "post")
"""Stage names a run's durations use. The CLI times lint (parse included) and ShellCheck apart; the App's
worker runs lint, ShellCheck and the optimiser in one sandboxed child, timed as `analyse`."""


# Typed models: what a run is, across the store's boundary


class RunFinding(BaseModel):
    code: str
    severity: str
    line: int
    message: str


class RunEstimate(BaseModel):
    """The optimiser's estimate (not a measurement): sizes may be unknown."""

    size_bytes_before: int | None
    size_bytes_after: int | None
    layers_before: int
    layers_after: int
    basis: str


class RunCandidate(BaseModel):
    strategy: str
    text: str
    changes: list[str]
    """`kind: description`, one per deliberate difference from the original (the rationale)."""
    estimate: RunEstimate


class RunMeasurement(BaseModel):
    """One built image (the original or a candidate), linked to its build evidence by key."""

    strategy: str
    evidence_key: str
    status: Literal["pass", "fail"]
    reason: str | None = None
    size_bytes: int | None = None
    size_delta_ratio: float | None = None
    vulnerabilities: int | None = None
    """Critical + high + medium + low + unknown; None: not scanned."""
    smoke: str | None = None
    reused: bool = False


class RunRanking(BaseModel):
    order: list[str]
    source: str
    """`model` or `deterministic`."""
    deterministic: list[str]
    model: str | None = None
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float | None = None
    fallback_reason: str | None = None


class RunFile(BaseModel):
    """One Dockerfile of a run and everything codi made of it (`apply`: its findings are the ones whose fixes were
    committed)."""

    path: str
    sha256: str
    text: str
    stack: str | None = None
    findings: list[RunFinding] = []
    candidates: list[RunCandidate] = []
    measurements: list[RunMeasurement] = []
    ranking: RunRanking | None = None


class RunEnvironment(BaseModel):
    codi_version: str
    catalog_version: str
    """sha256 (first 12 hex digits) of the rules catalog the optimiser read."""
    module_versions: dict[str, str]
    model: str | None = None
    network: str
    """The model's network: `air-gapped`, or the hosts it may reach."""
    build_network: str | None = None
    """Where builds ran (`codi`, `none`, `host`); None when nothing was built."""


class Run(BaseModel):
    id: int | None = None
    kind: RunKind
    outcome: str
    """How it ended: the check run's conclusion (review, action, app), `candidates` / `no-candidate` / `fail`
    (optimize; `fail`: the original failed to build), `applied` / `nothing to apply` / `refused` / `failed`
    (apply), or `error`."""
    started_at: datetime
    finished_at: datetime
    repository: str | None = None
    pull_number: int | None = None
    head_sha: str | None = None
    local_path: str | None = None
    commit_sha: str | None = None
    """The commit codi pushed (`apply`); `head_sha` is the head it fixed."""
    files: list[RunFile] = []
    environment: RunEnvironment
    durations: dict[str, float] = {}
    """Seconds per pipeline stage (`STAGES`)."""
    detail: str | None = None


class RunSummary(BaseModel):
    """A run in a list: its identity and counts, not its texts."""

    id: int
    kind: RunKind
    outcome: str
    started_at: datetime
    finished_at: datetime
    repository: str | None
    pull_number: int | None
    head_sha: str | None
    local_path: str | None
    stacks: list[str]
    files: int
    findings: int
    candidates: int


class RunPage(BaseModel):
    runs: list[RunSummary]
    total: int
    """Runs matching the filters, on every page."""


@dataclass(frozen=True)
class RunFilter:
    repository: str | None = None
    stack: str | None = None
    outcome: str | None = None
    kind: str | None = None
    since: datetime | None = None
    """Started at or after."""
    until: datetime | None = None
    """Started before."""


class StackAggregate(BaseModel):
    """What runs did for one stack: measured size reduction, candidates that passed, findings by rule (of the runs
    that review), fixes committed by `/codi apply` by rule."""

    stack: str
    runs: int
    files: int
    median_size_reduction: float | None
    """Median of −size_delta_ratio over measured, passing candidates (0.3: 30 % smaller); None: none measured."""
    candidates_measured: int
    candidates_passed: int
    findings_by_rule: dict[str, int]
    fixes_applied_by_rule: dict[str, int] = {}
    """Findings whose fixes `/codi apply` committed, by rule."""

    @property
    def pass_rate(self) -> float | None:
        return self.candidates_passed / self.candidates_measured if self.candidates_measured else None


@dataclass(frozen=True)
class PruneResult:
    runs: int
    evidence: int
    files: int


# Tables


class RunRecord(SQLModel, table=True):
    __tablename__ = "run"
    __table_args__ = (Index("ix_run_started_at", "started_at"), Index("ix_run_repository", "repository"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    outcome: str = Field(sa_column=Column(String(40), nullable=False))
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    finished_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    repository: str | None = Field(default=None, sa_column=Column(String(200)))
    pull_number: int | None = Field(default=None, sa_column=Column(Integer))
    head_sha: str | None = Field(default=None, sa_column=Column(String(64)))
    local_path: str | None = Field(default=None, sa_column=Column(Text))
    commit_sha: str | None = Field(default=None, sa_column=Column(String(64)))
    environment: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    durations: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    detail: str | None = Field(default=None, sa_column=Column(Text))


class RunFileRecord(SQLModel, table=True):
    __tablename__ = "run_file"
    __table_args__ = (Index("ix_run_file_run_id", "run_id"), Index("ix_run_file_stack", "stack"))

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(sa_column=Column(Integer, ForeignKey("run.id", ondelete="CASCADE"), nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    path: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    stack: str | None = Field(default=None, sa_column=Column(String(50)))
    findings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    candidates: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    measurements: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    ranking: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))


class RunEvidenceLink(SQLModel, table=True):
    """A run measured with this build evidence (by its unique key; the row may be pruned or never recorded)."""

    __tablename__ = "run_evidence"
    __table_args__ = (Index("ix_run_evidence_key", "evidence_key"),)

    run_id: int = Field(sa_column=Column(Integer, ForeignKey("run.id", ondelete="CASCADE"), primary_key=True))
    evidence_key: str = Field(sa_column=Column(String(64), primary_key=True))


RUN_TABLES = (RunRecord.__table__, RunFileRecord.__table__, RunEvidenceLink.__table__)


class RunNotFound(LookupError):
    """No run has this id."""


class RunStore:
    """Writes and reads runs through an engine from `codi.storage.database.init_db`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def close(self) -> None:
        """Dispose of the engine's connections: for a store that owns its engine (a CLI command's)."""
        self._engine.dispose()

    def record(self, run: Run) -> int:
        """Store the run (its files and evidence links in the same transaction); its new id.

        Texts are stored as valid UTF-8 without NUL (what both databases take): bytes that are not UTF-8
        (kept as surrogates by the CLI's reader) and NULs become U+FFFD; each file's sha256 is the original's.
        """
        data = _storable(run.model_dump(mode="json", exclude={"id"}))
        files = data.pop("files")
        row = RunRecord.model_validate(data)
        with Session(self._engine, expire_on_commit=False) as session:
            session.add(row)
            session.flush()
            assert row.id is not None
            for position, file in enumerate(files):
                session.add(RunFileRecord(run_id=row.id, position=position, **file))
            keys = sorted({m["evidence_key"] for file in files for m in file["measurements"] if m["evidence_key"]})
            session.add_all(RunEvidenceLink(run_id=row.id, evidence_key=key) for key in keys)
            session.commit()
            return row.id

    def get(self, run_id: int) -> Run:
        """The run with every file; `RunNotFound` when there is none."""
        with Session(self._engine) as session:
            row = session.get(RunRecord, run_id)
            if row is None:
                raise RunNotFound(f"no run {run_id}")
            files = session.exec(
                select(RunFileRecord).where(RunFileRecord.run_id == run_id).order_by(col(RunFileRecord.position))
            ).all()
            return Run(
                id=row.id, kind=row.kind, outcome=row.outcome, started_at=row.started_at,  # type: ignore[arg-type]
                finished_at=row.finished_at, repository=row.repository, pull_number=row.pull_number,
                head_sha=row.head_sha, local_path=row.local_path, commit_sha=row.commit_sha,
                environment=RunEnvironment.model_validate(row.environment), durations=row.durations,
                detail=row.detail, files=[RunFile.model_validate(file.model_dump()) for file in files],
            )  # fmt: skip

    def list(self, filters: RunFilter = RunFilter(), offset: int = 0, limit: int = 50) -> RunPage:
        """Runs matching `filters`, newest first, `limit` from `offset`; the total counts every page."""
        with Session(self._engine) as session:
            query = _filtered(select(RunRecord), filters)
            total = session.exec(_filtered(select(func.count()).select_from(RunRecord), filters)).one()
            rows = session.exec(
                query.order_by(col(RunRecord.started_at).desc(), col(RunRecord.id).desc()).offset(offset).limit(limit)
            ).all()
            files: dict[int, list[RunFileRecord]] = {row.id: [] for row in rows if row.id is not None}
            if files:
                query_files = select(RunFileRecord).where(col(RunFileRecord.run_id).in_(files))
                for file in session.exec(query_files.order_by(col(RunFileRecord.position))):
                    files[file.run_id].append(file)
            return RunPage(runs=[_summary(row, files[row.id]) for row in rows if row.id is not None], total=total)

    def stack_aggregates(self, filters: RunFilter = RunFilter()) -> list[StackAggregate]:
        """One aggregate per stack seen in the matching runs' files, by stack name."""
        with Session(self._engine) as session:
            run_ids = _filtered(select(RunRecord.id), filters)
            query = (
                select(RunFileRecord, RunRecord.kind)
                .join(RunRecord, col(RunRecord.id) == RunFileRecord.run_id)
                .where(col(RunFileRecord.run_id).in_(run_ids))
            )
            if filters.stack is not None:
                query = query.where(RunFileRecord.stack == filters.stack)
            by_stack: dict[str, list[tuple[RunFileRecord, str]]] = {}
            for file, kind in session.exec(query):
                by_stack.setdefault(file.stack or "unknown", []).append((file, kind))
        return [_aggregate(stack, files) for stack, files in sorted(by_stack.items())]

    def prune(self, older_than: datetime, data_dir: Path) -> PruneResult:
        """Remove runs started before `older_than`, then the build evidence recorded before it that no kept run
        links to, with its error rows and its files (logs, SBOMs, file listings) under `data_dir`.

        A recorded path outside `data_dir` is left alone: the database names it, it does not own it.
        """
        root = data_dir.resolve()
        with Session(self._engine) as session:
            old = select(RunRecord.id).where(col(RunRecord.started_at) < older_than)
            runs = len(session.exec(old).all())
            for table, run_column in ((RunEvidenceLink, RunEvidenceLink.run_id), (RunFileRecord, RunFileRecord.run_id)):
                session.execute(delete(table).where(col(run_column).in_(old)))
            session.execute(delete(RunRecord).where(col(RunRecord.id).in_(old)))
            kept = select(RunEvidenceLink.evidence_key)
            stale = session.exec(
                select(BuildEvidence).where(
                    col(BuildEvidence.created_at) < older_than, col(BuildEvidence.key).not_in(kept)
                )
            ).all()
            paths = [Path(path) for row in stale for path in (row.log_path, row.sbom_path, row.files_path) if path]
            keys = [row.key for row in stale]
            session.execute(delete(BuildError).where(col(BuildError.key).in_(keys)))
            session.execute(delete(BuildEvidence).where(col(BuildEvidence.key).in_(keys)))
            session.commit()
        removed = 0
        for path in paths:
            resolved = path.resolve()
            if resolved.is_relative_to(root) and resolved.is_file():
                resolved.unlink()
                removed += 1
        return PruneResult(runs=runs, evidence=len(keys), files=removed)


def _storable(value: Any) -> Any:
    """`value` (JSON data) with every string valid UTF-8 and free of NUL."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\0", "\ufffd")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    return value


def _filtered(query: Any, filters: RunFilter) -> Any:
    if filters.repository is not None:
        query = query.where(func.lower(RunRecord.repository) == filters.repository.lower())
    if filters.outcome is not None:
        query = query.where(RunRecord.outcome == filters.outcome)
    if filters.kind is not None:
        query = query.where(RunRecord.kind == filters.kind)
    if filters.since is not None:
        query = query.where(col(RunRecord.started_at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(RunRecord.started_at) < filters.until)
    if filters.stack is not None:
        with_stack = select(RunFileRecord.run_id).where(RunFileRecord.stack == filters.stack)
        query = query.where(col(RunRecord.id).in_(with_stack))
    return query


def _summary(row: RunRecord, files: Sequence[RunFileRecord]) -> RunSummary:
    assert row.id is not None
    return RunSummary(
        id=row.id, kind=row.kind, outcome=row.outcome, started_at=row.started_at,  # type: ignore[arg-type]
        finished_at=row.finished_at, repository=row.repository, pull_number=row.pull_number,
        head_sha=row.head_sha, local_path=row.local_path,
        stacks=sorted({file.stack for file in files if file.stack}), files=len(files),
        findings=sum(len(file.findings) for file in files), candidates=sum(len(file.candidates) for file in files),
    )  # fmt: skip


def _aggregate(stack: str, files: Sequence[tuple[RunFileRecord, str]]) -> StackAggregate:
    """The figures of one stack's files, each with its run's kind: an apply run's findings are fixes committed,
    not findings of a review."""
    reductions: list[float] = []
    measured = passed = 0
    rules: dict[str, int] = {}
    fixed: dict[str, int] = {}
    for file, kind in files:
        counts = fixed if kind == "apply" else rules
        for finding in file.findings:
            counts[finding["code"]] = counts.get(finding["code"], 0) + 1
        for measurement in file.measurements:
            if measurement["strategy"] == "original":
                continue
            measured += 1
            if measurement["status"] == "pass":
                passed += 1
                if measurement["size_delta_ratio"] is not None:
                    reductions.append(-measurement["size_delta_ratio"])
    return StackAggregate(
        stack=stack, runs=len({file.run_id for file, _ in files}), files=len(files),
        median_size_reduction=statistics.median(reductions) if reductions else None,
        candidates_measured=measured, candidates_passed=passed, findings_by_rule=dict(sorted(rules.items())),
        fixes_applied_by_rule=dict(sorted(fixed.items())),
    )  # fmt: skip


# Building a run where the pipeline runs


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def run_file(
    path: str,
    text: str,
    findings: Sequence[Finding] = (),
    optimized: OptimizeResult | None = None,
    reports: Sequence[ImageReport] = (),
    ranked: RankedCandidates | None = None,
    stack: str | None = None,
) -> RunFile:
    """One Dockerfile's part of a run, from the core's results (each optional: a stage may not have run); the
    stack is the optimiser's when it ran, else `stack`."""
    return RunFile(
        path=path,
        sha256=sha256_text(text),
        text=text,
        stack=optimized.stack.stack if optimized else stack,
        findings=[
            RunFinding(code=f.code, severity=f.severity.value, line=f.span.line, message=f.message) for f in findings
        ],
        candidates=[
            RunCandidate(
                strategy=candidate.strategy,
                text=candidate.dockerfile,
                changes=[f"{change.kind}: {change.description}" for change in candidate.changes],
                estimate=RunEstimate(
                    size_bytes_before=candidate.estimate.size_bytes_before,
                    size_bytes_after=candidate.estimate.size_bytes_after,
                    layers_before=candidate.estimate.layers_before,
                    layers_after=candidate.estimate.layers_after,
                    basis=candidate.estimate.basis,
                ),
            )
            for candidate in (optimized.candidates if optimized else ())
        ],
        measurements=[_measurement(report) for report in reports],
        ranking=_ranking(ranked) if ranked else None,
    )


def applied_file(path: str, text: str, applied: Sequence[AppliedFix], stack: str) -> RunFile:
    """A Dockerfile `/codi apply` changed, as it was at the head, with the findings whose fixes it committed."""
    return run_file(path, text, [fix.finding for fix in applied], stack=stack)


def reviewed_files(
    files: Sequence[ChangedFile],
    reviews: Sequence[FileReview],
    optimized: Sequence[OptimizedFile],
    measured: MeasuredBuilds | None = None,
    ranked: Sequence[RankedCandidates] = (),
) -> list[RunFile]:
    """A review's files (the changed Dockerfiles, as `review_files` and `optimize_files` took them, in order)."""
    rankings = {ranking.path: ranking for ranking in ranked}
    return [
        run_file(
            file.path, file.text, review.result.findings, candidates.result,
            measured.reports.get(file.path, ()) if measured else (), rankings.get(file.path),
        )  # fmt: skip
        for file, review, candidates in zip(files, reviews, optimized, strict=True)
    ]


def _measurement(report: ImageReport) -> RunMeasurement:
    scan = report.vulnerabilities
    return RunMeasurement(
        strategy=report.strategy, evidence_key=report.key, status=report.status, reason=report.reason,
        size_bytes=report.size_bytes, size_delta_ratio=report.size_delta_ratio,
        vulnerabilities=None if scan is None else scan.critical + scan.high + scan.medium + scan.low + scan.unknown,
        smoke=report.smoke, reused=report.reused,
    )  # fmt: skip


def _ranking(ranked: RankedCandidates) -> RunRanking:
    telemetry = ranked.telemetry
    return RunRanking(
        order=list(ranked.order), source=ranked.source, deterministic=list(ranked.ranking.order),
        model=telemetry.model if telemetry else None,
        prompt_tokens=telemetry.prompt_tokens if telemetry else None,
        output_tokens=telemetry.output_tokens if telemetry else None,
        latency_s=telemetry.latency_s if telemetry else None,
        fallback_reason=telemetry.fallback_reason if telemetry else None,
    )  # fmt: skip


@cache
def catalog_version() -> str:
    """The rules catalog's identity: its file's sha256, short (the catalog carries no version of its own)."""
    from codi.rules.catalog import CATALOG_FILE

    data = resources.files("codi.rules.catalog").joinpath(CATALOG_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def environment(
    model: str | None = None, allowed_hosts: Sequence[str] = (), build_network: str | None = None
) -> RunEnvironment:
    """This process's codi, catalog and module versions, with the model and network settings the run used."""
    from codi.modules import load_modules

    hosts = [host.strip() for host in allowed_hosts if host.strip()]
    return RunEnvironment(
        codi_version=__version__,
        catalog_version=catalog_version(),
        module_versions={name: module.version for name, module in sorted(load_modules().items())},
        model=model,
        network=", ".join(hosts) if hosts else "air-gapped",
        build_network=build_network,
    )


@dataclass
class RunRecorder(StageTimer):
    """Collects a run while it happens: the start time, seconds per stage (`StageTimer`), the files; `finish` makes
    the `Run`."""

    kind: RunKind
    repository: str | None = None
    pull_number: int | None = None
    head_sha: str | None = None
    local_path: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    files: list[RunFile] = field(default_factory=list)
    commit_sha: str | None = None

    def finish(self, outcome: str, environment: RunEnvironment, detail: str | None = None) -> Run:
        return Run(
            kind=self.kind, outcome=outcome, started_at=self.started_at, finished_at=datetime.now(UTC),
            repository=self.repository, pull_number=self.pull_number, head_sha=self.head_sha,
            local_path=self.local_path, commit_sha=self.commit_sha, files=self.files, environment=environment,
            durations={name: round(seconds, 6) for name, seconds in self.durations.items()}, detail=detail,
        )  # fmt: skip
