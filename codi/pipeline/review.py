"""A pull request's Dockerfiles linted and mapped onto its diff.

GitHub accepts review comments only on lines of the diff: the new-side lines
inside a hunk (added or context). `review_files` lints the changed files and
records, per file, which lines those are, which hunk each belongs to and which
the pull request added, so the renderers (`codi.comments`) decide where a
comment can go and comment only on what the pull request changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding
from codi.pipeline.lint import LintResult, ScriptChecker, SourceFile, lint_files
from codi.pipeline.source import SourceText

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangedFile:
    """A file of the pull request at its head commit."""

    path: str
    text: str
    patch: str | None
    """The file's unified diff hunks as GitHub's pulls/files API gives them (`@@ … @@` onwards, no
    `---`/`+++` header); None when GitHub leaves it out (binary or too large)."""


@dataclass(frozen=True)
class FileReview:
    """One changed Dockerfile: its findings and the lines of the diff a comment may go on."""

    path: str
    result: LintResult
    commentable: frozenset[int]
    """New-side line numbers inside a hunk: where GitHub accepts a comment."""
    hunks: tuple[range, ...]
    """New-side line ranges of the hunks, in order (hunks that only delete lines are left out)."""
    added: frozenset[int]
    """Lines the pull request adds or changes: a finding gets a comment only when it touches one."""

    def hunk_of(self, line: int) -> range | None:
        return next((hunk for hunk in self.hunks if line in hunk), None)


def review_files(
    files: Sequence[ChangedFile], config: LintConfig | None = None, checker: ScriptChecker | None = None
) -> list[FileReview]:
    """Lint the changed Dockerfiles (the caller picks them) in one batch and map each onto its diff."""
    results = lint_files([SourceFile(file.path, file.text) for file in files], config, checker)
    reviews = []
    for file, result in zip(files, results):
        reviews.append(FileReview(file.path, result, *diff_lines(file.path, file.patch)))
    return reviews


def diff_lines(path: str, patch: str | None) -> tuple[frozenset[int], tuple[range, ...], frozenset[int]]:
    """Commentable new-side lines, hunk ranges and added lines of one file's patch.

    A patch unidiff cannot read leaves the file without commentable lines (logged): its findings
    still reach the check run, only review comments are lost, never the review itself.
    """
    if not patch:
        return frozenset(), (), frozenset()
    text = patch if patch.endswith("\n") else patch + "\n"
    try:
        patch_set = PatchSet(f"--- a/{path}\n+++ b/{path}\n{text}")
    except UnidiffParseError as error:
        logger.warning("%s: unreadable diff, no review comments for this file: %s", path, error)
        return frozenset(), (), frozenset()
    lines: set[int] = set()
    added: set[int] = set()
    hunks: list[range] = []
    for patched_file in patch_set:
        for hunk in patched_file:
            if hunk.target_length == 0:
                continue
            hunks.append(range(hunk.target_start, hunk.target_start + hunk.target_length))
            lines.update(line.target_line_no for line in hunk if line.target_line_no is not None)
            added.update(line.target_line_no for line in hunk if line.is_added)
    return frozenset(lines), tuple(hunks), frozenset(added)


def fix_lines(source: SourceText, fix: Fix) -> range:
    """The lines a fix's edits touch (an insertion after the final newline counts on the last line)."""
    last_line = _text_line_count(source)
    first = min(source.position(fix.start)[0], last_line)
    last = min(source.position(max(fix.end - 1, fix.start))[0], last_line)
    return range(first, last + 1)


def _text_line_count(source: SourceText) -> int:
    """Lines that hold text: the empty line after a final newline does not count."""
    count = source.line_count
    if count > 1 and source.line_start(count) == len(source.text):
        count -= 1
    return count


def line_region(source: SourceText, lines: range) -> tuple[int, int]:
    """Start and end offsets of `lines`, the last line's end included."""
    end = source.line_start(lines.stop) if lines.stop <= source.line_count else len(source.text)
    return source.line_start(lines.start), end


def replaced_lines(source: SourceText, fix: Fix, lines: range) -> str:
    """The text of `lines` after applying `fix` alone, line ends included (a suggestion's body).

    `lines` must cover `fix_lines(source, fix)`.
    """
    covered = fix_lines(source, fix)
    if covered.start < lines.start or covered.stop > lines.stop:
        raise ValueError(f"lines {lines.start}-{lines.stop - 1} do not cover the fix's lines")
    start, end = line_region(source, lines)
    fixed = fix.apply(source.text)
    return fixed[start : end + len(fixed) - len(source.text)]


def finding_lines(finding: Finding) -> range:
    """The lines a finding's span covers (a span that ends at a line's start does not cover that line)."""
    span = finding.span
    last = span.end_line - 1 if span.end_line > span.line and span.end_column == 1 else span.end_line
    return range(span.line, last + 1)
