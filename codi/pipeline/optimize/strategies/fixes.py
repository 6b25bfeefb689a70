"""The `fixes` strategy: the original with every safe fix applied, its layout kept."""

from __future__ import annotations

from codi.pipeline.config import LintConfig
from codi.pipeline.lint import AppliedFix, fix_passes
from codi.pipeline.model import Document
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.optimize.model import Candidate, Change
from codi.pipeline.parser import parse

FIX_CONFIG = LintConfig(shellcheck=False)
"""The fixes candidate applies codi's own safe fixes; ShellCheck's findings carry none."""


def fixes_candidate(document: Document) -> Candidate | str:
    """The original with every safe fix applied (layout kept), or why there is none."""
    outcome = fix_passes(document.text, FIX_CONFIG)
    if outcome.text == document.text:
        return "no safe fix applies"
    estimate = estimate_change(document, parse(outcome.text))
    return Candidate("fixes", outcome.text, _fix_changes(outcome.applied), estimate)


def _fix_changes(applied: tuple[AppliedFix, ...]) -> tuple[Change, ...]:
    """One change per rule whose fixes the candidate applied (every pass): `fix:<code>` with the fix's description."""
    descriptions: dict[str, list[str]] = {}
    for fix in applied:
        descriptions.setdefault(fix.code, []).append(fix.fix.description)
    changes = []
    for code, fixed_ones in sorted(descriptions.items()):
        times = f" ({len(fixed_ones)}×)" if len(fixed_ones) > 1 else ""
        changes.append(Change(f"fix:{code}", f"{fixed_ones[0]}{times}"))
    return tuple(changes)
