"""The PR review: one comment per finding on a changed line, with a ```suggestion when it has a safe fix.

Only findings on lines the pull request adds or changes get a comment (the
rest are in the check run). GitHub takes review comments only on lines of the
diff, and a multi-line comment only within one hunk; a suggestion replaces
exactly the commented lines. So a finding gets a comment over its lines and
its fix's lines when they all lie in one hunk, else over its own lines without
a suggestion, else from one line (its first, or its first changed one when
the first is outside the diff) to its fix's lines when they share that line's
hunk, with the suggestion, or on that line alone without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from codi.comments.fingerprints import finding_marker, fingerprints, parse_finding_marker
from codi.comments.markdown import (
    MESSAGE_LIMIT,
    SEVERITY_LABELS,
    TEXT_LIMIT,
    batched,
    clip,
    message_text,
    rule_link,
    suggestion_block,
)
from codi.pipeline.edits import Applicability, Fix
from codi.pipeline.findings import Finding
from codi.pipeline.review import FileReview, finding_lines, fix_lines, replaced_lines

REVIEW_COMMENTS_PER_REQUEST = 30
"""GitHub's limit of comments in one create-review request."""


@dataclass(frozen=True)
class ReviewComment:
    """One review comment as the create-review API takes it (`side` RIGHT: the head's lines)."""

    path: str
    line: int
    """The last line commented on."""
    start_line: int | None
    """The first line of a multi-line comment; None for one line."""
    side: Literal["RIGHT"] = field(default="RIGHT", kw_only=True)
    body: str
    fingerprint: str

    def as_payload(self) -> dict[str, object]:
        """The comment as an item of the create-review request's `comments`."""
        payload: dict[str, object] = {"path": self.path, "line": self.line, "side": self.side, "body": self.body}
        if self.start_line is not None:
            payload |= {"start_line": self.start_line, "start_side": self.side}
        return payload


@dataclass(frozen=True)
class ExistingComment:
    """A review comment codi posted earlier on the same pull request."""

    id: int
    body: str
    has_replies: bool


def review_comments(reviews: Sequence[FileReview]) -> list[ReviewComment]:
    """A comment for each finding on a line the pull request adds or changes, in file then line order."""
    comments = []
    for review in reviews:
        for finding, fingerprint in zip(review.result.findings, fingerprints(review.result)):
            comment = _comment(review, finding, fingerprint)
            if comment is not None:
                comments.append(comment)
    return comments


def review_comment_batches(comments: Sequence[ReviewComment]) -> list[list[ReviewComment]]:
    return batched(comments, REVIEW_COMMENTS_PER_REQUEST)


def plan_review_update(
    new: Sequence[ReviewComment], existing: Sequence[ExistingComment]
) -> tuple[list[ReviewComment], list[int]]:
    """What to post and which comment ids to delete after a push.

    A finding already commented (same fingerprint) is not posted again. A codi comment whose
    finding is gone, or that repeats one kept earlier, is deleted, unless someone replied to it:
    a conversation is never removed. Comments without codi's marker are never touched.
    """
    wanted = {comment.fingerprint for comment in new}
    kept: set[str] = set()
    to_delete = []
    for comment in sorted(existing, key=lambda c: c.id):
        fingerprint = parse_finding_marker(comment.body)
        if fingerprint is None:
            continue
        if comment.has_replies or (fingerprint in wanted and fingerprint not in kept):
            kept.add(fingerprint)
        else:
            to_delete.append(comment.id)
    return [comment for comment in new if comment.fingerprint not in kept], to_delete


def _comment(review: FileReview, finding: Finding, fingerprint: str) -> ReviewComment | None:
    lines = finding_lines(finding)
    changed = [line for line in lines if line in review.added]
    if not changed:
        return None
    source = review.result.document.source
    fix = finding.fix if finding.fix is not None and finding.fix.applicability is Applicability.SAFE else None
    fixed = fix_lines(source, fix) if fix is not None else None
    if fixed is not None:
        both = range(min(lines.start, fixed.start), max(lines.stop, fixed.stop))
        if _in_one_hunk(review, both):
            lines = both
    if not _in_one_hunk(review, lines):
        anchor = lines.start if lines.start in review.commentable else changed[0]
        lines = range(anchor, anchor + 1)
        if fixed is not None:
            with_fix = range(min(anchor, fixed.start), max(lines.stop, fixed.stop))
            if _in_one_hunk(review, with_fix):
                lines = with_fix
    suggestion = None
    if fix is not None and fixed is not None and _covers(lines, fixed):
        suggestion = replaced_lines(source, fix, lines)
    return _make(review.path, lines, finding, fingerprint, suggestion)


def _in_one_hunk(review: FileReview, lines: range) -> bool:
    hunk = review.hunk_of(lines.start)
    return hunk is not None and lines.stop <= hunk.stop


def _covers(outer: range, inner: range) -> bool:
    return outer.start <= inner.start and inner.stop <= outer.stop


def _make(path: str, lines: range, finding: Finding, fingerprint: str, suggestion: str | None) -> ReviewComment:
    body = comment_body(finding, fingerprint, suggestion)
    if len(body) > TEXT_LIMIT:
        body = comment_body(finding, fingerprint, None)
    start_line = lines.start if len(lines) > 1 else None
    return ReviewComment(path, lines.stop - 1, start_line, body=body, fingerprint=fingerprint)


def comment_body(finding: Finding, fingerprint: str, suggestion: str | None) -> str:
    """Severity, linked code and message; the suggestion or a word on the fix; the hidden marker."""
    message = message_text(clip(finding.message, MESSAGE_LIMIT))
    parts = [f"**{SEVERITY_LABELS[finding.severity]}** {rule_link(finding.code)}: {message}"]
    block = suggestion_block(suggestion) if suggestion is not None else None
    if finding.fix is not None:
        parts.append(_fix_note(finding.fix, block is not None))
    if block is not None:
        parts.append(block)
    parts.append(finding_marker(fingerprint))
    return "\n\n".join(parts) + "\n"


def _fix_note(fix: Fix, suggested: bool) -> str:
    description = message_text(clip(fix.description, MESSAGE_LIMIT).rstrip("."))
    if suggested:
        return f"Suggested fix: {description}."
    if fix.applicability is Applicability.SAFE:
        return f"Safe fix: {description} (not suggested here; `/codi apply` applies it)."
    return f"Unsafe fix, not suggested: {description} (`codi fix --unsafe` applies it; check the result)."
