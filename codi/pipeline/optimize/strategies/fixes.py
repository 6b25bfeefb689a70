"""The `fixes` strategy: the original with every safe fix applied, its layout kept."""

from __future__ import annotations

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Applicability
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.model import Document
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.optimize.model import Candidate, Change
from codi.pipeline.parser import parse

FIX_CONFIG = LintConfig(shellcheck=False)
"""The fixes candidate applies codi's own safe fixes; ShellCheck's findings carry none."""


def fixes_candidate(document: Document) -> Candidate | str:
    """The original with every safe fix applied (layout kept), or why there is none."""
    fixed = fix_text(document.text, FIX_CONFIG)
    if fixed == document.text:
        return "no safe fix applies"
    return Candidate("fixes", fixed, _fix_changes(document.text, fixed), estimate_change(document, parse(fixed)))


def _fix_changes(original: str, fixed: str) -> tuple[Change, ...]:
    """One change per rule whose safe fixes removed findings: `fix:<code>` with the fix's description."""
    remaining: dict[str, int] = {}
    for finding in lint_text(fixed, FIX_CONFIG).findings:
        remaining[finding.code] = remaining.get(finding.code, 0) + 1
    descriptions: dict[str, list[str]] = {}
    for finding in lint_text(original, FIX_CONFIG).findings:
        if finding.fix is not None and finding.fix.applicability is Applicability.SAFE:
            descriptions.setdefault(finding.code, []).append(finding.fix.description)
    changes = []
    for code, fixed_ones in sorted(descriptions.items()):
        applied = len(fixed_ones) - remaining.get(code, 0)
        if applied > 0:
            times = f" ({applied}×)" if applied > 1 else ""
            changes.append(Change(f"fix:{code}", f"{fixed_ones[0]}{times}"))
    return tuple(changes)
