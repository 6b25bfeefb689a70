"""Markdown pieces every renderer shares: rule links, code fences, table cells, clipping, batches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from codi.pipeline.findings import Severity
from codi.reports.sarif import INFORMATION_URI, SHELLCHECK_WIKI
from codi.rules import rule_by_code

T = TypeVar("T")

TEXT_LIMIT = 65_535
"""Stay under GitHub's 65,536-character limit on comment bodies and check-run summaries."""
RULES_PAGE = f"{INFORMATION_URI}/blob/main/docs/rules.md"
SEVERITY_LABELS = {
    Severity.ERROR: "Error",
    Severity.WARNING: "Warning",
    Severity.INFO: "Info",
    Severity.STYLE: "Style",
    Severity.IGNORE: "Ignored",
}
_BACKTICK_RUN = re.compile(r"`+")
_CODE_SPAN = re.compile(r"(`+[^`]*?`+)")


def rule_url(code: str) -> str | None:
    """The documentation page of a code: codi's rule reference, ShellCheck's wiki, or none (DL1000)."""
    if code.startswith("SC"):
        return SHELLCHECK_WIKI + code
    if rule_by_code(code) is not None:
        return f"{RULES_PAGE}#{code.lower()}"
    return None


def rule_link(code: str) -> str:
    url = rule_url(code)
    return f"[{code}]({url})" if url else code


def fence(content: str, info: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside (at least three)."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(content)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"{ticks}{info}\n{body}{ticks}"


def inline_text(text: str) -> str:
    """A message as Markdown: `<` outside code spans escaped, so `<package>` is shown, not taken for HTML."""
    parts = _CODE_SPAN.split(text)
    return "".join(part if index % 2 else part.replace("<", "&lt;") for index, part in enumerate(parts))


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def untrusted_text(text: str) -> str:
    """Text codi did not write (model output) shown as plain words: one line, no Markdown, HTML or links, and
    no @mention that would notify anyone (`@` gets a zero-width space after it, as Dependabot does)."""
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()).replace("&", "&amp;"))
    return escaped.replace("@", "@&#8203;").replace("http", "h&#8203;ttp")


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped (code spans too, as GFM wants)."""
    return inline_text(" ".join(text.split())).replace("|", "\\|")


def clip(text: str, limit: int, note: str = "…") -> str:
    """`text` cut to at most `limit` characters, ending with `note` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(note))] + note[:limit]


def batched(items: Sequence[T], size: int) -> list[list[T]]:
    """`items` in consecutive batches of at most `size` (GitHub's per-request limits)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    return [list(items[index : index + size]) for index in range(0, len(items), size)]


def fit_rows(head: str, rows: Sequence[str], tail: str, limit: int, left_out_note: str) -> str:
    """`head` + as many `rows` as fit + `tail` within `limit` characters.

    When rows are left out, `left_out_note.format(count=n)` follows the last row shown, so a reader
    knows how many are missing; `head` and `tail` are clipped as a last resort.
    """
    total = len(head) + sum(len(row) for row in rows) + len(tail)
    if total <= limit:
        return head + "".join(rows) + tail
    used = len(head) + len(tail) + len(left_out_note.format(count=len(rows)))
    shown = 0
    for row in rows:
        if used + len(row) > limit:
            break
        used += len(row)
        shown += 1
    text = head + "".join(rows[:shown]) + left_out_note.format(count=len(rows) - shown) + tail
    return clip(text, limit, "\n\n_(cut at GitHub's size limit)_\n")
