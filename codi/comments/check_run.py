"""The "codi" check run: a conclusion, a Markdown summary and an annotation for every finding.

GitHub renders only the output's `summary` and `text` as Markdown (escaped through markdown.py); the
title and the annotations' title, message and raw_details are plain text, so they are only clipped to
GitHub's limits.

Annotations reach findings a review comment cannot (lines outside the diff),
so the check run is where the whole result lives; review comments are the
part of it that lands on changed lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from codi.comments.markdown import (
    SEVERITY_LABELS,
    TEXT_LIMIT,
    batched,
    clip,
    clip_lines,
    code_span,
    fit_rows,
    table_cell,
)
from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Applicability
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.rank import RankedCandidates
from codi.pipeline.review import FileReview, finding_lines, fix_lines, replaced_lines

CHECK_RUN_NAME = "codi"
ANNOTATIONS_PER_REQUEST = 50
"""GitHub's limit of annotations in one create/update check-run request."""
TITLE_LIMIT = 255
ANNOTATION_TEXT_LIMIT = 16_384
"""GitHub allows 64 KB (bytes) per annotation message and raw_details: 16 Ki characters fit at any UTF-8 width."""

Conclusion = Literal["success", "failure", "neutral"]
AnnotationLevel = Literal["notice", "warning", "failure"]
LEVELS: dict[Severity, AnnotationLevel] = {
    Severity.ERROR: "failure",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.STYLE: "notice",
}
_REPORTED = (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.STYLE)


@dataclass(frozen=True)
class Annotation:
    """One check-run annotation, as `output.annotations` items take it."""

    path: str
    start_line: int
    end_line: int
    annotation_level: AnnotationLevel
    title: str
    message: str
    raw_details: str | None = None

    def as_payload(self) -> dict[str, object]:
        payload: dict[str, object] = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.annotation_level,
            "title": self.title,
            "message": self.message,
        }
        if self.raw_details is not None:
            payload["raw_details"] = self.raw_details
        return payload


@dataclass(frozen=True)
class CheckRunReport:
    conclusion: Conclusion
    title: str
    summary: str
    annotations: list[Annotation]

    def output(self, annotations: Sequence[Annotation] = ()) -> dict[str, object]:
        """The check run's `output` with one batch of annotations (GitHub appends batches)."""
        return {
            "title": self.title,
            "summary": self.summary,
            "annotations": [annotation.as_payload() for annotation in annotations],
        }


def check_run_report(
    reviews: Sequence[FileReview], config: LintConfig, ranked: Sequence[RankedCandidates] = ()
) -> CheckRunReport:
    findings = [finding for review in reviews for finding in review.result.findings]
    if not reviews:
        conclusion: Conclusion = "neutral"
    elif config.fails(findings):
        conclusion = "failure"
    else:
        conclusion = "success"
    annotations = [annotation(review, finding) for review in reviews for finding in review.result.findings]
    title = clip(_title(reviews, findings), TITLE_LIMIT)
    summary = clip_lines(_summary(reviews, config) + _top_candidates(ranked), TEXT_LIMIT)
    return CheckRunReport(conclusion, title, summary, annotations)


def annotation_batches(
    annotations: Sequence[Annotation], size: int = ANNOTATIONS_PER_REQUEST
) -> list[list[Annotation]]:
    return batched(annotations, size)


def annotation(review: FileReview, finding: Finding) -> Annotation:
    lines = finding_lines(finding)
    return Annotation(
        path=review.path,
        start_line=lines.start,
        end_line=lines.stop - 1,
        annotation_level=LEVELS.get(finding.severity, "notice"),
        title=clip(f"{finding.code} ({finding.severity.value})", TITLE_LIMIT),
        message=clip(finding.message, ANNOTATION_TEXT_LIMIT),
        raw_details=_fix_details(review, finding),
    )


def _fix_details(review: FileReview, finding: Finding) -> str | None:
    """The fix in plain text: what it does and the lines it leaves (raw_details is not Markdown)."""
    fix = finding.fix
    if fix is None:
        return None
    source = review.result.document.source
    lines = fix_lines(source, fix)
    kind = "Safe fix" if fix.applicability is Applicability.SAFE else "Unsafe fix (check the result)"
    where = f"Line {lines.start} becomes" if len(lines) == 1 else f"Lines {lines.start}-{lines.stop - 1} become"
    details = f"{kind}: {fix.description}\n\n{where}:\n{replaced_lines(source, fix, lines)}"
    return clip(details, ANNOTATION_TEXT_LIMIT)


def _title(reviews: Sequence[FileReview], findings: Sequence[Finding]) -> str:
    if not reviews:
        return "No Dockerfile changed"
    files = f"{len(reviews)} Dockerfile{'s' if len(reviews) != 1 else ''}"
    if not findings:
        return f"No findings in {files}"
    return f"{_count(len(findings), 'finding')} in {files}: {_by_severity(findings)}"


def _summary(reviews: Sequence[FileReview], config: LintConfig) -> str:
    if not reviews:
        return "This pull request changes no Dockerfile, so codi has nothing to check.\n"
    findings = [finding for review in reviews for finding in review.result.findings]
    fixable = sum(1 for finding in findings if _safe_fix(finding))
    threshold = "never fails (no-fail)" if config.no_fail else f"fails at `{config.failure_threshold.value}` or above"
    head = (
        f"codi checked {_count(len(reviews), 'Dockerfile')}: {_count(len(findings), 'finding')}, "
        f"{fixable} with a safe fix. The check {threshold}.\n\n"
        "| Severity | Findings |\n|---|---:|\n"
        + "".join(f"| {SEVERITY_LABELS[s]} | {sum(1 for f in findings if f.severity is s)} |\n" for s in _REPORTED)
        + "\n| File | Errors | Warnings | Info | Style | Safe fixes |\n|---|---:|---:|---:|---:|---:|\n"
    )
    rows = [_file_row(review) for review in reviews]
    tail = "\nEvery finding is annotated on its line; findings on changed lines also get a review comment.\n"
    return fit_rows(head, rows, tail, TEXT_LIMIT, "| _{count} more files not shown_ | | | | | |\n")


def _top_candidates(ranked: Sequence[RankedCandidates]) -> str:
    """One line per Dockerfile with a ranked candidate: the top one, its score, basis and who ordered it."""
    lines = []
    for ranking in ranked:
        if ranking.top is None:
            continue
        scored = ranking.ranking.scored[ranking.ranking.order.index(ranking.top)]
        facts = next(f for f in ranking.facts if f.id == ranking.top)
        size = ""
        if facts.size_before and facts.size_bytes is not None:
            size = f", size {(facts.size_bytes - facts.size_before) / facts.size_before:+.0%}".replace("%", " %")
        telemetry = ranking.telemetry
        who = f"the model {code_span(telemetry.model)}" if ranking.source == "model" and telemetry else "codi's scorer"
        lines.append(
            f"- {code_span(ranking.path)}: **{ranking.top}** "
            f"(score {scored.score:g}, {scored.basis}{size}; ordered by {who})\n"
        )
    if not lines:
        return ""
    return "\n### Top candidates\n\n" + "".join(lines) + "\nThe summary comment has every candidate's diff.\n"


def _file_row(review: FileReview) -> str:
    counts = Counter(finding.severity for finding in review.result.findings)
    fixable = sum(1 for finding in review.result.findings if _safe_fix(finding))
    cells = " | ".join(str(counts[severity]) for severity in _REPORTED)
    return f"| {table_cell(code_span(review.path))} | {cells} | {fixable} |\n"


def _safe_fix(finding: Finding) -> bool:
    return finding.fix is not None and finding.fix.applicability is Applicability.SAFE


def _by_severity(findings: Sequence[Finding]) -> str:
    counts = Counter(finding.severity for finding in findings)
    return ", ".join(f"{counts[s]} {s.value}" for s in _REPORTED if counts[s])


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
