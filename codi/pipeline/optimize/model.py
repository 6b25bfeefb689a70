"""What the optimiser reads and produces: stack reports, candidates, estimates.

Plain data shared by stack detection (`codi/pipeline/optimize/stack.py`), entrypoint
analysis (`codi/pipeline/optimize/start.py`), the candidate generator
(`codi/modules` + `codi/rules/catalog`) and the orchestrator
(`codi/pipeline/optimize/__init__.py`); the build issue adds measured figures beside
the estimates without changing these shapes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Stack = Literal["python", "node", "go", "java", "rust", "ruby", "php", "dotnet", "static", "generic"]
Strategy = Literal["fixes", "slim", "multi-stage", "minimal"]
STRATEGIES: tuple[Strategy, ...] = ("fixes", "slim", "multi-stage", "minimal")
"""In order of how far a candidate departs from the original: `fixes` keeps the layout, `slim` keeps the
stages (slimmer bases, consolidated layers, build tools out of the final stage), `multi-stage` and
`minimal` restructure a single-stage original."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation behind a stack verdict, e.g. `base image python:3.11 (line 1)`."""

    stack: Stack
    weight: float
    what: str
    line: int | None = None
    """Dockerfile line, or None for evidence from the build context (a file name)."""


@dataclass(frozen=True)
class StageRole:
    """A stage and what it is for."""

    index: int
    name: str
    role: Literal["builder", "runtime", "other"]
    base_image: str


@dataclass(frozen=True)
class StackReport:
    """Which stack a Dockerfile builds, how sure codi is, and why; plus its topology."""

    stack: Stack
    confidence: float
    """0..1: the winning stack's share of the evidence weight."""
    evidence: tuple[Evidence, ...]
    multistage: bool
    runtime_stage: int
    """Index of the stage that becomes the image (the last one)."""
    stages: tuple[StageRole, ...]
    app_port: int | None = None
    """The first EXPOSEd port of the runtime stage, if any."""


@dataclass(frozen=True)
class StartCommand:
    """The container's start command as Docker will run it (ENTRYPOINT + CMD)."""

    argv: tuple[str, ...] | None
    """The exec argv, or None when it cannot be known statically."""
    shell_form: bool
    exec_conversion: tuple[str, ...] | None
    """The exec form a shell-form command converts to, when its argv is unambiguous."""
    why_not_exec: str | None
    """Why a shell-form command cannot be converted, when it cannot."""
    problems: tuple[str, ...] = ()
    """PID 1 and start-up problems found (signals swallowed, runtime installs, missing exec …)."""
    scripts: tuple[str, ...] = ()
    """Build-context scripts the command runs that were read and analysed."""
    resolved: tuple[str, ...] | None = None
    """The program the command ends up running when a wrapper only hands over to it (`npm start` whose
    package.json script is `node server.js`, `sh -c 'java -jar target/*.jar'`), else None."""


@dataclass(frozen=True)
class Change:
    """One deliberate difference of a candidate from the original, for its rationale."""

    kind: str
    """e.g. `fix:DL3008`, `multi-stage`, `base-image`, `user`, `cache-mount`, `exec-form`."""
    description: str


@dataclass(frozen=True)
class Estimate:
    """A dry-run size/layer estimate from known base-image sizes and heuristics; never a measurement."""

    size_bytes_before: int | None
    size_bytes_after: int | None
    layers_before: int
    layers_after: int
    basis: str
    """How it was estimated (which base sizes, which heuristics)."""
    label: Literal["estimate"] = "estimate"

    @property
    def size_delta_ratio(self) -> float | None:
        if not self.size_bytes_before or self.size_bytes_after is None:
            return None
        return (self.size_bytes_after - self.size_bytes_before) / self.size_bytes_before


@dataclass(frozen=True)
class Candidate:
    """One optimised Dockerfile with why it looks the way it does."""

    strategy: Strategy
    dockerfile: str
    changes: tuple[Change, ...]
    estimate: Estimate
    template: str | None = None
    """Catalog template it was rendered from (None for the `fixes` candidate)."""
    module_versions: tuple[tuple[str, str], ...] = ()
    """(module name, version) of every module injected: part of the candidate's identity."""

    @property
    def identity(self) -> str:
        """A stable id: the same text from the same modules is the same candidate."""
        digest = hashlib.sha256(self.dockerfile.encode("utf-8", "surrogateescape"))
        for name, version in self.module_versions:
            digest.update(f"\0{name}@{version}".encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Rejection:
    """A candidate that was generated but not emitted, and why."""

    strategy: Strategy
    reason: str


@dataclass(frozen=True)
class OptimizeResult:
    """Everything the optimiser says about one Dockerfile."""

    path: str
    stack: StackReport
    start: StartCommand
    candidates: tuple[Candidate, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    skipped: tuple[Rejection, ...] = field(default=())
    """Strategies not attempted, with the reason (e.g. `minimal: ruby has no distroless runtime`)."""

    @property
    def no_candidate_reason(self) -> str | None:
        if self.candidates:
            return None
        reasons = [f"{r.strategy}: {r.reason}" for r in (*self.rejected, *self.skipped)]
        return "; ".join(reasons) or "nothing to improve"
