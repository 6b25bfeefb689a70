"""Positions in a source text: spans with line/column and offsets.

Offsets are character offsets into the decoded text; `SourceText.byte_offset`
converts them to byte offsets of the UTF-8 file (GitHub and SARIF want lines and
columns, editors want characters, only archives want bytes).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range [start, end) of a source text, with 1-based line/column."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


class SourceText:
    """The decoded text of one file plus an index of its line starts."""

    __slots__ = ("text", "_line_starts", "_ascii")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._line_starts = starts
        self._ascii = text.isascii()

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based `line`."""
        return self._line_starts[line - 1]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(start, end, line, column, end_line, end_column)

    def byte_offset(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self.text[:offset].encode("utf-8", "surrogateescape"))
