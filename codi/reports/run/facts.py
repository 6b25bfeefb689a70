"""What a run's report says, worked out once from the stored `Run` for both renderers (Markdown and HTML).

Pure: a `Run` in, typed facts out. Sizes say whether they were measured on a real build or estimated
from known base-image sizes (`ImageSize.measured`), so no renderer can show an estimate as a measurement.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Literal, cast

from codi.comments.candidates import candidate_diff, estimate_text
from codi.pipeline.optimize.model import Candidate, Change, Estimate, Strategy
from codi.pipeline.optimize.preservation import runtime_profile
from codi.pipeline.parser import parse
from codi.storage.runs import Run, RunCandidate, RunFile, RunFinding, RunMeasurement

SECURITY_CODES = frozenset({"DL3002", "DL3004"})
"""Security rules besides codi's CD1xxx: the last USER is root, sudo."""
START_CHANGE_KINDS = frozenset({"start-command", "entrypoint", "exec-form", "fix:DL3025", "fix:CD2006"})
"""Change kinds a candidate's rationale uses for what it does to the start command."""
ROOT = "0"
"""`runtime_profile`'s spelling of root (`root`, `0`, `0:0`)."""


def is_security_code(code: str) -> bool:
    return code.startswith("CD1") or code in SECURITY_CODES


@dataclass(frozen=True)
class ImageSize:
    """An image's size as the report shows it: measured on a real build, else estimated, else unknown."""

    label: str
    size_bytes: int | None
    measured: bool


@dataclass(frozen=True)
class StartRewrite:
    """How a candidate changes the start command (ENTRYPOINT + CMD as Docker runs them)."""

    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    changes: tuple[str, ...]
    """The candidate's rationale lines about it (`kind: description`)."""


DiffTag = Literal["equal", "delete", "insert", "replace"]


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: the original's line on the left, the candidate's on the right."""

    tag: DiffTag
    left_number: int | None
    left: str | None
    right_number: int | None
    right: str | None


@dataclass(frozen=True)
class CandidateFacts:
    candidate: RunCandidate
    place: int | None
    """1 for the best-ranked; None when it was not ranked."""
    measurement: RunMeasurement | None
    size: ImageSize
    reduction: float | None
    """How much smaller than the original (0.3: 30 % smaller; negative: larger), None when unknown."""
    reduction_measured: bool
    """The reduction compares two measured builds (else it is the optimiser's estimate)."""
    user: str | None
    """The last USER of the image (`0`: root), None when none is set (the base image's, root unless it says)."""
    start: StartRewrite | None
    diff: str
    """Unified diff from the original."""
    rows: tuple[DiffRow, ...]


@dataclass(frozen=True)
class FileFacts:
    file: RunFile
    original: ImageSize
    original_measurement: RunMeasurement | None
    original_user: str | None
    candidates: tuple[CandidateFacts, ...]
    security_findings: tuple[RunFinding, ...]

    @property
    def best(self) -> CandidateFacts | None:
        """The best-ranked candidate that did not fail its build (the first in order when none was ranked)."""
        usable = [c for c in self.candidates if c.measurement is None or c.measurement.status == "pass"]
        return usable[0] if usable else None

    @property
    def runs_as_root(self) -> bool:
        return self.original_user in (None, ROOT)


@dataclass(frozen=True)
class RunFacts:
    run: Run
    files: tuple[FileFacts, ...]

    @property
    def findings(self) -> int:
        return sum(len(file.file.findings) for file in self.files)

    @property
    def security_findings(self) -> int:
        return sum(len(file.security_findings) for file in self.files)

    @property
    def candidates(self) -> int:
        return sum(len(file.candidates) for file in self.files)

    @property
    def measured_candidates(self) -> list[CandidateFacts]:
        return [c for file in self.files for c in file.candidates if c.measurement is not None]

    @property
    def duration_s(self) -> float:
        return (self.run.finished_at - self.run.started_at).total_seconds()


def run_facts(run: Run) -> RunFacts:
    return RunFacts(run, tuple(file_facts(file) for file in run.files))


def file_facts(file: RunFile) -> FileFacts:
    measurements = {m.strategy: m for m in file.measurements}
    original_measurement = measurements.get("original")
    estimated_before = next((c.estimate.size_bytes_before for c in file.candidates), None)
    original = _size("original", original_measurement, estimated_before)
    original_profile = runtime_profile(parse(file.text))
    order = file.ranking.order if file.ranking else []
    ranked = sorted(file.candidates, key=lambda c: order.index(c.strategy) if c.strategy in order else len(order))
    candidates = []
    for candidate in ranked:
        measurement = measurements.get(candidate.strategy)
        as_pipeline = pipeline_candidate(candidate)
        reduction, measured = _reduction(measurement, as_pipeline.estimate)
        profile = runtime_profile(parse(candidate.text))
        start_changes = tuple(c for c in candidate.changes if c.partition(": ")[0] in START_CHANGE_KINDS)
        start = (
            StartRewrite(original_profile.start, profile.start, start_changes)
            if start_changes or profile.start != original_profile.start
            else None
        )
        candidates.append(
            CandidateFacts(
                candidate=candidate,
                place=order.index(candidate.strategy) + 1 if candidate.strategy in order else None,
                measurement=measurement,
                size=_size(candidate.strategy, measurement, candidate.estimate.size_bytes_after),
                reduction=reduction,
                reduction_measured=measured,
                user=profile.user,
                start=start,
                diff=candidate_diff(file.path, file.text, as_pipeline),
                rows=side_by_side(file.text, candidate.text),
            )
        )
    return FileFacts(
        file=file,
        original=original,
        original_measurement=original_measurement,
        original_user=original_profile.user,
        candidates=tuple(candidates),
        security_findings=tuple(f for f in file.findings if is_security_code(f.code)),
    )


def pipeline_candidate(candidate: RunCandidate) -> Candidate:
    """The stored candidate as the optimiser's `Candidate`, so the comment renderers' helpers serve the report."""
    changes = tuple(Change(*change.partition(": ")[::2]) for change in candidate.changes)
    estimate = Estimate(**candidate.estimate.model_dump())
    return Candidate(cast(Strategy, candidate.strategy), candidate.text, changes, estimate)


def _size(label: str, measurement: RunMeasurement | None, estimated: int | None) -> ImageSize:
    if measurement is not None and measurement.size_bytes is not None:
        return ImageSize(label, measurement.size_bytes, measured=True)
    return ImageSize(label, estimated, measured=False)


def _reduction(measurement: RunMeasurement | None, estimate: Estimate) -> tuple[float | None, bool]:
    if measurement is not None and measurement.size_delta_ratio is not None:
        return -measurement.size_delta_ratio, True
    ratio = estimate.size_delta_ratio
    return (None if ratio is None else -ratio), False


def side_by_side(before: str, after: str) -> tuple[DiffRow, ...]:
    """Every line of both texts, aligned: equal lines side by side, changed ones paired in order."""
    left, right = before.splitlines(), after.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs: Sequence[tuple[int | None, int | None]] = list(
            zip_longest(range(i1, i2), range(j1, j2)) if tag != "equal" else zip(range(i1, i2), range(j1, j2))
        )
        for i, j in pairs:
            rows.append(
                DiffRow(
                    cast(DiffTag, tag),
                    None if i is None else i + 1,
                    None if i is None else left[i],
                    None if j is None else j + 1,
                    None if j is None else right[j],
                )
            )
    return tuple(rows)


# Words both renderers use for the figures


def size_text(size: ImageSize) -> str:
    """`131.2 MB` (measured), `≈ 105.0 MB (estimate)`, or `unknown`."""
    if size.size_bytes is None:
        return "unknown"
    value = size.size_bytes
    shown = f"{value / 1e9:.2f} GB" if value >= 1e9 else f"{value / 1e6:.1f} MB"
    return shown if size.measured else f"≈ {shown} (estimate)"


def reduction_text(reduction: float | None, measured: bool) -> str:
    """`30.0 % smaller` (measured), `≈ 77.2 % smaller (estimate)`, `4.0 % larger`, or `unknown`."""
    if reduction is None:
        return "unknown"
    words = f"{abs(reduction):.1%} {'smaller' if reduction >= 0 else 'larger'}".replace("%", " %")
    return words if measured else f"≈ {words} (estimate)"


def argv_text(argv: tuple[str, ...] | None) -> str:
    """A start command as its exec-form JSON array; `(none: the base image's)` when the Dockerfile sets none."""
    if argv is None:
        return "(none: the base image's)"
    return json.dumps(list(argv), ensure_ascii=False)


def user_text(user: str | None) -> str:
    if user is None:
        return "root (no USER: the base image's user)"
    return "root" if user == ROOT else user


def estimate_sentence(candidate: RunCandidate) -> str:
    """The comment's `size ≈ 460 MB → 105 MB (-77 %), layers 2 → 2 (estimate)`."""
    return estimate_text(pipeline_candidate(candidate).estimate)
