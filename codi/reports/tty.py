"""Terminal output: each finding with its source lines and the fix it offers.

Colour only on a terminal (rich also honours NO_COLOR and FORCE_COLOR). Lines
are never wrapped, so piped output stays one finding header per line.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.text import Text

from codi.pipeline.edits import Applicability, Edit, Fix, apply_edits
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.lint import LintResult
from codi.pipeline.source import SourceText

MAX_EXCERPT_LINES = 12
"""Longer instructions show their first lines and how many were left out."""

SEVERITY_STYLES = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "green",
    Severity.STYLE: "cyan",
}


def print_results(results: list[LintResult], stream: TextIO) -> None:
    console = Console(
        file=stream,
        soft_wrap=True,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for result in results:
        for finding in result.findings:
            _print_finding(console, result, finding)
    console.print(summary(results))


def _print_finding(console: Console, result: LintResult, finding: Finding) -> None:
    header = Text()
    header.append(f"{result.path}:{finding.line}:{finding.column}", style="bold")
    header.append(" ")
    header.append(finding.code, style="bold magenta")
    header.append(" ")
    header.append(finding.severity.value, style=SEVERITY_STYLES.get(finding.severity, ""))
    header.append(f": {_printable(finding.message)}")
    console.print(header)
    source = result.document.source
    if source.text:  # a file that is not text is reported without its bytes
        console.print(_excerpt(source, finding.span.line, finding.span.end_line))
    if finding.fix is not None:
        console.print(_fix_preview(source, finding.fix))
    console.print()


def _excerpt(source: SourceText, first: int, last: int) -> Text:
    """The source lines first..last with their numbers, cut at MAX_EXCERPT_LINES."""
    shown_last = min(last, first + MAX_EXCERPT_LINES - 1)
    width = len(str(shown_last))
    out = Text()
    for number in range(first, shown_last + 1):
        out.append(f"  {number:>{width}} │ ", style="dim")
        out.append(_line_text(source, number) + "\n")
    if shown_last < last:
        out.append(f"  {'':>{width}} │ … {last - shown_last} more line(s)\n", style="dim")
    out.rstrip()
    return out


def _fix_preview(source: SourceText, fix: Fix) -> Text:
    """The lines the fix changes: removed ones with `-`, added ones with `+`."""
    first_line = source.position(fix.start)[0]
    last_line = source.position(fix.end)[0]
    region_start = source.line_start(first_line)
    region_end = source.text.find("\n", fix.end)
    region_end = len(source.text) if region_end == -1 else region_end
    before = source.text[region_start:region_end]
    shifted = [Edit(edit.start - region_start, edit.end - region_start, edit.replacement) for edit in fix.edits]
    after = apply_edits(before, shifted)
    old_lines, new_lines = before.split("\n"), after.split("\n")
    width = len(str(max(last_line, first_line + len(new_lines) - 1)))
    label = "fix" if fix.applicability is Applicability.SAFE else "unsafe fix"
    out = Text(f"  {label}: {_printable(fix.description)}\n", style="bold blue")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for i in range(i1, i2):
            out.append(f"  {first_line + i:>{width}} - {_printable(old_lines[i].rstrip(chr(13)))}\n", style="red")
        for j in range(j1, j2):
            out.append(f"  {first_line + j:>{width}} + {_printable(new_lines[j].rstrip(chr(13)))}\n", style="green")
    out.rstrip()
    return out


def summary(results: list[LintResult]) -> Text:
    """One line: how many problems of each severity, and how many `codi fix` repairs."""
    findings = [f for r in results for f in r.findings]
    files = len(results)
    if not findings:
        return Text(f"No problems found in {files} file(s).", style="bold green")
    counts = Counter(finding.severity for finding in findings)
    out = Text(f"Found {len(findings)} problem(s) in {files} file(s): ", style="bold")
    for index, severity in enumerate(sorted(counts, key=lambda s: s.rank)):
        out.append(", " if index else "")
        out.append(f"{counts[severity]} {severity.value}", style=SEVERITY_STYLES.get(severity, ""))
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability is Applicability.UNSAFE)
    if safe:
        out.append(f". {safe} fixable with `codi fix`")
    if unsafe:
        out.append(f"{'; ' if safe else '. '}{unsafe} more with `codi fix --unsafe`")
    out.append(".")
    return out


def _line_text(source: SourceText, number: int) -> str:
    start = source.line_start(number)
    end = source.text.find("\n", start)
    line = source.text[start : len(source.text) if end == -1 else end]
    return _printable(line.rstrip("\r"))


def _printable(text: str) -> str:
    """Undecodable bytes (kept as surrogates) shown as U+FFFD so any terminal can print them."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
