"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Rule metadata comes from the rule docstrings; each fix becomes a SARIF `fix`
whose replacements are the fix's edits as line/column regions. Columns count
Unicode code points (`columnKind`), as the rest of codi does.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from urllib.parse import quote

from codi import __version__
from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.lint import PARSE_ERROR_CODE, LintResult
from codi.pipeline.source import SourceText
from codi.reports.rule_docs import PROJECT_URI, rule_doc
from codi.rules import rule_by_code

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PROJECT_URI
SHELLCHECK_WIKI = "https://www.shellcheck.net/wiki/"

LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.STYLE: "note",
    Severity.IGNORE: "none",
}
"""SARIF has three levels; info and style both become `note`, as in hadolint's SARIF (off-by-default rules: `none`)."""


def render(results: list[LintResult]) -> str:
    rules: dict[str, dict] = {}
    rule_index: dict[str, int] = {}
    sarif_results = []
    for result in results:
        uri = artifact_uri(result.path)
        for finding in result.findings:
            if finding.code not in rules:
                rule_index[finding.code] = len(rules)
                rules[finding.code] = rule_descriptor(finding)
            sarif_results.append(sarif_result(finding, uri, result.document.source, rule_index[finding.code]))
    run = {
        "tool": {
            "driver": {
                "name": "codi",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": list(rules.values()),
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def rule_descriptor(finding: Finding) -> dict:
    """A `reportingDescriptor` for the finding's code: from the docstring for codi's rules."""
    rule = rule_by_code(finding.code)
    if rule is None:
        return _external_descriptor(finding)
    doc = rule_doc(rule)
    descriptor = {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.message},
        "fullDescription": {"text": doc.summary},
        "help": {"text": doc.markdown(level=2), "markdown": doc.markdown(level=2)},
        "defaultConfiguration": {"level": LEVELS[doc.severity]},
        "helpUri": doc.help_uri,
    }
    return descriptor


def _external_descriptor(finding: Finding) -> dict:
    """Codes without a codi rule class: the parser's DL1000 and ShellCheck's SCxxxx."""
    if finding.code == PARSE_ERROR_CODE:
        text = "The Dockerfile could not be parsed"
        return {
            "id": finding.code,
            "shortDescription": {"text": text},
            "fullDescription": {"text": text},
            "defaultConfiguration": {"level": "error"},
        }
    descriptor = {
        "id": finding.code,
        "shortDescription": {"text": f"ShellCheck {finding.code}"},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }
    if finding.code.startswith("SC"):
        descriptor["helpUri"] = SHELLCHECK_WIKI + finding.code
    return descriptor


def sarif_result(finding: Finding, uri: str, source: SourceText, rule_index: int) -> dict:
    span = finding.span
    out = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": region(span.line, span.column, span.end_line, span.end_column),
                }
            }
        ],
    }
    if finding.fix is not None:
        out["fixes"] = [sarif_fix(finding.fix, uri, source)]
    return out


def sarif_fix(fix: Fix, uri: str, source: SourceText) -> dict:
    replacements = []
    for edit in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        start_line, start_column = source.position(edit.start)
        end_line, end_column = source.position(edit.end)
        replacements.append(
            {
                "deletedRegion": region(start_line, start_column, end_line, end_column),
                "insertedContent": {"text": edit.replacement},
            }
        )
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
        "properties": {"applicability": fix.applicability.value},
    }


def region(start_line: int, start_column: int, end_line: int, end_column: int) -> dict:
    """A region whose end column is the column just after its last character (SARIF's convention)."""
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def artifact_uri(path: str) -> str:
    """A URI reference for a report path: relative paths stay relative (to the repository root)."""
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix().encode("utf-8", "surrogateescape"))
