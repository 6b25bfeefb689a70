"""The summary comment: one per pull request, found again by its marker and edited in place.

It lists every finding in a table, says how to apply the fixes, and keeps
room for sections later features add (optimisation candidates,
measurements). A long table is cut so the body stays under GitHub's limit,
with a note saying how many rows were left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codi.comments.markdown import (
    SEVERITY_LABELS,
    MESSAGE_LIMIT,
    TEXT_LIMIT,
    clip,
    code_span,
    fit_rows,
    message_text,
    rule_link,
    table_cell,
)
from codi.pipeline.edits import Applicability
from codi.pipeline.findings import Finding
from codi.pipeline.review import FileReview

SUMMARY_MARKER = "<!-- codi:summary -->"
_LEFT_OUT_NOTE = (
    "\n_{count} more findings not shown: GitHub limits a comment to 65,536 characters. "
    "The check run lists them all._\n"
)


@dataclass(frozen=True)
class SummarySection:
    """A section a later feature adds below the findings (collapsed in `<details>` unless told).

    `title` sits in `<summary>` (HTML: `html_text` for untrusted parts) when collapsible, else in a `###`
    heading (Markdown); `body` is Markdown. Both are built with markdown.py's helpers.
    """

    title: str
    body: str
    collapsible: bool = True


def is_summary_comment(body: str) -> bool:
    """True for codi's summary comment, which starts with the marker (a quote of it does not)."""
    return body.startswith(SUMMARY_MARKER)


def report_url(public_url: str, run_id: int) -> str:
    """Where `codi serve` shows the run's report (`CODI_PUBLIC_URL`, checked by `Settings`, then the run's path)."""
    return f"{public_url.rstrip('/')}/runs/{run_id}/report"


def summary_comment(
    reviews: Sequence[FileReview],
    head_sha: str,
    sections: Sequence[SummarySection] = (),
    report: str | None = None,
) -> str:
    """The comment's body; `report` (a `report_url`) adds a link to the run's full report under the overview."""
    findings = [(review.path, finding) for review in reviews for finding in review.result.findings]
    safe = sum(1 for _, finding in findings if _fix_kind(finding) == "safe")
    head = f"{SUMMARY_MARKER}\n## codi\n\n{_overview(reviews, len(findings), safe, head_sha)}\n"
    if report is not None:
        head += f"\n[Full report of this run]({report}): metrics, candidates, security notes and diffs.\n"
    rows: list[str] = []
    if findings:
        head += "\n| File | Line | Code | Severity | Message | Fix |\n|---|---:|---|---|---|---|\n"
        rows = [_row(path, finding) for path, finding in findings]
    tail = _how_to_fix(findings, safe) + "".join(render_section(section) for section in sections)
    return fit_rows(head, rows, tail, TEXT_LIMIT, _LEFT_OUT_NOTE)


def _overview(reviews: Sequence[FileReview], findings: int, safe: int, head_sha: str) -> str:
    commit = code_span(head_sha[:7])
    if not reviews:
        return f"Commit {commit} changes no Dockerfile: nothing to review."
    files = f"{len(reviews)} Dockerfile{'s' if len(reviews) != 1 else ''}"
    if not findings:
        return f"No findings in {files} at commit {commit}."
    noun = "finding" if findings == 1 else "findings"
    return f"{findings} {noun} in {files} at commit {commit}, {safe} with a safe fix."


def _row(path: str, finding: Finding) -> str:
    cells = (
        table_cell(code_span(path)),
        str(finding.line),
        rule_link(finding.code),
        SEVERITY_LABELS[finding.severity],
        table_cell(message_text(clip(finding.message, MESSAGE_LIMIT))),
        _fix_kind(finding),
    )
    return f"| {' | '.join(cells)} |\n"


def _fix_kind(finding: Finding) -> str:
    if finding.fix is None:
        return "–"
    return "safe" if finding.fix.applicability is Applicability.SAFE else "unsafe"


def _how_to_fix(findings: Sequence[tuple[str, Finding]], safe: int) -> str:
    if not findings or not any(finding.fix for _, finding in findings):
        return ""
    text = "\n### Applying the fixes\n\n"
    if safe:
        text += (
            f"Comment `/codi apply` to commit the {safe} safe fix{'es' if safe != 1 else ''} to this branch "
            "(for people with write access), or accept the suggestions in the review. "
        )
    unsafe = len([1 for _, finding in findings if _fix_kind(finding) == "unsafe"])
    if unsafe:
        ones = "one" if unsafe == 1 else "ones"
        text += f"`codi fix --unsafe PATH` also applies the {unsafe} unsafe {ones}: check the result."
    return text.rstrip() + "\n"


def render_section(section: SummarySection) -> str:
    """One section as the summary comment shows it: a collapsed `<details>`, or a `###` heading."""
    if section.collapsible:
        return f"\n<details>\n<summary>{section.title}</summary>\n\n{section.body.rstrip()}\n\n</details>\n"
    return f"\n### {section.title}\n\n{section.body.rstrip()}\n"
