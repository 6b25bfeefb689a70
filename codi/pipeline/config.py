"""Lint configuration: what `.codi.yml` and `.hadolint.yaml` say, as data."""

from __future__ import annotations

from dataclasses import dataclass, field

from collections.abc import Iterable

from codi.pipeline.findings import Finding, Severity


@dataclass(frozen=True)
class SmokeSettings:
    """`.codi.yml`'s `smoke-test:` section: how a built image proves it still works."""

    command: tuple[str, ...] | None = None
    """Run in the image instead of its CMD; exit code 0 passes. Takes precedence over the port test."""
    port: int | None = None
    """Port to wait for instead of the first EXPOSEd one."""
    timeout_seconds: float = 60.0


@dataclass(frozen=True)
class LintConfig:
    """Settings that change what the linter reports (hadolint's configuration keys)."""

    ignored: frozenset[str] = frozenset()
    """Rule codes never reported."""
    overrides: dict[str, Severity] = field(default_factory=dict)
    """Rule code → severity that replaces the rule's default."""
    failure_threshold: Severity = Severity.INFO
    """Findings at this severity or above make the run fail."""
    no_fail: bool = False
    trusted_registries: tuple[str, ...] = ()
    label_schema: dict[str, str] = field(default_factory=dict)
    """Label name → type (text, url, spdx, hash, rfc3339, semver, email)."""
    strict_labels: bool = False
    disable_ignore_pragma: bool = False
    shellcheck: bool = True
    smoke: SmokeSettings = SmokeSettings()

    def fails(self, findings: Iterable[Finding]) -> bool:
        """hadolint's rule: a finding at the failure threshold or above fails the run, unless no-fail."""
        return not self.no_fail and any(f.severity.at_least(self.failure_threshold) for f in findings)

    def severity_for(self, code: str, default: Severity) -> Severity:
        if code in self.ignored:
            return Severity.IGNORE
        return self.overrides.get(code, default)
