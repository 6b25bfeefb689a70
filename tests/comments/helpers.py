"""Build reviewed files from a base and a head text, as a pull request would give them."""

from __future__ import annotations

import difflib
import re

from codi.comments.review import ReviewComment
from codi.pipeline.config import LintConfig
from codi.pipeline.review import ChangedFile, FileReview, review_files
from codi.rules import all_rules


def only(*codes: str, **settings: object) -> LintConfig:
    """A config that reports only `codes` (rules added later change nothing), without ShellCheck."""
    ignored = frozenset(rule.code for rule in all_rules() if rule.code not in codes)
    return LintConfig(ignored=ignored, shellcheck=False, **settings)  # type: ignore[arg-type]


def github_patch(before: str, after: str) -> str:
    """The `patch` GitHub gives for a file changed from `before` to `after` (hunks, 3 lines of context)."""
    diff = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=3)
    lines = list(diff)[2:]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def reviewed(before: str, after: str, *codes: str, path: str = "Dockerfile", **settings: object) -> FileReview:
    return review_files([ChangedFile(path, after, github_patch(before, after))], only(*codes, **settings))[0]


_SUGGESTION = re.compile(r"^(`{3,})suggestion\n(.*?)^\1$", re.MULTILINE | re.DOTALL)


def suggestion_of(comment: ReviewComment) -> str | None:
    """The suggestion block's content, line ends included, or None."""
    match = _SUGGESTION.search(comment.body)
    return match.group(2) if match else None


def accept_suggestion(text: str, comment: ReviewComment) -> str:
    """What GitHub's "Commit suggestion" makes of `text`: the commented lines replaced by the block."""
    suggestion = suggestion_of(comment)
    assert suggestion is not None, comment.body
    lines = text.splitlines(keepends=True)
    first = (comment.start_line or comment.line) - 1
    return "".join(lines[:first]) + suggestion + "".join(lines[comment.line :])
