"""Markdown pieces every renderer shares: rule links, escaping, code fences, table cells, clipping, batches.

Everything a pull request controls (paths, branch names, logins, Dockerfile text quoted in messages,
build logs, model output) reaches a body codi posts only through the escaping helpers here, so
GitHub shows it as the words it is: no HTML, no link, no @mention, no issue reference, no table or
code span broken open, no `<!-- codi:… -->` marker spelt out.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from codi.pipeline.findings import Severity
from codi.reports.rule_docs import RULES_PAGE
from codi.reports.sarif import SHELLCHECK_WIKI
from codi.rules import rule_by_code

T = TypeVar("T")

TEXT_LIMIT = 65_535
"""Stay under GitHub's 65,536-character limit on comment bodies and check-run summaries."""
MESSAGE_LIMIT = 2_000
"""Characters of a finding's message shown in a table row or review comment (escaping may multiply them)."""
SEVERITY_LABELS = {
    Severity.ERROR: "Error",
    Severity.WARNING: "Warning",
    Severity.INFO: "Info",
    Severity.STYLE: "Style",
    Severity.IGNORE: "Ignored",
}
_BACKTICK_RUN = re.compile(r"`+")
_WHITESPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"([!#$&()*+\-.:<=>@\[\\\]_`|~])")
"""ASCII punctuation that can start Markdown, HTML, an entity, a table cell or an autolink (`www.`, `x:`)."""
_REFERENCE = re.compile(r"[@#]|(?<![0-9A-Za-z])GH(?=-[0-9])", re.IGNORECASE)
"""What GitHub turns into a mention (`@user`, `@org/team`) or an issue reference (`#1`, `GH-1`) after rendering."""
_ZWSP = "\u200b"
_FORGED_MARKER = re.compile(r"<!--(?=\s*codi)", re.IGNORECASE)
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")


class _Shown(dict[int, str]):
    """`str.translate` table: control, format (bidi overrides, zero-width) and lone surrogate characters as
    `<U+XXXX>`, so they can neither hide nor reorder text; looked up once per character met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        shown = f"<U+{code:04X}>" if unicodedata.category(char) in ("Cc", "Cf", "Cs") else char
        self[code] = shown
        return shown


_SHOWN = _Shown()
_SHOWN_IN_BLOCKS = _Shown({ord("\t"): "\t", ord("\n"): "\n", ord("\r"): "\r"})
"""The same for code blocks, which keep their tabs and line ends."""


def rule_url(code: str) -> str | None:
    """The documentation page of a code: codi's rule reference, ShellCheck's wiki, or none (DL1000)."""
    if code.startswith("SC"):
        return SHELLCHECK_WIKI + code
    if rule_by_code(code) is not None:
        return f"{RULES_PAGE}#{code.lower()}"
    return None


def rule_link(code: str) -> str:
    url = rule_url(code)
    return f"[{code}]({url})" if url else inert_text(code)


def block_text(text: str) -> str:
    """Text of many lines with its tabs and line ends, invisible characters shown as `<U+XXXX>` and no
    marker-looking `<!-- codi` spelt out: what code blocks hold, and every string in codi's HTML run reports."""
    return _unforged(text.translate(_SHOWN_IN_BLOCKS))


def _unforged(text: str) -> str:
    """Text in code with a zero-width space in each `<!--` that opens a marker-looking `<!-- codi…`."""
    return _FORGED_MARKER.sub("<!" + _ZWSP + "--", text)


def _visible(text: str) -> str:
    """One line: whitespace runs (line breaks too) as one space, invisible characters shown."""
    return _WHITESPACE.sub(" ", text).translate(_SHOWN)


def plain_line(text: str) -> str:
    """Text for a field GitHub shows as plain text but still links (commit messages): one line, so it cannot add
    a line or a trailer, with a zero-width space after `@`, `#` and `GH` so it mentions and references nobody."""
    return _REFERENCE.sub(lambda match: match.group() + _ZWSP, _visible(text))


def inert_text(text: str) -> str:
    """Untrusted text as Markdown that shows exactly its words (on one line, trimmed, so it can close emphasis
    around it): every character that could start markup backslash-escaped, and no mention, reference or
    autolink (see `plain_line`)."""
    return _escaped(text.strip())


def _escaped(text: str) -> str:
    return _MARKUP.sub(r"\\\1", plain_line(text))


def html_text(text: str) -> str:
    """Untrusted text inside codi's own HTML (a `<summary>`): escaped, on one line so it cannot end the HTML block."""
    return html.escape(plain_line(text))


def code_span(text: str) -> str:
    """Text shown as code: one line, between backtick runs longer than any inside, so nothing breaks out."""
    content = _unforged(_visible(text)) or " "
    ticks = "`" * (1 + max((len(run) for run in _BACKTICK_RUN.findall(content)), default=0))
    if content[0] == "`" or content[-1] == "`" or (content[0] == content[-1] == " " and content.strip()):
        content = f" {content} "
    return f"{ticks}{content}{ticks}"


def message_text(text: str) -> str:
    """A message codi wrote around quoted Dockerfile text (`` Pin `curl` ``): each backtick-quoted part as a
    `code_span`, the rest `inert_text`. However the quotes pair up, every part is escaped, so a backtick in the
    quoted text can only change where a code span ends, never let markup through."""
    text = text.strip()
    runs = list(_BACKTICK_RUN.finditer(text))
    by_length: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        by_length.setdefault(len(run.group()), []).append(index)
    parts, done, index = [], 0, 0
    while index < len(runs):
        opener, same = runs[index], by_length[len(runs[index].group())]
        after = bisect.bisect_right(same, index)
        if after == len(same):
            index += 1
            continue
        closer = runs[same[after]]
        quoted = text[opener.end() : closer.start()]
        if len(quoted) > 1 and quoted[0] == quoted[-1] == " " and quoted.strip():
            quoted = quoted[1:-1]
        parts += [_escaped(text[done : opener.start()]), code_span(quoted)]
        done, index = closer.end(), same[after] + 1
    return "".join(parts) + _escaped(text[done:])


def table_cell(markdown: str) -> str:
    """A one-line Markdown piece (from the helpers above) inside a table cell: every `|` escaped, in code spans
    too, as GFM wants (an escaped `\\|` stays escaped: GFM strips one backslash before the pipe)."""
    return markdown.replace("|", "\\|")


def mention(login: str) -> str:
    """`@login` for a name GitHub could have given a user, so the reply notifies that person; any other name
    (a team, a bot's `[bot]`, anything odd) as inert text."""
    return f"@{login}" if _LOGIN.fullmatch(login) else inert_text(login)


def fence(content: str, info: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside (at least three); invisible
    characters (bidi overrides, terminal escapes) are shown as `<U+XXXX>` and a marker-looking `<!-- codi`
    gets a zero-width space, so the block neither hides what it holds nor spells out a marker."""
    content = block_text(content)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(content)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"{ticks}{info}\n{body}{ticks}"


def suggestion_block(lines: str) -> str | None:
    """A ```suggestion block of `lines`, byte for byte; None when `fence` would have to change them (a marker,
    an invisible character): a suggestion must commit exactly the fix, and must not hide or forge anything."""
    if block_text(lines) != lines:
        return None
    return fence(lines, "suggestion")


def clip(text: str, limit: int, note: str = "…") -> str:
    """`text` cut to at most `limit` characters, ending with `note` when cut (raw text, before escaping)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(note))] + note[:limit]


def clip_lines(markdown: str, limit: int, note: str = "\n\n_(cut at GitHub's size limit)_\n") -> str:
    """Rendered Markdown cut at a line end within `limit` characters, `note` after it: a cut inside a line could
    leave a code span or an escape open and let what follows render as markup (an open fence only hides more)."""
    if len(markdown) <= limit:
        return markdown
    room = max(0, limit - len(note))
    end = markdown.rfind("\n", 0, room) + 1
    return markdown[:end] + note[:limit]


def batched(items: Sequence[T], size: int) -> list[list[T]]:
    """`items` in consecutive batches of at most `size` (GitHub's per-request limits)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    return [list(items[index : index + size]) for index in range(0, len(items), size)]


def fit_rows(head: str, rows: Sequence[str], tail: str, limit: int, left_out_note: str) -> str:
    """`head` + as many `rows` as fit + `tail` within `limit` characters.

    When rows are left out, `left_out_note.format(count=n)` follows the last row shown, so a reader
    knows how many are missing; `head` and `tail` are clipped (at a line end) as a last resort.
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
    return clip_lines(text, limit)
