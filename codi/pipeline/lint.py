"""The lint engine: parse, run every rule, honour pragmas and config.

Shell scripts are checked by an external `ScriptChecker` (ShellCheck, an I/O
edge the caller passes in). `lint_files` hands it the scripts of all files at
once so the edge can batch them into few processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Applicability, Edit, Fix, apply_fixes, select_fixes
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Document
from codi.pipeline.parser import parse
from codi.pipeline.pragmas import read_pragmas
from codi.rules import LintContext, all_rules

PARSE_ERROR_CODE = "DL1000"


@dataclass(frozen=True, slots=True)
class ScriptInput:
    """One shell script for an external checker, and how to map its lines back."""

    text: str
    shell: str
    """Shell name for the shebang (sh, bash, dash, ksh)."""
    variables: tuple[str, ...]
    """ARG/ENV names in scope, declared to the checker so it does not flag them."""
    line_map: tuple[int, ...]
    """Dockerfile line of each script line (index 0 = script line 1)."""


@dataclass(frozen=True, slots=True)
class ScriptFinding:
    """A finding of an external checker on one script line."""

    code: str
    severity: Severity
    message: str
    line: int
    column: int


class ScriptChecker(Protocol):
    def check_scripts(self, scripts: Sequence[ScriptInput]) -> list[list[ScriptFinding]]:
        """Findings for each script, in the order given."""
        ...


@dataclass(frozen=True)
class SourceFile:
    """A Dockerfile to lint: its display path, text and optional build context listing."""

    path: str
    text: str
    context_files: frozenset[str] | None = None


@dataclass
class LintResult:
    path: str
    document: Document
    findings: list[Finding] = field(default_factory=list)

    def fixes(self, unsafe: bool = False) -> list[Fix]:
        """Fixes that can be applied together in one pass."""
        return select_fixes([f.fix for f in self.findings if f.fix is not None], unsafe=unsafe)

    def fixed_text(self, unsafe: bool = False) -> str:
        return apply_fixes(self.document.text, self.fixes(unsafe))


def lint_text(text: str, config: LintConfig | None = None, checker: ScriptChecker | None = None) -> LintResult:
    """Lint one Dockerfile text (no build context)."""
    return lint_files([SourceFile("Dockerfile", text)], config, checker)[0]


MAX_FIX_PASSES = 10


@dataclass(frozen=True, slots=True)
class AppliedFix:
    """A fix `fix_passes` applied, with the finding it repaired (the optimiser's rationale lists their codes; a
    `/codi apply` run records them). The finding's line is in the text of the pass that fixed it."""

    finding: Finding
    fix: Fix

    @property
    def code(self) -> str:
        return self.finding.code


@dataclass(frozen=True)
class FixOutcome:
    text: str
    applied: tuple[AppliedFix, ...]
    deferred: int
    """Findings whose fix was labelled unsafe when first seen and safe in a later pass: left unfixed (without
    `unsafe`), so fixing the result again applies them."""


def fix_text(
    text: str,
    config: LintConfig | None = None,
    checker: ScriptChecker | None = None,
    unsafe: bool = False,
) -> str:
    """Apply fixes until nothing changes (a fix can make room for another), at most MAX_FIX_PASSES times."""
    return fix_passes(text, config, checker, unsafe).text


def fix_passes(
    text: str,
    config: LintConfig | None = None,
    checker: ScriptChecker | None = None,
    unsafe: bool = False,
) -> FixOutcome:
    """`fix_text` with the fixes it applied.

    Without `unsafe`, a finding whose fix was labelled unsafe (as `codi analyze` shows it) stays unfixed even
    when a later pass finds its fix safe (DL4006's SHELL once DL3025 made a shell-form CMD exec form): the
    finding is followed from pass to pass by its rule and its start, moved by the edits before it.
    """
    applied: list[AppliedFix] = []
    held: set[tuple[str, int]] = set()
    deferred: set[tuple[str, int]] = set()
    for _ in range(MAX_FIX_PASSES):
        fixable = [((f.code, f.span.start), f, f.fix) for f in lint_text(text, config, checker).findings if f.fix]
        if not unsafe:
            held |= {key for key, _, fix in fixable if fix.applicability is Applicability.UNSAFE}
            deferred |= {key for key, _, fix in fixable if key in held and fix.applicability is Applicability.SAFE}
            fixable = [(key, finding, fix) for key, finding, fix in fixable if key not in held]
        chosen = select_fixes([fix for _, _, fix in fixable], unsafe=unsafe)
        if not chosen:
            break
        chosen_ids = {id(fix) for fix in chosen}
        applied += [AppliedFix(finding, fix) for _, finding, fix in fixable if id(fix) in chosen_ids]
        edits = [edit for fix in chosen for edit in fix.edits]
        held = {(code, _moved(offset, edits)) for code, offset in held}
        deferred = {(code, _moved(offset, edits)) for code, offset in deferred}
        text = apply_fixes(text, chosen)
    return FixOutcome(text, tuple(applied), len(deferred))


def _moved(offset: int, edits: list[Edit]) -> int:
    """Where `offset` lands once `edits` are applied (an insertion at it comes before it)."""
    return offset + sum(len(edit.replacement) - (edit.end - edit.start) for edit in edits if edit.end <= offset)


def lint_files(
    files: Sequence[SourceFile],
    config: LintConfig | None = None,
    checker: ScriptChecker | None = None,
) -> list[LintResult]:
    """Lint several Dockerfiles, batching their shell scripts into one checker call."""
    config = config or LintConfig()
    contexts: list[LintContext] = []
    raw: list[list[Finding]] = []
    for source in files:
        document = parse(source.text)
        ctx = LintContext(document, config, source.context_files)
        contexts.append(ctx)
        raw.append(_rule_findings(ctx))
    if checker is not None and config.shellcheck:
        from codi.pipeline.scripts import script_findings

        for findings, extra in zip(raw, script_findings(contexts, checker)):
            findings.extend(extra)
    return [
        LintResult(source.path, ctx.document, _finalise(ctx, findings))
        for source, ctx, findings in zip(files, contexts, raw)
    ]


def _rule_findings(ctx: LintContext) -> list[Finding]:
    findings = [
        Finding(PARSE_ERROR_CODE, Severity.ERROR, diagnostic.message, diagnostic.span)
        for diagnostic in ctx.document.diagnostics
    ]
    for rule in all_rules():
        if ctx.config.severity_for(rule.code, rule.severity) is Severity.IGNORE:
            continue
        findings.extend(rule.check(ctx))
    return findings


def _finalise(ctx: LintContext, findings: list[Finding]) -> list[Finding]:
    """Apply pragmas and severity overrides; drop ignored findings; sort."""
    pragmas = None if ctx.config.disable_ignore_pragma else read_pragmas(ctx.document)
    out: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for finding in findings:
        if pragmas is not None and pragmas.suppresses(finding):
            continue
        severity = ctx.config.severity_for(finding.code, finding.severity)
        if severity is Severity.IGNORE:
            continue
        key = (finding.code, finding.span.start, finding.message)
        if key in seen:
            continue
        seen.add(key)
        if severity is not finding.severity:
            finding = Finding(finding.code, severity, finding.message, finding.span, finding.fix)
        out.append(finding)
    out.sort(key=lambda f: (f.span.line, f.span.column, f.code))
    return out
