"""A finding's fingerprint: the same finding keeps it when lines move.

It hashes the path, the code, the instruction's text and the flagged text,
whitespace and line continuations normalised, never a line number, so a
comment posted on one push is recognised on the next even when lines were
added above it. Comments carry it in a hidden HTML marker.
"""

from __future__ import annotations

import bisect
import hashlib
import re

from codi.pipeline.findings import Finding
from codi.pipeline.lint import LintResult
from codi.pipeline.model import Document, Instruction
from codi.pipeline.review import finding_lines, line_region

_MARKER = re.compile(r"^<!-- codi:finding=([0-9a-f]{16}(?:-[0-9]+)?) -->$", re.MULTILINE)
"""On a line of its own: a reply quoting codi's comment (`> <!-- … -->`) does not count."""


def finding_marker(fingerprint: str) -> str:
    return f"<!-- codi:finding={fingerprint} -->"


def parse_finding_marker(body: str) -> str | None:
    """The fingerprint in a comment body codi wrote, or None for anybody else's comment."""
    match = _MARKER.search(body)
    return match.group(1) if match else None


def fingerprints(result: LintResult) -> list[str]:
    """One fingerprint per finding of `result`, in order; equal findings get `-2`, `-3`… in order."""
    document = result.document
    instructions = [node for node in document.nodes if isinstance(node, Instruction)]
    starts = [instruction.span.start for instruction in instructions]
    seen: dict[str, int] = {}
    out = []
    for finding in result.findings:
        parts = (
            result.path,
            finding.code,
            _normalise(_context_text(document, instructions, starts, finding), document.escape),
            _normalise(document.text[finding.span.start : finding.span.end], document.escape),
        )
        key = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return out


def _context_text(document: Document, instructions: list[Instruction], starts: list[int], finding: Finding) -> str:
    """The text of the instruction holding the finding, or of the finding's lines when none does (a parse error)."""
    index = bisect.bisect_right(starts, finding.span.start) - 1
    if index >= 0 and finding.span.start <= instructions[index].span.end:
        span = instructions[index].span
        return document.text[span.start : span.end]
    start, end = line_region(document.source, finding_lines(finding))
    return document.text[start:end]


def _normalise(text: str, escape: str) -> str:
    """Whitespace runs, line continuations included, as one space."""
    return " ".join(text.replace(escape + "\n", " ").split())
