"""GitLab Code Quality JSON (hadolint's `gitlab_codeclimate` format).

Fingerprints are computed as hadolint computes them (SHA-1 of the issue's
compact JSON with sorted keys), so a project switching from hadolint keeps
GitLab's record of which issues are new and which are fixed.
"""

from __future__ import annotations

import hashlib
import json

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.lint import LintResult

SEVERITIES = {
    Severity.ERROR: "blocker",
    Severity.WARNING: "major",
    Severity.INFO: "info",
    Severity.STYLE: "minor",
}
"""hadolint's mapping of its severities onto Code Climate's."""


def render(results: list[LintResult]) -> str:
    issues = [with_fingerprint(issue(result.path, finding)) for result in results for finding in result.findings]
    return json.dumps(issues, sort_keys=True, separators=(",", ":")) + "\n"


def issue(path: str, finding: Finding) -> dict:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": finding.message,
        "categories": ["Bug Risk"],
        "location": {"path": path, "lines": {"begin": finding.line, "end": finding.line}},
        "severity": SEVERITIES.get(finding.severity, "info"),
    }


def with_fingerprint(item: dict) -> dict:
    encoded = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha1(encoded.encode("utf-8", "surrogateescape")).hexdigest()
    return {**item, "fingerprint": digest}
