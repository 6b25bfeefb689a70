"""The deterministic ranking of a Dockerfile's candidates: scores from facts, weights from the rules catalog.

Always on, and the order the model may only permute within bounds. Each
candidate's facts come from its measured build when there was one, else from
the optimiser's estimate (`basis="estimate"`, said wherever the ranking is
shown). A candidate whose build or smoke test failed is never ranked. The
score is a sum of points, one term per catalog weight (see catalog.yml):

    smoke                     1 when the build's smoke test passed (0 on an estimate)
    size, layers              relative reduction against the original, in [-1, 1]
    vulnerabilities           relative reduction of known CVEs (0 unless both images were scanned)
    secrets                   +1 when the candidate holds fewer secrets, -1 when more
    findings_fixed            share of the original's lint findings gone
    preservation_differences  deliberate differences from the original (USER, base image, …)
    strategy_risk             the strategy's risk from the catalog

Same facts → same order: ties go to the lower strategy risk, then the id. A
candidate both smaller and less vulnerable than another (measured) is put
above it whatever the scores say: no order, the scorer's or the model's, may
swap such a pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from codi.pipeline.config import LintConfig
from codi.pipeline.lint import lint_text
from codi.pipeline.measured import ImageReport
from codi.pipeline.optimize.model import Candidate, Strategy
from codi.pipeline.optimize.preservation import DELIBERATE_CHANGES

Basis = Literal["measured", "estimate"]
FINDINGS_CONFIG = LintConfig(shellcheck=False)
"""Findings are counted without ShellCheck: ranking is pure and must not start processes."""


@dataclass(frozen=True)
class CandidateFacts:
    """What the scorer knows of one candidate, and of the original it is compared with."""

    id: str
    """Unique within one Dockerfile: the strategy name."""
    strategy: Strategy
    basis: Basis
    passed: bool | None
    """The measured verdict (build + smoke test + application files); None when it was not built."""
    failure: str | None
    size_bytes: int | None
    size_before: int | None
    layers: int | None
    layers_before: int | None
    vulnerabilities: int | None
    """Known CVEs; None when not scanned."""
    vulnerabilities_before: int | None
    secrets: int | None
    secrets_before: int | None
    findings: int
    findings_before: int
    deliberate_changes: tuple[str, ...]
    """Kinds of listed differences from the original that a maintainer must accept (user, base-image, …)."""


@dataclass(frozen=True)
class ScoredCandidate:
    id: str
    score: float
    points: tuple[tuple[str, float], ...]
    """Points per weight name, in the catalog's order: why the score is what it is."""
    basis: Basis


@dataclass(frozen=True)
class Ranking:
    """The deterministic order, the scores behind it, who was left out and which pairs may never swap."""

    order: tuple[str, ...]
    scored: tuple[ScoredCandidate, ...]
    """In `order`."""
    excluded: tuple[tuple[str, str], ...]
    """(id, reason) of the candidates never ranked (a failed build or smoke test)."""
    must_precede: tuple[tuple[str, str], ...]
    """(a, b): a stays above b in any order — a is both smaller and has fewer known vulnerabilities."""

    def violation(self, proposed: Sequence[str]) -> str | None:
        """Why `proposed` is not an acceptable order (not a permutation, or breaks a pair), or None."""
        if sorted(proposed) != sorted(self.order) or len(set(proposed)) != len(proposed):
            return f"not a permutation of the candidates {', '.join(self.order)}: {', '.join(proposed)}"
        position = {candidate: index for index, candidate in enumerate(proposed)}
        for above, below in self.must_precede:
            if position[above] > position[below]:
                return f"puts {below} above {above}, which is both smaller and has fewer vulnerabilities"
        return None


@dataclass(frozen=True)
class ModelTelemetry:
    """One model call, as counted in /metrics and stored with the run."""

    model: str
    prompt_tokens: int
    output_tokens: int
    latency_s: float
    fallback_reason: str | None
    """Why the model's answer was not used (timeout, invalid JSON, an order the scorer forbids …); None when used."""


@dataclass(frozen=True)
class RankedCandidates:
    """The final order of one Dockerfile's candidates, who decided it, and the model's words when they were used."""

    path: str
    order: tuple[str, ...]
    source: Literal["model", "deterministic"]
    ranking: Ranking
    """The deterministic ranking: scores, exclusions, fixed pairs (always there, whatever `source` says)."""
    facts: tuple[CandidateFacts, ...]
    summary: str | None = None
    """The model's explanation (model output, shown labelled as such); None when the model was not used."""
    reasons: tuple[tuple[str, str], ...] = ()
    telemetry: ModelTelemetry | None = None
    """None when no model was asked (none configured, or nothing to rank)."""

    @property
    def top(self) -> str | None:
        return self.order[0] if self.order else None


def findings_count(dockerfile: str) -> int:
    """Lint findings of a Dockerfile as the scorer counts them (ShellCheck off)."""
    return len(lint_text(dockerfile, FINDINGS_CONFIG).findings)


def candidate_facts(
    candidate: Candidate, findings_before: int, report: ImageReport | None, original: ImageReport | None
) -> CandidateFacts:
    """A candidate's facts: measured when it and a passing original were built, else its estimate.

    `findings_before` is the original's `findings_count`, counted once for all its candidates.
    """
    common = {
        "id": candidate.strategy,
        "strategy": candidate.strategy,
        "findings": findings_count(candidate.dockerfile),
        "findings_before": findings_before,
        "deliberate_changes": tuple(c.kind for c in candidate.changes if c.kind in DELIBERATE_CHANGES),
    }
    if report is not None and original is not None and original.status == "pass":
        return CandidateFacts(
            **common,
            basis="measured",
            passed=report.status == "pass",
            failure=report.reason,
            size_bytes=report.size_bytes,
            size_before=original.size_bytes,
            layers=report.layers,
            layers_before=original.layers,
            vulnerabilities=report.vulnerabilities.total if report.vulnerabilities else None,
            vulnerabilities_before=original.vulnerabilities.total if original.vulnerabilities else None,
            secrets=len(report.secrets),
            secrets_before=len(original.secrets),
        )
    estimate = candidate.estimate
    return CandidateFacts(
        **common,
        basis="estimate",
        passed=None if report is None else report.status == "pass",
        failure=None if report is None else report.reason,
        size_bytes=estimate.size_bytes_after,
        size_before=estimate.size_bytes_before,
        layers=estimate.layers_after,
        layers_before=estimate.layers_before,
        vulnerabilities=None,
        vulnerabilities_before=None,
        secrets=None,
        secrets_before=None,
    )


def rank(
    facts: Sequence[CandidateFacts],
    weights: Mapping[str, float],
    strategy_risk: Mapping[str, float],
) -> Ranking:
    """Scores every candidate that did not fail, orders them, and lists the pairs no reordering may swap."""
    excluded = tuple((f.id, f.failure or "its build failed") for f in facts if f.passed is False)
    ranked = [f for f in facts if f.passed is not False]
    scored = {f.id: _score(f, weights, strategy_risk) for f in ranked}
    ranked.sort(key=lambda f: (-scored[f.id].score, strategy_risk.get(f.strategy, 0.0), f.id))
    ranked = _dominant_first(ranked)
    must_precede = tuple(
        (a.id, b.id) for a in ranked for b in ranked if a.id != b.id and _dominates(a, b)
    )
    return Ranking(
        order=tuple(f.id for f in ranked),
        scored=tuple(scored[f.id] for f in ranked),
        excluded=excluded,
        must_precede=must_precede,
    )


def _dominant_first(by_score: list[CandidateFacts]) -> list[CandidateFacts]:
    """The score order, except that a candidate both smaller and less vulnerable than another always comes
    first: the best-scoring candidate no remaining one dominates is taken next (dominance is a partial order)."""
    remaining = list(by_score)
    ordered = []
    while remaining:
        pick = next(f for f in remaining if not any(_dominates(g, f) for g in remaining if g is not f))
        ordered.append(pick)
        remaining.remove(pick)
    return ordered


def _score(facts: CandidateFacts, weights: Mapping[str, float], strategy_risk: Mapping[str, float]) -> ScoredCandidate:
    measures = {
        "smoke": 1.0 if facts.basis == "measured" and facts.passed else 0.0,
        "size": _reduction(facts.size_before, facts.size_bytes),
        "layers": _reduction(facts.layers_before, facts.layers),
        "vulnerabilities": _reduction(facts.vulnerabilities_before, facts.vulnerabilities),
        "secrets": _secrets(facts.secrets_before, facts.secrets),
        "findings_fixed": _reduction(facts.findings_before, facts.findings),
        "preservation_differences": float(len(facts.deliberate_changes)),
        "strategy_risk": strategy_risk.get(facts.strategy, 0.0),
    }
    points = tuple((name, round(weights.get(name, 0.0) * measures[name], 4)) for name in sorted(weights))
    return ScoredCandidate(facts.id, round(sum(p for _, p in points), 4), points, facts.basis)


def _reduction(before: int | None, after: int | None) -> float:
    """(before − after) / before in [-1, 1]; 0 when either is unknown or there was nothing before."""
    if before is None or after is None or before <= 0:
        return 0.0
    return max(-1.0, min(1.0, (before - after) / before))


def _secrets(before: int | None, after: int | None) -> float:
    if before is None or after is None or before == after:
        return 0.0
    return 1.0 if after < before else -1.0


def _dominates(a: CandidateFacts, b: CandidateFacts) -> bool:
    """a is both smaller and has fewer known vulnerabilities than b (measured facts only)."""
    if a.basis != "measured" or b.basis != "measured":
        return False
    if None in (a.size_bytes, b.size_bytes, a.vulnerabilities, b.vulnerabilities):
        return False
    return a.size_bytes < b.size_bytes and a.vulnerabilities < b.vulnerabilities  # type: ignore[operator]
