"""What codi shows when it could not finish a job, or skipped files over the input caps.

Reasons and paths may quote text from the pull request or from GitHub's
answers, so they are shown as inert words and clipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from codi.comments.check_run import CheckRunReport
from codi.comments.markdown import TEXT_LIMIT, clip, clip_lines, code_span, inert_text
from codi.comments.summary import SummarySection
from codi.pipeline.limits import SkippedFile

REASON_LIMIT = 300
"""A reason is one short sentence; GitHub's error bodies or a path can be far longer."""
UNFINISHED_TITLE = "codi could not finish"


def unfinished_summary(reason: str) -> str:
    """One line: "codi could not finish: <reason>."."""
    return f"{UNFINISHED_TITLE}: {inert_text(clip(reason, REASON_LIMIT))}.\n"


def unfinished_output(reason: str) -> dict[str, str]:
    """The check run's `output` for a review that gave up, and how to try again."""
    summary = unfinished_summary(reason) + "\nComment `/codi rerun` on the pull request to review this commit again.\n"
    return {"title": UNFINISHED_TITLE, "summary": summary}


def skipped_lines(skipped: Sequence[SkippedFile]) -> str:
    """One Markdown list item per skipped file: its path and the cap it broke."""
    return "".join(
        f"- {code_span(clip(file.path, REASON_LIMIT))}: {inert_text(file.reason)}\n" for file in skipped
    )


def skipped_text(skipped: Sequence[SkippedFile]) -> str:
    """The check run summary's part on skipped files ("" when none)."""
    if not skipped:
        return ""
    return "\n### Not analysed (input caps)\n\n" + skipped_lines(skipped)


def skipped_section(skipped: Sequence[SkippedFile]) -> list[SummarySection]:
    """The summary comment's section on skipped files (none when none), shown open: it explains a gap."""
    if not skipped:
        return []
    return [SummarySection("Not analysed (input caps)", skipped_lines(skipped), collapsible=False)]


def with_skipped(report: CheckRunReport, skipped: Sequence[SkippedFile], reviewed: int) -> CheckRunReport:
    """The check run naming the skipped files first; a skipped file keeps it from `success` (not all was checked)."""
    if not skipped:
        return report
    conclusion = "neutral" if report.conclusion == "success" else report.conclusion
    if reviewed == 0:
        return replace(report, conclusion=conclusion, title="Not analysed: over codi's input caps",
                       summary=clip_lines(skipped_text(skipped), TEXT_LIMIT))
    summary = clip_lines(skipped_text(skipped) + report.summary, TEXT_LIMIT)
    return replace(report, conclusion=conclusion, summary=summary)
