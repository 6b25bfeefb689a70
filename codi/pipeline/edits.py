"""Fixes as data: text edits on source spans with an applicability.

The same `Fix` objects feed `codi fix`, GitHub ```suggestion blocks and the
optimiser's "fixes" candidate, so a fix is written once per rule.
"""

from __future__ import annotations

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


def _overlaps(a: Fix, b: Fix) -> bool:
    for x in a.edits:
        for y in b.edits:
            if x.start < y.end and y.start < x.end:
                return True
            if x.start == y.start and (x.start == x.end or y.start == y.end):
                return True
    return False


def select_fixes(fixes: list[Fix], unsafe: bool = False) -> list[Fix]:
    """Choose fixes to apply in one pass: the allowed ones, first come first served, none overlapping."""
    chosen: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        if fix.applicability is Applicability.UNSAFE and not unsafe:
            continue
        if any(_overlaps(fix, other) for other in chosen):
            continue
        if fix in chosen:
            continue
        chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    """Apply already selected (non-overlapping) fixes."""
    return apply_edits(text, [edit for fix in fixes for edit in fix.edits])
