"""Fixes as data: text edits on source spans with an applicability.

The same `Fix` objects feed `codi fix`, GitHub ```suggestion blocks and the
optimiser's "fixes" candidate, so a fix is written once per rule.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from enum import Enum


class Applicability(str, Enum):
    """How sure a fix is to keep the build's meaning (ruff's notion)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with `replacement` (offsets are character offsets)."""

    start: int
    end: int
    replacement: str

    @classmethod
    def insert(cls, offset: int, text: str) -> Edit:
        return cls(offset, offset, text)

    @classmethod
    def delete(cls, start: int, end: int) -> Edit:
        return cls(start, end, "")


@dataclass(frozen=True, slots=True)
class Fix:
    """A set of edits that together repair one finding."""

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    @classmethod
    def safe(cls, description: str, *edits: Edit) -> Fix:
        return cls(description, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, description: str, *edits: Edit) -> Fix:
        return cls(description, tuple(edits), Applicability.UNSAFE)

    @property
    def start(self) -> int:
        return min(edit.start for edit in self.edits)

    @property
    def end(self) -> int:
        return max(edit.end for edit in self.edits)

    def apply(self, text: str) -> str:
        return apply_edits(text, self.edits)


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """Apply non-overlapping edits (several inserts at one offset keep their order)."""
    out = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = max(pos, edit.end)
    out.append(text[pos:])
    return "".join(out)


def select_fixes(fixes: list[Fix], unsafe: bool = False) -> list[Fix]:
    """Choose fixes to apply in one pass: the allowed ones, first come first served, none overlapping.

    The chosen edits are kept sorted, so each new edit is compared with its neighbours only (a
    file with a fix on each of 10,000 lines compared every pair before).
    """
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        if fix.applicability is Applicability.UNSAFE and not unsafe:
            continue
        if any(_overlaps_taken(edit, taken) for edit in fix.edits):
            continue
        chosen.append(fix)
        for edit in fix.edits:
            bisect.insort(taken, (edit.start, edit.end))
    return chosen


def _overlaps_taken(edit: Edit, taken: list[tuple[int, int]]) -> bool:
    """Whether `edit` overlaps a chosen edit (`_overlaps`' test) in `taken`, which holds no two
    overlapping edits of different fixes, so only the one before it and those from its start on count."""
    index = bisect.bisect_left(taken, (edit.start, -1))
    if index > 0 and _edits_overlap(edit, *taken[index - 1]):
        return True
    while index < len(taken) and taken[index][0] <= edit.end:
        if _edits_overlap(edit, *taken[index]):
            return True
        index += 1
    return False


def _edits_overlap(edit: Edit, start: int, end: int) -> bool:
    if edit.start < end and start < edit.end:
        return True
    return edit.start == start and (edit.start == edit.end or start == end)


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    """Apply already selected (non-overlapping) fixes."""
    return apply_edits(text, [edit for fix in fixes for edit in fix.edits])
