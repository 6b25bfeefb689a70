"""Ranking with the local model: the deterministic ranking first, then the model's order and words if they pass.

The model is asked only when there is something to rank and a model is
loaded; its answer is used only when `check_answer` accepts it (a permutation
that keeps the scorer's fixed pairs, bounded text). Every other outcome —
timeout, invalid JSON, a refused order, a model error — keeps the
deterministic order and records why (`ModelTelemetry.fallback_reason`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from codi.llm.engine import LocalModel
from codi.pipeline.measured import ImageReport
from codi.pipeline.optimize.optimizer import default_catalog
from codi.pipeline.optimize.model import OptimizeResult
from codi.pipeline.rank import ModelTelemetry, RankedCandidates, candidate_facts, findings_count, rank
from codi.pipeline.rank_prompt import build_prompt, check_answer

MAX_OUTPUT_TOKENS = 512
"""Above the longest answer the schema allows (300 + 3 × 160 characters of text), so bounds, not tokens, end it."""
DEFAULT_TIMEOUT_S = 30.0


def rank_file(
    path: str,
    original_text: str,
    result: OptimizeResult,
    reports: Sequence[ImageReport] | None = None,
    model: LocalModel | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> RankedCandidates:
    """The candidates of one Dockerfile in their final order; `reports` are its measured images (original first)."""
    catalog = default_catalog()
    by_strategy = {report.strategy: report for report in reports or ()}
    original = by_strategy.get("original")
    findings_before = findings_count(original_text)
    facts = tuple(
        candidate_facts(candidate, findings_before, by_strategy.get(candidate.strategy), original)
        for candidate in result.candidates
    )
    ranking = rank(facts, dict(catalog.weights), dict(catalog.strategy_risk))
    ranked = RankedCandidates(path, ranking.order, "deterministic", ranking, facts)
    if model is None or not ranking.order:
        return ranked
    texts = {candidate.strategy: candidate.dockerfile for candidate in result.candidates}
    prompt = build_prompt(path, original_text, texts, facts, ranking)
    call = model.complete_json(prompt.system, prompt.user, prompt.schema, MAX_OUTPUT_TOKENS, timeout_s)
    checked = check_answer(ranking, call.parsed) if call.error is None else call.error
    fallback = checked if isinstance(checked, str) else None
    telemetry = ModelTelemetry(call.model, call.prompt_tokens, call.output_tokens, round(call.latency_s, 3), fallback)
    if isinstance(checked, str):
        return replace(ranked, telemetry=telemetry)
    return replace(
        ranked, order=checked.order, source="model", summary=checked.summary, reasons=checked.reasons, telemetry=telemetry
    )
