"""What codi would post, for `codi review`: the check run, the review comments, the summary comment."""

from __future__ import annotations

import json
from collections.abc import Sequence

from codi.comments.check_run import CHECK_RUN_NAME, CheckRunReport
from codi.comments.markdown import code_span, fence, message_text
from codi.comments.review import ReviewComment


def preview_json(report: CheckRunReport, comments: Sequence[ReviewComment], summary: str) -> str:
    """One object: `check_run` (conclusion and output), `review_comments` (API payloads), `summary`."""
    document = {
        "check_run": {"name": CHECK_RUN_NAME, "conclusion": report.conclusion}
        | report.output(report.annotations),
        "review_comments": [comment.as_payload() | {"fingerprint": comment.fingerprint} for comment in comments],
        "summary": summary,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def preview_markdown(report: CheckRunReport, comments: Sequence[ReviewComment], summary: str) -> str:
    """The three outputs under headings, each as GitHub would show its Markdown; what the plain-text fields hold
    from the pull request (annotations' paths and messages) is escaped, as everywhere."""
    parts = [
        f"# Check run `{CHECK_RUN_NAME}`: {report.conclusion}\n\n**{report.title}**\n\n{report.summary.rstrip()}\n",
        f"\n## Annotations ({len(report.annotations)})\n\n",
    ]
    for annotation in report.annotations:
        lines = (
            f"line {annotation.start_line}"
            if annotation.start_line == annotation.end_line
            else f"lines {annotation.start_line}-{annotation.end_line}"
        )
        level = annotation.annotation_level
        message = message_text(annotation.message)
        item = f"- **{level}** {code_span(annotation.path)} {lines}, {annotation.title}: {message}\n"
        if annotation.raw_details:
            item += "\n" + _indent(fence(annotation.raw_details)) + "\n"
        parts.append(item)
    parts.append(f"\n# Review comments ({len(comments)})\n")
    for comment in comments:
        where = f"line {comment.line}" if comment.start_line is None else f"lines {comment.start_line}-{comment.line}"
        parts.append(f"\n## {code_span(comment.path)} {where}\n\n{comment.body}")
    parts.append(f"\n# Summary comment\n\n{summary}")
    return "".join(parts)


def _indent(text: str) -> str:
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(keepends=True))
