"""The optimiser on the whole shared corpus: which strategies it emits, why it rejects, what it costs.

For each of the 260 corpus Dockerfiles, in one process: `optimize()` (stack
detection, start analysis, fixes candidate, rendered candidates, preservation
check, estimates) and, as the peer, codi's lint of the same text
(`lint_text` with ShellCheck off, what `codi analyze --no-shellcheck` runs
per file). Each is timed `--runs` times per file and the best kept; the ratio
of the medians says what optimising costs on top of linting.

Per strategy and per corpus stack it counts the files with a candidate and
with a structural one (slim, multi-stage, minimal), re-checks every emitted
candidate (preservation; lint against the original with its safe fixes by the
gate of the strategy that emitted it: the whole file for fixes and slim, each
stage for multi-stage and minimal; and lint clean outright), and prints issue
11's targets beside the figures.

    python bench/optimize_corpus.py            # counts, rejections, timing
    python bench/optimize_corpus.py --show minimal   # the files rejected or skipped for one strategy
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.pipeline.config import LintConfig  # noqa: E402
from codi.pipeline.lint import lint_text  # noqa: E402
from codi.pipeline.optimize.optimizer import optimize  # noqa: E402
from codi.pipeline.optimize.model import STRATEGIES, OptimizeResult  # noqa: E402
from codi.pipeline.optimize.preservation import preservation_rejection, runtime_profile  # noqa: E402
from codi.pipeline.optimize.start import analyze_start  # noqa: E402
from codi.pipeline.optimize.strategies.render import lints_worse_per_stage  # noqa: E402
from codi.pipeline.optimize.strategies.slim import lints_worse  # noqa: E402
from codi.pipeline.findings import Severity  # noqa: E402
from codi.pipeline.parser import parse  # noqa: E402
from tests.corpus import corpus_files, read  # noqa: E402

_PRESERVATION = "does not preserve the original: "
VERSION_PINS = frozenset({"DL3006", "DL3007", "DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037",
                          "DL3041"})  # fmt: skip
"""Warnings that ask for a version pin (base tag, apt/pip/npm/apk/gem/yum/zypper/dnf packages): codi cannot
know which version the author means, so no candidate can fix them."""
EDITS = ("fixes", "slim")
"""Strategies that edit the original in place: their gate counts findings over the whole file. The rendered ones
(multi-stage, minimal) replay instructions in more than one stage, so their gate counts per stage."""
STRUCTURAL = ("slim", "multi-stage", "minimal")
"""Strategies that change the image's structure beyond fixes."""
_PROBLEM_KINDS = (
    (re.compile(r"^(drops|adds) (EXPOSE|VOLUME|ENV|LABEL)\b"), None),
    (re.compile(r"^(ENV|LABEL) \S+=.* instead of"), "changes {0}"),
    (re.compile(r"^(USER|HEALTHCHECK|base image) .*not listed as a change$"), "{0} changed, not listed"),
    (re.compile(r"^(WORKDIR|start command) "), "changes {0}"),
    (re.compile(r"^(loses|adds) (application file|the built|\S+ copied)"), None),
    (re.compile(r"^loses .*, which the start command runs$"), "loses a file the start command runs"),
)


def problem_kind(problem: str) -> str:
    """A preservation problem without its values (`drops EXPOSE 80/tcp` → `drops EXPOSE`)."""
    for pattern, label in _PROBLEM_KINDS:
        match = pattern.match(problem)
        if match:
            return label.format(*match.groups()) if label else " ".join(match.groups())
    return problem


_VALUES = (
    (re.compile(r"\(line \d+: .*\)$"), "(line …)"),
    (re.compile(r"\bline \d+"), "line …"),
    (re.compile(r"`[^`]*`"), "`…`"),
    (re.compile(r"(the base image|the tag of) \S+"), r"\1 …"),
    (re.compile(r"(does not lint clean:) .*"), r"\1 …"),
    (re.compile(r"(cannot be put in exec form:) .*"), r"\1 …"),
)


def rejection_kinds(reason: str) -> list[str]:
    """What a rejection or skip is about, without the file's values, so reasons can be counted."""
    if reason.startswith(_PRESERVATION):
        return sorted({problem_kind(problem) for problem in reason[len(_PRESERVATION) :].split("; ")})
    for pattern, replacement in _VALUES:
        reason = pattern.sub(replacement, reason)
    return [reason[:110]]


def best_time(work, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="timed runs per file and tool (best is kept)")
    parser.add_argument("--show", choices=STRATEGIES, help="list each file's rejection or skip for one strategy")
    args = parser.parse_args()
    lint_config = LintConfig(shellcheck=False)
    results: dict[str, OptimizeResult] = {}
    texts: dict[str, str] = {}
    optimise_times: list[float] = []
    lint_times: list[float] = []
    for path in corpus_files():
        text = read(path)
        texts[path.name] = text
        results[path.name] = optimize(path.name, text)
        optimise_times.append(best_time(lambda: optimize(path.name, text), args.runs))
        lint_times.append(best_time(lambda: lint_text(text, lint_config), args.runs))

    if args.show:
        for name, result in results.items():
            for item in (*result.rejected, *result.skipped):
                if item.strategy == args.show:
                    print(f"{name}: {item.reason}")
        return

    emitted = Counter(c.strategy for r in results.values() for c in r.candidates)
    none = [name for name, r in results.items() if not r.candidates]
    print(f"{len(results)} Dockerfiles; {len(results) - len(none)} with at least one candidate, {len(none)} with none")
    print("\ncandidates per strategy (files):")
    for strategy in STRATEGIES:
        print(f"  {strategy:12} {emitted[strategy]:4}")
    per_file = Counter(len(r.candidates) for r in results.values())
    print("files by number of candidates: " + ", ".join(f"{n}: {per_file[n]}" for n in sorted(per_file)))
    structural = [name for name, r in results.items() if any(c.strategy in STRUCTURAL for c in r.candidates)]
    print(f"files with a structural candidate ({', '.join(STRUCTURAL)}): {len(structural)}")
    print(f"targets: any candidate {len(results) - len(none)}/{len(results)} (>= 220), "
          f"structural {len(structural)}/{len(results)} (>= 130)")  # fmt: skip

    print("\nper corpus stack (files, any candidate, structural, then files per strategy):")
    by_stack: dict[str, list[OptimizeResult]] = {}
    for r in results.values():
        by_stack.setdefault(r.stack.stack, []).append(r)
    print(f"  {'stack':8} {'files':>5} {'any':>5} {'struct':>6} " + " ".join(f"{s:>11}" for s in STRATEGIES))
    for stack, group in sorted(by_stack.items(), key=lambda kv: -len(kv[1])):
        row = [sum(1 for r in group if any(c.strategy == s for c in r.candidates)) for s in STRATEGIES]
        anyone = sum(1 for r in group if r.candidates)
        struct = sum(1 for r in group if any(c.strategy in STRUCTURAL for c in r.candidates))
        print(f"  {stack:8} {len(group):5} {anyone:5} {struct:6} " + " ".join(f"{n:11}" for n in row))

    print("\nemitted candidates re-checked (strategy: preservation failures, lints worse than the original with "
          "its safe fixes by the strategy's own gate (whole file: fixes, slim; per stage: multi-stage, minimal), "
          "lint clean: no warning/error at all, or only version pins codi cannot know):")  # fmt: skip
    for strategy in STRATEGIES:
        failures = worse = clean = pins_only = total = 0
        for name, r in results.items():
            text = texts[name]
            original = parse(text)
            for candidate in r.candidates:
                if candidate.strategy != strategy:
                    continue
                total += 1
                document = parse(candidate.dockerfile)
                profile = runtime_profile(original)
                failures += preservation_rejection(profile, candidate, document, analyze_start(original)) is not None
                gate = lints_worse(text, candidate.dockerfile) if strategy in EDITS else lints_worse_per_stage(text, document)
                worse += bool(gate)
                codes = {
                    f.code
                    for f in lint_text(candidate.dockerfile, lint_config).findings
                    if f.severity in (Severity.WARNING, Severity.ERROR)
                }
                clean += not codes
                pins_only += bool(codes) and codes <= VERSION_PINS
        print(f"  {strategy:12} {total:4} emitted: {failures} fail preservation, {worse} lint worse, "
              f"{clean} lint clean, {pins_only} more whose only warnings are version pins")  # fmt: skip

    print("\nrejected by the preservation check or as invalid (strategy, what differs: files):")
    rejections = Counter(
        (item.strategy, kind) for r in results.values() for item in r.rejected for kind in rejection_kinds(item.reason)
    )
    for (strategy, kind), count in sorted(rejections.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:4}  {strategy}: {kind}")
    print("\nnot attempted (strategy: reason: files):")
    skips = Counter((item.strategy, rejection_kinds(item.reason)[0]) for r in results.values() for item in r.skipped)
    for (strategy, reason), count in sorted(skips.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:4}  {strategy}: {reason}")
    if none:
        print("\nno candidate at all: " + ", ".join(none[:20]) + (" …" if len(none) > 20 else ""))

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    o50, o95 = percentile(optimise_times, 0.5), percentile(optimise_times, 0.95)
    l50, l95 = percentile(lint_times, 0.5), percentile(lint_times, 0.95)
    print(f"\ntime per file (best of {args.runs}), one process:")
    print(f"  optimize()                       p50 {ms(o50)}  p95 {ms(o95)}  total {sum(optimise_times):.2f} s")
    print(f"  peer: lint_text (no ShellCheck)  p50 {ms(l50)}  p95 {ms(l95)}  total {sum(lint_times):.2f} s")
    mean_ratio = statistics.mean(optimise_times) / statistics.mean(lint_times)
    print(f"  ratio optimize/lint: p50 {o50 / l50:.1f}x  p95 {o95 / l95:.1f}x  mean {mean_ratio:.1f}x")


if __name__ == "__main__":
    main()
