"""Fixture helpers for rule tests, in the spirit of hadolint's `ruleCatches` specs."""

from __future__ import annotations

import textwrap

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import select_fixes, apply_fixes
from codi.pipeline.findings import Finding
from codi.pipeline.lint import lint_files, SourceFile


def _dedent(text: str) -> str:
    text = textwrap.dedent(text)
    return text.lstrip("\n")


def findings(
    code: str,
    dockerfile: str,
    config: LintConfig | None = None,
    context_files: frozenset[str] | None = None,
) -> list[Finding]:
    """Findings of rule `code` on a Dockerfile snippet (dedented)."""
    result = lint_files([SourceFile("Dockerfile", _dedent(dockerfile), context_files)], config)[0]
    return [f for f in result.findings if f.code == code]


def catches(code: str, dockerfile: str, count: int | None = None, **kwargs) -> list[Finding]:
    """Assert the rule fires (exactly `count` times when given) and return the findings."""
    found = findings(code, dockerfile, **kwargs)
    assert found, f"{code} should fire on:\n{dockerfile}"
    if count is not None:
        assert len(found) == count, f"{code} fired {len(found)} times, expected {count}"
    return found


def catches_not(code: str, dockerfile: str, **kwargs) -> None:
    found = findings(code, dockerfile, **kwargs)
    assert not found, f"{code} should not fire, got {found}"


def lines(code: str, dockerfile: str, **kwargs) -> list[int]:
    return [f.line for f in findings(code, dockerfile, **kwargs)]


def fixed(code: str, dockerfile: str, unsafe: bool = False, **kwargs) -> str:
    """The Dockerfile after applying the rule's fixes (safe ones unless `unsafe`)."""
    text = _dedent(dockerfile)
    fixes = [f.fix for f in findings(code, dockerfile, **kwargs) if f.fix is not None]
    assert fixes, f"{code} offers no fix on:\n{dockerfile}"
    return apply_fixes(text, select_fixes(fixes, unsafe=unsafe))
