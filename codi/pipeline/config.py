"""Lint configuration: what `.codi.yml` and `.hadolint.yaml` say, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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


BuildTrust = Literal["none", "branches", "collaborators"]
BUILD_TRUST_LEVELS: tuple[BuildTrust, ...] = ("none", "branches", "collaborators")
"""`builds.trust` in `.codi.yml`, strictest first."""


@dataclass(frozen=True)
class BuildSettings:
    """`.codi.yml`'s `builds:` section: whose pull requests the App builds without a `/codi build` approval.

    A build runs the pull request's Dockerfile (its code) on the build workers, so by default only
    pull requests from this repository's own branches by people with write access are built; a fork's
    need a maintainer's `/codi build` for each head commit.
    """

    trust: BuildTrust = "branches"
    """`none`: every pull request needs an approval; `branches` (default): writers' PRs from this repository's
    branches are built; `collaborators`: also writers' PRs from forks."""


PERF_STAGES = ("parse", "lint", "shellcheck", "optimise", "rank")
"""The pipeline stages `codi perf` times, in pipeline order."""


@dataclass(frozen=True)
class PerfBudgets:
    """`.codi.yml`'s `perf: budgets:` section (or `codi perf --budget-file`): milliseconds each stage may take.

    ShellCheck runs once for all files (batched, as `codi analyze` runs it), so it has a total budget only.
    """

    per_file_ms: dict[str, float] = field(default_factory=dict)
    """Stage → the most one file may take in it."""
    total_ms: dict[str, float] = field(default_factory=dict)
    """Stage → the most all files together may take in it."""


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
    builds: BuildSettings = BuildSettings()
    perf: PerfBudgets = PerfBudgets()

    def fails(self, findings: Iterable[Finding]) -> bool:
        """hadolint's rule: a finding at the failure threshold or above fails the run, unless no-fail."""
        return not self.no_fail and any(f.severity.at_least(self.failure_threshold) for f in findings)

    def severity_for(self, code: str, default: Severity) -> Severity:
        if code in self.ignored:
            return Severity.IGNORE
        return self.overrides.get(code, default)
