"""hadolint's JSON format (file, line, column, level, code, message) plus spans and fixes."""

from __future__ import annotations

import json

from codi.pipeline.edits import Fix
from codi.pipeline.lint import LintResult


def fix_to_dict(fix: Fix) -> dict:
    return {
        "description": fix.description,
        "applicability": fix.applicability.value,
        "edits": [{"start": e.start, "end": e.end, "replacement": e.replacement} for e in fix.edits],
    }


def render(results: list[LintResult]) -> str:
    items = []
    for result in results:
        for finding in result.findings:
            items.append(
                {
                    "file": result.path,
                    "line": finding.span.line,
                    "column": finding.span.column,
                    "end_line": finding.span.end_line,
                    "end_column": finding.span.end_column,
                    "level": finding.severity.value,
                    "code": finding.code,
                    "message": finding.message,
                    "fix": fix_to_dict(finding.fix) if finding.fix else None,
                }
            )
    return json.dumps(items, indent=2) + "\n"
